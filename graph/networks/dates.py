"""Dates and window lengths as the network commands and routes accept them, with the parameter named on error."""

from __future__ import annotations

from datetime import date, timedelta

from conflictkg.graph.errors import InputError

__all__ = ["MAX_WINDOW_DAYS", "YEARS", "parse_date", "parse_window"]

#: Dates outside these years are refused as input and ignored in data: with
#: windows of at most :data:`MAX_WINDOW_DAYS`, date arithmetic then never overflows.
YEARS = (1000, 9000)
#: The longest window accepted (100 years).
MAX_WINDOW_DAYS = 36_500


def parse_date(value: str | date | None, *, parameter: str = "at") -> date | None:
    """An ISO date (``2017``, ``2017-06``, ``2017-06-06``, a dateTime, or a date), or ``None``.

    Raises
    ------
    InputError
        If the text is not such a date, or its year is outside :data:`YEARS`; the parameter is named.
    """
    if value is None:
        return None
    if isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        try:
            if len(text) == 4 and text.isdigit():
                day = date(int(text), 1, 1)
            elif len(text) == 7 and text[4] == "-":
                day = date(int(text[:4]), int(text[5:7]), 1)
            elif len(text) == 10 or (len(text) > 10 and text[10] == "T"):
                day = date.fromisoformat(text[:10])
            else:
                raise ValueError(text)
        except ValueError:
            raise InputError(f"{parameter}: {value!r} is not a date (use YYYY-MM-DD)", parameter=parameter) from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise InputError(f"{parameter}: {day} is outside the years {YEARS[0]}–{YEARS[1]}", parameter=parameter)
    return day


def parse_window(value: str | int | timedelta | None, *, parameter: str = "window") -> timedelta | None:
    """A window length: ``"90d"``, ``"12w"``, ``"6m"`` (30-day months), ``"1y"``, days as int.

    Raises
    ------
    InputError
        If the text is not a positive length of at most :data:`MAX_WINDOW_DAYS` days.
    """
    if value is None:
        return None
    if isinstance(value, timedelta):
        days = value.days
    else:
        text = str(value).strip().lower()
        units = {"d": 1, "w": 7, "m": 30, "y": 365}
        try:
            days = int(text[:-1]) * units[text[-1]] if text and text[-1] in units else int(text)
        except ValueError:
            days = 0
    if days <= 0:
        raise InputError(f"{parameter}: {value!r} is not a positive length like 90d, 12w, 6m or 1y", parameter=parameter)
    if days > MAX_WINDOW_DAYS:
        raise InputError(f"{parameter}: {value!r} is longer than {MAX_WINDOW_DAYS} days", parameter=parameter)
    return timedelta(days=days)
