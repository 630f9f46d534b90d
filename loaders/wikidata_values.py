"""Wikidata statements and values: the `P31` classes mapped to ours, snak and datavalue checks,
item ids and time values as EDTF; a fault in one entity raises `EntityFault`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from loaders.base import LoadReport

CLASSES: dict[str, tuple[str, str]] = {
    "Q5": ("Person", "human"),
    "Q43229": ("Organization", "organization"),
    "Q7278": ("Organization", "political party"),
    "Q7210356": ("Organization", "political organization"),
    "Q327333": ("GovernmentAgency", "government agency"),
    "Q2659904": ("GovernmentAgency", "government organization"),
    "Q20857065": ("GovernmentAgency", "United States federal agency"),
    "Q6979657": ("GovernmentAgency", "national public health institute"),
    "Q47913": ("GovernmentAgency", "intelligence agency"),
    "Q7188": ("Government", "government"),
    "Q484652": ("InternationalOrganization", "international organization"),
    "Q17149090": ("ArmedGroup", "armed organization"),
    "Q31855": ("ResearchInstitution", "research institute"),
    "Q6256": ("Country", "country"),
    "Q3624078": ("Country", "sovereign state"),
    "Q35657": ("Region", "state of the United States"),
    "Q515": ("City", "city"),
    "Q1656682": ("Event", "event"),
    "Q13418847": ("Event", "historical event"),
    "Q645883": ("MilitaryOperation", "military operation"),
    "Q350604": ("ArmedConflict", "armed conflict"),
    "Q198": ("ArmedConflict", "war"),
    "Q178561": ("ArmedConflict", "battle"),
}
"""`P31` value → (casegraph class, the Wikidata class's English label). Only classes whose QID
was checked are listed; an item with none of them is typed `cg:Entity`, with a warning."""


KINDS: dict[str, str] = {
    "Person": "agent",
    "Organization": "agent",
    "GovernmentAgency": "agent",
    "Government": "agent",
    "InternationalOrganization": "agent",
    "ArmedGroup": "agent",
    "ResearchInstitution": "agent",
    "Country": "place",
    "Region": "place",
    "City": "place",
    "Event": "event",
    "MilitaryOperation": "event",
    "ArmedConflict": "event",
}
"""Class → entity kind (the `<kind>` of `cgid:<kind>/wd-q<n>`)."""


PRIORITY = (
    "Person",
    "Country",
    "City",
    "Region",
    "Government",
    "GovernmentAgency",
    "InternationalOrganization",
    "ArmedGroup",
    "ResearchInstitution",
    "Organization",
    "MilitaryOperation",
    "ArmedConflict",
    "Event",
)
"""When `P31` maps to classes of different kinds, the first class here decides the kind."""


DATAVALUE_TYPES = frozenset(
    {"wikibase-entityid", "time", "string", "monolingualtext", "quantity", "globecoordinate"}
)


SNAK_TYPES = frozenset({"value", "somevalue", "novalue"})


GREGORIAN = "http://www.wikidata.org/entity/Q1985727"


PRECISION_FORMS = {9: "year", 10: "month", 11: "day"}


QID = re.compile(r"^Q[1-9][0-9]*$")


_TIME = re.compile(r"^\+(\d{4})-(\d{2})-(\d{2})T")


class EntityFault(ValueError):
    """A fault in one entity: which property, and why."""

    def __init__(self, message: str, prop: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.prop = prop


def _check_snak(snak: Any, prop: str) -> None:
    if not isinstance(snak, dict):
        raise EntityFault("a snak is not a JSON object", prop)
    snaktype = snak.get("snaktype")
    if snaktype not in SNAK_TYPES:
        raise EntityFault(f"unknown snak type {snaktype!r}", prop)
    if snaktype != "value":
        return
    datavalue = snak.get("datavalue")
    kind = datavalue.get("type") if isinstance(datavalue, dict) else None
    if kind not in DATAVALUE_TYPES:
        datatype = snak.get("datatype")
        raise EntityFault(
            f"unsupported datavalue type {kind!r} (datatype {datatype!r}); "
            f"handled: {', '.join(sorted(DATAVALUE_TYPES))}",
            prop,
        )


def checked_statements(item: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Every statement checked for snak and datavalue types; deprecated ones dropped and
    preferred ones first."""
    claims = item.get("claims", {})
    if isinstance(claims, list) and not claims:
        claims = {}
    if not isinstance(claims, dict):
        raise EntityFault('"claims" is not an object')
    out: dict[str, list[dict[str, Any]]] = {}
    for prop, statements in claims.items():
        if not isinstance(statements, list):
            raise EntityFault("statements are not a list", str(prop))
        kept = []
        for statement in statements:
            if not isinstance(statement, dict):
                raise EntityFault("a statement is not an object", str(prop))
            _check_snak(statement.get("mainsnak"), str(prop))
            for group in ("qualifiers",):
                for qprop, snaks in (statement.get(group) or {}).items():
                    for snak in snaks if isinstance(snaks, list) else [snaks]:
                        _check_snak(snak, f"{prop}/{qprop}")
            for reference in statement.get("references") or []:
                snaks = reference.get("snaks", {}) if isinstance(reference, dict) else {}
                for rprop, values in snaks.items():
                    for snak in values if isinstance(values, list) else [values]:
                        _check_snak(snak, f"{prop}/reference/{rprop}")
            if statement.get("rank") != "deprecated":
                kept.append(statement)
        kept.sort(key=lambda s: 0 if s.get("rank") == "preferred" else 1)
        out[str(prop)] = kept
    return out


def main_value(statement: Mapping[str, Any]) -> tuple[str, Any] | None:
    """`(datavalue type, value)` of a statement's main snak; None for no/some value."""
    snak = statement["mainsnak"]
    if snak.get("snaktype") != "value":
        return None
    datavalue = snak["datavalue"]
    return datavalue["type"], datavalue.get("value")


def item_id(value: Any, prop: str) -> str | None:
    if not isinstance(value, dict):
        raise EntityFault("an item value is not an object", prop)
    if value.get("entity-type", "item") != "item":
        return None
    qid = value.get("id") or (f"Q{value['numeric-id']}" if "numeric-id" in value else None)
    if not isinstance(qid, str) or not QID.match(qid):
        raise EntityFault(f"{qid!r} is not an item id", prop)
    return qid


def items_of(statements: dict[str, list[dict[str, Any]]], prop: str) -> list[tuple[str, Any]]:
    """`(QID, statement)` for each item value of a property."""
    out = []
    for statement in statements.get(prop, []):
        found = main_value(statement)
        if found is None:
            continue
        kind, value = found
        if kind != "wikibase-entityid":
            raise EntityFault(f"expected an item value, found datavalue type {kind!r}", prop)
        qid = item_id(value, prop)
        if qid is not None:
            out.append((qid, statement))
    return out


def kind_and_classes(item: Mapping[str, Any]) -> tuple[str | None, list[str], list[str]]:
    """`(kind, classes, unmapped P31 QIDs)`; kind None when no P31 value is mapped."""
    p31 = [qid for qid, _ in items_of(checked_statements(item), "P31")]
    mapped = {CLASSES[q][0] for q in p31 if q in CLASSES}
    if not mapped:
        return None, [], [q for q in p31 if q not in CLASSES]
    lead = next(c for c in PRIORITY if c in mapped)
    kind = KINDS[lead]
    classes = [c for c in PRIORITY if c in mapped and KINDS[c] == kind]
    return kind, classes, [q for q in p31 if q not in CLASSES]


def _time(value: Any, prop: str, qid: str, report: LoadReport) -> str | None:
    """EDTF text of a Wikidata time value, or None (with a warning) when it cannot be one."""
    if not isinstance(value, dict) or not isinstance(value.get("time"), str):
        raise EntityFault("a time value has no time string", prop)
    precision = value.get("precision")
    if not isinstance(precision, int):
        raise EntityFault(f"time precision {precision!r} is not an integer", prop)
    match = _TIME.match(value["time"])
    if match is None or value.get("calendarmodel", GREGORIAN) != GREGORIAN:
        report.warnings.append(f"{qid} {prop}: {value['time']} is outside what EDTF here holds")
        return None
    if precision < 9:
        report.warnings.append(f"{qid} {prop}: precision {precision} is coarser than a year")
        return None
    year, month, day = match[1], match[2], match[3]
    if precision == 9 or month == "00":
        return year
    if precision == 10 or day == "00":
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


def first_time(
    statements: dict[str, list[dict[str, Any]]], prop: str, qid: str, report: LoadReport
) -> str | None:
    for statement in statements.get(prop, []):
        found = main_value(statement)
        if found is None:
            continue
        kind, value = found
        if kind != "time":
            raise EntityFault(f"expected a time value, found datavalue type {kind!r}", prop)
        text = _time(value, prop, qid, report)
        if text is not None:
            return text
    return None
