"""The search index of entity names: labels and aliases in SQLite FTS5, kept in step with the store.

The index holds, per named graph, every ``rdfs:label`` and ``skos:altLabel``
of an IRI and every ``rdf:type``; pending graphs (``ck:PendingGraph``), import
staging and the ontology are never indexed. It follows the store through
:meth:`~conflictkg.graph.store.FactStore.watch`: each write marks what it
touched (a graph, a graph's subjects for ``INSERT DATA``/``DELETE DATA``, or
everything), and the marked part is re-read from the store at the next
flush or search, so a search after a load, an import or an update sees it.

On an on-disk store the index is the file ``search.sqlite3`` inside the
store's folder (it survives restarts); on other stores it lives in memory and
is built when opened.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from conflictkg.graph.entities.names import (
    graph_metadata,
    hidden_graph,
    kind_of,
    local_name,
    path_of,
    subclass_map,
)
from conflictkg.graph.errors import InputError
from conflictkg.graph.store import FactStore
from conflictkg.graph.store.updates import touched_by_update

__all__ = ["MAX_QUERY_CHARS", "MAX_RESULTS", "SearchIndex", "open_search", "touched_by_update"]

#: Longest search text accepted (a name is never longer).
MAX_QUERY_CHARS = 200
#: Most results one search returns.
MAX_RESULTS = 50
#: Word matches read per search before ranking (see :meth:`SearchIndex._candidates`); a quarter of them
#: for two characters, whose first matches are no better a sample than the first 2,000 (and each costs
#: a read of its row: 53 ms for 2,000 from a cold file of 2M names).
FTS_CANDIDATES = 2000
SCHEMA_VERSION = "2"  # 2: prefix indexes of 2 and 3 characters (a first "mi" read every word starting so)
FILE_NAME = "search.sqlite3"

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
_FIELDS = {RDFS_LABEL: "label", SKOS_ALT: "alias"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS graphs(graph TEXT PRIMARY KEY, kind TEXT NOT NULL, claimant TEXT, claimant_label TEXT);
CREATE TABLE IF NOT EXISTS name_rows(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, graph TEXT NOT NULL,
                                     field TEXT NOT NULL, text TEXT NOT NULL, norm TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS names USING fts5(text, content='name_rows', content_rowid='id',
                                                    tokenize='unicode61 remove_diacritics 2', prefix='2 3');
CREATE TABLE IF NOT EXISTS supers(sub TEXT NOT NULL, sup TEXT NOT NULL);
"""
#: Dropped during a full build (one bulk insert, then one FTS rebuild, is several times faster) and made again.
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS name_rows_graph ON name_rows(graph, iri)",
    "CREATE INDEX IF NOT EXISTS name_rows_iri ON name_rows(iri)",
    "CREATE INDEX IF NOT EXISTS name_rows_norm ON name_rows(norm)",
    """CREATE TRIGGER IF NOT EXISTS name_rows_ai AFTER INSERT ON name_rows BEGIN
         INSERT INTO names(rowid, text) VALUES (new.id, new.text);
       END""",
    """CREATE TRIGGER IF NOT EXISTS name_rows_ad AFTER DELETE ON name_rows BEGIN
         INSERT INTO names(names, rowid, text) VALUES ('delete', old.id, old.text);
       END""",
)
_DROP_INDEXES = ("DROP TRIGGER IF EXISTS name_rows_ai", "DROP TRIGGER IF EXISTS name_rows_ad", "DROP INDEX IF EXISTS name_rows_graph",
                 "DROP INDEX IF EXISTS name_rows_iri", "DROP INDEX IF EXISTS name_rows_norm")

_FULL = object()  # a dirty mark meaning: re-read everything


def normalize(text: str) -> str:
    """Case- and accent-folded text, as names are compared (``Türkiye`` → ``turkiye``)."""
    if text.isascii():
        return text.lower().strip()  # most names: no accents to fold, and ten times faster
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _fts_query(text: str) -> str | None:
    """An FTS5 query matching names with every word of ``text`` as a prefix, or ``None`` if it has no word."""
    words = [w for w in re.findall(r"\w+", normalize(text)) if w]
    if not words:
        return None
    # A one-letter prefix ("group 2") expands to every term with that letter and takes seconds on a
    # million names: it is left to the names that start with the whole text (see _candidates).
    words = [w for w in words if len(w) > 1] or words
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words[:12])


