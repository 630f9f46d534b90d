"""Wikidata entity JSON as RDF: `Special:EntityData/Q….json` files and dumps.

Three shapes are read: the EntityData object (`{"entities": {"Q96": {...}}}`), the dump (a JSON
array with one entity per line, each line ending in `,`) and plain JSON lines. Dumps and JSON
lines are read line by line, so memory stays flat. Each item becomes `cgid:<kind>/wd-q<n>` with
its English and Spanish labels and aliases, classes from `P31` through `CLASSES`, dates, links to
other items, and `P828`/`P1542` as causal claims asserted by the Wikidata community. See
docs/external-data.md for the full mapping.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Generator, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

from pyoxigraph import Literal, NamedNode, Triple

from loaders.base import LoadReport, Rejected
from loaders.edtf import EDTFError, parse_edtf
from loaders.tabular import dataset_source, decimal_literal, short_hash
from loaders.terms import (
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_ALT_LABEL,
    SKOS_EXACT_MATCH,
    cg,
    date_triples,
    entity,
    wikidata,
)
from ontology.errors import LoadError
from ontology.namespaces import DCTERMS

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

STUB_CLASSES = {"agent": "Agent", "place": "Place", "event": "Event"}
LANGUAGES = ("en", "es")
DATAVALUE_TYPES = frozenset(
    {"wikibase-entityid", "time", "string", "monolingualtext", "quantity", "globecoordinate"}
)
SNAK_TYPES = frozenset({"value", "somevalue", "novalue"})
GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
PRECISION_FORMS = {9: "year", 10: "month", 11: "day"}

DATASET = entity("source", "wikidata")
COMMUNITY = entity("agent", "wikidata")
DC_DESCRIPTION = NamedNode(f"{DCTERMS}description")
_QID = re.compile(r"^Q[1-9][0-9]*$")
_TIME = re.compile(r"^\+(\d{4})-(\d{2})-(\d{2})T")


class EntityFault(ValueError):
    """A fault in one entity: which property, and why."""

    def __init__(self, message: str, prop: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.prop = prop


class WikidataLoader:
    """Reads Wikidata entity JSON (EntityData, dump or JSON lines)."""

    name = "wikidata"

    def __init__(self, *, skip_bad_rows: bool = False) -> None:
        self.skip_bad_rows = skip_bad_rows

    def read(self, path: Path, report: LoadReport) -> Iterator[Triple]:
        """Yield the file's triples; a bad entity raises `LoadError` unless skipping."""
        yield from dataset_source(
            "wikidata", "Wikidata", "Wikimedia Foundation", "https://www.wikidata.org/"
        )
        yield Triple(COMMUNITY, RDF_TYPE, cg("Organization"))
        yield Triple(COMMUNITY, RDFS_LABEL, Literal("Wikidata community"))
        yield Triple(COMMUNITY, cg("source"), DATASET)
        state = _State(report)
        file = str(path)
        for line, item in _items(path, state):
            qid = item.get("id") if isinstance(item, dict) else None
            record = qid if isinstance(qid, str) else None
            try:
                triples = list(_entity(item, state))
            except EntityFault as e:
                state.stubs.rollback()
                if not self.skip_bad_rows:
                    raise LoadError(
                        e.message, file=file, line=line, record=record, field=e.prop
                    ) from None
                where = f"entity {record or '?'}" + (f", property {e.prop}" if e.prop else "")
                raw = json.dumps(item)[:500] if isinstance(item, dict) else repr(item)[:500]
                report.rejected.append(Rejected(line or 0, f"{where}: {e.message}", raw))
                continue
            state.stubs.commit()
            report.rows += 1
            yield from triples


class _Keys:
    """Keys emitted so far; a failed entity's new keys are dropped."""

    def __init__(self) -> None:
        self.done: set[str] = set()
        self.pending: set[str] = set()

    def first(self, key: str) -> bool:
        if key in self.done or key in self.pending:
            return False
        self.pending.add(key)
        return True

    def commit(self) -> None:
        self.done |= self.pending
        self.pending.clear()

    def rollback(self) -> None:
        self.pending.clear()


