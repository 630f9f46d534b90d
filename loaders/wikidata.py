"""Wikidata entity JSON as RDF: `Special:EntityData/Q….json` files and dumps.

Three shapes are read: the EntityData object (`{"entities": {"Q96": {...}}}`), the dump (a JSON
array with one entity per line, each line ending in `,`) and plain JSON lines. Dumps and JSON
lines are read line by line, so memory stays flat. Each item becomes `cgid:<kind>/wd-q<n>` with
its English and Spanish labels and aliases, classes from `P31` through `CLASSES`, dates, links to
other items, and `P828`/`P1542` as causal claims asserted by the Wikidata community. See
docs/external-data.md for the full mapping.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from loaders.base import LoadReport, Rejected
from loaders.dataset_terms import dataset_source, decimal_literal, short_hash
from loaders.edtf import EDTFError, parse_edtf
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
from loaders.wikidata_read import ReadState, read_entities
from loaders.wikidata_values import (
    QID,
    EntityFault,
    checked_statements,
    first_time,
    item_id,
    items_of,
    kind_and_classes,
    main_value,
)
from ontology.errors import LoadError
from ontology.namespaces import DCTERMS

STUB_CLASSES = {"agent": "Agent", "place": "Place", "event": "Event"}


LANGUAGES = ("en", "es")


DATASET = entity("source", "wikidata")


COMMUNITY = entity("agent", "wikidata")


DC_DESCRIPTION = NamedNode(f"{DCTERMS}description")


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
        state = ReadState(report)
        file = str(path)
        for line, item in read_entities(path, state):
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


def node_of(qid: str, kind: str) -> NamedNode:
    """`cgid:<kind>/wd-q<n>`."""
    return entity(kind, f"wd-{qid.lower()}")


def _target(qid: str, default_kind: str, state: ReadState) -> tuple[NamedNode, list[Triple]]:
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


def _entity(item: Any, state: ReadState) -> Iterator[Triple]:
    if not isinstance(item, dict):
        raise EntityFault("an entity is not a JSON object")
    qid = item.get("id")
    if not isinstance(qid, str):
        raise EntityFault('the entity has no "id"')
    if not QID.match(qid):
        state.report.warnings.append(f"{qid}: not an item (Q…); skipped")
        return
    report = state.report
    statements = checked_statements(item)
    kind, classes, unmapped = kind_and_classes(item)
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
            text = first_time(statements, prop, qid, report)
            if text is not None:
                yield from _dated_statement(node, qid, prop, words, label, text, report)

    links = {"event": "place", "agent": "basedIn", "place": "locatedIn"}
    for prop in ("P276", "P17"):
        for target_qid, _ in items_of(statements, prop):
            if target_qid == qid:
                continue
            target, stub = _target(target_qid, "place", state)
            yield from stub
            yield Triple(node, cg(links[kind]), target)
    if kind == "event":
        for target_qid, _ in items_of(statements, "P710"):
            target, stub = _target(target_qid, "agent", state)
            yield from stub
            yield Triple(node, cg("participant"), target)
    if kind == "place":
        yield from _coordinates(statements, node)

    for prop in ("P828", "P1542"):
        for other, statement in items_of(statements, prop):
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
    point = first_time(statements, "P585", qid, report)
    if point is not None:
        text = point
    else:
        start = first_time(statements, "P580", qid, report) or first_time(
            statements, "P571", qid, report
        )
        end = first_time(statements, "P582", qid, report) or first_time(
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
        found = main_value(statement)
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
    state: ReadState,
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
            work = item_id(stated["datavalue"].get("value"), f"{prop}/reference/P248")
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
