"""Typed literals checked before anything is written: a date that is no date is refused.

Oxigraph stores `"not-a-date"^^xsd:date` without complaint, and everything downstream
(derivation, the read model, the engines) then trips on it. `check_literals` looks at every
literal with an XSD datatype casegraph relies on, and at the date bounds (`cg:earliest` and
the like), which must be valid `xsd:date`s.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from ontology.errors import LoadError
from ontology.namespaces import CG, XSD

_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DOUBLE = re.compile(r"^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)$")
_GYEAR = re.compile(r"^-?\d{4,}(Z|[+-]\d{2}:\d{2})?$")
_GYEARMONTH = re.compile(r"^-?\d{4,}-(0[1-9]|1[0-2])(Z|[+-]\d{2}:\d{2})?$")
_DATE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")
_DATE_PROPERTIES = frozenset(
    f"{CG}{name}" for name in ("earliest", "latest", "startLatest", "endEarliest")
)


def _date(text: str) -> bool:
    match = _DATE.match(text)
    if match is None:
        return False
    year = int(match.group(1))
    if not 1 <= year <= 9999:
        return True  # outside Python's calendar but valid XSD; the EDTF layer bounds years
    try:
        dt.date(year, int(match.group(2)), int(match.group(3)))
    except ValueError:
        return False
    return True


def _datetime(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in text


def _double(text: str) -> bool:
    if not _DOUBLE.match(text.strip()):
        return False
    return text.strip() in {"INF", "+INF", "-INF", "NaN"} or math.isfinite(float(text))


_CHECKS: dict[str, tuple[Callable[[str], bool], str]] = {
    f"{XSD}date": (_date, "a date (YYYY-MM-DD)"),
    f"{XSD}dateTime": (_datetime, "a date and time (YYYY-MM-DDThh:mm:ss)"),
    f"{XSD}gYear": (lambda v: _GYEAR.match(v) is not None, "a year (YYYY)"),
    f"{XSD}gYearMonth": (lambda v: _GYEARMONTH.match(v) is not None, "a year and month"),
    f"{XSD}boolean": (lambda v: v in {"true", "false", "1", "0"}, "true or false"),
    f"{XSD}decimal": (lambda v: _DECIMAL.match(v.strip()) is not None, "a decimal number"),
    f"{XSD}double": (_double, "a number"),
    f"{XSD}float": (_double, "a number"),
    **{
        f"{XSD}{name}": (lambda v: _INTEGER.match(v.strip()) is not None, "an integer")
        for name in (
            "integer",
            "int",
            "long",
            "short",
            "byte",
            "nonNegativeInteger",
            "positiveInteger",
            "negativeInteger",
            "nonPositiveInteger",
            "unsignedInt",
            "unsignedLong",
            "unsignedShort",
            "unsignedByte",
        )
    },
}


def literal_problem(predicate: str, literal: ox.Literal) -> str | None:
    """Why a literal is not what its datatype (or its property) says, or None."""
    datatype = literal.datatype.value
    if predicate in _DATE_PROPERTIES and datatype != f"{XSD}date":
        return f"{literal.value!r} must be an xsd:date, not {datatype}"
    check = _CHECKS.get(datatype)
    if check is not None and not check[0](literal.value):
        return f"{literal.value!r} is not {check[1]} ({datatype.removeprefix(XSD)})"
    return None


def check_literals(triples: Iterable[ox.Triple | ox.Quad], *, file: str | None = None) -> None:
    """Raise `LoadError` (naming the subject and the property) at the first ill-typed literal."""
    for triple in triples:
        obj = triple.object
        if not isinstance(obj, ox.Literal):
            continue
        problem = literal_problem(triple.predicate.value, obj)
        if problem is not None:
            subject = triple.subject
            record = subject.value if isinstance(subject, ox.NamedNode) else str(subject)
            raise LoadError(problem, file=file, record=record, field=triple.predicate.value)


__all__ = ["check_literals", "literal_problem"]
