"""Bring an engine up to the read model's version: incremental (the keys changed since its
version, replayable) or full (clear and rewrite, the engine marked dirty until done).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from graph.readmodel.db import ReadModel
from graph.readmodel.pg import decode_rel, split_rel_change_key
from graph.records import Projection, RelRecord
from graph.sync.source import (
    BATCH,
    SyncTarget,
    backend_name,
    batches,
    iter_nodes,
    iter_relationships,
)

FULL_RATIO: Final = 0.5
"""An incremental sync touching more than this share of the graph is done as a full one."""


@dataclass(slots=True)
class SyncReport:
    """What one sync did."""

    backend: str
    full: bool
    version: int = 0
    from_version: int | None = None
    nodes_written: int = 0
    relationships_written: int = 0
    nodes_deleted: int = 0
    relationships_deleted: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(
            self.full
            or self.nodes_written
            or self.relationships_written
            or self.nodes_deleted
            or self.relationships_deleted
        )


def _marker(model: ReadModel, backend: Any, name: str) -> tuple[int, str, str] | None:
    """(version, state, store id) the engine holds: kept in the engine itself when it can
    (so its data and the marker are saved together), else in the read model's `engine` row."""
    read = getattr(backend, "sync_marker", None)
    if callable(read):
        found = read()
        return found if found is None else (int(found[0]), str(found[1]), str(found[2]))
    row = (
        model.connection()
        .execute("SELECT version, state FROM engine WHERE name=?", (name,))
        .fetchone()
    )
    return (int(row[0]), str(row[1]), model.store_id()) if row else None


def _set_marker(model: ReadModel, backend: Any, name: str, version: int, state: str) -> None:
    write = getattr(backend, "set_sync_marker", None)
    if callable(write):
        write(version, state, model.store_id())
    model.execute(
        "INSERT INTO engine (name, version, state) VALUES (?,?,?) ON CONFLICT(name) DO "
        "UPDATE SET version=excluded.version, state=excluded.state",
        (name, version, state),
    )


def sync(model: ReadModel, backend: SyncTarget, *, full: bool = False) -> SyncReport:
    """Bring the engine up to the read model's version (see the module doc)."""
    started = time.perf_counter()
    name = backend_name(backend)
    with model.read() as conn:
        version = _version(conn)
        row = _marker(model, backend, name)
        total = conn.execute(
            "SELECT (SELECT COUNT(*) FROM node) + (SELECT COUNT(*) FROM rel)"
        ).fetchone()[0]
        changes: list[tuple[str, str]] = []
        clean = row is not None and row[1] == "clean" and row[2] == model.store_id()
        if not full and row is not None and clean and row[0] <= version:
            if row[0] == version:
                return SyncReport(
                    name, False, version, row[0], seconds=time.perf_counter() - started
                )
            changes = conn.execute(
                "SELECT kind, key FROM pg_change WHERE version > ?", (row[0],)
            ).fetchall()
            full = len(changes) > FULL_RATIO * max(total, 1) and total > BATCH
        else:
            full = True
    if full:
        report = _full(model, backend, name, version)
    else:
        assert row is not None
        report = _incremental(model, backend, name, version, row[0], changes)
    report.seconds = time.perf_counter() - started
    return report


def _version(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()
    return int(row[0]) if row else 0


def _full(model: ReadModel, backend: SyncTarget, name: str, version: int) -> SyncReport:
    report = SyncReport(name, True, version)
    _set_marker(model, backend, name, version, "dirty")
    bulk = getattr(backend, "replace_all", None)
    with model.read() as conn:
        if callable(bulk):
            written = bulk(iter_nodes(conn), iter_relationships(conn))
            report.nodes_written, report.relationships_written = written
        else:
            backend.clear()
            backend.ensure_schema()
            for batch in batches(iter_nodes(conn)):
                backend.write(Projection(tuple(batch), ()))
                report.nodes_written += len(batch)
            for rels in batches(iter_relationships(conn)):
                backend.write(Projection((), tuple(rels)))
                report.relationships_written += len(rels)
    _set_marker(model, backend, name, version, "clean")
    return report


def _incremental(
    model: ReadModel,
    backend: SyncTarget,
    name: str,
    version: int,
    since: int,
    changes: Sequence[tuple[str, str]],
) -> SyncReport:
    report = SyncReport(name, False, version, since)
    node_ids = sorted({key for kind, key in changes if kind == "node"})
    rel_keys = sorted({split_rel_change_key(key) for kind, key in changes if kind == "rel"})
    with model.read() as conn:
        nodes = list(iter_nodes(conn, node_ids))
        written = {node.id for node in nodes}
        present: dict[tuple[str, str, str, str], RelRecord] = {}
        for start in range(0, len(rel_keys), 200):
            chunk = rel_keys[start : start + 200]
            where = " OR ".join("(type=? AND src=? AND dst=? AND key=?)" for _ in chunk)
            params = [part for key in chunk for part in key]
            for (record,) in conn.execute(f"SELECT record FROM rel WHERE {where}", params):
                rel = decode_rel(record)
                present[(rel.type, rel.source, rel.target, rel.key)] = rel
        attached: dict[tuple[str, str, str, str], RelRecord] = {}
        items = sorted(written)
        for start in range(0, len(items), 500):
            ends = items[start : start + 500]
            marks = ",".join("?" * len(ends))
            for (record,) in conn.execute(
                f"SELECT record FROM rel WHERE src IN ({marks}) OR dst IN ({marks})",
                [*ends, *ends],
            ):
                rel = decode_rel(record)
                attached[(rel.type, rel.source, rel.target, rel.key)] = rel
    gone = [RelRecord(t, s, d, k) for (t, s, d, k) in rel_keys if (t, s, d, k) not in present]
    if gone:
        backend.delete_relationships(gone)
        report.relationships_deleted = len(gone)
    if node_ids:
        backend.delete_nodes(node_ids)
        report.nodes_deleted = len(set(node_ids) - written)
    backend.ensure_schema()
    for node_batch in batches(nodes):
        backend.write(Projection(tuple(node_batch), ()))
    report.nodes_written = len(nodes)
    rels = list({**present, **attached}.values())
    for rel_batch in batches(rels):
        backend.write(Projection((), tuple(rel_batch)))
    report.relationships_written = len(rels)
    _set_marker(model, backend, name, version, "clean")
    return report
