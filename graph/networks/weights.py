"""Event weights: CAMEO codes on Goldstein's cooperation–conflict scale, read from a data table.

The table is ``data/cameo-goldstein.csv``: the CAMEO codes of Schrodt's
codebook with Goldstein's weights, from −10 (use conventional military
force) to +10 (most cooperative). An event's weight is that of its
``ck:cameoCode``; an event without a code takes the code its class is
mapped to (``skos:closeMatch`` in ``ontology/conflictkg.ttl``, mirrored in
:data:`CLASS_CAMEO`). A weight of 0 (a plain statement) is neutral: it
makes no tie, and is never read as hostility.

References
----------
.. [1] Goldstein, J. S. (1992). A Conflict-Cooperation Scale for WEIS Events
   Data. *Journal of Conflict Resolution* 36(2), 369–385.
.. [2] Schrodt, P. A. (2012). *CAMEO Conflict and Mediation Event
   Observations Event and Actor Codebook*, version 1.1b3. Pennsylvania State
   University.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources
from pathlib import Path

from conflictkg.graph.errors import InputError
from conflictkg.ontology.vocab import CK

__all__ = ["CLASS_CAMEO", "COOPERATION_CLASSES", "CameoCode", "cameo_table", "goldstein", "event_weight"]

#: The CAMEO code an event class stands for when the event carries none
#: (the ontology's ``skos:closeMatch``, or the root code of its ``skos:broadMatch``).
CLASS_CAMEO: dict[str, str] = {
    str(CK.Statement): "010",
    str(CK.Accusation): "112",
    str(CK.Criticism): "111",
    str(CK.MilitaryCooperation): "062",
    str(CK.SupportProvision): "07",
    str(CK.Offensive): "190",
    str(CK.Battle): "190",
    str(CK.Attack): "19",
    str(CK.MilitaryCampaign): "19",
    str(CK.RemoteViolence): "195",
    str(CK.Siege): "191",
    str(CK.ViolenceAgainstCivilians): "18",
    str(CK.Protest): "14",
    str(CK.Riot): "145",
    str(CK.TerritorialControlChange): "192",
    str(CK.Recapture): "173",
}

#: Event classes whose ``ck:participant`` acts *with* the ``ck:actor``
#: (fighting alongside, providing support): a tie between the two.
COOPERATION_CLASSES = frozenset({str(CK.MilitaryCooperation), str(CK.SupportProvision)})


class CameoCode(tuple):
    """One row of the table: ``(code, root_code, name, goldstein)``."""

    __slots__ = ()

    def __new__(cls, code: str, root: str, name: str, weight: float) -> "CameoCode":
        return super().__new__(cls, (code, root, name, weight))

    code = property(lambda self: self[0])
    root = property(lambda self: self[1])
    name = property(lambda self: self[2])
    goldstein = property(lambda self: self[3])


def _table_path() -> Path:
    return Path(str(resources.files("conflictkg.data"))) / "cameo-goldstein.csv"


@lru_cache(maxsize=1)
def cameo_table() -> dict[str, CameoCode]:
    """Every CAMEO code of the data table, by code (text, leading zeros kept).

    Raises
    ------
    InputError
        If the table is missing or a row is malformed (the row is named).
    """
    path = _table_path()
    table: dict[str, CameoCode] = {}
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            for line, row in enumerate(csv.DictReader(fh), start=2):
                try:
                    table[row["code"]] = CameoCode(row["code"], row["root_code"], row["name"], float(row["goldstein"]))
                except (KeyError, TypeError, ValueError) as err:
                    raise InputError(f"{path}:{line}: bad CAMEO row: {err}", file=str(path), line=line) from err
    except OSError as err:
        raise InputError(f"{path}: cannot read the CAMEO table: {err}", file=str(path)) from err
    return table


def goldstein(code: str) -> float:
    """The Goldstein weight of a CAMEO code.

    Parameters
    ----------
    code : str
        A CAMEO code as text (``"112"``, ``"0874"``, ``"19"``).

    Raises
    ------
    InputError
        If the code is not in the table.

    Examples
    --------
    >>> goldstein("112"), goldstein("190"), goldstein("07"), goldstein("062")
    (-2.0, -10.0, 7.0, 7.4)
    """
    try:
        return cameo_table()[str(code).strip()].goldstein
    except KeyError:
        raise InputError(f"unknown CAMEO code {code!r}", field="ck:cameoCode") from None


def event_weight(cameo_code: str | None, classes: set[str] | frozenset[str]) -> tuple[float, str] | None:
    """The Goldstein weight of an event, and the CAMEO code it was read from.

    The event's own code wins; else the first class in :data:`CLASS_CAMEO`
    (most conflictual first, so a class pair such as campaign + cooperation
    is not averaged away). ``None`` when nothing applies.

    Examples
    --------
    >>> event_weight("112", set())
    (-2.0, '112')
    >>> event_weight(None, {str(CK.Accusation)})
    (-2.0, '112')
    >>> event_weight(None, {str(CK.DetaineeEscape)}) is None
    True
    """
    if cameo_code:
        return goldstein(cameo_code), str(cameo_code).strip()
    codes = [CLASS_CAMEO[c] for c in classes if c in CLASS_CAMEO]
    if not codes:
        return None
    code = min(codes, key=lambda c: (goldstein(c), c))
    return goldstein(code), code
