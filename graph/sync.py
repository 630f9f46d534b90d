"""Keep a Cypher engine equal to the read model's property graph, writing only what changed.

The read model keeps the projected nodes and relationships (`node`, `rel`) and logs, for every
node id and relationship key, the store version that last changed it (`pg_change`). Each
engine's row in the `engine` table says up to which version it is synced. A sync then:

- incremental: takes the keys changed since that version; deletes the relationships that are
  gone, deletes (detaching) every changed node, writes the changed nodes that still exist and
  every relationship that changed or touches a rewritten node. Replaying it is harmless, so a
  sync killed half-way is repaired by the next one (its version was not advanced).
- full (`full=True`, a first sync, or an engine marked dirty): marks the engine dirty, clears
  it, writes every node then every relationship in batches, and marks it clean at the version.
  A full sync killed half-way leaves the engine dirty, so the next sync is full again.

`check` compares the engine with the read model: node counts per label, relationship counts
per type, and a fixed sample of nodes.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from graph.readmodel.db import ReadModel
from graph.readmodel.pg import decode_node, decode_rel, split_rel_change_key
from graph.records import NodeRecord, Projection, RelRecord

BATCH: Final = 10_000
FULL_RATIO: Final = 0.5
"""An incremental sync touching more than this share of the graph is done as a full one."""
SAMPLE_SIZE: Final = 50


class SyncTarget(Protocol):
    """What sync and check need from a Cypher backend (see `graph.cypher.base`)."""

    def ensure_schema(self) -> None: ...

    def write(self, projection: Projection) -> Any: ...

    def delete_nodes(self, ids: Sequence[str]) -> Any: ...

    def delete_relationships(self, rels: Sequence[RelRecord]) -> Any: ...

    def clear(self) -> Any: ...

    def counts(self) -> Any: ...

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> Any: ...


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


@dataclass(frozen=True, slots=True)
class Drift:
    """One difference between the read model's property graph and the engine."""

    what: str
    """`label`, `type` (relationship type), `node` (a sampled node) or `total`."""
    name: str
    expected: object
    actual: object


@dataclass(slots=True)
class CheckReport:
    """The comparison of the engine with the read model."""

    backend: str
    nodes: int
    relationships: int
    sampled: int
    drift: list[Drift] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.drift


def backend_name(backend: object) -> str:
    """`falkordb`, `neo4j`, ...: the backend's `name`, else its class name in lower case."""
    name = getattr(backend, "name", None)
    if isinstance(name, str) and name:
        return name
    return type(backend).__name__.lower().removesuffix("backend")


# -- reading the property graph out of the read model ------------------------------------------


