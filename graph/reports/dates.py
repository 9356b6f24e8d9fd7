"""Dates in a report's words, resolved against the report's own date ("last month" → the month before)."""

from __future__ import annotations

import re
from datetime import date, timedelta

__all__ = ["resolve_date"]

_MONTHS = {m: i for i, m in enumerate(
    ("january february march april may june july august september october november december").split(), 1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()


def _month_back(d: date, n: int) -> date:
    y, m = d.year, d.month - n
    while m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def resolve_date(words: str, report_date: date) -> tuple[date, str, bool] | None:
    """A date for a report's words: (date, precision, resolved against the report's date?).

    Precision is the local name of a ``ck:DatePrecision`` (``Day``, ``Month``, ``Year``, ``Approximate``).

    Examples
    --------
    >>> resolve_date("last month", date(2026, 1, 15))
    (datetime.date(2025, 12, 1), 'Month', True)
    >>> resolve_date("in 2017", date(2026, 1, 15))
    (datetime.date(2017, 1, 1), 'Year', False)
    >>> resolve_date("on 3 March 2024", date(2026, 1, 15))
    (datetime.date(2024, 3, 3), 'Day', False)
    """
    w = words.lower().strip()
    m = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(_MONTHS) + r")\.?,?\s+(\d{4})\b", w)
    if m:
        return date(int(m[3]), _MONTHS[m[2]], int(m[1])), "Day", False
    m = re.search(r"\b(" + "|".join(_MONTHS) + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", w)
    if m:
        return date(int(m[3]), _MONTHS[m[1]], int(m[2])), "Day", False
    m = re.search(r"\b(" + "|".join(_MONTHS) + r")\.?,?\s+(\d{4})\b", w)
    if m:
        return date(int(m[2]), _MONTHS[m[1]], 1), "Month", False
    m = re.search(r"\b(1[89]\d\d|20\d\d)\b", w)
    if m:
        return date(int(m[1]), 1, 1), "Year", False
    if re.search(r"\blast month\b|\ba month ago\b", w):
        return _month_back(report_date, 1), "Month", True
    m = re.search(r"\b(\w+) months? ago\b", w)
    if m and m[1] in ("two", "three", "2", "3", "four", "4", "six", "6"):
        n = {"two": 2, "three": 3, "four": 4, "six": 6}.get(m[1], None) or int(m[1])
        return _month_back(report_date, n), "Month", True
    if re.search(r"\blast year\b|\ba year ago\b", w):
        return date(report_date.year - 1, 1, 1), "Year", True
    if re.search(r"\bthis year\b", w):
        return date(report_date.year, 1, 1), "Year", True
    if re.search(r"\blast week\b|\ba week ago\b", w):
        return report_date - timedelta(days=7), "Approximate", True
    if re.search(r"\byesterday\b", w):
        return report_date - timedelta(days=1), "Day", True
    if re.search(r"\btoday\b|\btonight\b|\bthis morning\b", w):
        return report_date, "Day", True
    for i, day in enumerate(_DAYS):
        if re.search(rf"\b(last |on )?{day}\b", w):
            back = (report_date.weekday() - i) % 7 or 7
            return report_date - timedelta(days=back), "Day", True
    m = re.search(r"\b(" + "|".join(_MONTHS) + r")\b", w)
    if m and m[1] not in ("may", "mar"):
        month = _MONTHS[m[1]]
        year = report_date.year if month <= report_date.month else report_date.year - 1
        return date(year, month, 1), "Month", True
    if re.search(r"\brecent(ly)?\b|\bnow\b|\bcurrently\b|\bthis writing\b|\bongoing\b|\bthis week\b", w):
        return report_date, "Approximate", True
    return None