class SearchIndex:
    """The names of the store's entities in SQLite FTS5 (see the module notes).

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
    >>> index = SearchIndex(store)
    >>> store.update('INSERT DATA { GRAPH <urn:g> { <urn:x> rdfs:label "Syrian Democratic Forces" ; skos:altLabel "QSD" } }')
    >>> [r["label"] for r in index.search("qsd")["results"]]
    ['Syrian Democratic Forces']
    """

    def __init__(self, store: FactStore, path: str | Path | None = None) -> None:
        self.store = store
        self.path = None if path is None else Path(path)
        self._missing = False
        self._lock = threading.RLock()
        self._dirty: dict[str, set[str] | None] = {}
        self._updates: list[str] = []
        self._full = False
        self._db = sqlite3.connect(":memory:" if self.path is None else str(self.path), check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL" if self.path is not None else "PRAGMA journal_mode=MEMORY")
        self._db.execute("PRAGMA synchronous=NORMAL")
        fresh = self._db.execute("SELECT name FROM sqlite_master WHERE name = 'meta'").fetchone() is None
        version = None if fresh else self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        #: No index yet: it is built whole at the first search (or :meth:`sync`), never by a mere flush,
        #: so a command that only reads never pays for it.
        self._missing = version is None or version[0] != SCHEMA_VERSION
        if self._missing:
            self._drop_all()
            self._db.executescript(_SCHEMA)
            for statement in _INDEXES:
                self._db.execute(statement)
            self._db.commit()
            self._full = True
        store.watch(self)

    # -- following the store ------------------------------------------------

    def changed(self, graphs: set[str] | None, update: str | None) -> None:
        """:class:`~conflictkg.graph.store.StoreListener`: remember what a write touched (cheap; read at :meth:`sync`)."""
        with self._lock:
            if self._full:
                return
            if update is not None:
                self._updates.append(update)
                if len(self._updates) > 200:
                    self._full = True  # many small updates: one full re-read is cheaper than 200 parses
            elif graphs is None:
                self._full = True
            else:
                for g in graphs:
                    self._dirty[g] = None

    def flushed(self) -> None:
        """:class:`~conflictkg.graph.store.StoreListener`: a burst of writes ended; bring the index in step."""
        if not self._missing:
            self.sync()

    @property
    def dirty(self) -> bool:
        """Whether writes are waiting to be read into the index."""
        return self._full or bool(self._dirty) or bool(self._updates)

    def sync(self) -> None:
        """Re-read from the store what writes touched since the last sync (everything after :meth:`rebuild`)."""
        with self._lock:
            if not self.dirty:
                return
            full, dirty, updates = self._full, dict(self._dirty), list(self._updates)
            for text in updates:
                if full:
                    break
                touched = touched_by_update(text)
                if touched is None:
                    full = True
                    break
                for g, subjects in touched.items():
                    if g in dirty and dirty[g] is None:
                        continue
                    if subjects is None:
                        dirty[g] = None
                    else:
                        dirty.setdefault(g, set()).update(subjects)  # type: ignore[union-attr]
            with self._db:
                if full:
                    self._reindex_all()
                else:
                    self._reindex(dirty)
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            self._full, self._dirty, self._updates, self._missing = False, {}, [], False

    def rebuild(self) -> None:
        """Re-read every name from the store."""
        with self._lock:
            self._full = True
            self.sync()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- writing the index --------------------------------------------------

    def _drop_all(self) -> None:
        for (name, kind) in self._db.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'trigger')").fetchall():
            if not name.startswith("sqlite_") and not name.startswith("names_"):
                self._db.execute(f'DROP {"TRIGGER" if kind == "trigger" else "TABLE"} IF EXISTS "{name}"')

    def _graph_kinds(self) -> dict[str, tuple[str, str | None, str | None]]:
        return {g: (str(info["kind"]), info.get("claimant"), info.get("claimant_label"))
                for g, info in graph_metadata(self.store).items()}

    def _write_graphs(self, kinds: dict[str, tuple[str, str | None, str | None]]) -> set[str]:
        """Store the graph kinds; return the graphs whose pending status changed."""
        old = {g: k for g, k in self._db.execute("SELECT graph, kind FROM graphs")}
        self._db.execute("DELETE FROM graphs")
        self._db.executemany("INSERT INTO graphs VALUES (?, ?, ?, ?)", [(g, *v) for g, v in kinds.items()])
        self._db.execute("DELETE FROM supers")
        self._db.executemany("INSERT INTO supers VALUES (?, ?)",
                             [(s, p) for s, sups in subclass_map(self.store).items() for p in sups])
        changed = set()
        for g in set(old) | set(kinds):
            if (old.get(g) == "pending") != (kinds.get(g, ("",))[0] == "pending"):
                changed.add(g)
        return changed

    def _rows(self, sparql: str, graph: str | None) -> tuple[list[tuple], list[tuple]]:
        names: list[tuple] = []
        fields = _FIELDS
        for row in self.store.query(sparql):  # type: ignore[union-attr]
            s, o = row["s"], row["o"]
            g = graph if graph is not None else row["g"].value
            if type(s) is not ox.NamedNode or type(o) is not ox.Literal or hidden_graph(g):
                continue
            text = o.value
            if text.strip():
                names.append((s.value, g, fields[row["p"].value], text, normalize(text)))
        return names, []

    def _insert(self, names: list[tuple], types: list[tuple], pending: set[str]) -> None:
        self._db.executemany("INSERT INTO name_rows(iri, graph, field, text, norm) VALUES (?, ?, ?, ?, ?)",
                             [r for r in names if r[1] not in pending and r[0] not in pending] if pending else names)

    # Types are not indexed: the kind of the few entities a search returns is read from the store.
    _PROPS = "VALUES ?p { rdfs:label skos:altLabel }"

    def _reindex_all(self) -> None:
        kinds = self._graph_kinds()
        self._write_graphs(kinds)
        pending = {g for g, k in kinds.items() if k[0] == "pending"}
        for statement in _DROP_INDEXES:
            self._db.execute(statement)
        self._db.execute("DELETE FROM name_rows")
        names, _ = self._rows(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o {self._PROPS} }} }}", None)
        self._insert(names, [], pending)
        names, _ = self._rows(f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o {self._PROPS} }}", "")
        self._insert(names, [], pending)
        self._db.execute("INSERT INTO names(names) VALUES ('rebuild')")
        for statement in _INDEXES:
            self._db.execute(statement)

    def _reindex(self, dirty: dict[str, set[str] | None]) -> None:
        kinds = self._graph_kinds()
        for g in self._write_graphs(kinds):
            dirty[g] = None
        pending = {g for g, k in kinds.items() if k[0] == "pending"}
        for g, subjects in dirty.items():
            pattern = f"GRAPH <{g}> {{ ?s ?p ?o {self._PROPS} }}" if g else f"?s ?p ?o {self._PROPS}"
            if subjects is None:
                self._db.execute("DELETE FROM name_rows WHERE graph = ?", (g,))
                names, types = self._rows(f"SELECT ?s ?p ?o WHERE {{ {pattern} }}", g)
            else:
                names, types = [], []
                for chunk in _chunks(sorted(subjects), 500):
                    self._db.executemany("DELETE FROM name_rows WHERE graph = ? AND iri = ?", [(g, s) for s in chunk])
                    values = "VALUES ?s { " + " ".join(f"<{s}>" for s in chunk) + " }"
                    n, t = self._rows(f"SELECT ?s ?p ?o WHERE {{ {values} {pattern} }}", g)
                    names += n
                    types += t
            self._insert(names, types, pending)

    # -- reading ---------------------------------------------------------------

    def search(self, text: str, *, limit: int = 10) -> dict[str, object]:
        """Entities whose label or alias has every word of ``text`` as a prefix, best first.

        Ranking: an exact name first (a label before an alias), then names that
        start with the text, then the shortest among the first
        :data:`FTS_CANDIDATES` names with a word starting with each word (what
        FTS5's BM25 comes down to when every match holds every word); one
        result per entity.

        Parameters
        ----------
        text : str
            What the user typed (at most :data:`MAX_QUERY_CHARS` characters).
        limit : int
            At most this many results (1 to :data:`MAX_RESULTS`).

        Returns
        -------
        dict
            ``query``, ``limit``, ``results``: each with ``iri``, ``href`` (its
            path on this server or ``None``), ``label``, ``kind``, ``matched``
            (the name that matched) and ``field`` (``label`` or ``alias``),
            ``claim`` (true if the store names it only inside claims) and
            ``claimants``.

        Raises
        ------
        InputError
            If ``text`` is too long or ``limit`` out of range (``parameter`` names which).
        """
        if len(text) > MAX_QUERY_CHARS:
            raise InputError(f"q: the search text has {len(text)} characters; at most {MAX_QUERY_CHARS}", parameter="q")
        if not 1 <= limit <= MAX_RESULTS:
            raise InputError(f"limit: {limit} is not between 1 and {MAX_RESULTS}", parameter="limit")
        if self.dirty:
            self.sync()
        norm = normalize(text)
        fts = _fts_query(text)
        out: dict[str, object] = {"query": text, "limit": limit, "results": []}
        if fts is None:
            return out
        with self._lock:
            rows = self._candidates(norm, fts, limit)
            best: dict[str, tuple[tuple, tuple]] = {}
            for iri, field, name, nname, graph, rank in rows:
                key = (0 if nname == norm else 1 if nname.startswith(norm) else 2, 0 if field == "label" else 1, rank, len(name))
                if iri not in best or key < best[iri][0]:
                    best[iri] = (key, (field, name))
            ranked = sorted(best, key=lambda i: (best[i][0], i))[:limit]
            types = self._types(ranked)
            out["results"] = [self._describe(iri, *best[iri][1], types.get(iri, set())) for iri in ranked]
        return out

    def _candidates(self, norm: str, fts: str, limit: int) -> list[tuple]:
        # Names that start with the whole text come from the ordinary index, in its order (an exact
        # name first); words that start with each word come from FTS5, the first FTS_CANDIDATES of
        # them, unordered: ranking every match of a short prefix on a million names would take seconds.
        rows = [(*r, 0.0) for r in self._db.execute(
            "SELECT iri, field, text, norm, graph FROM name_rows WHERE norm >= ? AND norm < ? LIMIT 200",
            (norm, norm + "\U0010ffff"))]
        # FTS5 answers are ranked below every name that starts with the text: with `limit` entities
        # found so, none of them could be shown (and "synthetic ar" cost FTS5 78 ms on 2M names).
        if len(norm) > 1 and len({r[0] for r in rows}) < limit:
            # No bm25(): every match holds every word, so its terms' weights are the same for all of them and
            # the rank comes down to the name's length, which the ranking key already holds; bm25 cost two
            # thirds of a short prefix's time on 2M names ("mi": 34 ms against 12 ms).
            rows += [(*r, 0.0) for r in self._db.execute(
                "SELECT r.iri, r.field, r.text, r.norm, r.graph FROM names JOIN name_rows r ON r.id = names.rowid "
                "WHERE names MATCH ? LIMIT ?", (fts, FTS_CANDIDATES if len(norm) > 2 else FTS_CANDIDATES // 4))]
        return rows

    def _types(self, iris: list[str]) -> dict[str, set[str]]:
        if not iris:
            return {}
        kinds = {g: k for g, k in self._db.execute("SELECT graph, kind FROM graphs")}
        values = " ".join(f"<{i}>" for i in iris)
        out: dict[str, set[str]] = defaultdict(set)
        for row in self.store.query(f"SELECT ?x ?t ?g WHERE {{ VALUES ?x {{ {values} }} "  # type: ignore[union-attr]
                                    f"{{ GRAPH ?g {{ ?x a ?t }} }} UNION {{ ?x a ?t }} }}"):
            g = row["g"].value if row["g"] is not None else ""
            if type(row["t"]) is ox.NamedNode and not hidden_graph(g) and kinds.get(g) != "pending":
                out[row["x"].value].add(row["t"].value)
        return out

    def _describe(self, iri: str, field: str, matched: str, types: set[str]) -> dict[str, object]:
        kinds = {g: (k, c, cl) for g, k, c, cl in self._db.execute("SELECT graph, kind, claimant, claimant_label FROM graphs")}
        names = self._db.execute("SELECT field, text, graph FROM name_rows WHERE iri = ?", (iri,)).fetchall()
        graphs = {g for _, _, g in names}
        own = kinds.get(iri)
        claim_only = (bool(graphs) and all(kinds.get(g, ("",))[0] == "claim" for g in graphs)) or (own is not None and own[0] == "claim")
        labels = sorted((kinds.get(g, ("",))[0] == "claim", t) for f, t, g in names if f == "label")
        supers: dict[str, set[str]] = defaultdict(set)
        for sub, sup in self._db.execute("SELECT sub, sup FROM supers"):
            supers[sub].add(sup)
        kind = kind_of(types, supers) or ("Claim" if kinds.get(iri, ("",))[0] == "claim" else "")
        return {
            "iri": iri,
            "href": path_of(iri),
            "label": labels[0][1] if labels else matched or local_name(iri),
            "kind": kind,
            "matched": matched,
            "field": field,
            "claim": claim_only,
            "claimants": sorted({kinds[g][2] or kinds[g][1] for g in graphs | {iri} if kinds.get(g, ("",))[0] == "claim" and kinds[g][1]})
            if claim_only else [],
        }

    def count(self) -> int:
        """The number of names indexed."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM name_rows").fetchone()[0])


def _chunks(items: list[str], n: int) -> list[list[str]]:
    return [items[i:i + n] for i in range(0, len(items), n)]


def open_search(store: FactStore) -> SearchIndex:
    """The search index of ``store``: the file ``search.sqlite3`` in an on-disk store's folder, else in memory.

    A store has one: asking again returns the index already following it.
    """
    for listener in store.listeners:
        if isinstance(listener, SearchIndex):
            return listener
    path = store.path / FILE_NAME if store.path is not None else None
    return SearchIndex(store, path)
