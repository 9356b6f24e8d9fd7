"""The aggregated network's index: per graph, each actor's event links and the events between two actors, in SQLite.

What the explorer's aggregated view of a large store reads
(:func:`~conflictkg.graph.networks.explorer._aggregated_ties`), kept beside
the store so it never scans every event again:

- ``links``: per named graph and actor, how many events have it as
  ``ck:actor`` (``n_actor``) and as ``ck:actor`` or ``ck:target`` (``n_any``,
  an event counted once) — the "most active actors" and the link count that
  decides whether the network is aggregated;
- ``events``: every ``?e ck:actor ?a ; ck:target ?b ; ck:date ?d ; a ?t``
  (with its optional ``ck:cameoCode``) of a named graph, one row per solution,
  exactly what the scan path's SPARQL answers; read by the two actors.

It follows the store like the search index
(:mod:`conflictkg.graph.entities.search`): a write marks the named graphs it
touched (or everything), and only those are re-read — lazily, when the
explorer next asks, never at a flush, so a chunked import pays nothing.
Which graphs are shown (claims, pending, staging) is decided at read time
from the graph metadata, so a review or a claim's metadata never stales it.
On an on-disk store the index is the file ``network.sqlite3`` in the store's
folder (it survives restarts; a missing one is built at the first read);
elsewhere it lives in memory. Writes that bypass the object the index
watches (another process's ``Store`` without it) are not seen: open the store
through :func:`open_network_index` (the CLI and the server do).
"""

from __future__ import annotations

import gc
import hashlib
import pickle
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from conflictkg.graph.store import FactStore
from conflictkg.graph.store.updates import MAX_PARSED_UPDATE, touched_by_update

__all__ = ["FILE_NAME", "NetworkIndex", "no_gc", "open_network_index"]

