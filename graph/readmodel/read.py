"""What the REST API returns, read from the read model inside one read transaction.

Every function takes a `Reader` (a connection in a read transaction, with the summaries it
has already fetched) and returns JSON-ready data in which each entity summary is the
pre-encoded bytes of the `entity` table (`orjson.Fragment`), so a response is assembled,
not recomputed. Unknown ids raise `NotFound`; bad filter values raise `BadRequest`-like
`ValueError`s that the routes turn into 404 and 422.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from graph.readmodel.consistency import Consistency
from graph.readmodel.entities import Claim, claim_from_record, stub_summary
from graph.readmodel.facts import Fact
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
        self._labels: dict[str, str] = {}
        self._consistency: Consistency | None = None

    @property
    def consistency(self) -> Consistency:
        """Temporal-consistency findings on claims and link steps, for this transaction."""
        if self._consistency is None:
            self._consistency = Consistency(self.conn)
        return self._consistency

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

    def _summary_bytes(self, iri: str) -> bytes | None:
        try:
            return self._summaries[iri]  # most lookups: fetched with the others already
        except KeyError:
            return self.summaries([iri])[iri]

    def summary(self, iri: str) -> Any:
        """An IRI's summary as an `orjson.Fragment` (a stub for what is no entity)."""
        data = self._summary_bytes(iri)
        return orjson.Fragment(data) if data is not None else stub_summary(iri)

    def summary_dict(self, iri: str) -> dict[str, Any]:
        data = self._summary_bytes(iri)
        return orjson.loads(data) if data is not None else stub_summary(iri)

    def is_entity(self, iri: str) -> bool:
        return self._summary_bytes(iri) is not None

    def label(self, iri: str) -> str:
        found = self._labels.get(iri)
        if found is None:
            found = self._labels[iri] = str(self.summary_dict(iri)["label"])
        return found

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
            "consistency": self.consistency.mark_iri(claim.iri),
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


def fragment(summary: bytes) -> Any:
    """A pre-encoded summary, spliced into a response as it is."""
    return orjson.Fragment(summary)


__all__ = [
    "SAME_AS",
    "Reader",
    "UnknownType",
    "entity_detail",
    "fragment",
    "page",
    "temporal_relations",
]
