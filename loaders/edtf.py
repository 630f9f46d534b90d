"""EDTF dates (ISO 8601-2 level 0 and the level-1 qualifiers) turned into bounds.

A value keeps its original string and gets four bounds: the earliest and latest possible start
and the earliest and latest possible end, plus its precision and qualifiers. Supported forms:
`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, each optionally followed by `~` (approximate), `?` (uncertain)
or `%` (both); intervals `A/B` where either side may also be `..` (open) or empty (unknown).

An approximate (`~`, `%`) date is widened by one unit of its precision on each side (a year for
`2006~`, a month for `2012-12~`, a day for `2025-02-17~`); an uncertain (`?`) date keeps its
bounds but is flagged, so temporal relations that depend on it are never called certain.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

type Precision = Literal["day", "month", "year"]

_DATE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?(?P<q>[~?%])?$")
_RANK: dict[str, int] = {"year": 0, "month": 1, "day": 2}


class EDTFError(ValueError):
    """A string that is not a valid (or possible) EDTF date or interval."""


@dataclass(frozen=True, slots=True)
class DatePoint:
    """One EDTF date: the first and last day it may denote."""

    earliest: dt.date
    latest: dt.date
    precision: Precision
    approximate: bool
    uncertain: bool


@dataclass(frozen=True, slots=True)
class EDTF:
    """A parsed EDTF value. Bounds are None where the interval is open or unknown."""

    text: str
    earliest: dt.date | None
    start_latest: dt.date | None
    end_earliest: dt.date | None
    latest: dt.date | None
    precision: Precision
    approximate: bool
    uncertain: bool
    is_interval: bool
    open_start: bool
    open_end: bool


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def parse_point(text: str) -> DatePoint:
    """Parse one EDTF date (not an interval)."""
    match = _DATE.match(text)
    if match is None:
        raise EDTFError(f"{text!r} is not an EDTF date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year = int(match["y"])
    qualifier = match["q"] or ""
    try:
        if match["d"] is not None:
            first = last = dt.date(year, int(match["m"]), int(match["d"]))
            precision: Precision = "day"
        elif match["m"] is not None:
            month = int(match["m"])
            first = dt.date(year, month, 1)
            last = dt.date(year, month, calendar.monthrange(year, month)[1])
            precision = "month"
        else:
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
            precision = "year"
    except ValueError as e:
        raise EDTFError(f"{text!r} is not a possible date: {e}") from e
    approximate = qualifier in {"~", "%"}
    if approximate:
        try:
            first, last = _widen(first, last, precision)
        except (ValueError, OverflowError) as e:
            raise EDTFError(f"{text!r}: widening an approximate date leaves the calendar") from e
    return DatePoint(first, last, precision, approximate, qualifier in {"?", "%"})


def _widen(first: dt.date, last: dt.date, precision: Precision) -> tuple[dt.date, dt.date]:
    """One unit of `precision` more on each side (the meaning of `~` here)."""
    if precision == "day":
        first, last = first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    elif precision == "month":
        first = _shift_months(first, -1)
        last = _shift_months(last.replace(day=1), 1)
        last = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    else:
        first, last = first.replace(year=first.year - 1), last.replace(year=last.year + 1)
    return first, last


def parse_edtf(text: str) -> EDTF:
    """Parse an EDTF date or interval into an `EDTF` value with bounds."""
    if not isinstance(text, str) or not text or text != text.strip():
        raise EDTFError(f"{text!r} is not an EDTF string")
    if "/" not in text:
        point = parse_point(text)
        return EDTF(
            text=text,
            earliest=point.earliest,
            start_latest=point.latest,
            end_earliest=point.earliest,
            latest=point.latest,
            precision=point.precision,
            approximate=point.approximate,
            uncertain=point.uncertain,
            is_interval=False,
            open_start=False,
            open_end=False,
        )
    left, _, right = text.partition("/")
    if "/" in right:
        raise EDTFError(f"{text!r} has more than one '/' (an interval has exactly two ends)")
    if left in {"", ".."} and right in {"", ".."}:
        raise EDTFError(f"{text!r}: an interval needs at least one known end")
    start = None if left in {"", ".."} else parse_point(left)
    end = None if right in {"", ".."} else parse_point(right)
    if start is not None and end is not None and end.latest < start.earliest:
        raise EDTFError(f"{text!r}: the end ({right}) is before the start ({left})")
    points = [p for p in (start, end) if p is not None]
    precision = min((p.precision for p in points), key=lambda p: _RANK[p])
    return EDTF(
        text=text,
        earliest=start.earliest if start else None,
        start_latest=start.latest if start else None,
        end_earliest=end.earliest if end else None,
        latest=end.latest if end else None,
        precision=precision,
        approximate=any(p.approximate for p in points),
        uncertain=any(p.uncertain for p in points),
        is_interval=True,
        open_start=left == "..",
        open_end=right == "..",
    )
