"""What the REST routes return, built from the catalog and from `.rq` queries over the store.

Every function takes the store and the catalog it is given (never global state) and returns
plain JSON-safe dicts shaped as the routes' response models. User input reaches SPARQL only as
substitutions (`Store.select(query, s=NamedNode(...))`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox

from api.catalog import Catalog, Claim, Entry, _literal_value, curie
from api.queries import sparql
from graph.stats import class_counts
from graph.store import Store
from ontology.errors import NotFound
from ontology.namespaces import CG, OWL, RDF, SKOS, TIME

SAME_AS = {f"{SKOS}exactMatch", f"{OWL}sameAs"}
_TYPE = f"{RDF}type"
_SOURCE = f"{CG}source"

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


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


def entry_or_404(catalog: Catalog, entity_id: str, *, what: str = "entity") -> Entry:
    entry = catalog.get(entity_id)
    if entry is None:
        raise NotFound(f"no {what} with id {entity_id!r}")
    return entry


def page(items: Sequence[Any], limit: int, offset: int) -> dict[str, Any]:
    return {"items": list(items[offset : offset + limit]), "total": len(items)}


# -- entities ------------------------------------------------------------------------------


def entity_detail(store: Store, catalog: Catalog, entry: Entry) -> dict[str, Any]:
    """The summary plus properties, relations (both directions), claims, sources, same_as."""
    subject = ox.NamedNode(entry.iri)
    properties: dict[str, list[Any]] = {}
    relations: list[dict[str, Any]] = []
    sources: list[str] = []
    same_as: list[str] = []
    for row in store.select(sparql("describe_out"), s=subject):
        predicate, obj = row["p"].value, row["o"]
        if predicate == _TYPE or isinstance(obj, ox.BlankNode):
            continue
        if predicate in SAME_AS and isinstance(obj, ox.NamedNode):
            same_as.append(obj.value)
        elif predicate == _SOURCE and isinstance(obj, ox.NamedNode):
            sources.append(obj.value)
        elif isinstance(obj, ox.NamedNode) and obj.value in catalog.by_iri:
            if not predicate.startswith(TIME):
                relations.append(_relation(catalog, predicate, "out", obj.value))
        elif isinstance(obj, ox.Literal):
            properties.setdefault(curie(predicate), []).append(_literal_value(obj))
        elif isinstance(obj, ox.NamedNode):
            properties.setdefault(curie(predicate), []).append(curie(obj.value))
    for row in store.select(sparql("describe_in"), s=subject):
        other, predicate = row["x"].value, row["p"].value
        if other in catalog.by_iri and not predicate.startswith(TIME):
            relations.append(_relation(catalog, predicate, "in", other))
    relations.sort(key=lambda r: (r["direction"] != "out", r["predicate"], r["target"]["label"]))
    return {
        **entry.summary(),
        "properties": {key: sorted(values, key=str) for key, values in sorted(properties.items())},
        "relations": relations,
        "claims": [catalog.claim_json(c) for c in catalog.claims_about.get(entry.iri, [])],
        "sources": [catalog.summary(iri) for iri in sorted(set(sources))],
        "same_as": sorted(set(same_as)),
    }


def _relation(catalog: Catalog, predicate: str, direction: str, target: str) -> dict[str, Any]:
    return {
        "predicate": curie(predicate),
        "direction": direction,
        "target": catalog.summary(target),
    }


def entity_triples(store: Store, iri: str) -> list[ox.Triple]:
    """The statements served at an entity's IRI (its own, and those pointing at it)."""
    result = store.query(sparql("entity_graph"), substitutions={"s": ox.NamedNode(iri)})
    assert isinstance(result, ox.QueryTriples)
    return list(result)


def temporal_relations(store: Store, catalog: Catalog, iri: str) -> list[dict[str, Any]]:
    """Derived Allen relations from the entity to others, with their certainty."""
    rows = store.select(sparql("temporal"), s=ox.NamedNode(iri))
    return sorted(
        (
            {
                "relation": curie(row["relation"].value),
                "certain": row["certain"].value == "true",
                "target": catalog.summary(row["other"].value),
            }
            for row in rows
        ),
        key=lambda r: (not r["certain"], r["relation"], r["target"]["label"]),
    )


