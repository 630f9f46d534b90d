"""The rows one subject contributes to the read model's tables, computed from its facts alone.

`subject_rows` appends a subject's entity, type, search, time-index, bounds, claim and edge rows
to a `Rows` batch; `Rows.write` inserts a batch with one `executemany` per table. Nothing here
reads the database: `graph.readmodel.update` deletes the old rows of the subjects it recomputes
and writes the new ones in batches.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.projection import Subject, subject_of
from graph.readmodel.entities import TYPE, claim_of, claim_record, entity_of
from graph.readmodel.facts import Fact, Merged, term_of
from graph.readmodel.values import ancestors
from ontology.namespaces import CG, CGG

DERIVED_PREFIX = f"{CGG}derived/"
UNBOUNDED = 1e9
"""Day number standing for an unbounded end in the event span index."""

TABLES = ("entity", "entity_type", "claim", "search", "event_span", "event_bounds", "edge")
"""The tables whose rows belong to one subject (deleted and rewritten when it changes)."""
KEY_COLUMN = {"search": "rowid", "edge": "src"}
"""The column holding the subject's sid, where it is not `sid`."""


def is_derived_graph(graph: str) -> bool:
    return graph.startswith(DERIVED_PREFIX)


def day(value: str | None, default: float) -> float:
    if not value:
        return default
    try:
        return float(dt.date.fromisoformat(value).toordinal())
    except ValueError:
        return default


@dataclass(slots=True)
class Rows:
    """Rows to insert, per table, for a batch of subjects."""

    entity: list[tuple[Any, ...]] = field(default_factory=list)
    entity_type: list[tuple[str, int]] = field(default_factory=list)
    search: list[tuple[Any, ...]] = field(default_factory=list)
    event_span: list[tuple[int, float, float]] = field(default_factory=list)
    event_bounds: list[tuple[Any, ...]] = field(default_factory=list)
    claim: list[tuple[Any, ...]] = field(default_factory=list)
    edge: list[tuple[int, str, str]] = field(default_factory=list)

    def write(self, conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO entity (sid, iri, id, kind, type, label, sort_label, earliest, latest,"
            " is_event, summary) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            self.entity,
        )
        conn.executemany("INSERT INTO entity_type VALUES (?, ?)", self.entity_type)
        conn.executemany(
            "INSERT INTO search (rowid, ids, label, aliases, description) VALUES (?,?,?,?,?)",
            self.search,
        )
        conn.executemany("INSERT INTO event_span VALUES (?, ?, ?)", self.event_span)
        conn.executemany("INSERT INTO event_bounds VALUES (?,?,?,?,?,?,?)", self.event_bounds)
        conn.executemany(
            "INSERT INTO claim (sid, id, cause, effect, record) VALUES (?,?,?,?,?)", self.claim
        )
        conn.executemany("INSERT INTO edge (src, pred, dst) VALUES (?, ?, ?)", self.edge)


def typed_facts(by_graph: Mapping[str, Sequence[Sequence[str]]]) -> dict[str, list[Fact]]:
    """A subject's stored facts ({graph: [[p, kind, value, extra]]}) as tuples."""
    return {g: [(f[0], f[1], f[2], f[3]) for f in items] for g, items in by_graph.items()}


def subject_rows(sid: int, iri: str, typed: Mapping[str, list[Fact]], rows: Rows) -> None:
    """Append the rows of one subject, from what every graph says of it, to `rows`."""
    merged = Merged.of(iri, dict(typed))
    if not merged.facts:
        return
    entity = entity_of(merged)
    if entity is not None:
        is_event = entity.is_a("Event")
        start = entity.start.isoformat() if entity.start else None
        end = entity.end.isoformat() if entity.end else None
        rows.entity.append(
            (
                sid,
                iri,
                entity.id,
                entity.kind,
                entity.type,
                entity.label,
                entity.label.casefold(),
                start,
                end,
                int(is_event),
                entity.summary_bytes(),
            )
        )
        rows.entity_type.extend((t, sid) for t in entity.types)
        rows.search.append((sid, *entity.search_text()))
        if is_event:
            lo = day(start, -UNBOUNDED)
            hi = day(end, UNBOUNDED)
            rows.event_span.append((sid, lo, max(lo, hi)))
    bounds = _bounds(merged)
    if bounds is not None:
        rows.event_bounds.append((sid, iri, *bounds))
    claim = claim_of(merged)
    if claim is not None:
        rows.claim.append((sid, claim.id, claim.cause, claim.effect, claim_record(claim)))
    rows.edge.extend(
        sorted({(sid, f[0], f[2]) for f in merged.facts if f[1] == "i" and f[0] != TYPE})
    )


def pg_subject(typed: Mapping[str, list[Fact]]) -> Subject:
    """What the property-graph projection reads of a subject: its asserted facts (derived
    graphs left out; blank nodes have no place in it)."""
    return subject_of(
        (f[0], term_of(f))  # type: ignore[misc]
        for g, items in typed.items()
        if not is_derived_graph(g)
        for f in items
        if f[1] != "b"
    )


def _bounds(merged: Merged) -> tuple[str, str | None, str | None, str | None, int] | None:
    """(earliest, start latest, end earliest, latest, uncertain) of a dated event, else None."""
    own = {t.removeprefix(CG) for t in merged.types() if t.startswith(CG)}
    if not any(name == "Event" or "Event" in ancestors(name) for name in own):
        return None

    def first(name: str) -> str | None:
        values = sorted(f[2] for f in merged.values(f"{CG}{name}") if f[1] == "l")
        return values[0] if values else None

    earliest = first("earliest")
    if earliest is None:
        return None
    uncertain = first("uncertain") in {"true", "1"}
    return earliest, first("startLatest"), first("endEarliest"), first("latest"), int(uncertain)


__all__ = [
    "DERIVED_PREFIX",
    "KEY_COLUMN",
    "TABLES",
    "UNBOUNDED",
    "Rows",
    "day",
    "is_derived_graph",
    "pg_subject",
    "subject_rows",
    "typed_facts",
]
