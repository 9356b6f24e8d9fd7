"""SELECT rows as a list of dicts that also knows its columns, and turns into a pandas DataFrame."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from rdflib.term import BNode, Identifier, Literal, URIRef

__all__ = ["Rows"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATES = {_XSD + "date", _XSD + "dateTime", _XSD + "dateTimeStamp"}


class Rows(list):
    """The rows of a SELECT result: dicts of rdflib terms (``None`` where unbound), in order.

    A plain list, plus :attr:`variables` (the projected columns, known even
    when there are no rows) and :meth:`to_pandas`.

    Examples
    --------
    >>> from conflictkg.graph.store import Store
    >>> store = Store()
    >>> store.update('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:n> 3 } }')
    >>> rows = store.select("SELECT ?s ?n WHERE { GRAPH ?g { ?s <urn:n> ?n } }")
    >>> rows.variables
    ['s', 'n']
    >>> rows.to_pandas().to_dict("records")  # doctest: +SKIP
    [{'s': 'urn:a', 'n': 3}]
    """

    def __init__(self, rows: Iterable[dict[str, Identifier | None]] = (), variables: Sequence[str] = ()) -> None:
        super().__init__(rows)
        self.variables = list(variables)

    def to_pandas(self):  # -> pandas.DataFrame
        """The rows as a pandas DataFrame, one column per variable, with Python values.

        IRIs and blank nodes become strings (``"_:b0"``); numbers become ``int``
        or ``float`` (``xsd:decimal`` too: a DataFrame computes in floats);
        booleans ``bool``; ``xsd:date`` and ``xsd:dateTime`` columns
        ``datetime64``; other literals their text. Unbound values are missing
        (``None``, or ``NaN``/``NaT`` in numeric and date columns).

        Raises
        ------
        ModuleNotFoundError
            If pandas is not installed (``pip install 'conflictkg[pandas]'``).
        """
        try:
            import pandas
        except ModuleNotFoundError as err:
            raise ModuleNotFoundError(
                "to_pandas() needs pandas: pip install 'conflictkg[pandas]' (or pandas itself)", name="pandas"
            ) from err
        columns = {name: [_python(row.get(name)) for row in self] for name in self.variables}
        frame = pandas.DataFrame(columns, columns=self.variables)
        for name in self.variables:
            if any(_is_date(row.get(name)) for row in self) and all(
                row.get(name) is None or _is_date(row.get(name)) for row in self
            ):
                frame[name] = pandas.to_datetime(frame[name])
        return frame


def _is_date(term: Identifier | None) -> bool:
    return isinstance(term, Literal) and term.datatype is not None and str(term.datatype) in _DATES


def _python(term: Identifier | None) -> object:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, (bool, int, float, dt.date)):
            return value
        return str(term)
    return str(term)
