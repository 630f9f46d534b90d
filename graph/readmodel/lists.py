"""Lists and aggregates the REST API returns: events by the time index, cases and their
comparison, claims, sources, observation series, class counts."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from graph.readmodel.entities import Claim
from graph.readmodel.read import Reader, entity_detail
from graph.readmodel.rows import UNBOUNDED
from graph.readmodel.values import literal_value
from ontology.namespaces import CG

_SOURCE = f"{CG}source"
_CHUNK = 500


def events(
    reader: Reader,
    *,
    start: dt.date | None,
    end: dt.date | None,
    case: str | None,
    type_name: str | None,
    actor: str | None,
    place: str | None,
    starts_within: bool = False,
) -> list[int]:
    """Event sids overlapping [start, end] (or starting within it) that match the filters, by
    earliest start (undated last), then label and id."""
    conn = reader.conn
    lo = float(start.toordinal()) if start is not None else -UNBOUNDED
    hi = float(end.toordinal()) if end is not None else UNBOUNDED
    clauses: list[str] = ["e.is_event = 1"]
    params: list[object] = []
    source = "entity e"
    if start is not None or end is not None:
        if starts_within:
            clauses.append("e.earliest >= ? AND e.earliest <= ?")
            params += [(start or dt.date.min).isoformat(), (end or dt.date.max).isoformat()]
        else:
            # Driven by the R*Tree: its matches are joined through the narrow index of dated
            # events (left to itself, the planner walked every event by date: 320 ms at 10M).
            source = (
                "event_span s CROSS JOIN entity e INDEXED BY entity_event_order ON e.sid = s.sid"
            )
            clauses.append("s.lo <= ? AND s.hi >= ?")
            params += [hi, lo]
            clauses.append("e.earliest IS NOT NULL")
    if case is not None:
        _sid, case_iri = reader.entity(case, what="case")
        clauses.append("e.sid IN (SELECT src FROM edge WHERE pred=? AND dst=?)")
        params += [f"{CG}inCase", case_iri]
    if type_name is not None:
        clauses.append("e.sid IN (SELECT sid FROM entity_type WHERE type=?)")
        params.append(type_name)
    if actor is not None:
        _sid, actor_iri = reader.entity(actor, what="actor")
        clauses.append("e.sid IN (SELECT src FROM edge WHERE pred IN (?,?) AND dst=?)")
        params += [f"{CG}participant", f"{CG}target", actor_iri]
    if place is not None:
        _sid, place_iri = reader.entity(place, what="place")
        inside = sorted(places_within(reader, place_iri))
        marks = ",".join("?" * len(inside))
        clauses.append(f"e.sid IN (SELECT src FROM edge WHERE pred IN (?,?) AND dst IN ({marks}))")
        params += [f"{CG}place", f"{CG}target", *inside]
    query = (
        f"SELECT e.sid FROM {source} WHERE {' AND '.join(clauses)} "
        "ORDER BY e.earliest IS NULL, e.earliest, e.sort_label, e.id"
    )
    try:
        rows = conn.execute(query, params).fetchall()
    except sqlite3.OperationalError as e:
        # A read model made before the index, opened read-only (it gets the index at its
        # next writable open): the same join, through the entity rows.
        if "entity_event_order" not in str(e):
            raise
        rows = conn.execute(query.replace(" INDEXED BY entity_event_order", ""), params).fetchall()
    return [r[0] for r in rows]


def summaries_of(reader: Reader, sids: Sequence[int]) -> list[Any]:
    out: dict[int, bytes] = {}
    for start in range(0, len(sids), _CHUNK):
        chunk = list(sids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        out.update(
            reader.conn.execute(
                f"SELECT sid, summary FROM entity WHERE sid IN ({marks})", chunk
            ).fetchall()
        )
    return [orjson.Fragment(out[s]) for s in sids if s in out]


def places_within(reader: Reader, place_iri: str) -> set[str]:
    """The place and every place located (transitively) in it."""
    found, todo = {place_iri}, [place_iri]
    while todo:
        current = todo.pop()
        for child in reader.referrers(current, f"{CG}locatedIn"):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


# -- cases ----------------------------------------------------------------------------------------


def _members(reader: Reader, case_iri: str) -> list[dict[str, Any]]:
    iris = reader.referrers(case_iri, f"{CG}inCase")
    reader.summaries(iris)
    rows = []
    for iri in iris:
        head = reader.summary_dict(iri)
        rows.append(head)
    return rows


def _span(events: Iterable[dict[str, Any]]) -> dict[str, str | None]:
    items = list(events)
    starts = [e["start"] for e in items if e["start"]]
    ends = [e["end"] or e["start"] for e in items if e["end"] or e["start"]]
    return {"first": min(starts) if starts else None, "last": max(ends) if ends else None}


def _ordered(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        events,
        key=lambda e: (e["start"] is None, e["start"] or "9999-12-31", e["label"], e["id"]),
    )


def case_list(reader: Reader) -> list[dict[str, Any]]:
    out = []
    for (iri,) in reader.conn.execute(
        "SELECT e.iri FROM entity_type t JOIN entity e ON e.sid = t.sid "
        "WHERE t.type='Case' ORDER BY e.sort_label"
    ).fetchall():
        members = _members(reader, iri)
        events = [m for m in members if "Event" in m["types"]]
        out.append({**reader.summary_dict(iri), "event_count": len(events), **_span(events)})
    return out


def _case_parts(reader: Reader, case_iri: str) -> dict[str, Any]:
    members = _members(reader, case_iri)
    member_iris = {m["iri"] for m in members}
    events = _ordered(m for m in members if "Event" in m["types"])
    actors: Counter[str] = Counter()
    places: Counter[str] = Counter()
    for event in events:
        sid, _iri = reader.entity(event["id"])
        for iri in (*reader.targets(sid, f"{CG}participant"), *reader.targets(sid, f"{CG}target")):
            if reader.is_entity(iri) and "Agent" in reader.summary_dict(iri)["types"]:
                actors[iri] += 1
        for iri in reader.targets(sid, f"{CG}place"):
            places[iri] += 1
    claims = [
        c
        for c in reader.claims_where()
        if c.iri in member_iris or c.cause in member_iris or c.effect in member_iris
    ]
    return {
        "members": members,
        "events": events,
        "actors": [reader.summary(i) for i in _by_count(reader, actors)],
        "places": [reader.summary(i) for i in _by_count(reader, places)],
        "claims": claims,
        "actor_iris": set(actors),
        "place_iris": set(places),
    }


def _by_count(reader: Reader, counter: Counter[str]) -> list[str]:
    reader.summaries(counter)
    return [
        iri
        for iri, _n in sorted(
            counter.items(), key=lambda kv: (-kv[1], reader.summary_dict(kv[0])["label"])
        )
    ]


def case_detail(reader: Reader, case_iri: str) -> dict[str, Any]:
    """The case with its events in time order, its actors and places, and its claims."""
    parts = _case_parts(reader, case_iri)
    others = [
        m for m in parts["members"] if "Event" not in m["types"] and "Claim" not in m["types"]
    ]
    return {
        **reader.summary_dict(case_iri),
        **_span(parts["events"]),
        "events": parts["events"],
        "actors": parts["actors"],
        "places": parts["places"],
        "members": sorted(others, key=lambda e: str(e["label"]).casefold()),
        "claims": [reader.claim_json(c) for c in parts["claims"]],
    }


def compare(reader: Reader, case_iris: Sequence[str]) -> dict[str, Any]:
    """Side by side: each case's span, event types and actors; what they share; claims across."""
    parts = [_case_parts(reader, iri) for iri in case_iris]
    columns = []
    for iri, part in zip(case_iris, parts, strict=True):
        types = Counter(e["type"] or "Event" for e in part["events"])
        columns.append(
            {
                **reader.summary_dict(iri),
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
    member_sets = [{m["iri"] for m in p["members"]} for p in parts]
    across = [
        c
        for c in reader.claims_where()
        if any(
            c.cause in member_sets[i] and c.effect in member_sets[j]
            for i in range(len(case_iris))
            for j in range(len(case_iris))
            if i != j
        )
    ]
    return {
        "cases": columns,
        "shared_actors": [reader.summary(i) for i in _by_label(reader, shared_actors)],
        "shared_places": [reader.summary(i) for i in _by_label(reader, shared_places)],
        "claims_across": [reader.claim_json(c) for c in across],
    }


def _by_label(reader: Reader, iris: Iterable[str]) -> list[str]:
    items = list(iris)
    reader.summaries(items)
    return sorted(items, key=lambda i: str(reader.summary_dict(i)["label"]).casefold())


# -- claims and sources ----------------------------------------------------------------------------


def claims(
    reader: Reader, *, about: str | None, stance: str | None, source: str | None
) -> list[Claim]:
    about_iri = reader.entity(about)[1] if about else None
    source_iri = reader.entity(source, what="source")[1] if source else None
    found = reader.claims_where()
    return [
        c
        for c in found
        if (about_iri is None or about_iri in (c.cause, c.effect))
        and (stance is None or c.stance == stance)
        and (source_iri is None or source_iri in c.sources)
    ]


def source_list(reader: Reader) -> list[dict[str, Any]]:
    rows = reader.conn.execute(
        "SELECT e.iri, (SELECT COUNT(*) FROM edge x JOIN entity y ON y.sid = x.src "
        "WHERE x.dst = e.iri AND x.pred = ?) FROM entity_type t JOIN entity e ON e.sid = t.sid "
        "WHERE t.type='Source' ORDER BY e.sort_label",
        (_SOURCE,),
    ).fetchall()
    return [{**reader.summary_dict(iri), "cited_by_count": count} for iri, count in rows]


def source_detail(reader: Reader, sid: int, iri: str) -> dict[str, Any]:
    """The source, its bibliographic fields, and everything that rests on it."""
    detail = entity_detail(reader, sid, iri)
    resting = sorted(set(reader.referrers(iri, _SOURCE)))
    reader.summaries(resting)
    return {
        **reader.summary_dict(iri),
        "properties": detail["properties"],
        "same_as": detail["same_as"],
        "entities": [
            reader.summary(i) for i in resting if "Claim" not in reader.summary_dict(i)["types"]
        ],
        "claims": [reader.claim_json(c) for c in reader.claims_where() if iri in c.sources],
    }


def class_counts(reader: Reader) -> dict[str, int]:
    rows = reader.conn.execute(
        "SELECT type, COUNT(*) FROM entity_type GROUP BY type ORDER BY COUNT(*) DESC, type"
    )
    return dict(rows.fetchall())


def series(reader: Reader, measure_iri: str) -> list[dict[str, Any]]:
    """The observations of a measure, in date order, with value, place and sources."""
    rows = reader.conn.execute(
        "SELECT s.sid, s.iri FROM edge e JOIN subject s ON s.sid = e.src "
        "WHERE e.dst=? AND e.pred=?",
        (measure_iri, f"{CG}measure"),
    ).fetchall()
    out = []
    for sid, iri in rows:
        facts = reader.facts(sid)
        values = [literal_value(f) for f in facts if f[0] == f"{CG}value" and f[1] == "l"]
        head = reader.summary_dict(iri)
        places = sorted({f[2] for f in facts if f[0] == f"{CG}place" and f[1] == "i"})
        sources = sorted({f[2] for f in facts if f[0] == _SOURCE and f[1] == "i"})
        qualifiers = sorted({f[2] for f in facts if f[0] == f"{CG}qualifier"})
        out.append(
            {
                "observation": reader.summary(iri),
                "start": head["start"],
                "end": head["end"],
                "date_edtf": head["date_edtf"],
                "value": values[0] if values else None,
                "qualifier": qualifiers[0] if qualifiers else None,
                "places": [reader.summary(p) for p in places],
                "sources": [reader.summary(s) for s in sources],
            }
        )
    out.sort(key=lambda o: (o["start"] is None, o["start"] or "", o["end"] or ""))
    return out


__all__ = [
    "case_detail",
    "case_list",
    "claims",
    "class_counts",
    "compare",
    "events",
    "places_within",
    "series",
    "source_detail",
    "source_list",
    "summaries_of",
]
