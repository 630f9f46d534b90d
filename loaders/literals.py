"""Typed literals checked before anything is written: a date that is no date is refused.

Oxigraph stores `"not-a-date"^^xsd:date` without complaint, and everything downstream
(derivation, the read model, the engines) then trips on it. `check_literals` looks at every
literal with an XSD datatype casegraph relies on, and at the date bounds (`cg:earliest` and
the like), which must be valid `xsd:date`s. The lexical forms accepted are the ones Oxigraph's
own casts accept (no surrounding spaces, `24:00:00`, years of four digits or more without a
leading zero, any sign), and the values the ones it holds (years up to 5,391,559,471,917,
integers in 64 bits, decimals in 128 bits of 10^-18ths), so a literal that passes here is one
Oxigraph can read; the integer subtypes are also held to their own ranges (`xsd:byte` from -128
to 127, ...).

For a graph written by Oxigraph's bulk loader, whose triples never pass through Python,
`ill_typed_query()` (`ill_typed_literals.rq`) finds the same problems inside the store, by
casting each literal's lexical form back to its datatype.
"""

from __future__ import annotations

import decimal
import functools
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from ontology.errors import LoadError
from ontology.namespaces import CG, XSD

__all__ = [
    "DATE_PROPERTIES",
    "INTEGER_RANGES",
    "check_literals",
    "ill_typed_query",
    "literal_problem",
]

_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_YEAR = r"-?(?:[1-9][0-9]{4,}|[0-9]{4})"
"""Four digits, or more without a leading zero (XSD: `01000` and `00000` are no years)."""
_MAX_YEAR = 5_391_559_471_917
"""The largest year (either sign) Oxigraph's casts to every date type accept (measured)."""
_YMD = r"(" + _YEAR + r")-([0-9]{2})-([0-9]{2})"
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN")
_DATE = re.compile(_YMD + _TZ + "?")
_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,18}0*)?|24:00:00(?:\.0+)?)"
"""Seconds to 10^-18 at most, as Oxigraph holds them (trailing zeros aside)."""
_DATETIME = re.compile(_YMD + "T" + _TIME + _TZ + "?")
_GYEAR = re.compile("(" + _YEAR + ")" + _TZ + "?")
_GYEARMONTH = re.compile("(" + _YEAR + ")-(?:0[1-9]|1[0-2])" + _TZ + "?")
_BOOLEAN = frozenset({"true", "false", "1", "0"})

DATE_PROPERTIES = frozenset(
    f"{CG}{name}" for name in ("earliest", "latest", "startLatest", "endEarliest")
)
"""Date bounds computed from EDTF dates: derivation compares them as `xsd:date`s."""

INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
}
"""The integer datatypes (local names) and their bounds (None: unbounded)."""


def _days(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in {4, 6, 9, 11} else 31


def _valid_year(match: re.Match[str] | None) -> bool:
    return match is not None and abs(int(match.group(1))) <= _MAX_YEAR


def _valid_day(match: re.Match[str] | None) -> bool:
    if match is None or not _valid_year(match):
        return False
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    return 1 <= month <= 12 and 1 <= day <= _days(year, month)


def _integer(low: int | None, high: int | None) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        if _INTEGER.fullmatch(text) is None:
            return False
        value = int(text)
        lowest = _I64[0] if low is None else max(low, _I64[0])
        highest = _I64[1] if high is None else min(high, _I64[1])
        return lowest <= value <= highest

    return check


_I64 = (-(2**63), 2**63 - 1)
"""Oxigraph's `xsd:integer` is a 64-bit integer: a longer one does not cast."""
_DECIMAL_DIGITS = 18
"""Oxigraph's `xsd:decimal` is a 128-bit integer of 10^-18ths: no finer, no larger."""
_EXACT = decimal.Context(prec=1000, traps=[decimal.Inexact, decimal.InvalidOperation])


def _decimal(text: str) -> bool:
    if _DECIMAL.fullmatch(text) is None or len(text) > 200:
        return False
    scaled = _EXACT.scaleb(decimal.Decimal(text), _DECIMAL_DIGITS)
    return scaled == scaled.to_integral_value() and -(2**127) <= scaled < 2**127


def _pattern(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda text: pattern.fullmatch(text) is not None


_CHECKS: dict[str, tuple[Callable[[str], bool], str]] = {
    f"{XSD}date": (lambda v: _valid_day(_DATE.fullmatch(v)), "a date (YYYY-MM-DD)"),
    f"{XSD}dateTime": (
        lambda v: _valid_day(_DATETIME.fullmatch(v)),
        "a date and time (YYYY-MM-DDThh:mm:ss)",
    ),
    f"{XSD}gYear": (lambda v: _valid_year(_GYEAR.fullmatch(v)), "a year (YYYY)"),
    f"{XSD}gYearMonth": (
        lambda v: _valid_year(_GYEARMONTH.fullmatch(v)),
        "a year and month (YYYY-MM)",
    ),
    f"{XSD}boolean": (lambda v: v in _BOOLEAN, "true or false"),
    f"{XSD}decimal": (_decimal, "a decimal number"),
    f"{XSD}double": (_pattern(_DOUBLE), "a number"),
    f"{XSD}float": (_pattern(_DOUBLE), "a number"),
    **{
        f"{XSD}{name}": (
            _integer(low, high),
            "an integer"
            + (f" from {low}" if low is not None else "")
            + (f" to {high}" if high is not None else ""),
        )
        for name, (low, high) in INTEGER_RANGES.items()
    },
}


def literal_problem(predicate: str, literal: ox.Literal) -> str | None:
    """Why a literal is not what its datatype (or its property) says, or None."""
    datatype = literal.datatype.value
    if predicate in DATE_PROPERTIES and datatype != f"{XSD}date":
        return f"{literal.value!r} must be an xsd:date, not {datatype}"
    check = _CHECKS.get(datatype)
    if check is not None and not check[0](literal.value):
        return f"{literal.value!r} is not {check[1]} (xsd:{datatype.removeprefix(XSD)})"
    return None


def check_literals(triples: Iterable[ox.Triple | ox.Quad], *, file: str | None = None) -> None:
    """Raise `LoadError` (naming the file, the subject and the property) at the first
    ill-typed literal."""
    for triple in triples:
        obj = triple.object
        if not isinstance(obj, ox.Literal):
            continue
        problem = literal_problem(triple.predicate.value, obj)
        if problem is not None:
            subject = triple.subject
            record = subject.value if isinstance(subject, ox.NamedNode) else str(subject)
            raise LoadError(problem, file=file, record=record, field=triple.predicate.value)


@functools.cache
def ill_typed_query() -> str:
    """SPARQL (`ill_typed_literals.rq`) selecting `?s ?p ?o` for each ill-typed literal in the
    graph `?g` (bind it with `substitutions`); `literal_problem(p, o)` then says why."""
    return (Path(__file__).with_name("ill_typed_literals.rq")).read_text(encoding="utf-8")
