"""Taking graph changes into the read model: a graph's facts in or out, then every row that
depends on the subjects it touched recomputed, and nothing else.

`Updater.put` replaces what one graph says about some subjects (all of its subjects when the
graph is given complete). `Updater.recompute` then rebuilds, for each touched subject, its
entity row, summary, search entry, time-index entry, claim, edges and property-graph node; it
settles node ids where slugs collide; and it rebuilds the relationships of the touched subjects
and of the subjects that point at a node that appeared, disappeared or changed id. Every node
id and relationship key whose record changed is logged in `pg_change` with the version, which
is what an engine sync replays.

Everything runs in batches of `_CHUNK` subjects: one query reads a batch's rows, one statement
per table deletes them, one `executemany` per table writes the new ones (a load of a million
statements touches some hundred thousand subjects; a statement per subject and table would be
most of the load's time).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import orjson

from graph.projection import Subject, is_node_subject, node_of, referenced, relationships_of
from graph.readmodel.facts import Fact, Facts
from graph.readmodel.pg import encode_node, encode_rel, rel_change_key
from graph.readmodel.rows import (
    DERIVED_PREFIX,
    KEY_COLUMN,
    TABLES,
    UNBOUNDED,
    Rows,
    day,
    is_derived_graph,
    pg_subject,
    subject_rows,
    typed_facts,
)
from graph.records import NodeRecord
from ontology.namespaces import split_entity_iri

_CHUNK = 500
KEEP_SUBJECTS = 50_000
"""Subjects a recompute keeps parsed between its two passes; past that they are read again in
the second (a load that touches millions of subjects must not hold them all)."""


def _chunks[T](items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _marks(chunk: Sequence[object]) -> str:
    return ",".join("?" * len(chunk))


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
        self._changes: list[tuple[str, str]] = []
        """(kind, key) of property-graph records changed, for `pg_change`."""

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

    def put(self, graph: str, facts: Facts, *, complete: bool, merge: bool = False) -> None:
        """What `graph` now says about the subjects in `facts` (and, if `complete`, nothing
        about any other subject); with `merge`, `facts` are added to what it says already."""
        c = self.conn
        old: set[int] = set()
        if complete:
            old = {
                sid for (sid,) in c.execute("SELECT sid FROM graph_subject WHERE graph=?", (graph,))
            }
        current = self._subjects(list(facts))
        (top,) = c.execute("SELECT coalesce(max(sid), 0) FROM subject").fetchone()
        inserts: list[tuple[int, str, bytes]] = []
        updates: list[tuple[bytes, int]] = []
        kept: set[int] = set()
        gone: list[tuple[str, int]] = []
        for iri, items in facts.items():
            sid, by_graph, stored = current.get(iri, (None, {}, b""))
            if merge and items:
                held = [tuple(f) for f in by_graph.get(graph, ())]
                by_graph[graph] = [list(f) for f in dict.fromkeys([*held, *items])]
            elif items:
                by_graph[graph] = [list(f) for f in items]
            else:
                by_graph.pop(graph, None)
            if sid is None:
                if not by_graph:
                    continue
                top += 1
                sid = top
                inserts.append((sid, iri, orjson.dumps(by_graph)))
            else:
                data = orjson.dumps(by_graph) if by_graph else b"{}"
                if items and data == stored:
                    kept.add(sid)  # the same facts again: nothing depends on this put
                    continue
                updates.append((data, sid))
            self.all_touched.add(iri)
            self.touched.add(sid)
            if items:
                kept.add(sid)
            else:
                gone.append((graph, sid))
        for chunk in _chunks(sorted(old - kept)):
            for sid, iri, data in c.execute(
                f"SELECT sid, iri, facts FROM subject WHERE sid IN ({_marks(chunk)})", chunk
            ):
                by_graph = orjson.loads(data)
                by_graph.pop(graph, None)
                updates.append((orjson.dumps(by_graph) if by_graph else b"{}", sid))
                self.all_touched.add(iri)
                self.touched.add(sid)
                gone.append((graph, sid))
        c.executemany("INSERT INTO subject (sid, iri, facts) VALUES (?, ?, ?)", inserts)
        c.executemany("UPDATE subject SET facts=? WHERE sid=?", updates)
        c.executemany(
            "INSERT OR IGNORE INTO graph_subject VALUES (?, ?)", [(graph, sid) for sid in kept]
        )
        c.executemany("DELETE FROM graph_subject WHERE graph=? AND sid=?", gone)

    def _subjects(
        self, iris: Sequence[str]
    ) -> dict[str, tuple[int, dict[str, list[list[str]]], bytes]]:
        """sid, facts by graph, and the stored bytes of each known subject of `iris`."""
        out: dict[str, tuple[int, dict[str, list[list[str]]], bytes]] = {}
        for chunk in _chunks(iris):
            for sid, iri, data in self.conn.execute(
                f"SELECT sid, iri, facts FROM subject WHERE iri IN ({_marks(chunk)})", chunk
            ):
                out[iri] = (sid, orjson.loads(data), bytes(data))
        return out

    # -- recomputing -----------------------------------------------------------------------------

    def recompute(self) -> Touched:
        """Rebuild every row that depends on the touched subjects; returns what was touched."""
        touched = Touched(set(self.touched), set(self.all_touched))
        sids = sorted(self.touched)
        self.touched = set()
        self.all_touched = set()
        subjects: dict[int, tuple[str, Subject]] = {}
        recomputed: set[int] = set()
        slugs: set[str] = set()
        empty: list[int] = []
        for chunk in _chunks(sids):
            self._recompute_chunk(chunk, subjects, recomputed, slugs, empty)
        renamed: set[int] = set()
        changed_nodes = self._settle_ids(slugs, renamed) | self._appeared
        self._appeared = set()
        dirty = recomputed | renamed | self._referrers(changed_nodes)
        self._rebuild_nodes_and_rels(dirty, subjects)
        for chunk in _chunks(empty):
            self.conn.execute(f"DELETE FROM subject WHERE sid IN ({_marks(chunk)})", chunk)
        self._flush_changes()
        return touched

    def _recompute_chunk(
        self,
        chunk: Sequence[int],
        subjects: dict[int, tuple[str, Subject]],
        recomputed: set[int],
        slugs: set[str],
        empty: list[int],
    ) -> None:
        c = self.conn
        marks = _marks(chunk)
        records = c.execute(
            f"SELECT sid, iri, facts FROM subject WHERE sid IN ({marks})", chunk
        ).fetchall()
        nodes = {
            sid: (node_id, slug)
            for sid, node_id, slug in c.execute(
                f"SELECT sid, id, slug FROM node WHERE sid IN ({marks})", chunk
            )
        }
        for table in TABLES:
            c.execute(
                f"DELETE FROM {table} WHERE {KEY_COLUMN.get(table, 'sid')} IN ({marks})", chunk
            )
        rows = Rows()
        new_nodes: list[tuple[int, str, str, str, bytes]] = []
        gone_nodes: list[tuple[int]] = []
        for sid, iri, data in records:
            by_graph = orjson.loads(data)
            if not by_graph:
                empty.append(sid)
            typed = typed_facts(by_graph)
            subject_rows(sid, iri, typed, rows)
            subject = pg_subject(typed)
            recomputed.add(sid)
            if len(subjects) < KEEP_SUBJECTS:
                subjects[sid] = (iri, subject)
            split = split_entity_iri(iri)
            existing = nodes.get(sid)
            if is_node_subject(iri, subject) and split is not None:
                if existing is None:
                    # A placeholder id until the slug's ids are settled.
                    new_nodes.append((sid, f"\x00{sid}", split[1], split[0], b""))
                    slugs.add(split[1])
                    self._appeared.add(iri)
            elif existing is not None:
                gone_nodes.append((sid,))
                self._changes.append(("node", existing[0]))
                slugs.add(existing[1])
                self._appeared.add(iri)
        rows.write(c)
        c.executemany("DELETE FROM node WHERE sid=?", gone_nodes)
        c.executemany(
            "INSERT INTO node (sid, id, slug, kind, record) VALUES (?,?,?,?,?)", new_nodes
        )

    def _settle_ids(self, slugs: set[str], renamed: set[int]) -> set[str]:
        """Give every node of the affected slugs its id (see `graph.projection.entity_ids`);
        the IRIs of nodes that are new, gone or renamed."""
        c = self.conn
        changed: set[str] = set()
        by_slug: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
        for chunk in _chunks(sorted(slugs)):
            for sid, node_id, kind, slug, iri in c.execute(
                "SELECT n.sid, n.id, n.kind, n.slug, s.iri FROM node n "
                f"JOIN subject s ON s.sid = n.sid WHERE n.slug IN ({_marks(chunk)})",
                chunk,
            ):
                by_slug[slug].append((sid, node_id, kind, iri))
        plans: list[tuple[int, str, str, str]] = []
        for slug in sorted(by_slug):
            taken = False
            for sid, old_id, kind, iri in sorted(by_slug[slug], key=lambda row: row[2]):
                new_id = slug if not taken else f"{kind}/{slug}"
                taken = True
                if new_id != old_id:
                    plans.append((sid, old_id, new_id, iri))
        # Two steps, so a swap of ids never trips the unique index.
        c.executemany("UPDATE node SET id=? WHERE sid=?", [(f"\x01{p[0]}", p[0]) for p in plans])
        c.executemany("UPDATE node SET id=? WHERE sid=?", [(p[2], p[0]) for p in plans])
        for sid, old_id, _new_id, iri in plans:
            if not old_id.startswith("\x00"):
                self._changes.append(("node", old_id))
            changed.add(iri)
            renamed.add(sid)
        return changed

    def _referrers(self, iris: set[str]) -> set[int]:
        """Subjects with a statement pointing at one of `iris`."""
        found: set[int] = set()
        for chunk in _chunks(sorted(iris)):
            found.update(
                sid
                for (sid,) in self.conn.execute(
                    f"SELECT DISTINCT src FROM edge WHERE dst IN ({_marks(chunk)})", chunk
                )
            )
        return found

    def _rebuild_nodes_and_rels(
        self, dirty: set[int], subjects: dict[int, tuple[str, Subject]]
    ) -> None:
        for chunk in _chunks(sorted(dirty)):
            self._rebuild_chunk(chunk, subjects)

    def _rebuild_chunk(self, chunk: Sequence[int], known: dict[int, tuple[str, Subject]]) -> None:
        c = self.conn
        marks = _marks(chunk)
        subjects = {sid: known[sid] for sid in chunk if sid in known}
        missing = [sid for sid in chunk if sid not in known]
        if missing:
            for sid, iri, data in c.execute(
                f"SELECT sid, iri, facts FROM subject WHERE sid IN ({_marks(missing)})", missing
            ):
                subjects[sid] = (iri, pg_subject(typed_facts(orjson.loads(data))))
        nodes = {
            sid: (node_id, record)
            for sid, node_id, record in c.execute(
                f"SELECT sid, id, record FROM node WHERE sid IN ({marks})", chunk
            )
        }
        old_rels: dict[int, dict[tuple[str, str, str, str], bytes]] = defaultdict(dict)
        for rel_type, src, dst, key, owner, record in c.execute(
            f"SELECT type, src, dst, key, owner, record FROM rel WHERE owner IN ({marks})", chunk
        ):
            old_rels[owner][(rel_type, src, dst, key)] = record
        ids = self._ids(set().union(*(referenced(s) for _iri, s in subjects.values())))
        node_records: list[tuple[bytes, int]] = []
        rel_deletes: list[tuple[str, str, str, str, int]] = []
        rel_writes: list[tuple[str, str, str, str, int, bytes]] = []
        for sid in chunk:
            if sid not in subjects:
                continue
            iri, subject = subjects[sid]
            node: NodeRecord | None = None
            if sid in nodes:
                node_id, stored = nodes[sid]
                node = node_of(iri, node_id, subject)
                record = encode_node(node) if node is not None else b""
                if record != stored:
                    node_records.append((record, sid))
                    self._changes.append(("node", node_id))
            old = old_rels.get(sid, {})
            new = {
                (r.type, r.source, r.target, r.key): encode_rel(r)
                for r in relationships_of(node, subject, ids)
            }
            for key in old.keys() - new.keys():
                rel_deletes.append((*key, sid))
                self._changes.append(("rel", rel_change_key(*key)))
            for key, record in new.items():
                if old.get(key) != record:
                    rel_writes.append((*key, sid, record))
                    self._changes.append(("rel", rel_change_key(*key)))
        c.executemany("UPDATE node SET record=? WHERE sid=?", node_records)
        c.executemany(
            "DELETE FROM rel WHERE type=? AND src=? AND dst=? AND key=? AND owner=?", rel_deletes
        )
        c.executemany(
            "INSERT OR REPLACE INTO rel (type, src, dst, key, owner, record) VALUES (?,?,?,?,?,?)",
            rel_writes,
        )

    def _ids(self, iris: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(sorted(iris)):
            out.update(
                self.conn.execute(
                    f"SELECT s.iri, n.id FROM subject s JOIN node n ON n.sid = s.sid "
                    f"WHERE s.iri IN ({_marks(chunk)})",
                    chunk,
                ).fetchall()
            )
        return out

    def _flush_changes(self) -> None:
        self.conn.executemany(
            "INSERT INTO pg_change (kind, key, version) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, key) DO UPDATE SET version=excluded.version",
            [(kind, key, self.version) for kind, key in self._changes],
        )
        self._changes = []


def group_by_subject(facts: Iterable[tuple[str, Fact]]) -> Facts:
    out: dict[str, list[Fact]] = defaultdict(list)
    for iri, fact in facts:
        out[iri].append(fact)
    return dict(out)


__all__ = [
    "DERIVED_PREFIX",
    "UNBOUNDED",
    "Touched",
    "Updater",
    "day",
    "group_by_subject",
    "is_derived_graph",
]