# -- events --------------------------------------------------------------------------------


def events(
    catalog: Catalog,
    *,
    start: dt.date | None,
    end: dt.date | None,
    case: str | None,
    type_name: str | None,
    actor: str | None,
    place: str | None,
) -> list[Entry]:
    """Events overlapping [start, end] and matching the filters, by earliest start."""
    case_iri = entry_or_404(catalog, case, what="case").iri if case else None
    actor_iri = entry_or_404(catalog, actor, what="actor").iri if actor else None
    places = (
        catalog.places_within(entry_or_404(catalog, place, what="place").iri) if place else None
    )
    wanted = type_name.removeprefix("cg:") if type_name else None
    out = []
    for event in catalog.events_between(start, end):
        links = event.links
        if case_iri is not None and case_iri not in links.get("cg:inCase", ()):
            continue
        if wanted is not None and not event.is_a(wanted):
            continue
        if actor_iri is not None and actor_iri not in (
            *links.get("cg:participant", ()),
            *links.get("cg:target", ()),
        ):
            continue
        if places is not None and not places.intersection(
            (*links.get("cg:place", ()), *links.get("cg:target", ()))
        ):
            continue
        out.append(event)
    return out


# -- cases ---------------------------------------------------------------------------------


def case_members(catalog: Catalog, case: Entry) -> list[Entry]:
    return [
        catalog.by_iri[iri]
        for predicate, iri in catalog.referrers.get(case.iri, [])
        if predicate == "cg:inCase" and iri in catalog.by_iri
    ]


def case_list(catalog: Catalog) -> list[dict[str, Any]]:
    cases = [e for e in catalog.by_iri.values() if e.is_a("Case")]
    out = []
    for case in sorted(cases, key=lambda e: e.label.casefold()):
        members = case_members(catalog, case)
        evts = [m for m in members if m.is_a("Event")]
        out.append({**case.summary(), "event_count": len(evts), **_span(evts)})
    return out


def _span(evts: Iterable[Entry]) -> dict[str, str | None]:
    starts = [e.start for e in evts if e.start]
    ends = [e.end or e.start for e in evts if e.end or e.start]
    return {
        "first": min(starts).isoformat() if starts else None,
        "last": max(d for d in ends if d).isoformat() if ends else None,
    }


def _ordered(evts: Iterable[Entry]) -> list[Entry]:
    return sorted(evts, key=lambda e: (e.start is None, e.start or dt.date.max, e.label, e.id))


def _case_parts(catalog: Catalog, case: Entry) -> dict[str, Any]:
    members = case_members(catalog, case)
    member_iris = {m.iri for m in members}
    evts = _ordered(m for m in members if m.is_a("Event"))
    actor_iris: Counter[str] = Counter()
    place_iris: Counter[str] = Counter()
    for event in evts:
        for iri in (*event.links.get("cg:participant", ()), *event.links.get("cg:target", ())):
            if iri in catalog.by_iri and catalog.by_iri[iri].is_a("Agent"):
                actor_iris[iri] += 1
        for iri in event.links.get("cg:place", ()):
            place_iris[iri] += 1
    claims = [
        c
        for c in catalog.claims
        if c.iri in member_iris or c.cause in member_iris or c.effect in member_iris
    ]
    return {
        "members": members,
        "events": evts,
        "actors": [catalog.summary(i) for i, _n in _by_count(actor_iris, catalog)],
        "places": [catalog.summary(i) for i, _n in _by_count(place_iris, catalog)],
        "claims": claims,
        "actor_iris": set(actor_iris),
        "place_iris": set(place_iris),
    }


def _by_count(counter: Counter[str], catalog: Catalog) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], catalog.summary(kv[0])["label"]))


def case_detail(catalog: Catalog, case: Entry) -> dict[str, Any]:
    """The case with its events in time order, its actors and places, and its claims."""
    parts = _case_parts(catalog, case)
    others = [m for m in parts["members"] if not m.is_a("Event") and not m.is_a("Claim")]
    return {
        **case.summary(),
        **_span(parts["events"]),
        "events": [e.summary() for e in parts["events"]],
        "actors": parts["actors"],
        "places": parts["places"],
        "members": [m.summary() for m in sorted(others, key=lambda e: e.label.casefold())],
        "claims": [catalog.claim_json(c) for c in parts["claims"]],
    }


