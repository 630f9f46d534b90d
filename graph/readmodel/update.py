"""Taking graph changes into the read model: a graph's facts in or out, then every row that
depends on the subjects it touched recomputed, and nothing else.

`Updater.put` replaces what one graph says about some subjects (all of its subjects when the
graph is given complete). `Updater.recompute` then rebuilds, for each touched subject, its
entity row, summary, search entry, time-index entry, claim, edges and property-graph node; it
settles node ids where slugs collide; and it rebuilds the relationships of the touched subjects
and of the subjects that point at a node that appeared, disappeared or changed id. Every node
id and relationship key whose record changed is logged in `pg_change` with the version, which
is what an engine sync replays.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import orjson

from graph.projection import (
    Subject,
    is_node_subject,
    node_of,
    referenced,
    relationships_of,
    subject_of,
)
from graph.readmodel.entities import TYPE, claim_of, claim_record, entity_of
from graph.readmodel.facts import Fact, Facts, Merged, term_of
from graph.readmodel.pg import encode_node, encode_rel, rel_change_key
from graph.readmodel.values import ancestors
from graph.records import NodeRecord
from ontology.namespaces import CG, CGG, split_entity_iri

DERIVED_PREFIX = f"{CGG}derived/"
UNBOUNDED = 1e9
"""Day number standing for an unbounded end in the event span index."""
_CHUNK = 500


def is_derived_graph(graph: str) -> bool:
    return graph.startswith(DERIVED_PREFIX)


def day(value: str | None, default: float) -> float:
    if not value:
        return default
    import datetime as dt

    try:
        return float(dt.date.fromisoformat(value).toordinal())
    except ValueError:
        return default


@dataclass(slots=True)
class Touched:
    """What one batch of changes touched (for the temporal derivation and the caller)."""

    subjects: set[int] = field(default_factory=set)
    iris: set[str] = field(default_factory=set)


class Updater:
    """Applies graph changes inside one SQLite write transaction (see the module doc)."""

    def __init__(self, conn: sqlite3.Connection, version: int) -> None:
        self.conn = conn
        self.version = version
        self.touched: set[int] = set()
        self.all_touched: set[str] = set()
        self._appeared: set[str] = set()
        """IRIs of subjects that became or stopped being nodes in this round."""

    # -- facts in and out ----------------------------------------------------------------------

    def subjects_of(self, graph: str) -> list[str]:
        """The subjects a graph says something about, as the read model has it now."""
        return [
            iri
            for (iri,) in self.conn.execute(
                "SELECT s.iri FROM graph_subject g JOIN subject s ON s.sid = g.sid WHERE g.graph=?",
                (graph,),
            )
        ]

    def put(self, graph: str, facts: Facts, *, complete: bool) -> None:
        """What `graph` now says about the subjects in `facts` (and, if `complete`, nothing
        about any other subject)."""
        c = self.conn
        old: set[int] = set()
        if complete:
            old = {
                sid for (sid,) in c.execute("SELECT sid FROM graph_subject WHERE graph=?", (graph,))
            }
        current = self._subjects(list(facts))
        new_sids: set[int] = set()
        for iri, items in facts.items():
            sid, by_graph = current.get(iri, (None, {}))
            if items:
                by_graph[graph] = [list(f) for f in items]
            else:
                by_graph.pop(graph, None)
            sid = self._save(sid, iri, by_graph)
            if sid is not None:
                if items:
                    new_sids.add(sid)
                    c.execute("INSERT OR IGNORE INTO graph_subject VALUES (?, ?)", (graph, sid))
                else:
                    c.execute("DELETE FROM graph_subject WHERE graph=? AND sid=?", (graph, sid))
        for sid in old - new_sids:
            row = c.execute("SELECT iri, facts FROM subject WHERE sid=?", (sid,)).fetchone()
            c.execute("DELETE FROM graph_subject WHERE graph=? AND sid=?", (graph, sid))
            if row is None:
                continue
            by_graph = orjson.loads(row[1])
            by_graph.pop(graph, None)
            self._save(sid, row[0], by_graph)

    def _subjects(self, iris: Sequence[str]) -> dict[str, tuple[int, dict[str, list[list[str]]]]]:
        out: dict[str, tuple[int, dict[str, list[list[str]]]]] = {}
        for start in range(0, len(iris), _CHUNK):
            chunk = iris[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for sid, iri, data in self.conn.execute(
                f"SELECT sid, iri, facts FROM subject WHERE iri IN ({marks})", chunk
            ):
                out[iri] = (sid, orjson.loads(data))
        return out

    def _save(self, sid: int | None, iri: str, by_graph: dict[str, list[list[str]]]) -> int | None:
        c = self.conn
        self.all_touched.add(iri)
        if sid is None:
            if not by_graph:
                return None
            cur = c.execute(
                "INSERT INTO subject (iri, facts) VALUES (?, ?)", (iri, orjson.dumps(by_graph))
            )
            sid = int(cur.lastrowid or 0)
        elif by_graph:
            c.execute("UPDATE subject SET facts=? WHERE sid=?", (orjson.dumps(by_graph), sid))
        else:
            c.execute("UPDATE subject SET facts=? WHERE sid=?", (b"{}", sid))
        self.touched.add(sid)
        return sid

    # -- recomputing -----------------------------------------------------------------------------

    def recompute(self) -> Touched:
        """Rebuild every row that depends on the touched subjects; returns what was touched."""
        touched = Touched(set(self.touched), set(self.all_touched))
        sids = sorted(self.touched)
        self.touched = set()
        self.all_touched = set()
        subjects: dict[int, tuple[str, Subject | None]] = {}
        slugs: set[str] = set()
        for start in range(0, len(sids), _CHUNK):
            chunk = sids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT sid, iri, facts FROM subject WHERE sid IN ({marks})", chunk
            ).fetchall()
            for sid, iri, data in rows:
                by_graph = orjson.loads(data)
                pg_subject = self._recompute_subject(sid, iri, by_graph, slugs)
                subjects[sid] = (iri, pg_subject)
        renamed: set[int] = set()
        changed_nodes = self._settle_ids(slugs, renamed) | self._appeared
        self._appeared = set()
        dirty = set(subjects) | renamed | self._referrers(changed_nodes)
        self._rebuild_nodes_and_rels(dirty, subjects)
        for sid, (_iri, _subject) in subjects.items():
            row = self.conn.execute("SELECT facts FROM subject WHERE sid=?", (sid,)).fetchone()
            if row is not None and row[0] in (b"{}", "{}"):
                self.conn.execute("DELETE FROM subject WHERE sid=?", (sid,))
        return touched

    def _recompute_subject(
        self, sid: int, iri: str, by_graph: dict[str, list[list[str]]], slugs: set[str]
    ) -> Subject | None:
        c = self.conn
        typed: dict[str, list[Fact]] = {
            g: [(f[0], f[1], f[2], f[3]) for f in items] for g, items in by_graph.items()
        }
        merged = Merged.of(iri, typed)
        for table in ("entity", "entity_type", "claim", "search", "event_span", "event_bounds"):
            column = "rowid" if table == "search" else "sid"
            c.execute(f"DELETE FROM {table} WHERE {column}=?", (sid,))
        c.execute("DELETE FROM edge WHERE src=?", (sid,))
        entity = entity_of(merged) if merged.facts else None
        if entity is not None:
            is_event = entity.is_a("Event")
            c.execute(
                "INSERT INTO entity (sid, iri, id, kind, type, label, sort_label, earliest, latest,"
                " is_event, summary) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    sid,
                    iri,
                    entity.id,
                    entity.kind,
                    entity.type,
                    entity.label,
                    entity.label.casefold(),
                    entity.start.isoformat() if entity.start else None,
                    entity.end.isoformat() if entity.end else None,
                    int(is_event),
                    entity.summary_bytes(),
                ),
            )
            c.executemany("INSERT INTO entity_type VALUES (?, ?)", [(t, sid) for t in entity.types])
            c.execute(
                "INSERT INTO search (rowid, ids, label, aliases, description) VALUES (?,?,?,?,?)",
                (sid, *entity.search_text()),
            )
            if is_event:
                lo = day(entity.start.isoformat() if entity.start else None, -UNBOUNDED)
                hi = day(entity.end.isoformat() if entity.end else None, UNBOUNDED)
                c.execute("INSERT INTO event_span VALUES (?, ?, ?)", (sid, lo, max(lo, hi)))
        bounds = _bounds(merged)
        if bounds is not None:
            c.execute("INSERT INTO event_bounds VALUES (?,?,?,?,?,?,?)", (sid, iri, *bounds))
        claim = claim_of(merged) if merged.facts else None
        if claim is not None:
            c.execute(
                "INSERT INTO claim (sid, id, cause, effect, record) VALUES (?,?,?,?,?)",
                (sid, claim.id, claim.cause, claim.effect, claim_record(claim)),
            )
        c.executemany(
            "INSERT INTO edge (src, pred, dst) VALUES (?, ?, ?)",
            sorted({(sid, f[0], f[2]) for f in merged.facts if f[1] == "i" and f[0] != TYPE}),
        )
        pg_facts = [f for g, items in typed.items() if not is_derived_graph(g) for f in items]
        subject = subject_of((f[0], term_of(f)) for f in pg_facts if f[1] != "b")  # type: ignore[misc]
        split = split_entity_iri(iri)
        existing = c.execute("SELECT slug FROM node WHERE sid=?", (sid,)).fetchone()
        if is_node_subject(iri, subject) and split is not None:
            if existing is None:
                # A placeholder id until the slug's ids are settled.
                c.execute(
                    "INSERT INTO node (sid, id, slug, kind, record) VALUES (?,?,?,?,?)",
                    (sid, f"\x00{sid}", split[1], split[0], b""),
                )
                slugs.add(split[1])
                self._appeared.add(iri)
        elif existing is not None:
            row = c.execute("SELECT id FROM node WHERE sid=?", (sid,)).fetchone()
            c.execute("DELETE FROM node WHERE sid=?", (sid,))
            self._log("node", row[0])
            slugs.add(existing[0])
            self._appeared.add(iri)
        return subject

    def _settle_ids(self, slugs: set[str], renamed: set[int]) -> set[str]:
        """Give every node of the affected slugs its id (see `graph.projection.entity_ids`);
        the IRIs of nodes that are new, gone or renamed."""
        c = self.conn
        changed: set[str] = set()
        for slug in sorted(slugs):
            rows = c.execute(
                "SELECT n.sid, n.id, n.kind, s.iri FROM node n JOIN subject s ON s.sid = n.sid "
                "WHERE n.slug=? ORDER BY n.kind",
                (slug,),
            ).fetchall()
            taken = False
            plans = []
            for sid, old_id, kind, iri in rows:
                new_id = slug if not taken else f"{kind}/{slug}"
                taken = True
                if new_id != old_id:
                    plans.append((sid, old_id, new_id, iri))
            # Two steps, so a swap of ids never trips the unique index.
            for sid, _old, _new, _iri in plans:
                c.execute("UPDATE node SET id=? WHERE sid=?", (f"\x01{sid}", sid))
            for sid, old_id, new_id, iri in plans:
                c.execute("UPDATE node SET id=? WHERE sid=?", (new_id, sid))
                if not old_id.startswith("\x00"):
                    self._log("node", old_id)
                changed.add(iri)
                renamed.add(sid)
        return changed

    def _referrers(self, iris: set[str]) -> set[int]:
        """Subjects with a statement pointing at one of `iris`."""
        found: set[int] = set()
        items = sorted(iris)
        for start in range(0, len(items), _CHUNK):
            chunk = items[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(
                sid
                for (sid,) in self.conn.execute(
                    f"SELECT DISTINCT src FROM edge WHERE dst IN ({marks})", chunk
                )
            )
        return found

    def _rebuild_nodes_and_rels(
        self, dirty: set[int], subjects: dict[int, tuple[str, Subject | None]]
    ) -> None:
        c = self.conn
        for sid in sorted(dirty):
            if sid in subjects:
                iri, subject = subjects[sid]
            else:
                row = c.execute("SELECT iri, facts FROM subject WHERE sid=?", (sid,)).fetchone()
                if row is None:
                    continue
                iri, subject = row[0], _pg_subject(orjson.loads(row[1]))
            if subject is None:
                continue
            node_row = c.execute("SELECT id, record FROM node WHERE sid=?", (sid,)).fetchone()
            node: NodeRecord | None = None
            if node_row is not None:
                node = node_of(iri, node_row[0], subject)
                record = encode_node(node) if node is not None else b""
                if record != node_row[1]:
                    c.execute("UPDATE node SET record=? WHERE sid=?", (record, sid))
                    self._log("node", node_row[0])
            ids = self._ids(referenced(subject))
            rels = relationships_of(node, subject, ids)
            old = {
                (t, s, d, k): rec
                for t, s, d, k, rec in c.execute(
                    "SELECT type, src, dst, key, record FROM rel WHERE owner=?", (sid,)
                )
            }
            new = {(r.type, r.source, r.target, r.key): encode_rel(r) for r in rels}
            for key in old.keys() - new.keys():
                c.execute(
                    "DELETE FROM rel WHERE type=? AND src=? AND dst=? AND key=? AND owner=?",
                    (*key, sid),
                )
                self._log("rel", rel_change_key(*key))
            for key, record in new.items():
                if old.get(key) != record:
                    c.execute(
                        "INSERT OR REPLACE INTO rel (type, src, dst, key, owner, record)"
                        " VALUES (?,?,?,?,?,?)",
                        (*key, sid, record),
                    )
                    self._log("rel", rel_change_key(*key))

    def _ids(self, iris: Iterable[str]) -> dict[str, str]:
        items = sorted(iris)
        out: dict[str, str] = {}
        for start in range(0, len(items), _CHUNK):
            chunk = items[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            out.update(
                self.conn.execute(
                    f"SELECT s.iri, n.id FROM subject s JOIN node n ON n.sid = s.sid "
                    f"WHERE s.iri IN ({marks})",
                    chunk,
                ).fetchall()
            )
        return out

    def _log(self, kind: str, key: str) -> None:
        self.conn.execute(
            "INSERT INTO pg_change (kind, key, version) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, key) DO UPDATE SET version=excluded.version",
            (kind, key, self.version),
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


def _pg_subject(by_graph: Mapping[str, Sequence[Sequence[str]]]) -> Subject:
    facts: Iterator[Fact] = (
        (f[0], f[1], f[2], f[3])
        for g, items in by_graph.items()
        if not is_derived_graph(g)
        for f in items
    )
    return subject_of((f[0], term_of(f)) for f in facts if f[1] != "b")  # type: ignore[misc]


def group_by_subject(facts: Iterable[tuple[str, Fact]]) -> Facts:
    out: dict[str, list[Fact]] = defaultdict(list)
    for iri, fact in facts:
        out[iri].append(fact)
    return dict(out)


__all__ = ["DERIVED_PREFIX", "Touched", "Updater", "day", "is_derived_graph"]
