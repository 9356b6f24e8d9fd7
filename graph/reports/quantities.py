"""Stated numbers with their qualifier: "approximately 120", "at least 27", "dozens", "over 90 percent"."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Stated", "QUALIFIER_WORDS", "VAGUE_WORDS", "parse_number", "parse_stated"]

#: The words before a number and the ``ck:Qualifier`` they give it, longest first when matched.
QUALIFIER_WORDS: dict[str, str] = {
    "approximately": "Approximately", "about": "Approximately", "around": "Approximately",
    "roughly": "Approximately", "some": "Approximately", "nearly": "Approximately", "almost": "Approximately",
    "close to": "Approximately", "an estimated": "Estimated", "estimated": "Estimated", "est.": "Estimated",
    "at least": "AtLeast", "no fewer than": "AtLeast", "a minimum of": "AtLeast", "not less than": "AtLeast",
    "more than": "MoreThan", "over": "MoreThan", "upwards of": "MoreThan", "in excess of": "MoreThan",
    "exceeding": "MoreThan", "at most": "AtMost", "up to": "AtMost", "no more than": "AtMost",
    "fewer than": "AtMost", "less than": "AtMost", "under": "AtMost", "as many as": "AtMost",
}

#: Vague counts and (qualifier, lower bound by the ontology's convention).
VAGUE_WORDS: dict[str, tuple[str, float]] = {
    "dozens": ("Dozens", 24.0), "scores": ("Dozens", 40.0), "hundreds": ("Hundreds", 200.0),
    "thousands": ("Thousands", 2000.0), "tens of thousands": ("Thousands", 20000.0),
    "hundreds of thousands": ("Thousands", 200000.0),
}

_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
               "a hundred": 100, "a thousand": 1000, "a dozen": 12, "dozen": 12})
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_FRACTIONS = {"half": 50.0, "one-half": 50.0, "one-third": 33.3, "a third": 33.3, "one third": 33.3,
              "two-thirds": 66.7, "two thirds": 66.7, "a quarter": 25.0, "one-quarter": 25.0,
              "three-quarters": 75.0, "one-fifth": 20.0, "a fifth": 20.0, "one-tenth": 10.0}


@dataclass(frozen=True)
class Stated:
    """A stated number: value or bounds, the qualifier (a ``ck:Qualifier`` local name) and the unit."""

    qualifier: str
    value: float | None = None
    lower: float | None = None
    upper: float | None = None
    percent: bool = False


def parse_number(words: str) -> float | None:
    """A number written in digits or words: ``"56,000"``, ``"1.2 million"``, ``"twenty-five"``, ``"two"``.

    Examples
    --------
    >>> parse_number("56,000"), parse_number("1.2 million"), parse_number("twenty-five"), parse_number("a dozen")
    (56000.0, 1200000.0, 25.0, 12.0)
    """
    w = words.lower().strip().replace("\u2009", "").replace("\u00a0", " ")
    m = re.fullmatch(r"(\d[\d,]*(?:\.\d+)?)(?:\s+(hundred|thousand|million|billion))?", w)
    if m:
        number = float(m[1].replace(",", ""))
        return number * _SCALES[m[2]] if m[2] else number
    if w in _WORDS:
        return float(_WORDS[w])
    m = re.fullmatch(r"(\w+)[- ](\w+)", w)
    if m and m[1] in _WORDS and m[2] in _WORDS and _WORDS[m[1]] >= 20 and _WORDS[m[2]] < 10:
        return float(_WORDS[m[1]] + _WORDS[m[2]])
    m = re.fullmatch(r"([\w-]+)\s+(hundred|thousand|million|billion)", w)
    if m:
        head = parse_number(m[1])
        return head * _SCALES[m[2]] if head is not None else None
    return None


def parse_stated(words: str) -> Stated | None:
    """The qualifier and number of a phrase such as ``"an estimated 74"`` or ``"over 90 percent"``.

    A bare number is ``Exactly``; ``"dozens"``, ``"hundreds"``, ``"thousands"`` keep only a lower bound;
    "more than N" and "at least N" also give N as the lower bound, "up to N" the upper bound.

    Examples
    --------
    >>> parse_stated("an estimated 10,000")
    Stated(qualifier='Estimated', value=10000.0, lower=None, upper=None, percent=False)
    >>> parse_stated("more than 56,000")
    Stated(qualifier='MoreThan', value=56000.0, lower=56000.0, upper=None, percent=False)
    >>> parse_stated("dozens")
    Stated(qualifier='Dozens', value=None, lower=24.0, upper=None, percent=False)
    >>> parse_stated("about one-third")
    Stated(qualifier='Approximately', value=33.3, lower=None, upper=None, percent=True)
    """
    w = re.sub(r"\s+", " ", words.lower().strip().strip(".,;:()"))
    w = re.sub(r"^(the|a total of|a|total of)\s+(?=\d|[a-z]+ (hundred|thousand|million))", "", w)
    for vague in sorted(VAGUE_WORDS, key=len, reverse=True):
        if w == vague or w.startswith(vague + " of") or w == vague.rstrip("s"):
            qualifier, lower = VAGUE_WORDS[vague]
            return Stated(qualifier, lower=lower)
    qualifier = "Exactly"
    for phrase in sorted(QUALIFIER_WORDS, key=len, reverse=True):
        if w.startswith(phrase + " "):
            qualifier, w = QUALIFIER_WORDS[phrase], w[len(phrase) + 1:]
            break
    percent = False
    m = re.fullmatch(r"(.+?)\s*(%|percent|per cent)(?: of.*)?", w)
    if m:
        percent, w = True, m[1]
    for fraction, share in _FRACTIONS.items():
        if w == fraction or w.startswith(fraction + " of"):
            return Stated("Approximately" if qualifier == "Exactly" else qualifier, value=share, percent=True)
    value = parse_number(w)
    if value is None:
        return None
    lower = value if qualifier in ("AtLeast", "MoreThan") else None
    upper = value if qualifier == "AtMost" else None
    return Stated(qualifier, value=value, lower=lower, upper=upper, percent=percent)
