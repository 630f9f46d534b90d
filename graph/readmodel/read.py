"""What the REST API returns, read from the read model inside one read transaction.

Every function takes a `Reader` (a connection in a read transaction, with the summaries it
has already fetched) and returns JSON-ready data in which each entity summary is the
pre-encoded bytes of the `entity` table (`orjson.Fragment`), so a response is assembled,
not recomputed. Unknown ids raise `NotFound`; bad filter values raise `BadRequest`-like
`ValueError`s that the routes turn into 404 and 422.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from graph.readmodel.entities import Claim, claim_from_record, stub_summary
from graph.readmodel.facts import Fact
from graph.readmodel.update import UNBOUNDED
from graph.readmodel.values import curie, literal_value
from ontology.errors import NotFound
from ontology.namespaces import CG, OWL, RDF, SKOS, TIME

SAME_AS = frozenset({f"{SKOS}exactMatch", f"{OWL}sameAs"})
_TYPE = f"{RDF}type"
_SOURCE = f"{CG}source"
_LINKS = {
    f"{CG}participant": "cg:participant",
    f"{CG}target": "cg:target",
    f"{CG}place": "cg:place",
    f"{CG}inCase": "cg:inCase",
    f"{CG}source": "cg:source",
    f"{CG}locatedIn": "cg:locatedIn",
    f"{CG}partOf": "cg:partOf",
}
_CHUNK = 500


class UnknownType(ValueError):
    """A `type` filter that names no class."""


class Reader:
    """A read transaction and the summaries fetched in it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._summaries: dict[str, bytes | None] = {}

    # -- summaries ---------------------------------------------------------------------------

    def summaries(self, iris: Iterable[str]) -> dict[str, bytes | None]:
        """The pre-encoded summary of each IRI that is an entity (None for the others)."""
        wanted = [iri for iri in dict.fromkeys(iris) if iri not in self._summaries]
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found = dict(
                self.conn.execute(
                    f"SELECT iri, summary FROM entity WHERE iri IN ({marks})", chunk
                ).fetchall()
            )
            for iri in chunk:
                self._summaries[iri] = found.get(iri)
        return self._summaries

    def summary(self, iri: str) -> Any:
        """An IRI's summary as an `orjson.Fragment` (a stub for what is no entity)."""
        data = self.summaries([iri])[iri]
        return orjson.Fragment(data) if data is not None else stub_summary(iri)

    def summary_dict(self, iri: str) -> dict[str, Any]:
        data = self.summaries([iri])[iri]
        return orjson.loads(data) if data is not None else stub_summary(iri)

    def is_entity(self, iri: str) -> bool:
        return self.summaries([iri])[iri] is not None

    def label(self, iri: str) -> str:
        return str(self.summary_dict(iri)["label"])

    # -- entities ----------------------------------------------------------------------------

    def entity(self, entity_id: str, *, what: str = "entity") -> tuple[int, str]:
        """(sid, IRI) of the entity with this id, or `NotFound`."""
        row = self.conn.execute(
            "SELECT sid, iri FROM entity WHERE id=? ORDER BY kind LIMIT 1", (entity_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no {what} with id {entity_id!r}")
        return int(row[0]), str(row[1])

    def types_of(self, sid: int) -> set[str]:
        return {t for (t,) in self.conn.execute("SELECT type FROM entity_type WHERE sid=?", (sid,))}

    def facts(self, sid: int) -> list[Fact]:
        row = self.conn.execute("SELECT facts FROM subject WHERE sid=?", (sid,)).fetchone()
        if row is None:
            return []
        seen: dict[Fact, None] = {}
        for _graph, items in sorted(orjson.loads(row[0]).items()):
            for f in items:
                seen[(f[0], f[1], f[2], f[3])] = None
        return list(seen)

    def known_types(self) -> list[str]:
        return [
            t for (t,) in self.conn.execute("SELECT DISTINCT type FROM entity_type ORDER BY type")
        ]

    def check_type(self, type_name: str | None) -> str | None:
        if type_name is None:
            return None
        wanted = type_name.removeprefix("cg:")
        if self.conn.execute(
            "SELECT 1 FROM entity_type WHERE type=? LIMIT 1", (wanted,)
        ).fetchone():
            return wanted
        from ontology.vocab import CLASSES

        if wanted in CLASSES:
            return wanted
        raise UnknownType(f"unknown type {type_name!r}; known: {', '.join(sorted(CLASSES))}")

    # -- claims --------------------------------------------------------------------------------

    def claims_where(self, sql: str = "", params: Sequence[Any] = ()) -> list[Claim]:
        rows = self.conn.execute(f"SELECT record FROM claim {sql} ORDER BY id", params).fetchall()
        return [claim_from_record(r[0]) for r in rows]

    def claims_about(self, iri: str) -> list[Claim]:
        """Claims whose cause or effect is `iri`, by id."""
        return self.claims_where("WHERE cause=? OR effect=?", (iri, iri))

    def claim_json(self, claim: Claim) -> dict[str, Any]:
        """A claim as the REST API returns it."""
        self.summaries([claim.iri, claim.cause, claim.effect, *claim.asserted_by, *claim.sources])
        own = self._summaries.get(claim.iri)
        head = orjson.loads(own) if own is not None else None
        return {
            "id": claim.id,
            "iri": claim.iri,
            "label": head["label"] if head else claim.id,
            "cause": self.summary(claim.cause),
            "effect": self.summary(claim.effect),
            "relation": claim.relation,
            "stance": claim.stance,
            "confidence": claim.confidence,
            "note": claim.note,
            "asserted_by": [self.summary(i) for i in claim.asserted_by],
            "sources": [self.summary(i) for i in claim.sources],
            "status": head["status"] if head else None,
        }

    # -- referrers -------------------------------------------------------------------------------

    def referrers(self, iri: str, predicate: str) -> list[str]:
        """Entities with `predicate` pointing at `iri`."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT n.iri FROM edge e JOIN entity n ON n.sid = e.src "
                "WHERE e.dst=? AND e.pred=? ORDER BY n.kind, n.id",
                (iri, predicate),
            )
        ]

    def targets(self, sid: int, predicate: str) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT dst FROM edge WHERE src=? AND pred=? ORDER BY rowid", (sid, predicate)
            )
        ]


def page(items: Sequence[Any], limit: int, offset: int) -> dict[str, Any]:
    return {"items": list(items[offset : offset + limit]), "total": len(items)}


# -- entity detail ------------------------------------------------------------------------------


def entity_detail(reader: Reader, sid: int, iri: str) -> dict[str, Any]:
    """The summary plus properties, relations (both directions), claims, sources, same_as,
    and the derived temporal relations (certain and possible)."""
    facts = reader.facts(sid)
    properties: dict[str, list[Any]] = {}
    relations: list[tuple[int, str, str, str]] = []
    sources: list[str] = []
    same_as: list[str] = []
    objects = [f[2] for f in facts if f[1] == "i"]
    incoming = reader.conn.execute(
        "SELECT DISTINCT s.iri, e.pred FROM edge e JOIN subject s ON s.sid = e.src WHERE e.dst=?",
        (iri,),
    ).fetchall()
    reader.summaries([*objects, *(x for x, _p in incoming)])
    for predicate, kind, value, _extra in facts:
        if predicate == _TYPE or kind == "b":
            continue
        if kind == "i":
            if predicate in SAME_AS:
                same_as.append(value)
            elif predicate == _SOURCE:
                sources.append(value)
            elif reader.is_entity(value):
                if not predicate.startswith(TIME):
                    relations.append((0, curie(predicate), reader.label(value), value))
            else:
                properties.setdefault(curie(predicate), []).append(curie(value))
        else:
            properties.setdefault(curie(predicate), []).append(
                literal_value((predicate, kind, value, _extra))
            )
    for other, predicate in incoming:
        if (
            reader.is_entity(other)
            and not predicate.startswith(TIME)
            and not other.startswith(f"{_CGID}temporal/")
        ):
            relations.append((1, curie(predicate), reader.label(other), other))
    relations.sort()
    detail = reader.summary_dict(iri)
    detail.update(
        {
            "properties": {k: sorted(v, key=str) for k, v in sorted(properties.items())},
            "relations": [
                {
                    "predicate": predicate,
                    "direction": "out" if direction == 0 else "in",
                    "target": reader.summary(target),
                }
                for direction, predicate, _label, target in relations
            ],
            "claims": [reader.claim_json(c) for c in reader.claims_about(iri)],
            "sources": [reader.summary(s) for s in sorted(set(sources))],
            "same_as": sorted(set(same_as)),
            "temporal": temporal_relations(reader, iri),
        }
    )
    return detail


_CGID = "https://w3id.org/casegraph/id/"


def temporal_relations(reader: Reader, iri: str) -> list[dict[str, Any]]:
    """Derived Allen relations between the entity and others, with their certainty, in both
    directions (`direction` says which end the entity is)."""
    rows = reader.conn.execute(
        "SELECT src, dst, relation, certain, scope = 'pairs' FROM temporal "
        "WHERE src=? OR dst=? ORDER BY src, dst, relation, scope = 'pairs' DESC",
        (iri, iri),
    ).fetchall()
    effective: dict[tuple[str, str, str], bool] = {}
    for src, dst, relation, certain, _pairs in rows:
        effective.setdefault((src, dst, relation), bool(certain))
    reader.summaries(other for key in effective for other in key[:2])
    out = []
    for (src, dst, relation), certain in effective.items():
        outgoing = src == iri
        out.append(
            (
                not certain,
                relation,
                reader.label(dst if outgoing else src),
                {
                    "relation": f"time:{relation}",
                    "direction": "out" if outgoing else "in",
                    "certain": certain,
                    "target": reader.summary(dst if outgoing else src),
                },
            )
        )
    out.sort(key=lambda item: item[:3])
    return [item[3] for item in out]


# -- search ---------------------------------------------------------------------------------------


def all_entities(reader: Reader, type_name: str | None) -> list[bytes]:
    if type_name is None:
        rows = reader.conn.execute("SELECT summary FROM entity ORDER BY sort_label, id")
    else:
        rows = reader.conn.execute(
            "SELECT e.summary FROM entity_type t JOIN entity e ON e.sid = t.sid WHERE t.type=? "
            "ORDER BY e.sort_label, e.id",
            (type_name,),
        )
    return [r[0] for r in rows]


# -- events ---------------------------------------------------------------------------------------


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
    if start is not None or end is not None:
        if starts_within:
            clauses.append("e.earliest >= ? AND e.earliest <= ?")
            params += [(start or dt.date.min).isoformat(), (end or dt.date.max).isoformat()]
        else:
            clauses.append("e.sid IN (SELECT sid FROM event_span WHERE lo <= ? AND hi >= ?)")
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
    rows = conn.execute(
        f"SELECT e.sid FROM entity e WHERE {' AND '.join(clauses)} "
        "ORDER BY e.earliest IS NULL, e.earliest, e.sort_label, e.id",
        params,
    ).fetchall()
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
    "Reader",
    "UnknownType",
    "all_entities",
    "case_detail",
    "case_list",
    "claims",
    "class_counts",
    "compare",
    "entity_detail",
    "events",
    "fragment",
    "page",
    "places_within",
    "score",
    "search",
    "series",
    "source_detail",
    "source_list",
    "summaries_of",
    "temporal_relations",
]


# -- search ranking --------------------------------------------------------------------------------

_OBSERVATION = "Observation"


def search(reader: Reader, q: str | None, type_name: str | None) -> list[bytes]:
    """Entities matching `q`, best first (see `score`); all of them by label when `q` is empty.

    Matches come from the trigram index over folded ids, labels, aliases and descriptions (a
    scan for queries under three letters); an observation that matches only by its label or
    description stands for its series: its measure is listed in its place.
    """
    from graph.readmodel.values import fold

    folded = fold(q or "")
    if not folded:
        return all_entities(reader, type_name)
    tokens = folded.split()
    conn = reader.conn
    if all(len(t) >= 3 for t in tokens):
        expr = " AND ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        rows = conn.execute(
            "SELECT rowid, ids, label, aliases, description FROM search WHERE search MATCH ?",
            (expr,),
        ).fetchall()
    else:
        like = f"%{folded}%"
        rows = conn.execute(
            "SELECT rowid, ids, label, aliases, description FROM search "
            "WHERE ids LIKE ? OR label LIKE ? OR aliases LIKE ? OR description LIKE ?",
            (like, like, like, like),
        ).fetchall()
    scored: dict[int, int] = {}
    for sid, ids, label, aliases, description in rows:
        value = score(folded, ids, label, aliases, description)
        if value > 0:
            scored[sid] = value
    if not scored:
        return []
    info = _rank_info(conn, list(scored))
    for sid in list(scored):
        types, measure = info[sid][3], info[sid][4]
        if _OBSERVATION in types and scored[sid] < EXACT_ID and measure is not None:
            value = scored.pop(sid)
            if measure not in scored or scored[measure] < value:
                scored[measure] = value
    extra = [sid for sid in scored if sid not in info]
    info.update(_rank_info(conn, extra))
    if type_name is not None:
        scored = {sid: v for sid, v in scored.items() if type_name in info[sid][3]}
    ranked = sorted(
        scored,
        key=lambda sid: (-scored[sid], len(info[sid][1]), info[sid][2], info[sid][5], info[sid][6]),
    )
    return [info[sid][0] for sid in ranked]


EXACT_ID = 110


def score(folded: str, ids: str, label: str, aliases: str, description: str) -> int:
    """How well a folded query matches: exact id or casebook id 110; label exact 100, prefix 80,
    all words 60, inside 40; an alias 90, 70, 50, 30; the description 20 (all words) or 10."""
    if folded in ids.split():
        return EXACT_ID
    best = _match(folded, label, exact=100, prefix=80, word=60, inner=40)
    for alias in aliases.split(" | ") if aliases else ():
        best = max(best, _match(folded, alias, exact=90, prefix=70, word=50, inner=30))
    if best == 0 and description:
        best = _match(folded, description, exact=20, prefix=20, word=20, inner=10)
    return best


def _match(query: str, text: str, *, exact: int, prefix: int, word: int, inner: int) -> int:
    if not text:
        return 0
    if text == query:
        return exact
    if text.startswith(query):
        return prefix
    words = text.split()
    tokens = query.split()
    if all(any(w.startswith(t) for w in words) for t in tokens):
        return word
    if query in text:
        return inner
    return 0


def _rank_info(
    conn: sqlite3.Connection, sids: Sequence[int]
) -> dict[int, tuple[bytes, str, str, set[str], int | None, str, str]]:
    """sid -> (summary, label, casefolded label, types, measure sid, kind, id)."""
    out: dict[int, tuple[bytes, str, str, set[str], int | None, str, str]] = {}
    for start in range(0, len(sids), _CHUNK):
        chunk = list(sids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        types: dict[int, set[str]] = {}
        for sid, name in conn.execute(
            f"SELECT sid, type FROM entity_type WHERE sid IN ({marks})", chunk
        ):
            types.setdefault(sid, set()).add(name)
        measures = dict(
            conn.execute(
                f"SELECT e.src, m.sid FROM edge e JOIN entity m ON m.iri = e.dst "
                f"WHERE e.src IN ({marks}) AND e.pred = ?",
                (*chunk, f"{CG}measure"),
            ).fetchall()
        )
        for sid, summary, label, sort_label, kind, entity_id in conn.execute(
            f"SELECT sid, summary, label, sort_label, kind, id FROM entity WHERE sid IN ({marks})",
            chunk,
        ):
            out[sid] = (
                summary,
                label,
                sort_label,
                types.get(sid, set()),
                measures.get(sid),
                kind,
                entity_id,
            )
    return out


def fragment(summary: bytes) -> Any:
    """A pre-encoded summary, spliced into a response as it is."""
    return orjson.Fragment(summary)
