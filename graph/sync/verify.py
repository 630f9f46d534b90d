"""Compare an engine with the read model: node counts per label, relationship counts per type,
and a fixed sample of nodes.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graph.readmodel.db import ReadModel
from graph.records import NodeRecord
from graph.sync.source import SyncTarget, backend_name, iter_nodes

SAMPLE_SIZE: Final = 50


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