FILE_NAME = "network.sqlite3"
SCHEMA_VERSION = "4"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS links(graph TEXT NOT NULL, actor TEXT NOT NULL, iri INTEGER NOT NULL,
                                 n_actor INTEGER NOT NULL, n_any INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events(graph TEXT NOT NULL, event TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL,
                                  day TEXT NOT NULL, type TEXT NOT NULL, code TEXT);
CREATE TABLE IF NOT EXISTS dirty(graph TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS updates(id INTEGER PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kept(graph TEXT NOT NULL, key TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (graph, key));
CREATE INDEX IF NOT EXISTS links_graph ON links(graph);
CREATE INDEX IF NOT EXISTS events_pair ON events(a, b);
CREATE INDEX IF NOT EXISTS events_graph ON events(graph);
"""

_EVENTS = "?e ck:actor ?a ; ck:target ?b ; ck:date ?d ; a ?t OPTIONAL {{ ?e ck:cameoCode ?code }}"


class NetworkIndex:
    """Event links per actor and events per pair of actors (see the module notes).

    Parameters
    ----------
    store : FactStore
        The store to follow; the index watches its writes.
    path : path, optional
        The index file; ``None`` keeps it in memory.

    Examples
    --------
    >>> from conflictkg.graph.store import Store
    >>> store = Store()
    >>> index = NetworkIndex(store)
    >>> store.update('INSERT DATA { GRAPH <urn:g> { <urn:e> a ck:Event ; ck:actor <urn:a> ; ck:target <urn:b> ; '
    ...              'ck:date "2020-01-01"^^xsd:date } }')
    >>> index.top_actors(5), index.event_links()
    (['urn:a', 'urn:b'], 1)
    """

    def __init__(self, store: FactStore, path: str | Path | None = None) -> None:
        self.store = store
        self.path = None if path is None else Path(path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(":memory:" if self.path is None else str(self.path), check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL" if self.path is not None else "PRAGMA journal_mode=MEMORY")
        self._db.execute("PRAGMA synchronous=NORMAL")
        version = None
        if self._db.execute("SELECT name FROM sqlite_master WHERE name = 'meta'").fetchone() is not None:
            version = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if version is None or version[0] != SCHEMA_VERSION:
            for table in ("meta", "links", "events", "dirty", "updates", "ties", "parts", "kept"):
                self._db.execute(f"DROP TABLE IF EXISTS {table}")
            self._db.executescript(_SCHEMA)
            self._db.execute("INSERT INTO meta VALUES ('schema', ?), ('full', '1'), ('generation', '0')", (SCHEMA_VERSION,))
            self._db.commit()
        self._kept: dict[tuple[str, str], bytes] = {}  # in memory: (graph, key) -> pickle; graph "" is the whole store
        store.watch(self)

    # -- following the store ------------------------------------------------------

    def changed(self, graphs: set[str] | None, update: str | None) -> None:
        """:class:`~conflictkg.graph.store.StoreListener`: note on disk what a write touched (read at :meth:`sync`).

        Noted in the file at once, so a command that writes and exits leaves the
        index knowing what to re-read; an update's text is parsed only then.
        """
        with self._lock, self._db:
            self._db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
            # Parsing an update costs a few milliseconds: only where some graph's part is kept.
            self._forget(self._touched(graphs, update) if self.parts_kept() else None)
            if self._full:
                return
            if update is not None and len(update) <= MAX_PARSED_UPDATE:
                self._db.execute("INSERT INTO updates(text) VALUES (?)", (update,))
            elif update is not None or graphs is None:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('full', '1')")
            else:
                self._db.executemany("INSERT OR IGNORE INTO dirty VALUES (?)", [(g,) for g in graphs])

    def flushed(self) -> None:
        """:class:`~conflictkg.graph.store.StoreListener`: nothing now; the touched graphs are re-read when next asked."""

    @property
    def _full(self) -> bool:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'full'").fetchone()
        return bool(row and row[0] == "1")

    @property
    def dirty(self) -> bool:
        """Whether writes are waiting to be read into the index."""
        with self._lock:
            return self._full or any(self._db.execute("SELECT 1 FROM dirty UNION ALL SELECT 1 FROM updates LIMIT 1"))

    def sync(self) -> None:
        """Re-read the graphs writes touched since the last sync (everything after :meth:`rebuild`)."""
        with self._lock:
            if not self.dirty:
                return
            full = self._full
            dirty = {g for (g,) in self._db.execute("SELECT graph FROM dirty")}
            for (text,) in [] if full else self._db.execute("SELECT text FROM updates ORDER BY id").fetchall():
                touched = touched_by_update(text)
                if touched is None:
                    full = True
                    break
                dirty.update(touched)
            dirty.discard("")  # the default graph holds no network
            with self._db:
                if full:
                    self._db.execute("DELETE FROM links")
                    self._db.execute("DELETE FROM events")
                    self._read(None)
                else:
                    for g in sorted(dirty):
                        self._db.execute("DELETE FROM links WHERE graph = ?", (g,))
                        self._db.execute("DELETE FROM events WHERE graph = ?", (g,))
                        self._read(g)
                self._db.execute("DELETE FROM dirty")
                self._db.execute("DELETE FROM updates")
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('full', '0')")

    def rebuild(self) -> None:
        """Re-read every named graph."""
        with self._lock:
            with self._db:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('full', '1')")
            self.sync()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _read(self, graph: str | None) -> None:
        """Index one named graph (``None``: all of them)."""
        where = "GRAPH ?g" if graph is None else f"GRAPH <{graph}>"
        pick = "?g" if graph is None else ""

        def g_of(row: ox.QuerySolution) -> str:
            return row["g"].value if graph is None else graph  # type: ignore[union-attr]

        links: dict[tuple[str, str, int], list[int]] = {}
        for column, path in ((0, "ck:actor"), (1, "ck:actor|ck:target")):
            for row in self.store.query(f"SELECT {pick} ?a (COUNT(*) AS ?n) WHERE {{ {where} {{ ?e {path} ?a }} }} "
                                        f"GROUP BY {pick} ?a"):  # type: ignore[union-attr]
                a = row["a"]
                key = (g_of(row), a.value, int(isinstance(a, ox.NamedNode)))  # type: ignore[union-attr]
                links.setdefault(key, [0, 0])[column] += int(row["n"].value)  # type: ignore[union-attr]
        self._db.executemany("INSERT INTO links VALUES (?, ?, ?, ?, ?)", [(*k, *v) for k, v in links.items()])
        # ?g first even for one graph (bound by VALUES), so every row unpacks by position: three times
        # faster than by name.
        bind = "" if graph is None else f"VALUES ?g {{ <{graph}> }} "
        rows = self.store.query(f"SELECT ?g ?e ?a ?b ?d ?t ?code WHERE {{ {bind}GRAPH ?g {{ {_EVENTS.format()} }} }}")
        named = ox.NamedNode
        self._db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)", (
            (g.value, e.value, a.value, b.value, d.value, t.value, code.value if code is not None else None)
            for g, e, a, b, d, t, code in rows  # type: ignore[union-attr, misc]
            if type(a) is named and type(b) is named))

    # -- what analyses read, kept until a write may change it ---------------------------

    def kept(self, key: str) -> object | None:
        """What :meth:`keep` kept under ``key`` since the last write, else ``None``.

        On disk it is a pickle in the store's folder, written by this class:
        whoever can write that folder can change the store itself.
        """
        return self._load("", key)

    def keep(self, key: str, value: object, since: int | None = None) -> None:
        """Keep ``value`` (the ties ``load_ties`` read, a snapshot built from them) until the next write.

        ``since``: the :attr:`generation` before ``value`` was read; if a write came after it
        (another thread or process), ``value`` may be stale and is not kept.
        """
        self._save("", key, value, since)

    def part(self, graph: str, key: str) -> object | None:
        """What :meth:`keep_part` kept for ``graph`` under ``key`` since the last write to that graph, else ``None``."""
        return self._load(graph, key)

    def keep_part(self, graph: str, key: str, value: object, since: int | None = None) -> None:
        """Keep what ``graph``'s rows make (:mod:`~conflictkg.graph.networks.parts`) until a write touches it
        (``since`` as for :meth:`keep`)."""
        self._save(graph, key, value, since)

    def parts_kept(self) -> int:
        """How many parts are kept (:meth:`keep_part`)."""
        with self._lock:
            if self.path is None:
                return sum(1 for graph, _ in self._kept if graph)
            return int(self._db.execute("SELECT COUNT(*) FROM kept WHERE graph != ''").fetchone()[0])

    @property
    def generation(self) -> int:
        """How many writes this index has seen: read it before reading the store, hand it to :meth:`keep`."""
        with self._lock:
            return int(self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    def forget_kept(self) -> None:
        """Drop everything kept, the graphs' parts too: the next analysis reads the whole store."""
        with self._lock, self._db:
            self._forget(None)

    # What is kept for the whole store (graph "") goes at every write; a graph's parts when a write
    # touches that graph (or may have: an update too long to parse, a write that names no graphs).

    def _load(self, graph: str, key: str) -> object | None:
        with self._lock:
            if self.path is None:
                kept = self._kept.get((graph, key))
                if kept is None:
                    return None
                with no_gc():
                    return pickle.loads(kept)  # a fresh copy: callers change what they get
            row = self._db.execute("SELECT token FROM kept WHERE graph = ? AND key = ?", (graph, key)).fetchone()
            if row is None:
                return None
            try:
                with open(self._file(graph, key, row[0]), "rb") as f, no_gc():
                    return pickle.load(f)
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
                return None  # gone or from another version: read the store again

    def _save(self, graph: str, key: str, value: object, since: int | None) -> None:
        with self._lock:
            if since is not None and since != self.generation:
                return
            if self.path is None:
                self._kept[(graph, key)] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                return
            token = uuid.uuid4().hex
            target = self._file(graph, key, token)
            partial = target.with_suffix(".partial")
            with open(partial, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(target)
            with self._db:
                old = self._db.execute("SELECT token FROM kept WHERE graph = ? AND key = ?", (graph, key)).fetchone()
                self._db.execute("INSERT OR REPLACE INTO kept VALUES (?, ?, ?)", (graph, key, token))
            if old is not None:
                self._file(graph, key, old[0]).unlink(missing_ok=True)

    def _forget(self, touched: set[str] | None) -> None:
        """Drop what a write may have changed: the whole store's, and the parts of the ``touched`` graphs (all: ``None``)."""
        if self.path is None:
            kept = dict.fromkeys(self._kept, "")
        else:
            kept = {(g, k): t for g, k, t in self._db.execute("SELECT graph, key, token FROM kept")}
        for graph, key in [k for k in kept if not k[0] or touched is None or k[0] in touched]:
            if self.path is None:
                del self._kept[(graph, key)]
            else:
                self._db.execute("DELETE FROM kept WHERE graph = ? AND key = ?", (graph, key))
                self._file(graph, key, kept[(graph, key)]).unlink(missing_ok=True)

    @staticmethod
    def _touched(graphs: set[str] | None, update: str | None) -> set[str] | None:
        """The named graphs a write touched, ``None`` where that is not known."""
        if update is None:
            return None if graphs is None else set(graphs)
        # Parsed now, not at the next sync: a part outlives many syncs. An update too long to parse
        # cheaply counts as touching everything, as it marks the whole index stale.
        parsed = touched_by_update(update) if len(update) <= MAX_PARSED_UPDATE else None
        return None if parsed is None else set(parsed) | set(graphs or ())

    def _file(self, graph: str, key: str, token: str) -> Path:
        assert self.path is not None
        if not graph:
            return self.path.parent / f"ties-{key}-{token}.pickle"
        name = hashlib.sha1(graph.encode("utf-8")).hexdigest()[:16]
        return self.path.parent / f"part-{name}-{key}-{token}.pickle"


    # -- reading ------------------------------------------------------------------------

    def event_links(self) -> int:
        """How many ``?e ck:actor ?a`` there are, over every named graph."""
        self.sync()
        with self._lock:
            return int(self._db.execute("SELECT COALESCE(SUM(n_actor), 0) FROM links").fetchone()[0])

    def top_actors(self, n: int) -> list[str]:
        """The ``n`` actors (IRIs) with most events as actor or target, over every named graph; ties by IRI."""
        self.sync()
        with self._lock:
            return [a for (a,) in self._db.execute(
                "SELECT actor FROM links WHERE iri = 1 GROUP BY actor ORDER BY SUM(n_any) DESC, actor LIMIT ?", (n,))]

    def events_between(self, actors: list[str]) -> list[tuple[str, str, str, str, str, str | None, str]]:
        """Every ``(event, a, b, date, type, code, graph)`` whose actor and target are both among ``actors``,
        sorted (a missing code as ``""``)."""
        self.sync()
        with self._lock:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS chosen(iri TEXT PRIMARY KEY)")
            self._db.execute("DELETE FROM chosen")
            self._db.executemany("INSERT OR IGNORE INTO chosen VALUES (?)", [(a,) for a in actors])
            # IN, not a join of chosen × chosen × events: for that join SQLite scanned every event (0.28 s
            # against 0.08 s on 1M events); with IN it seeks events_pair once per pair.
            out = list(self._db.execute(
                "SELECT e.event, e.a, e.b, e.day, e.type, e.code, e.graph FROM events e "
                "WHERE e.a IN (SELECT iri FROM chosen) AND e.b IN (SELECT iri FROM chosen) "
                "ORDER BY e.event, e.a, e.b, e.day, e.type, COALESCE(e.code, ''), e.graph"))
            self._db.execute("DELETE FROM chosen")
            return out


@contextmanager
def no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: building a million objects that hold no cycles
    (ties, their evidence), each collection would walk all those built so far (unpickling the
    ties of 1M ACLED rows took 5.5 s with it, 2.5 s without)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def open_network_index(store: FactStore) -> NetworkIndex | None:
    """The network index of ``store`` (the file ``network.sqlite3`` in an on-disk store's folder, else in memory).

    A store has one: asking again returns the index already following it.
    ``None`` for a remote store (the aggregated view asks the server instead).
    """
    for listener in store.listeners:
        if isinstance(listener, NetworkIndex):
            return listener
    if store.kind == "remote":
        return None
    return NetworkIndex(store, store.path / FILE_NAME if store.path is not None else None)