class _State:
    """What one read remembers: kinds of items seen, stub records already emitted."""

    def __init__(self, report: LoadReport) -> None:
        self.report = report
        self.kinds: dict[str, str] = {}
        self.stubs = _Keys()


def _items(path: Path, state: _State) -> Iterator[tuple[int | None, Any]]:
    """`(line, entity)` for each entity in the file, whatever its shape."""
    file = str(path)
    try:
        with path.open("r", encoding="utf-8-sig") as handle:
            first_line, first = _first_line(handle)
            if first is None:
                raise LoadError("the file is empty (no Wikidata entities)", file=file, line=1)
            if first == "[" or first.startswith("[{"):
                rest = first[1:].strip()
                if rest:
                    yield first_line, _parse_line(rest, file, first_line, 2)
                yield from _lines(handle, file, first_line)
                return
            if first.startswith("{"):
                try:
                    head = json.loads(first.rstrip(","))
                except json.JSONDecodeError:
                    head = None
                if isinstance(head, dict) and "entities" not in head:
                    yield first_line, head
                    yield from _lines(handle, file, first_line)
                    return
                handle.seek(0)
                yield from _entity_data(handle, file, state)
                return
            raise LoadError(
                'not Wikidata entity JSON (expected {"entities": …}, a dump array or JSON lines)',
                file=file,
                line=first_line,
                column=1,
            )
    except UnicodeDecodeError as e:
        raise LoadError(f"the file is not UTF-8 text ({e.reason})", file=file) from e


def _first_line(handle: TextIO) -> tuple[int, str | None]:
    for number, line in enumerate(handle, start=1):
        if line.strip():
            return number, line.strip()
    return 0, None


def _lines(handle: TextIO, file: str, offset: int) -> Iterator[tuple[int | None, Any]]:
    for number, line in enumerate(handle, start=offset + 1):
        text = line.strip()
        if text in {"", "]", "],"}:
            continue
        yield number, _parse_line(text.rstrip(","), file, number, 1)


def _parse_line(text: str, file: str, line: int, column_offset: int) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise LoadError(
            f"invalid JSON: {e.msg}", file=file, line=line, column=e.colno + column_offset - 1
        ) from e
    except RecursionError as e:
        raise LoadError("JSON nested too deeply", file=file, line=line) from e


def _entity_data(handle: TextIO, file: str, state: _State) -> Iterator[tuple[int | None, Any]]:
    try:
        document = json.load(handle)
    except json.JSONDecodeError as e:
        raise LoadError(f"invalid JSON: {e.msg}", file=file, line=e.lineno, column=e.colno) from e
    except RecursionError as e:
        raise LoadError("JSON nested too deeply", file=file) from e
    entities = document.get("entities") if isinstance(document, dict) else None
    if not isinstance(entities, dict):
        raise LoadError('expected an object with "entities" (Special:EntityData)', file=file)
    for item in entities.values():
        if isinstance(item, dict):
            qid, kind = item.get("id"), None
            with contextlib.suppress(EntityFault):
                kind = _kind_and_classes(item)[0]
            if isinstance(qid, str) and kind is not None:
                state.kinds[qid] = kind
    for item in entities.values():
        yield None, item


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