def iter_nodes(conn: sqlite3.Connection, ids: Iterable[str] | None = None) -> Iterator[NodeRecord]:
    """Every node (or those of `ids`), streamed."""
    if ids is None:
        for (record,) in conn.execute("SELECT record FROM node WHERE record != x'' ORDER BY id"):
            yield decode_node(record)
        return
    items = sorted(set(ids))
    for start in range(0, len(items), 500):
        chunk = items[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for (record,) in conn.execute(
            f"SELECT record FROM node WHERE id IN ({marks}) AND record != x''", chunk
        ):
            yield decode_node(record)


def iter_relationships(conn: sqlite3.Connection) -> Iterator[RelRecord]:
    """Every relationship whose two ends are nodes, streamed."""
    for (record,) in conn.execute("SELECT record FROM rel ORDER BY type, src, dst, key"):
        yield decode_rel(record)


def projection(conn: sqlite3.Connection) -> Projection:
    """The whole property graph in memory (small graphs: tests, views)."""
    return Projection(tuple(iter_nodes(conn)), tuple(iter_relationships(conn)))


def _batches[T](items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- sync ----------------------------------------------------------------------------------------


def _engine_row(model: ReadModel, name: str) -> tuple[int, str] | None:
    row = (
        model.connection()
        .execute("SELECT version, state FROM engine WHERE name=?", (name,))
        .fetchone()
    )
    return (int(row[0]), str(row[1])) if row else None


def _set_engine(model: ReadModel, name: str, version: int, state: str) -> None:
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
        row = _engine_row(model, name)
        total = conn.execute(
            "SELECT (SELECT COUNT(*) FROM node) + (SELECT COUNT(*) FROM rel)"
        ).fetchone()[0]
        changes: list[tuple[str, str]] = []
        if not full and row is not None and row[1] == "clean":
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
    _set_engine(model, name, version, "dirty")
    bulk = getattr(backend, "replace_all", None)
    with model.read() as conn:
        if callable(bulk):
            written = bulk(iter_nodes(conn), iter_relationships(conn))
            report.nodes_written, report.relationships_written = written
        else:
            backend.clear()
            backend.ensure_schema()
            for batch in _batches(iter_nodes(conn)):
                backend.write(Projection(tuple(batch), ()))
                report.nodes_written += len(batch)
            for rels in _batches(iter_relationships(conn)):
                backend.write(Projection((), tuple(rels)))
                report.relationships_written += len(rels)
    _set_engine(model, name, version, "clean")
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
    for node_batch in _batches(nodes):
        backend.write(Projection(tuple(node_batch), ()))
    report.nodes_written = len(nodes)
    rels = list({**present, **attached}.values())
    for rel_batch in _batches(rels):
        backend.write(Projection((), tuple(rel_batch)))
    report.relationships_written = len(rels)
    _set_engine(model, name, version, "clean")
    return report


# -- check ---------------------------------------------------------------------------------------

SAMPLE_NODES: Final = """
MATCH (n:Entity) WHERE n.id IN $ids
RETURN n.id AS id, labels(n) AS labels, n.type AS type, n.earliest AS earliest
"""


def sample_ids(ids: Iterable[str], size: int = SAMPLE_SIZE) -> list[str]:
    """A deterministic sample: the ids with the smallest hashes."""
    return sorted(ids, key=lambda i: hashlib.sha1(i.encode(), usedforsecurity=False).digest())[
        :size
    ]


def expected_counts(
    conn: sqlite3.Connection,
) -> tuple[Counter[str], Counter[str], dict[str, NodeRecord]]:
    """(nodes per label, relationships per type, nodes by id) of the read model."""
    labels: Counter[str] = Counter()
    by_id: dict[str, NodeRecord] = {}
    for node in iter_nodes(conn):
        labels.update(node.labels)
        by_id[node.id] = node
    types = Counter(dict(conn.execute("SELECT type, COUNT(*) FROM rel GROUP BY type").fetchall()))
    return labels, types, by_id


def check(model: ReadModel, backend: SyncTarget) -> CheckReport:
    """Compare the engine with the read model's property graph; `ok` when they agree."""
    with model.read() as conn:
        labels, types, by_id = expected_counts(conn)
    actual_labels, actual_types = _engine_counts(backend.counts())
    report = CheckReport(
        backend=backend_name(backend),
        nodes=len(by_id),
        relationships=sum(types.values()),
        sampled=0,
    )
    for label in sorted(set(labels) | set(actual_labels)):
        if labels.get(label, 0) != actual_labels.get(label, 0):
            report.drift.append(
                Drift("label", label, labels.get(label, 0), actual_labels.get(label, 0))
            )
    for rel_type in sorted(set(types) | set(actual_types)):
        if types.get(rel_type, 0) != actual_types.get(rel_type, 0):
            report.drift.append(
                Drift("type", rel_type, types.get(rel_type, 0), actual_types.get(rel_type, 0))
            )
    ids = sample_ids(by_id)
    report.sampled = len(ids)
    rows = {str(row["id"]): row for row in _rows(backend.query(SAMPLE_NODES, {"ids": ids}))}
    for node_id in ids:
        node = by_id[node_id]
        want = {
            "labels": sorted(node.labels),
            "type": node.properties.get("type"),
            "earliest": _iso(node.properties.get("earliest")),
        }
        row = rows.get(node_id)
        if row is None:
            report.drift.append(Drift("node", node_id, want, None))
            continue
        got = {
            "labels": sorted(str(label) for label in row.get("labels") or []),
            "type": row.get("type"),
            "earliest": _iso(row.get("earliest")),
        }
        if got != want:
            report.drift.append(Drift("node", node_id, want, got))
    return report


def _iso(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = value[0] if value else None
        if value is None:
            return None
    iso = getattr(value, "isoformat", None)
    if callable(iso):
        return str(iso())[:10]
    return str(value)[:10]


def _rows(result: Any) -> list[Mapping[str, Any]]:
    rows = getattr(result, "rows", result)
    columns = getattr(result, "columns", None)
    out: list[Mapping[str, Any]] = []
    for row in rows:
        if isinstance(row, Mapping):
            out.append(row)
        elif columns is not None:
            out.append(dict(zip(columns, row, strict=False)))
    return out


def _engine_counts(counts: Any) -> tuple[dict[str, int], dict[str, int]]:
    labels = getattr(counts, "labels", None)
    if labels is None:
        labels = getattr(counts, "nodes", {})
    types = getattr(counts, "types", None)
    if types is None:
        types = getattr(counts, "relationships", {})
    return dict(labels), dict(types)


__all__ = [
    "CheckReport",
    "Drift",
    "SyncReport",
    "SyncTarget",
    "backend_name",
    "check",
    "expected_counts",
    "iter_nodes",
    "iter_relationships",
    "projection",
    "sample_ids",
    "sync",
]
