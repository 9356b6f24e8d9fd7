"""What a query's default graph is: by default the analyst's (reviewed facts and inferences), on request the stored one.

A plain triple pattern should find what the sources state as fact, not only
graph metadata: so when a query names no dataset (no ``FROM``, no
``default-graph-uri``), its default graph is the union of

* every named graph that :data:`~conflictkg.ontology.vocab.META_GRAPH` describes
  as a ``ck:FactGraph`` — but not a ``ck:Claim``, not a ``ck:PendingGraph``,
  and not an import whose ``ck:importStatus`` is anything but
  ``ck:ImportComplete`` (one being loaded, superseded or dropped) — and
* the inferred graph :data:`~conflictkg.ontology.vocab.INFERRED_GRAPH`

(empty graphs left out: they would only cost time).

Claims stay in their own graphs (``GRAPH ?g`` with the metadata in
``g:meta``), and so do the metadata, the ontology and import staging; the
stored default graph (empty unless someone writes there) is not part of it.
The *raw* dataset (the store's own default graph, every named graph) is one
flag away: ``raw=True`` in :meth:`FactStore.query`, ``raw-dataset=true`` over
HTTP, ``--raw-dataset`` on the command line.

The list is computed once per state of the store and refreshed after writes
(see the stores), never per query.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from conflictkg.ontology.vocab import CK, INFERRED_GRAPH, META_GRAPH

__all__ = ["DEFAULT_GRAPHS_QUERY", "STAGING_PREFIX", "default_graphs", "has_dataset_clause"]

#: Graphs under this prefix hold a load being uploaded in chunks; never user data.
STAGING_PREFIX = "urn:conflictkg:staging:"

#: The named graphs of the analyst's default graph, sorted. An empty graph is left out:
#: each graph in the list costs every triple lookup one more index seek (measured with
#: bench/endpoint.py: an empty g:inferred beside the data doubled the aggregate's time).
DEFAULT_GRAPHS_QUERY = f"""
SELECT DISTINCT ?g WHERE {{
  {{
    GRAPH <{META_GRAPH}> {{
      ?g a <{CK.FactGraph}> .
      FILTER NOT EXISTS {{ ?g a <{CK.Claim}> }}
      FILTER NOT EXISTS {{ ?g a <{CK.PendingGraph}> }}
      FILTER NOT EXISTS {{ ?g <{CK.importStatus}> ?status FILTER (?status != <{CK.ImportComplete}>) }}
    }}
    FILTER (isIRI(?g) && !STRSTARTS(STR(?g), "{STAGING_PREFIX}"))
  }} UNION {{
    # BIND, not VALUES: Virtuoso 7.2 answers a UNION with a VALUES branch with no rows.
    BIND (<{INFERRED_GRAPH}> AS ?g)
  }}
  FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }}
}} ORDER BY ?g
"""

# A word FROM outside an IRI: the only way a query can name its own dataset.
_FROM = re.compile(r"\bFROM\b", re.IGNORECASE)
# Whole comment lines (a saved query's #+ decorators) never name a dataset.
_COMMENT_LINES = re.compile(r"(?m)^\s*#.*$")


def default_graphs(store: ox.Store) -> tuple[str, ...]:
    """The IRIs of the (non-empty) graphs of the analyst's default graph in a pyoxigraph store, sorted.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> store = ox.Store()
    >>> default_graphs(store)
    ()
    >>> store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"), ox.NamedNode(str(INFERRED_GRAPH))))
    >>> default_graphs(store)
    ('https://w3id.org/conflictkg/graph/inferred',)
    """
    return tuple(row["g"].value for row in store.query(DEFAULT_GRAPHS_QUERY))  # type: ignore[union-attr, index]


def has_dataset_clause(sparql: str) -> bool:
    """Whether a query names its own dataset (``FROM`` / ``FROM NAMED``), which then replaces the default.

    A cheap test first (no ``FROM`` word: no clause); only a query that has
    the word is parsed, so ``"FROM"`` in a literal or comment is no clause.

    Examples
    --------
    >>> has_dataset_clause("SELECT * WHERE { ?s ?p ?o }")
    False
    >>> has_dataset_clause("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")
    True
    >>> has_dataset_clause('SELECT * WHERE { ?s ?p "from" }')
    False
    """
    if not _FROM.search(_COMMENT_LINES.sub("", sparql)):
        return False
    from rdflib.plugins.sparql.parser import parseQuery

    from conflictkg.ontology.vocab import sparql_prefixes

    try:
        # The predeclared prefixes first: the query may use them without declaring them.
        tree = parseQuery(sparql_prefixes() + sparql)
    except Exception:  # the store reports the syntax error with its own message
        return False
    return bool(tree[1].get("datasetClause")) if "datasetClause" in tree[1] else False
