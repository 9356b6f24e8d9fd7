"""Where a running ``conflictkg serve`` can be reached: a small file beside the store it holds.

An embedded store is locked by the one process that opens it, so while
``conflictkg serve`` runs, a second ``conflictkg`` command cannot open the
same folder. The server writes ``<store>.serving.json`` beside the folder
(its URL and process id) when it starts and removes it when it stops; a
command that finds the store locked reads it, checks that the process lives
and answers, and runs on the server's ``/sparql`` instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


from conflictkg.graph.errors import KGError

__all__ = ["RunningServer", "announce", "running_server", "serving_file"]

_SUFFIX = ".serving.json"


def serving_file(store: str | os.PathLike[str]) -> Path:
    """The file that names the server holding an on-disk store: ``var/store`` → ``var/store.serving.json``."""
    folder = Path(store).resolve()
    return folder.with_name(folder.name + _SUFFIX)


@dataclass(frozen=True)
class RunningServer:
    """A live ``conflictkg serve`` on a store."""

    url: str
    pid: int
    file: Path
    #: Whether it answered ``ASK {}`` just now.
    answers: bool = True

    @property
    def sparql(self) -> str:
        """Its SPARQL endpoint."""
        return self.url + "/sparql"


def _client_host(host: str) -> str:
    # A server bound to every address is reached on loopback.
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@contextlib.contextmanager
def announce(store: str, host: str, port: int) -> Iterator[Path | None]:
    """Name this process and its URL beside an on-disk store while the block runs.

    Nothing is written for ``:memory:`` or a remote store. The file is
    replaced atomically, and removed on the way out only if it still names
    this process.

    Raises
    ------
    KGError
        If a live server already announced itself for the store (a second
        ``serve`` would fail on the store's lock, and must not take its file).
    """
    if store == ":memory:" or "://" in store or store == "sparql":
        yield None
        return
    other = running_server(store, timeout_s=1.0)
    if other is not None and other.pid != os.getpid():
        raise KGError(f"{store} is already served by conflictkg serve (process {other.pid}) at {other.url}", parameter="store")
    path = serving_file(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "url": f"http://{_client_host(host)}:{port}",
        "pid": os.getpid(),
        "store": str(Path(store).resolve()),
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    try:
        yield path
    finally:
        with contextlib.suppress(OSError, ValueError):
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def running_server(store: str | os.PathLike[str], *, timeout_s: float = 3.0) -> RunningServer | None:
    """The live server that announced itself for this store, or ``None``.

    A file whose process is gone (a server that was killed) is stale and is
    removed. :attr:`RunningServer.answers` says whether the live process
    answered ``ASK {}`` on its endpoint within ``timeout_s``.
    """
    path = serving_file(store)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        url, pid = str(record["url"]).rstrip("/"), int(record["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(pid):
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    import httpx  # here: only a command that found the store locked asks

    try:
        answers = httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        answers = False
    return RunningServer(url, pid, path, answers)
