"""Saved queries: ``.rq`` files with grlc-style ``#+`` decorators, run with parameters bound as RDF terms.

A saved query is one analyst question in one file; the file stem is its name.
Its metadata sits in ``#+`` comment lines holding YAML (the grlc convention)::

    #+ summary: Events an actor took part in
    #+ description: Every event whose ck:actor is the given actor.
    #+ tags:
    #+   - events
    #+ defaults:
    #+   - limit: 50
    SELECT ?event WHERE { ?event ck:actor ?_actor_iri } LIMIT 100

Parameters are the query's variables that start with an underscore
(grlc's names): ``?_name`` is a required string, ``?__name`` an optional one,
``?_name_iri`` an IRI, ``?_name_xsd_integer`` (any ``xsd_`` type) a typed
literal. Values are turned into RDF terms by Oxigraph (which escapes and
validates them) and bound with a ``VALUES`` block at the start of the
query's top-level ``WHERE`` group — never spliced into the query text, so a
value like ``x" } ; DROP ALL #`` is only ever a string.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import yaml

from conflictkg.graph.errors import InputError, ParseError, UnknownEntity
from conflictkg.graph.sparql.guard import parse_tree

__all__ = ["Parameter", "SavedQuery", "QUERIES_DIR", "load_saved", "load_folder", "find_saved"]

#: The saved queries shipped with conflictkg.
QUERIES_DIR = Path(__file__).resolve().parents[2] / "queries"

XSD = "http://www.w3.org/2001/XMLSchema#"

_PARAM = re.compile(r"^(__?)([A-Za-z0-9]+(?:_(?!iri$|xsd_)[A-Za-z0-9]+)*)(?:_(iri)|_xsd_([A-Za-z]+))?$")


@dataclass(frozen=True)
class Parameter:
    """One parameter of a saved query, from a ``?_name…`` variable."""

    name: str
    variable: str
    kind: str  # "iri" or "literal"
    datatype: str | None = None  # a literal's datatype IRI
    required: bool = True
    default: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The JSON description of the parameter."""
        return {
            "name": self.name,
            "type": "iri" if self.kind == "iri" else (self.datatype or XSD + "string"),
            "required": self.required and self.default is None,
            "default": self.default,
        }

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a value given as text.

        Raises
        ------
        InputError
            If the value is not a valid IRI or not a valid literal of the datatype.
        """
        if self.kind == "iri":
            if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
                raise InputError(f"parameter {self.name!r}: {value!r} is not an absolute IRI", parameter=self.name)
            try:
                return ox.NamedNode(value)
            except ValueError as err:
                raise InputError(f"parameter {self.name!r}: {value!r} is not a valid IRI: {err}", parameter=self.name) from None
        datatype = self.datatype or XSD + "string"
        _check_lexical(self.name, value, datatype)
        return ox.Literal(value, datatype=ox.NamedNode(datatype))


_INTEGERS = {"integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
             "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"}


def _check_lexical(name: str, value: str, datatype: str) -> None:
    local = datatype.removeprefix(XSD)
    try:
        if local in _INTEGERS:
            int(value.strip())
        elif local in ("decimal", "double", "float"):
            Decimal(value.strip())
        elif local == "date":
            dt.date.fromisoformat(value.strip())
        elif local == "dateTime":
            dt.datetime.fromisoformat(value.strip())
        elif local == "gYear":
            if not re.fullmatch(r"-?\d{4,}", value.strip()):
                raise ValueError
        elif local == "boolean":
            if value.strip() not in ("true", "false", "1", "0"):
                raise ValueError
    except (ValueError, InvalidOperation):
        raise InputError(f"parameter {name!r}: {value!r} is not a valid xsd:{local}", parameter=name) from None


@dataclass(frozen=True)
class SavedQuery:
    """One saved query: its name, text, metadata and parameters."""

    name: str
    text: str
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    form: str = "select"
    path: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """The JSON description: name, title, description, tags, parameters."""
        return {
            "name": self.name,
            "title": self.summary or self.name,
            "description": self.description,
            "tags": list(self.tags),
            "form": self.form,
            "parameters": [p.as_dict() for p in self.parameters],
            "query": self.text,
        }

    def bind(self, values: Mapping[str, str]) -> str:
        """The query with parameter values bound as RDF terms in a ``VALUES`` block.

        Parameters
        ----------
        values : mapping of str to str
            Parameter name → value as text; unknown names are refused.

        Returns
        -------
        str
            Query text to run.

        Raises
        ------
        InputError
            A required parameter is missing, a name is unknown, or a value is
            not valid for its type.
        """
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise InputError(
                f"saved query {self.name!r} has no parameter {unknown[0]!r}; its parameters: {', '.join(known) or 'none'}",
                parameter=unknown[0],
            )
        bound: list[tuple[str, ox.NamedNode | ox.Literal]] = []
        for p in self.parameters:
            value = values.get(p.name, p.default)
            if value is None:
                if p.required:
                    raise InputError(f"saved query {self.name!r} needs the parameter {p.name!r}", parameter=p.name)
                continue
            bound.append((p.variable, p.term(str(value))))
        if not bound:
            return self.text
        # str() of a pyoxigraph term is its N-Triples form, escaped by Oxigraph.
        block = "VALUES (" + " ".join("?" + v for v, _ in bound) + ") { (" + " ".join(str(t) for _, t in bound) + ") }\n"
        at = where_group_start(self.text)
        if at is None:
            raise InputError(f"saved query {self.name!r} has no WHERE group to bind its parameters in", parameter="query")
        return self.text[:at] + "\n" + block + self.text[at:]


# -- finding the top-level WHERE group, lexically --------------------------

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WHERE = re.compile(r"where(?![A-Za-z0-9_:])", re.IGNORECASE)


def where_group_start(text: str) -> int | None:
    """The index just after the ``{`` that opens the top-level ``WHERE`` group, or ``None``.

    Skips strings, IRIs and comments, so braces and keywords inside them do
    not count. Without a ``WHERE`` keyword, the first top-level ``{`` opens it
    (``SELECT * { … }``).
    """
    i, n = 0, len(text)
    depth = 0
    seen_where = False
    first_brace: int | None = None
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "'\"":
            quote = text[i : i + 3] if text[i : i + 3] in ("'''", '"""') else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            continue
        if c == "<":
            m = _IRIREF.match(text, i)
            if m:
                i = m.end()
                continue
        if c in "?$" or (c.isalnum() or c == "_"):
            # A whole word (a variable, a keyword, a prefixed name): check WHERE.
            m = re.match(r"[?$]?[A-Za-z0-9_\-.:\u00b7-\uffff]*", text[i:])
            word = m.group(0) if m else c
            if depth == 0 and word.lower() == "where" and (i == 0 or text[i - 1] not in "?$:"):
                seen_where = True
            i += max(len(word), 1)
            continue
        if c in "{(":
            if c == "{" and depth == 0:
                if seen_where:
                    return i + 1
                if first_brace is None:
                    first_brace = i + 1
            depth += 1
        elif c in "})":
            depth -= 1
        i += 1
    return first_brace


# -- reading .rq files -----------------------------------------------------


def _decorators(text: str, path: str) -> dict[str, object]:
    lines = [line[2:].removeprefix(" ") if len(line) > 2 else "" for line in text.splitlines() if line.startswith("#+")]
    if not lines:
        return {}
    try:
        meta = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise ParseError(f"bad #+ decorators: {getattr(err, 'problem', err)}", file=path,
                         line=None if mark is None else mark.line + 1) from None
    if not isinstance(meta, dict):
        raise ParseError("the #+ decorators must be 'key: value' lines", file=path)
    return meta


def _parameters(variables: Iterable[str], defaults: Mapping[str, object]) -> tuple[Parameter, ...]:
    params: dict[str, Parameter] = {}
    for var in sorted(set(variables)):
        if not var.startswith("_"):
            continue
        m = _PARAM.match(var)
        if not m:
            continue
        optional = m[1] == "__"
        name = m[2]
        if m[3]:
            kind, datatype = "iri", None
        elif m[4]:
            kind, datatype = "literal", XSD + m[4]
        else:
            kind, datatype = "literal", None
        default = defaults.get(name)
        params[name] = Parameter(name, var, kind, datatype, not optional, None if default is None else str(default))
    return tuple(params.values())


def _variables(tree: object) -> set[str]:
    from rdflib.term import Variable

    from conflictkg.graph.sparql.guard import walk_terms

    return {str(t) for t in walk_terms(tree) if isinstance(t, Variable)}


def load_saved(path: str | Path) -> SavedQuery:
    """Read one ``.rq`` file.

    Raises
    ------
    ParseError
        If the query or its decorators do not parse (the message names file, line, column).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read: {err}", file=str(path)) from err
    meta = _decorators(text, str(path))
    try:
        tree = parse_tree(text)
    except InputError as err:
        raise ParseError(err.message, file=str(path), line=err.details.get("line"), column=err.details.get("column")) from None
    raw_defaults = meta.get("defaults") or []
    defaults: dict[str, object] = {}
    for item in raw_defaults if isinstance(raw_defaults, list) else [raw_defaults]:
        if isinstance(item, dict):
            defaults.update(item)
    tags = meta.get("tags") or []
    return SavedQuery(
        name=path.stem,
        text=text,
        summary=str(meta.get("summary") or meta.get("title") or ""),
        description=str(meta.get("description") or ""),
        tags=tuple(str(t) for t in (tags if isinstance(tags, list) else [tags])),
        parameters=_parameters(_variables(tree), defaults),
        form=tree[1].name.removesuffix("Query").lower(),  # type: ignore[index]
        path=str(path),
        extra={k: v for k, v in meta.items() if k not in ("summary", "title", "description", "tags", "defaults")},
    )


def load_folder(folder: str | Path = QUERIES_DIR) -> dict[str, SavedQuery]:
    """Every saved query in a folder, by name (sorted).

    Raises
    ------
    ParseError
        If any file does not parse: a broken query is an error, not a gap.
    """
    return {q.name: q for q in (load_saved(p) for p in sorted(Path(folder).glob("*.rq")))}


def find_saved(name: str, folder: str | Path = QUERIES_DIR) -> SavedQuery:
    """One saved query by name.

    Raises
    ------
    UnknownEntity
        If there is no such query.
    """
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise UnknownEntity(f"no saved query named {name!r}", parameter="name")
    path = Path(folder) / f"{name}.rq"
    if not path.is_file():
        raise UnknownEntity(f"no saved query named {name!r}", parameter="name")
    return load_saved(path)
