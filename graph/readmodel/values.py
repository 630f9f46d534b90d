"""Small conversions every read-model module shares: IRIs to CURIEs, literals to JSON values,
text folded for search, dates and periods."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import Any, Final

from graph.readmodel.facts import Fact
from ontology.namespaces import CG, PREFIXES, XSD
from ontology.vocab import CLASS_PARENTS

STATUS_NAMES: Final = {
    f"{CG}Verified": "VERIFIED",
    f"{CG}ReportedS00": "REPORTED(S00)",
    f"{CG}Unverified": "UNVERIFIED",
}
STANCE_NAMES: Final = {f"{CG}Supports": "supports", f"{CG}Disputes": "disputes"}

_PREFIXES_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_NON_WORD = re.compile(r"[^0-9a-z]+")
_INT_TYPES = frozenset({"integer", "int", "long", "short", "nonNegativeInteger"})
_FLOAT_TYPES = frozenset({"decimal", "double", "float"})
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@functools.lru_cache(maxsize=8192)  # predicates and classes, asked for again and again
def curie(iri: str) -> str:
    """`cg:participant` for a known namespace, else the IRI itself."""
    for prefix, namespace in _PREFIXES_BY_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, combining marks dropped, casefolded, words only."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def literal_value(fact: Fact) -> Any:
    """A JSON-safe Python value for a literal fact (numbers and booleans as such)."""
    _p, _k, value, extra = fact
    datatype = extra.removeprefix(XSD) if not extra.startswith("@") else "string"
    try:
        if datatype in _INT_TYPES:
            return int(value)
        if datatype in _FLOAT_TYPES:
            number = float(value)
            return int(number) if datatype == "decimal" and number.is_integer() else number
    except ValueError:
        return value
    if datatype == "boolean":
        return value in {"true", "1"}
    return value


def date_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@functools.cache
def ancestors(local_name: str) -> frozenset[str]:
    """Every `cg:` superclass of a `cg:` class (local names), the class itself excluded."""
    found: set[str] = set()
    todo = list(CLASS_PARENTS.get(local_name, ()))
    while todo:
        parent = todo.pop()
        if parent not in found:
            found.add(parent)
            todo.extend(CLASS_PARENTS.get(parent, ()))
    return frozenset(found)


def most_specific(types: set[str]) -> str | None:
    """The most specific of a set of closed class names (deepest, then by name)."""
    if not types:
        return None
    above: set[str] = set()
    for name in types:
        above |= ancestors(name)
    leaves = [name for name in types if name not in above] or list(types)
    return max(leaves, key=lambda name: (len(ancestors(name)), name))


class BadPeriod(ValueError):
    """A `from` / `to` value that is not YYYY, YYYY-MM or YYYY-MM-DD."""


def parse_period(value: str, *, end: bool) -> dt.date:
    """The first (or with `end`, the last) day of `YYYY`, `YYYY-MM` or `YYYY-MM-DD`."""
    match = _PERIOD.match(value.strip())
    if match is None:
        raise BadPeriod(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    try:
        if day is not None:
            return dt.date(int(year), int(month), int(day))
        if month is not None:
            first = dt.date(int(year), int(month), 1)
            if not end:
                return first
            following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(int(year), 12, 31) if end else dt.date(int(year), 1, 1)
    except ValueError as e:
        raise BadPeriod(f"{value!r} is not a possible date: {e}") from e


__all__ = [
    "STANCE_NAMES",
    "STATUS_NAMES",
    "BadPeriod",
    "ancestors",
    "curie",
    "date_of",
    "fold",
    "literal_value",
    "most_specific",
    "parse_period",
]
