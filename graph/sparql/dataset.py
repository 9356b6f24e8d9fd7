"""A request's RDF dataset from the protocol's parameters: graphs the store holds, empty ones, ``USING`` clauses.

The SPARQL 1.1 Protocol lets a request name its dataset
(``default-graph-uri``, ``named-graph-uri``; ``using-graph-uri``,
``using-named-graph-uri`` for updates). conflictkg never fetches a graph from
anywhere: an IRI that names no graph in the store is an empty graph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence

from conflictkg.graph.errors import InputError

__all__ = ["EMPTY_GRAPH", "check_iris", "held", "with_using"]

#: Stands for the graphs a request names that the store does not hold: no
#: store has it, and no server dereferences a URN.
EMPTY_GRAPH = "urn:conflictkg:empty-graph"

_NOT_IRI = set(' <>"{}|^`\\')


def check_iris(
    default: Sequence[str] | None,
    named: Sequence[str] | None,
    *,
    names: tuple[str, str] = ("default-graph-uri", "named-graph-uri"),
) -> None:
    """Refuse dataset parameters that are not absolute IRIs.

    Raises
    ------
    InputError
        Naming the parameter and the value.
    """
    for parameter, values in zip(names, (default, named)):
        for iri in values or ():
            if ":" not in iri or any(c in _NOT_IRI or ord(c) < 0x21 for c in iri):
                raise InputError(f"{parameter}={iri!r} is not an absolute IRI", parameter=parameter)


def held(iris: Sequence[str] | None, graphs: Callable[[], Collection[str]]) -> list[str] | None:
    """The IRIs of a dataset parameter that the store holds; :data:`EMPTY_GRAPH` if it holds none of them.

    Passing on only what the store holds is what keeps a server behind a
    remote store from ever dereferencing an IRI a client sent.
    """
    if not iris:
        return None
    known = graphs()
    kept = [g for g in dict.fromkeys(iris) if g in known]
    return kept or [EMPTY_GRAPH]


# The parts of an update text that can hide a brace or a keyword: strings, IRIs, comments.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*"
    r"|[{}]"
    r"|[A-Za-z_][A-Za-z_0-9]*",
    re.DOTALL,
)


def _top_level_words(update: str) -> Iterable[tuple[str, int]]:
    """Each keyword outside braces, upper-cased, with its offset in the text; ``{`` for a block at that level."""
    depth = 0
    for m in _TOKEN.finditer(update):
        text = m.group()
        if text == "{":
            if depth == 0:
                yield "{", m.start()
            depth += 1
        elif text == "}":
            depth -= 1
        elif depth == 0 and (text[0].isalpha() or text[0] == "_"):
            yield text.upper(), m.start()


def with_using(update: str, using: Iterable[str], using_named: Iterable[str]) -> str:
    """The update with ``USING``/``USING NAMED`` clauses for these IRIs in every operation that has a ``WHERE``.

    This is what the protocol's ``using-graph-uri`` and ``using-named-graph-uri``
    mean (SPARQL 1.1 Protocol, 2.2.3). ``DELETE WHERE`` takes no dataset.

    Raises
    ------
    InputError
        If the update already has ``USING``, ``USING NAMED`` or ``WITH``: the
        protocol forbids giving both.
    """
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named]) + " "
    inserts: list[int] = []
    previous = ""
    for word, at in _top_level_words(update):
        if word in ("USING", "WITH"):
            raise InputError(
                f"the update has {word}, so it cannot take using-graph-uri / using-named-graph-uri as well",
                parameter="using-graph-uri",
            )
        if word == "WHERE" and previous != "DELETE":
            inserts.append(at)
        previous = word
    for at in reversed(inserts):
        update = update[:at] + clause + update[at:]
    return update
