"""Published snapshots of an on-disk store, for reader processes that serve queries themselves.

When the HTTP API runs as one writer process and several reader processes
(``conflictkg serve --readers N``), the writer is the only process that
opens the store for writing. After each committed write it *publishes* a
snapshot: a RocksDB checkpoint (``Store.backup``: hard links to immutable
table files, milliseconds) in a folder shared with the readers, and then a
pointer file naming it. A reader, before each query, looks at the pointer
(one ``stat``) and reopens when a newer snapshot is published. The writer
publishes before it answers the write, so any query received after the
answer sees the write, on every reader.

A superseded snapshot is deleted once it has been superseded for longer
than a query may run plus a margin: a reader only starts queries on the
newest snapshot, and a query lives at most that long.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pyoxigraph as ox

__all__ = ["SnapshotPublisher", "SnapshotFollower", "POINTER"]

#: The file in the snapshot folder that names the newest snapshot.
POINTER = "current"


class SnapshotPublisher:
    """The writer's side: make a snapshot after each commit and point the readers at it.

    Parameters
    ----------
    folder : path
        Where snapshots go; on the store's file system (checkpoints hard-link).
    checkpoint : callable
        ``checkpoint(path)`` writes the store's committed state at ``path``.
    keep_s : float
        How long a superseded snapshot stays (the query time limit plus a margin).
    """

    def __init__(self, folder: str | os.PathLike[str], checkpoint, *, keep_s: float) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._checkpoint = checkpoint
        self.keep_s = keep_s
        self._lock = threading.Lock()
        self._superseded: list[tuple[float, Path]] = []
        # A writer restarted after a crash goes on from the last published generation,
        # so readers see the numbers grow; the old writer's snapshots are collected in time.
        self.generation = self._read_generation()
        now = time.monotonic()
        self._superseded = [(now, p) for p in sorted(self.folder.glob("gen-*")) if p.name != self._read_pointer()]
        self.publish()

    def publish(self) -> int:
        """Snapshot the store and point readers at it; returns the new generation."""
        with self._lock:
            self.generation += 1
            path = self.folder / f"gen-{self.generation:08d}"
            self._checkpoint(str(path))
            previous = self._read_pointer()
            tmp = self.folder / (POINTER + ".tmp")
            tmp.write_text(f"{self.generation}\n{path.name}\n", encoding="utf-8")
            os.replace(tmp, self.folder / POINTER)
            if previous is not None:
                self._superseded.append((time.monotonic(), self.folder / previous))
            self._collect()
            return self.generation

    def _read_generation(self) -> int:
        try:
            return int((self.folder / POINTER).read_text(encoding="utf-8").split("\n")[0])
        except (OSError, ValueError):
            return 0

    def _read_pointer(self) -> str | None:
        try:
            return (self.folder / POINTER).read_text(encoding="utf-8").split("\n")[1]
        except (OSError, IndexError):
            return None

    def _collect(self) -> None:
        now = time.monotonic()
        while self._superseded and now - self._superseded[0][0] > self.keep_s:
            _, path = self._superseded.pop(0)
            shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        """Delete every snapshot (the readers are stopped first)."""
        shutil.rmtree(self.folder, ignore_errors=True)


class SnapshotFollower:
    """A reader's side: the newest published snapshot, opened read-only.

    Parameters
    ----------
    folder : path
        The publisher's folder.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._pointer = self.folder / POINTER
        self._seen: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self.generation = 0
        self.store: ox.Store | None = None

    def current(self) -> ox.Store:
        """The store of the newest snapshot (reopened if a newer one was published).

        Raises
        ------
        FileNotFoundError
            If nothing is published yet.
        """
        stat = os.stat(self._pointer)
        seen = (stat.st_mtime_ns, stat.st_ino)
        if seen == self._seen and self.store is not None:
            return self.store
        with self._lock:
            if seen != self._seen or self.store is None:
                generation, name = self._pointer.read_text(encoding="utf-8").split("\n")[:2]
                if int(generation) != self.generation or self.store is None:
                    self.store = ox.Store.read_only(str(self.folder / name))
                    self.generation = int(generation)
                self._seen = seen
            return self.store
