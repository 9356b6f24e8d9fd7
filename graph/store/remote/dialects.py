"""What differs between SPARQL servers (Virtuoso's union default graph, its own graphs), asked of the server once."""

from __future__ import annotations

import pyoxigraph as ox

from conflictkg.graph.store.datasets import STAGING_PREFIX
from conflictkg.graph.store.remote.wire import _iri

__all__ = ["DEFAULT_GRAPH_STAND_IN", "STAGING_PREFIX", "VIRTUOSO_OWN_GRAPHS", "ServerDialect"]

#: Graphs Virtuoso keeps for itself in the same store; a replace leaves them alone.
VIRTUOSO_OWN_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/ns/ldp#",
    "http://localhost:8890/",
)


#: The named graph that holds the store's default graph on a server without a
#: writable one (Virtuoso's default graph is the union of all graphs).
DEFAULT_GRAPH_STAND_IN = "urn:conflictkg:default-graph"

_NOT_STAGING = f'FILTER(!STRSTARTS(STR(?g), "{STAGING_PREFIX}"))'


class ServerDialect:
    """How this server lays out its graphs; mixed into :class:`RemoteStore`."""

    def _server_name(self) -> str:
        if self._server is None:
            probe = self._send("GET", self.query_url, what="query", params={"query": "ASK {}"})
            probe.close()
            self._server = probe.headers.get("server", "")
        return self._server

    def _is_virtuoso(self) -> bool:
        return self._server_name().startswith("Virtuoso")

    def _stand_in(self) -> ox.NamedNode | None:
        """The named graph that holds the default graph (``default_graph_iri``), if any."""
        if self.default_graph_iri is None and self._is_virtuoso():
            self.default_graph_iri = DEFAULT_GRAPH_STAND_IN
        return _iri(self.default_graph_iri) if self.default_graph_iri else None

    def _graph_filter(self) -> str:
        """A FILTER on ``?g`` that leaves out staging graphs and the server's own graphs (``keep_graphs``)."""
        if self.keep_graphs is None:
            self.keep_graphs = VIRTUOSO_OWN_GRAPHS if self._is_virtuoso() else ()
        if not self.keep_graphs:
            return _NOT_STAGING
        own = " && ".join(f"!STRSTARTS(STR(?g), {ox.Literal(prefix)})" for prefix in self.keep_graphs)
        return f"{_NOT_STAGING} FILTER({own})"

    def _every_quad(self) -> str:
        """A pattern binding ``?s ?p ?o`` (and ``?g``, unbound in the default graph) to each quad of the store's data."""
        graphs = "GRAPH ?g { ?s ?p ?o } " + self._graph_filter()
        if self._is_virtuoso():
            # Virtuoso's default graph is the union of every graph, its own included:
            # no triple lives there alone, and reading it would count each twice.
            return "{ " + graphs + " }"
        return "{ ?s ?p ?o } UNION { " + graphs + " }"

    def _drops_for_replace(self) -> list[str]:
        # Not DROP ALL: a server may keep its own graphs in the same store
        # (Virtuoso's quad-map and DAV graphs); dropping those would break it,
        # and named_graphs() leaves them out.
        # Virtuoso has no plain default graph to drop (its default graph is the union).
        drops = [] if self._is_virtuoso() else ["DROP SILENT DEFAULT"]
        stand_in = self._stand_in()
        if stand_in is not None:
            drops.append(f"DROP SILENT GRAPH {stand_in}")
        drops += [f"DROP SILENT GRAPH <{g}>" for g in self.named_graphs()]
        return drops
