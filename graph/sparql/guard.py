"""Refusing queries and updates that would make the server reach another host, before they run.

Oxigraph evaluates ``SERVICE`` by fetching the remote endpoint and ``LOAD`` by
fetching the IRI, so a public endpoint that passes them through is a
server-side request forgery tool. This module walks the *syntax tree* of the
request (rdflib's SPARQL 1.1 parser: codepoint escapes, comments, prefixes and
nesting all handled by a real grammar, not patterns over text) and refuses

- ``SERVICE`` unless its IRI starts with an allowed prefix (a variable
  ``SERVICE ?x`` is always refused: it cannot be checked);
- ``LOAD`` unless its IRI starts with an allowed prefix, and ``file:`` IRIs
  always;
- ``FROM`` / ``FROM NAMED`` (and ``USING`` in updates) of any IRI that is not
  a graph already in the store.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from rdflib.term import Variable

from conflictkg.graph.errors import InputError, OutboundRequestRefused, QuerySyntaxError
from conflictkg.graph.sparql.lexer import MAX_DEPTH, MAX_OPERATORS, Scan, check_shape, scan
from conflictkg.ontology.vocab import PREFIXES

if TYPE_CHECKING:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parserutils import CompValue

__all__ = [
    "check_query", "check_update", "check_dataset", "check_shape", "needs_parse", "query_form", "parse_tree", "walk_terms",
]

# pyparsing grammars are not safe to use from several threads at once.
_PARSER_LOCK = threading.Lock()

# Without one of these keywords (outside strings, IRIs and comments, after codepoint
# escapes are expanded: `SERVI\u0043E` is SERVICE) a request cannot reach another host.
_TRIGGERS = frozenset({"SERVICE", "FROM", "LOAD", "USING"})

# pyparsing takes about 30 Python frames a nesting level; requests reaching the
# parser are at most MAX_DEPTH deep (lexer.check_shape), so this bound is never
# the one that refuses them. Python 3.11 frames of pure-Python calls cost no C stack.
_RECURSION = 30 * 4 * MAX_DEPTH + 2000


def needs_parse(text: str | Scan) -> bool:
    """Whether a request could contain SERVICE, LOAD, FROM or USING (and so must be parsed to be checked)."""
    found = text if isinstance(text, Scan) else scan(text)
    return bool(found.words & _TRIGGERS)


@lru_cache(maxsize=1)
def _grammar() -> tuple[type, type, type, Callable[[str], object], Callable[[str], object]]:
    """rdflib's SPARQL grammar, imported when a request first needs parsing: pyparsing and the grammar are
    0.1 s of a process start, and most requests never reach them (:func:`needs_parse`)."""
    from pyparsing import ParseBaseException, ParseResults
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    return ParseBaseException, ParseResults, CompValue, parseQuery, parseUpdate


def _syntax_error(err: ParseBaseException, parameter: str) -> QuerySyntaxError:
    return QuerySyntaxError(
        f"line {err.lineno}, column {err.col}: {err.msg} (near {err.line.strip()[:80]!r})",
        parameter=parameter,
        line=err.lineno,
        column=err.col,
    )


@lru_cache(maxsize=512)
def _parse(text: str, update: bool) -> object:
    ParseBaseException, _, _, parseQuery, parseUpdate = _grammar()  # noqa: N806 - the classes' own names
    with _PARSER_LOCK:
        previous = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous, _RECURSION))
        try:
            return parseUpdate(text) if update else parseQuery(text)
        except ParseBaseException as err:
            raise _syntax_error(err, "update" if update else "query") from None
        except RecursionError:
            raise QuerySyntaxError(
                "the request is nested too deeply to parse", parameter="update" if update else "query"
            ) from None
        finally:
            sys.setrecursionlimit(previous)


def _walk(node: object) -> Iterator[CompValue]:
    _, ParseResults, CompValue, _, _ = _grammar()  # noqa: N806
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, ParseResults)):
            stack.extend(item)


def walk_terms(tree: object) -> Iterator[object]:
    """Every leaf of a parse tree: IRIs, variables, literals, keywords."""
    _, ParseResults, CompValue, _, _ = _grammar()  # noqa: N806
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, ParseResults)):
            stack.extend(item)
        else:
            yield item


def parse_tree(sparql: str) -> object:
    """The rdflib syntax tree of a query.

    Raises
    ------
    QuerySyntaxError
        If the query does not parse; the message has the line and column.
    """
    return _parse(sparql, False)


class _Resolver:
    """Turns the parser's IRIs and prefixed names into absolute IRIs (BASE, PREFIX, our prefixes)."""

    def __init__(self, tree: object, prefixes: Mapping[str, str]) -> None:
        self.base: str | None = None
        self.prefixes = dict(prefixes)
        for node in _walk(tree):
            if node.name == "Base":
                self.base = str(node["iri"])
            elif node.name == "PrefixDecl":
                self.prefixes[node.get("prefix") or ""] = str(node["iri"])

    def __call__(self, term: object) -> str | None:
        if isinstance(term, Variable):
            return None
        if isinstance(term, _grammar()[2]) and term.name == "pname":
            prefix = term.get("prefix") or ""
            if prefix not in self.prefixes:
                raise QuerySyntaxError(f"undeclared prefix {prefix + ':'!r}", parameter="query")
            return self.prefixes[prefix] + (term.get("localname") or "")
        iri = str(term)
        return urljoin(self.base, iri) if self.base and ":" not in iri.split("/")[0] else iri


def _allowed(iri: str, allow: Sequence[str]) -> bool:
    return not iri.lower().startswith("file:") and any(iri.startswith(prefix) for prefix in allow)


