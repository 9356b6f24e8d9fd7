"""Reading a researcher's signed edge list (CSV ``source,target,sign``) into a graph, strictly."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import networkx as nx

from conflictkg.graph.errors import ParseError, InputError

__all__ = ["REQUIRED_COLUMNS", "read_signed_edgelist", "parse_signed_edgelist"]

#: The header every signed edge list must have (other columns become edge attributes).
REQUIRED_COLUMNS = ("source", "target", "sign")

_SIGNS = {"1": 1, "+1": 1, "-1": -1}


def parse_signed_edgelist(text: str, *, file: str = "<edge list>") -> nx.Graph:
    """Parse the text of a signed edge list; see :func:`read_signed_edgelist`."""
    if not text.strip():
        raise ParseError("the edge list is empty: expected a header 'source,target,sign' and rows", file=file, line=1)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as err:
        raise ParseError(f"unreadable header: {err}", file=file, line=1) from err
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ParseError(
            f"missing column {', '.join(repr(c) for c in missing)} in the header {','.join(header)!r}; "
            "expected 'source,target,sign'",
            file=file, line=1, field=missing[0],
        )
    col = {name: header.index(name) for name in header}
    G = nx.Graph()
    seen: dict[frozenset[str], tuple[int, int]] = {}
    rows = 0
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ParseError(f"row has {len(row)} fields, the header has {len(header)}", file=file, line=line)
            cells = {name: row[i].strip() for name, i in col.items()}
            u, v, s = cells["source"], cells["target"], cells["sign"]
            for name, value in (("source", u), ("target", v)):
                if not value:
                    raise ParseError(f"empty {name}", file=file, line=line, field=name)
            if s not in _SIGNS:
                raise ParseError(f"sign must be 1 or -1, not {s!r}", file=file, line=line, field="sign")
            if u == v:
                raise ParseError(f"self-loop: {u!r} tied to itself", file=file, line=line, field="target")
            sign = _SIGNS[s]
            pair = frozenset((u, v))
            if pair in seen:
                first_line, first_sign = seen[pair]
                if first_sign != sign:
                    raise ParseError(
                        f"{u!r}–{v!r} appears twice with opposite signs (line {first_line} says {first_sign:+d}, "
                        f"this row {sign:+d})",
                        file=file, line=line, field="sign",
                    )
                continue
            seen[pair] = (line, sign)
            extra = {k: val for k, val in cells.items() if k not in REQUIRED_COLUMNS}
            G.add_edge(u, v)
            # extra columns never override the sign, whatever they are called
            G[u][v].update(extra)
            G[u][v]["sign"] = sign
            rows += 1
    except csv.Error as err:
        raise ParseError(f"malformed CSV: {err}", file=file, line=reader.line_num) from err
    if rows == 0:
        raise ParseError("the edge list has a header but no edges", file=file, line=2)
    for n in G:
        G.nodes[n]["label"] = n
    return G


def read_signed_edgelist(path: str | os.PathLike[str]) -> nx.Graph:
    """A signed graph from a CSV file with the header ``source,target,sign``.

    Every row is one undirected edge; ``sign`` is ``1`` (or ``+1``) or
    ``-1``. Other columns are kept as text edge attributes. Nothing is
    guessed: a file that breaks a rule is refused whole, naming the row.

    Parameters
    ----------
    path : path
        The CSV file (UTF-8).

    Returns
    -------
    networkx.Graph
        Nodes are the names in the file (each with ``label`` = its name).

    Raises
    ------
    InputError
        If the file cannot be read.
    ParseError
        If the file is empty, lacks a column, has a sign other than ±1, a
        self-loop, or the same pair twice with opposite signs; the message
        names the file and line.

    Examples
    --------
    >>> G = parse_signed_edgelist("source,target,sign\\nUS,SDF,1\\nSDF,Turkey,-1\\n")
    >>> sorted(G.edges(data="sign"))
    [('SDF', 'Turkey', -1), ('US', 'SDF', 1)]
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{p}: no such file", file=str(p)) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{p}: cannot read: {err}", file=str(p)) from err
    return parse_signed_edgelist(text, file=str(p))