def _statements(item: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
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


def _value(statement: Mapping[str, Any]) -> tuple[str, Any] | None:
    """`(datavalue type, value)` of a statement's main snak; None for no/some value."""
    snak = statement["mainsnak"]
    if snak.get("snaktype") != "value":
        return None
    datavalue = snak["datavalue"]
    return datavalue["type"], datavalue.get("value")


def _item_id(value: Any, prop: str) -> str | None:
    if not isinstance(value, dict):
        raise EntityFault("an item value is not an object", prop)
    if value.get("entity-type", "item") != "item":
        return None
    qid = value.get("id") or (f"Q{value['numeric-id']}" if "numeric-id" in value else None)
    if not isinstance(qid, str) or not _QID.match(qid):
        raise EntityFault(f"{qid!r} is not an item id", prop)
    return qid


def _items_of(statements: dict[str, list[dict[str, Any]]], prop: str) -> list[tuple[str, Any]]:
    """`(QID, statement)` for each item value of a property."""
    out = []
    for statement in statements.get(prop, []):
        found = _value(statement)
        if found is None:
            continue
        kind, value = found
        if kind != "wikibase-entityid":
            raise EntityFault(f"expected an item value, found datavalue type {kind!r}", prop)
        qid = _item_id(value, prop)
        if qid is not None:
            out.append((qid, statement))
    return out


def _kind_and_classes(item: Mapping[str, Any]) -> tuple[str | None, list[str], list[str]]:
    """`(kind, classes, unmapped P31 QIDs)`; kind None when no P31 value is mapped."""
    p31 = [qid for qid, _ in _items_of(_statements(item), "P31")]
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


def _first_time(
    statements: dict[str, list[dict[str, Any]]], prop: str, qid: str, report: LoadReport
) -> str | None:
    for statement in statements.get(prop, []):
        found = _value(statement)
        if found is None:
            continue
        kind, value = found
        if kind != "time":
            raise EntityFault(f"expected a time value, found datavalue type {kind!r}", prop)
        text = _time(value, prop, qid, report)
        if text is not None:
            return text
    return None


def node_of(qid: str, kind: str) -> NamedNode:
    """`cgid:<kind>/wd-q<n>`."""
    return entity(kind, f"wd-{qid.lower()}")


def _target(qid: str, default_kind: str, state: _State) -> tuple[NamedNode, list[Triple]]:
    """The node of a linked item and, the first time, a stub record (type and exact match)."""
    kind = state.kinds.get(qid, default_kind)
    node = node_of(qid, kind)
    out: list[Triple] = []
    if state.stubs.first(node.value):
        out = [
            Triple(node, RDF_TYPE, cg(STUB_CLASSES.get(kind, "Entity"))),
            Triple(node, SKOS_EXACT_MATCH, wikidata(qid)),
            Triple(node, cg("source"), DATASET),
        ]
    return node, out


def _entity(item: Any, state: _State) -> Iterator[Triple]:
    if not isinstance(item, dict):
        raise EntityFault("an entity is not a JSON object")
    qid = item.get("id")
    if not isinstance(qid, str):
        raise EntityFault('the entity has no "id"')
    if not _QID.match(qid):
        state.report.warnings.append(f"{qid}: not an item (Q…); skipped")
        return
    report = state.report
    statements = _statements(item)
    kind, classes, unmapped = _kind_and_classes(item)
    if kind is None:
        kind, classes = "agent", ["Entity"]
        report.warnings.append(
            f"{qid}: no class mapping for P31 {unmapped or '(none)'}; typed cg:Entity"
        )
    state.kinds[qid] = kind
    node = node_of(qid, kind)
    state.stubs.first(node.value)
    for klass in classes:
        yield Triple(node, RDF_TYPE, cg(klass))
    yield Triple(node, SKOS_EXACT_MATCH, wikidata(qid))
    yield Triple(node, cg("source"), DATASET)
    label = yield from _names(item, node, qid)

    if kind == "event":
        yield from _event_dates(statements, node, qid, report)
    else:
        for prop, words in (("P571", "inception"), ("P576", "dissolved, abolished or demolished")):
            text = _first_time(statements, prop, qid, report)
            if text is not None:
                yield from _dated_statement(node, qid, prop, words, label, text, report)

    links = {"event": "place", "agent": "basedIn", "place": "locatedIn"}
    for prop in ("P276", "P17"):
        for target_qid, _ in _items_of(statements, prop):
            if target_qid == qid:
                continue
            target, stub = _target(target_qid, "place", state)
            yield from stub
            yield Triple(node, cg(links[kind]), target)
    if kind == "event":
        for target_qid, _ in _items_of(statements, "P710"):
            target, stub = _target(target_qid, "agent", state)
            yield from stub
            yield Triple(node, cg("participant"), target)
    if kind == "place":
        yield from _coordinates(statements, node)

    for prop in ("P828", "P1542"):
        for other, statement in _items_of(statements, prop):
            yield from _causal_claim(node, qid, label, prop, other, statement, state)


def _names(item: Mapping[str, Any], node: NamedNode, qid: str) -> Generator[Triple, None, str]:
    """Labels, aliases and descriptions in English and Spanish; returns the display label."""
    labels = item.get("labels") or {}
    aliases = item.get("aliases") or {}
    descriptions = item.get("descriptions") or {}
    if not all(isinstance(x, dict) for x in (labels, aliases, descriptions)):
        raise EntityFault("labels, aliases or descriptions are not objects")
    display = None
    for lang in LANGUAGES:
        entry = labels.get(lang)
        if isinstance(entry, dict) and isinstance(entry.get("value"), str) and entry["value"]:
            display = display or entry["value"]
            yield Triple(node, RDFS_LABEL, Literal(entry["value"], language=lang))
        for alias in aliases.get(lang) or []:
            if isinstance(alias, dict) and isinstance(alias.get("value"), str) and alias["value"]:
                yield Triple(node, SKOS_ALT_LABEL, Literal(alias["value"], language=lang))
        entry = descriptions.get(lang)
        if isinstance(entry, dict) and isinstance(entry.get("value"), str) and entry["value"]:
            yield Triple(node, DC_DESCRIPTION, Literal(entry["value"], language=lang))
    if display is None:
        fallback = next(
            (v for v in labels.values() if isinstance(v, dict) and isinstance(v.get("value"), str)),
            None,
        )
        if fallback is not None and fallback["value"]:
            display = fallback["value"]
            yield Triple(node, RDFS_LABEL, Literal(display, language=str(fallback["language"])))
        else:
            display = qid
            yield Triple(node, RDFS_LABEL, Literal(qid))
    return display


def _event_dates(
    statements: dict[str, list[dict[str, Any]]], node: NamedNode, qid: str, report: LoadReport
) -> Iterator[Triple]:
    point = _first_time(statements, "P585", qid, report)
    if point is not None:
        text = point
    else:
        start = _first_time(statements, "P580", qid, report) or _first_time(
            statements, "P571", qid, report
        )
        end = _first_time(statements, "P582", qid, report) or _first_time(
            statements, "P576", qid, report
        )
        if start is None and end is None:
            return
        text = f"{start or ''}/{end or ''}" if start != end else str(start)
    try:
        yield from date_triples(node, parse_edtf(text))
    except EDTFError as e:
        report.warnings.append(f"{qid}: dates {text!r} left out ({e})")


def _dated_statement(
    node: NamedNode, qid: str, prop: str, words: str, label: str, text: str, report: LoadReport
) -> Iterator[Triple]:
    try:
        value = parse_edtf(text)
    except EDTFError as e:  # pragma: no cover - _time only builds valid forms
        report.warnings.append(f"{qid} {prop}: {text!r} left out ({e})")
        return
    statement = entity("statement", f"wd-{qid.lower()}-{prop.lower()}")
    yield Triple(statement, RDF_TYPE, cg("Statement"))
    yield Triple(statement, RDFS_LABEL, Literal(f"{label}: {words} (Wikidata {prop})"))
    yield Triple(statement, cg("about"), node)
    yield Triple(statement, cg("source"), DATASET)
    yield from date_triples(statement, value)


def _coordinates(statements: dict[str, list[dict[str, Any]]], node: NamedNode) -> Iterator[Triple]:
    for statement in statements.get("P625", []):
        found = _value(statement)
        if found is None:
            continue
        kind, value = found
        if kind != "globecoordinate" or not isinstance(value, dict):
            raise EntityFault(f"expected a globecoordinate, found {kind!r}", "P625")
        try:
            latitude = Decimal(str(value["latitude"]))
            longitude = Decimal(str(value["longitude"]))
        except (KeyError, InvalidOperation) as e:
            raise EntityFault("a coordinate without a numeric latitude/longitude", "P625") from e
        if not (latitude.is_finite() and longitude.is_finite()):
            raise EntityFault("a coordinate that is not finite", "P625")
        yield Triple(node, cg("latitude"), decimal_literal(latitude))
        yield Triple(node, cg("longitude"), decimal_literal(longitude))
        return


def _causal_claim(
    node: NamedNode,
    qid: str,
    label: str,
    prop: str,
    other: str,
    statement: Mapping[str, Any],
    state: _State,
) -> Iterator[Triple]:
    target, stub = _target(other, "event", state)
    yield from stub
    cause, effect = (target, node) if prop == "P828" else (node, target)
    cause_name, effect_name = (other, label) if prop == "P828" else (label, other)
    claim = entity("claim", f"wd-{qid.lower()}-{prop.lower()}-{other.lower()}")
    yield Triple(claim, RDF_TYPE, cg("CausalClaim"))
    yield Triple(claim, RDFS_LABEL, Literal(f"{cause_name} causes {effect_name} (Wikidata)"))
    yield Triple(claim, cg("cause"), cause)
    yield Triple(claim, cg("effect"), effect)
    yield Triple(claim, cg("relation"), cg("causes"))
    yield Triple(claim, cg("assertedBy"), COMMUNITY)
    yield Triple(claim, cg("stance"), cg("Supports"))
    words = "has cause" if prop == "P828" else "has effect"
    yield Triple(claim, cg("note"), Literal(f"Wikidata states that {qid} {words} {other}."))
    yield Triple(claim, cg("source"), DATASET)
    referenced = False
    for reference in statement.get("references") or []:
        snaks = reference.get("snaks", {}) if isinstance(reference, dict) else {}
        for stated in snaks.get("P248", []):
            if stated.get("snaktype") != "value":
                continue
            work = _item_id(stated["datavalue"].get("value"), f"{prop}/reference/P248")
            if work is None:
                continue
            source = entity("source", f"wd-{work.lower()}")
            referenced = True
            yield Triple(claim, cg("source"), source)
            if state.stubs.first(source.value):
                yield Triple(source, RDF_TYPE, cg("Source"))
                yield Triple(source, RDFS_LABEL, Literal(f"{work} (Wikidata item)"))
                yield Triple(source, SKOS_EXACT_MATCH, wikidata(work))
        for link in snaks.get("P854", []):
            if link.get("snaktype") != "value":
                continue
            url = link["datavalue"].get("value")
            if not isinstance(url, str) or not url:
                raise EntityFault("a reference URL is not a string", f"{prop}/reference/P854")
            source = entity("source", f"wd-ref-{short_hash(url)}")
            referenced = True
            yield Triple(claim, cg("source"), source)
            if state.stubs.first(source.value):
                yield Triple(source, RDF_TYPE, cg("WebPage"))
                yield Triple(source, RDFS_LABEL, Literal(url))
                try:
                    yield Triple(source, cg("url"), NamedNode(url))
                except ValueError:
                    state.report.warnings.append(f"{qid} {prop}: reference URL {url!r} not an IRI")
    confidence = Decimal("0.6") if referenced else Decimal("0.4")
    if statement.get("rank") == "preferred":
        confidence += Decimal("0.1")
    yield Triple(claim, cg("confidence"), decimal_literal(confidence))
