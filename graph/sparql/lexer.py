"""A cheap scan of SPARQL text, before any parser sees it: nesting depth, operator count, keywords, prefixes.

Oxigraph's parser and evaluator recurse: measured on pyoxigraph 0.4 (8 MiB
stack), 2,500 nested ``{`` or about 8,000 chained ``UNION``/``+``/``&&``/
``FILTER`` overflow the stack and kill the process (a segfault: no error to
catch). rdflib's parser, which the guard uses, needs about 30 Python frames a
level. So every query and update is scanned here first, with regular
expressions over tokens (strings, IRIs and comments skipped, codepoint escapes
expanded as SPARQL does before parsing), and refused by
:func:`check_shape` when it nests deeper or chains more operators than the
limits; a scan costs microseconds for a typical query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from conflictkg.graph.errors import QuerySyntaxError

__all__ = ["MAX_DEPTH", "MAX_OPERATORS", "Scan", "scan", "check_shape", "undeclared_prefix"]

#: Deepest nesting of ``{ ( [`` (and runs of unary ``! - +``) accepted; Oxigraph died at 2,500.
MAX_DEPTH = 64
#: Most binary operators and ``UNION``/``OPTIONAL``/``MINUS``/``FILTER`` in one request; Oxigraph died near 8,000.
MAX_OPERATORS = 2000

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z)
             |'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)
             |"(?:[^"\\\n\r]|\\.)*"?
             |'(?:[^'\\\n\r]|\\.)*'?)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][^\W][\w\u00B7\u0300-\u036F\u203F-\u2040]*)
  | (?P<num>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w:%\-]|\\.|\.(?=[\w:%\-]))*)
  | (?P<blank>_:[\w.\-]+)
  | (?P<word>[^\W\d][\w]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<op>&&|\|\||!=|<=|>=|\^\^|[!=<>+\-*/|^])
  | (?P<other>.)
    """,
    re.X | re.S,
)

_UNARY = {"!", "-", "+", "^"}
_CHAINING = {"UNION", "OPTIONAL", "MINUS", "FILTER"}


@dataclass
class Scan:
    """What :func:`scan` saw in a request."""

    depth: int = 0
    operators: int = 0
    #: Upper-cased keywords (bare words outside strings, IRIs and comments).
    words: set[str] = field(default_factory=set)
    #: Prefixes declared by ``PREFIX p:`` in the text.
    declared: set[str] = field(default_factory=set)
    #: Each prefix used in a prefixed name, with its first (line, column).
    used: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: The variable names (``?x`` and ``$x`` are one).
    variables: set[str] = field(default_factory=set)
    #: Path closures (``*`` or ``+`` after an IRI, a prefixed name, ``a`` or ``)``).
    closures: int = 0
    #: IRIs, prefixed names, strings and numbers.
    constants: int = 0


def _expand(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = int(match[1] or match[2], 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return match[0]
        return chr(code)

    return _ESCAPE.sub(one, text) if "\\" in text else text


def _where(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def scan(text: str) -> Scan:
    """Scan a query or update: its deepest nesting, its operators, its keywords and prefixes.

    Examples
    --------
    >>> s = scan("SELECT * WHERE { { ?s ?p ?o } UNION { ?s ?p (1 2) } } # from a comment")
    >>> s.depth, s.operators, "FROM" in s.words
    (3, 1, False)
    """
    text = _expand(text)
    result = Scan()
    nesting = run = 0
    after_prefix = False
    previous = None
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment"):
            continue
        value = match.group()
        before, previous = previous, (kind, value)
        if kind == "op" and value in ("*", "+") and before is not None:
            if before[0] in ("iri", "pname", "close") or before == ("word", "a"):
                result.closures += 1
        elif kind == "var":
            result.variables.add(value[1:])
        elif kind in ("iri", "pname", "string", "num"):
            result.constants += 1
        if kind == "op" and value in _UNARY:
            run += 1
            result.depth = max(result.depth, nesting + run)
        else:
            run = 0
        if kind == "open":
            nesting += 1
            result.depth = max(result.depth, nesting)
        elif kind == "close":
            nesting = max(nesting - 1, 0)
        elif kind == "op":
            # `^^` marks a datatype; `SELECT *` and `COUNT(*)` are no operators.
            star = value == "*" and before is not None and (before[0] == "open" or before[0] == "word")
            if value != "^^" and not star:
                result.operators += 1
        elif kind == "word":
            upper = value.upper()
            result.words.add(upper)
            if upper in _CHAINING:
                result.operators += 1
            after_prefix = upper == "PREFIX"
            continue
        elif kind == "pname":
            prefix = value.split(":", 1)[0]
            if after_prefix:
                result.declared.add(prefix)
            elif prefix not in result.used:
                result.used[prefix] = _where(text, match.start())
        after_prefix = False
    return result


#: Texts up to this length have their scan cached (512 of them: 2 MiB at most).
_CACHED_TEXT = 4096


@lru_cache(maxsize=512)
def _scan_cached(text: str) -> Scan:
    # Front ends and saved queries send the same texts again and again; a lookup's scan
    # measured 3% of its time over HTTP. The limits are applied to the scan afterwards,
    # so a cached scan is checked against whatever limits the caller has.
    return scan(text)


def check_shape(text: str, *, parameter: str = "query", max_depth: int = MAX_DEPTH, max_operators: int = MAX_OPERATORS) -> Scan:
    """Refuse a request nested deeper or chaining more operators than the limits, before any parser runs.

    Returns
    -------
    Scan
        The scan, for callers that look at its keywords (shared with other
        callers of the same text: read it, do not change it).

    Raises
    ------
    QuerySyntaxError
        Naming the limit (``details``: ``limit``, and ``depth`` or ``operators``).
    """
    found = _scan_cached(text) if len(text) <= _CACHED_TEXT else scan(text)
    if found.depth > max_depth:
        raise QuerySyntaxError(
            f"the {parameter} is nested {found.depth} deep (brackets and unary operators); the limit is {max_depth}",
            parameter=parameter, limit=max_depth, depth=found.depth,
        )
    if found.operators > max_operators:
        raise QuerySyntaxError(
            f"the {parameter} chains {found.operators} operators (UNION, OPTIONAL, MINUS, FILTER, && …); "
            f"the limit is {max_operators}",
            parameter=parameter, limit=max_operators, operators=found.operators,
        )
    return found


def undeclared_prefix(text: str, predeclared: set[str] | frozenset[str] = frozenset()) -> QuerySyntaxError | None:
    """The error for the first prefixed name whose prefix is neither declared nor predeclared, if any.

    Oxigraph reports such a name as an unexpected token ("expected OPTIONAL");
    this names the prefix instead.
    """
    found = scan(text)
    for prefix, (line, column) in found.used.items():
        if prefix not in found.declared and prefix not in predeclared:
            return QuerySyntaxError(
                f"line {line}, column {column}: undeclared prefix {prefix + ':'!r}; add PREFIX {prefix}: <…>",
                parameter="query", line=line, column=column, prefix=prefix,
            )
    return None