def compare(catalog: Catalog, cases: list[Entry]) -> dict[str, Any]:
    """Side by side: each case's span, event types and actors; what they share; claims across."""
    parts = [_case_parts(catalog, case) for case in cases]
    columns = []
    for case, part in zip(cases, parts, strict=True):
        types = Counter(e.type or "Event" for e in part["events"])
        columns.append(
            {
                **case.summary(),
                **_span(part["events"]),
                "event_count": len(part["events"]),
                "event_types": dict(sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))),
                "actors": part["actors"],
                "places": part["places"],
                "claim_count": len(part["claims"]),
            }
        )
    shared_actors = set.intersection(*(p["actor_iris"] for p in parts))
    shared_places = set.intersection(*(p["place_iris"] for p in parts))
    member_sets = [{m.iri for m in p["members"]} for p in parts]
    across = [
        c
        for c in catalog.claims
        if any(
            c.cause in member_sets[i] and c.effect in member_sets[j]
            for i in range(len(cases))
            for j in range(len(cases))
            if i != j
        )
    ]
    return {
        "cases": columns,
        "shared_actors": sorted((catalog.summary(i) for i in shared_actors), key=_label),
        "shared_places": sorted((catalog.summary(i) for i in shared_places), key=_label),
        "claims_across": [catalog.claim_json(c) for c in across],
    }


def _label(summary: dict[str, Any]) -> str:
    return str(summary["label"]).casefold()


# -- claims and sources --------------------------------------------------------------------


def claims(
    catalog: Catalog, *, about: str | None, stance: str | None, source: str | None
) -> list[Claim]:
    about_iri = entry_or_404(catalog, about).iri if about else None
    source_iri = entry_or_404(catalog, source, what="source").iri if source else None
    return [
        c
        for c in catalog.claims
        if (about_iri is None or about_iri in (c.cause, c.effect))
        and (stance is None or c.stance == stance)
        and (source_iri is None or source_iri in c.sources)
    ]


def source_list(catalog: Catalog) -> list[dict[str, Any]]:
    sources = [e for e in catalog.by_iri.values() if e.is_a("Source")]
    out = []
    for source in sorted(sources, key=lambda e: e.label.casefold()):
        count = sum(1 for p, _i in catalog.referrers.get(source.iri, []) if p == "cg:source")
        out.append({**source.summary(), "cited_by_count": count})
    return out


def source_detail(store: Store, catalog: Catalog, source: Entry) -> dict[str, Any]:
    """The source, its bibliographic fields, and everything that rests on it."""
    detail = entity_detail(store, catalog, source)
    resting = sorted({iri for p, iri in catalog.referrers.get(source.iri, []) if p == "cg:source"})
    entries = [catalog.by_iri[i] for i in resting if i in catalog.by_iri]
    return {
        **source.summary(),
        "properties": detail["properties"],
        "same_as": detail["same_as"],
        "entities": [e.summary() for e in entries if not e.is_a("Claim")],
        "claims": [catalog.claim_json(c) for c in catalog.claims if source.iri in c.sources],
    }


def stats(store: Store, catalog: Catalog) -> dict[str, Any]:
    return {
        "triples": catalog.triples,
        "entities": len(catalog.by_iri),
        "claims": len(catalog.claims),
        "classes": class_counts(store),
        "graphs": [
            {
                "name": d.name,
                "graph": d.graph,
                "kind": d.kind,
                "loader": d.loader,
                "triples": d.triples,
                "loaded_at": d.loaded_at,
            }
            for d in store.documents()
        ],
    }


__all__ = [
    "BadPeriod",
    "case_detail",
    "case_list",
    "claims",
    "compare",
    "entity_detail",
    "entity_triples",
    "entry_or_404",
    "events",
    "page",
    "parse_period",
    "source_detail",
    "source_list",
    "stats",
    "temporal_relations",
]