def _refuse_service(node: CompValue, resolve: _Resolver, allow: Sequence[str]) -> None:
    iri = resolve(node["term"])
    if iri is None:
        raise OutboundRequestRefused(
            "SERVICE with a variable endpoint is not allowed: the server does not send requests to other hosts",
            parameter="query",
        )
    if not _allowed(iri, allow):
        raise OutboundRequestRefused(
            f"SERVICE <{iri}> is not allowed: the server does not send requests to other hosts"
            + (f" (allowed service prefixes: {', '.join(allow)})" if allow else ""),
            parameter="query",
            iri=iri,
        )


def _refuse_unknown_graph(iri: str, graphs: Collection[str], clause: str, parameter: str) -> None:
    if iri not in graphs:
        raise OutboundRequestRefused(
            f"{clause} <{iri}> is not a graph in this store; the server does not fetch graphs from other hosts",
            parameter=parameter,
            iri=iri,
        )


def query_form(sparql: str) -> str:
    """The form of a query, ``"select"``, ``"ask"``, ``"construct"`` or ``"describe"``.

    Raises
    ------
    QuerySyntaxError
        If the query does not parse; the message has the line and column.
    """
    tree = _parse(sparql, False)
    return tree[1].name.removesuffix("Query").lower()  # type: ignore[index]


def check_query(
    sparql: str,
    *,
    graphs: Callable[[], Collection[str]],
    allow: Sequence[str] = (),
    prefixes: Mapping[str, str] = PREFIXES,
    max_depth: int = MAX_DEPTH,
    max_operators: int = MAX_OPERATORS,
) -> None:
    """Refuse a query nested too deeply or that would reach another host, before it runs.

    Parameters
    ----------
    sparql : str
        The query text.
    graphs : callable
        Returns the IRIs of the named graphs in the store (called only when
        the query has a ``FROM`` clause).
    allow : sequence of str
        IRI prefixes of SERVICE endpoints that may be called.
    prefixes : mapping
        Prefixes predeclared for the query.
    max_depth, max_operators : int
        The bounds of :func:`~conflictkg.graph.sparql.lexer.check_shape`, checked first.

    Raises
    ------
    OutboundRequestRefused
        For ``SERVICE`` outside ``allow`` or ``FROM``/``FROM NAMED`` of a graph not in the store.
    QuerySyntaxError
        If the query nests deeper or chains more operators than the limits, or
        has to be parsed and does not parse.
    """
    if not needs_parse(check_shape(sparql, max_depth=max_depth, max_operators=max_operators)):
        return
    tree = _parse(sparql, False)
    resolve = _Resolver(tree, prefixes)
    known: Collection[str] | None = None
    for node in _walk(tree):
        if node.name == "ServiceGraphPattern":
            _refuse_service(node, resolve, allow)
        elif node.name == "DatasetClause":
            known = graphs() if known is None else known
            for key, clause in (("default", "FROM"), ("named", "FROM NAMED")):
                if key in node:
                    _refuse_unknown_graph(resolve(node[key]) or "", known, clause, "query")


def check_update(
    sparql_update: str,
    *,
    graphs: Callable[[], Collection[str]],
    allow: Sequence[str] = (),
    prefixes: Mapping[str, str] = PREFIXES,
    max_depth: int = MAX_DEPTH,
    max_operators: int = MAX_OPERATORS,
) -> None:
    """Refuse an update nested too deeply, or that would reach another host or read a local file, before it runs.

    ``LOAD`` is refused unless its IRI starts with a prefix in ``allow``;
    ``file:`` IRIs are refused even then.

    Raises
    ------
    OutboundRequestRefused
        For ``LOAD``/``SERVICE`` outside ``allow``, ``USING`` of a graph not in the store.
    QuerySyntaxError
        If the update nests deeper or chains more operators than the limits, or does not parse.
    """
    shape = check_shape(sparql_update, parameter="update", max_depth=max_depth, max_operators=max_operators)
    if not needs_parse(shape):
        return
    tree = _parse(sparql_update, True)
    resolve = _Resolver(tree, prefixes)
    known: Collection[str] | None = None
    for node in _walk(tree):
        if node.name == "ServiceGraphPattern":
            _refuse_service(node, resolve, allow)
        elif node.name == "Load":
            iri = resolve(node["iri"]) or ""
            if not _allowed(iri, allow):
                why = "local files are never read" if iri.lower().startswith("file:") else "the server does not fetch from other hosts"
                raise OutboundRequestRefused(f"LOAD <{iri}> is not allowed: {why}", parameter="update", iri=iri)
        elif node.name == "UsingClause":
            known = graphs() if known is None else known
            for key, clause in (("default", "USING"), ("named", "USING NAMED")):
                if key in node:
                    _refuse_unknown_graph(resolve(node[key]) or "", known, clause, "update")


def check_dataset(
    default_graph: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
    *,
    graphs: Callable[[], Collection[str]],
) -> None:
    """Refuse protocol ``default-graph-uri``/``named-graph-uri`` values that are not graphs in the store.

    Raises
    ------
    InputError
        If a value is not an absolute IRI.
    OutboundRequestRefused
        If it names no graph in the store.
    """
    given = [("default-graph-uri", g) for g in default_graph or ()] + [("named-graph-uri", g) for g in named_graphs or ()]
    if not given:
        return
    known = graphs()
    for parameter, iri in given:
        if ":" not in iri or any(c in iri for c in ' <>"{}|^`\\'):
            raise InputError(f"{parameter}={iri!r} is not an absolute IRI", parameter=parameter)
        _refuse_unknown_graph(iri, known, parameter, parameter)

