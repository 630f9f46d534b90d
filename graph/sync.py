"""Keep a Cypher engine equal to the projection of the RDF store, writing only what changed.

The store swaps a document's physical graph on every load that changes it, so "which graph was
last synced for each document" tells what changed. A small state file next to the store
(`<data_dir>/sync-<engine>.json`) records, per document, that graph, the node ids and
relationship keys it contributed, and the entities it referred to that were not nodes yet; and,
for the whole engine, a hash of every node and relationship as written.

A sync then:

1. projects the documents that changed (and those sharing nodes with them, so that a node
   described by two documents is written whole);
2. deletes the relationships and nodes no document contributes any more (a node goes only
   when no document defines it), and deletes the nodes whose labels or properties changed
   (so that a removed label or property does not linger);
3. writes the nodes that are new or changed, then the relationships that are new, changed, or
   attached to a node just (re)written, which may come from documents that did not change.

`full=True` clears the engine and writes everything. `check` compares the engine with the
projection of the store: node counts per label, relationship counts per type, and a fixed
sample of nodes.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

import pyoxigraph as ox

from graph.projection import (
    Projected,
    Types,
    document_triples,
    project_graph_detailed,
    project_store,
    store_types,
)
from graph.records import NodeRecord, Projection, PropertyValue, RelRecord
from graph.store import DocumentGraph, Store

STATE_VERSION: Final = 1
"""Bump when the projection rules change: a state file of another version forces a full sync."""

type RelKey = tuple[str, str, str, str]
"""(type, source id, target id, key): what identifies a relationship."""


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
    documents: list[str] = field(default_factory=list)
    removed_documents: list[str] = field(default_factory=list)
    nodes_written: int = 0
    relationships_written: int = 0
    nodes_deleted: int = 0
    relationships_deleted: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.documents or self.removed_documents or self.full)


@dataclass(frozen=True, slots=True)
class Drift:
    """One difference between the store's projection and the engine."""

    what: str
    """`label`, `type` (relationship type), `node` (a sampled node) or `total`."""
    name: str
    expected: object
    actual: object


@dataclass(slots=True)
class CheckReport:
    """The comparison of the engine with the projection of the store."""

    backend: str
    nodes: int
    relationships: int
    sampled: int
    drift: list[Drift] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.drift


# -- the state file ------------------------------------------------------------------------------


@dataclass(slots=True)
class _DocState:
    graph: str
    nodes: set[str]
    rels: set[RelKey]
    dangling: set[str]


@dataclass(slots=True)
class _State:
    store: str
    docs: dict[str, _DocState] = field(default_factory=dict)
    node_hashes: dict[str, str] = field(default_factory=dict)
    rel_hashes: dict[RelKey, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "store": self.store,
            "documents": {
                name: {
                    "graph": doc.graph,
                    "nodes": sorted(doc.nodes),
                    "relationships": sorted(list(rel) for rel in doc.rels),
                    "dangling": sorted(doc.dangling),
                }
                for name, doc in sorted(self.docs.items())
            },
            "node_hashes": dict(sorted(self.node_hashes.items())),
            "relationship_hashes": sorted([*key, value] for key, value in self.rel_hashes.items()),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> _State:
        state = cls(store=str(data["store"]))
        for name, doc in data["documents"].items():
            state.docs[name] = _DocState(
                graph=doc["graph"],
                nodes=set(doc["nodes"]),
                rels={_rel_key(rel) for rel in doc["relationships"]},
                dangling=set(doc["dangling"]),
            )
        state.node_hashes = dict(data["node_hashes"])
        state.rel_hashes = {_rel_key(row[:4]): row[4] for row in data["relationship_hashes"]}
        return state


def _rel_key(row: Sequence[str]) -> RelKey:
    return (str(row[0]), str(row[1]), str(row[2]), str(row[3]))


def backend_name(backend: object) -> str:
    """`falkordb`, `neo4j`, ...: the backend's `name`, else its class name in lower case."""
    name = getattr(backend, "name", None)
    if isinstance(name, str) and name:
        return name
    return type(backend).__name__.lower().removesuffix("backend")


def state_path(store: Store, backend: object) -> Path | None:
    """`<data_dir>/sync-<backend>.json`, the data dir being the store's parent folder."""
    if store.path is None:
        return None
    return store.path.parent / f"sync-{backend_name(backend)}.json"


def _load_state(path: Path | None, store: Store) -> _State | None:
    if path is None or not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != STATE_VERSION or data.get("store") != _store_id(store):
            return None
        return _State.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def _save_state(path: Path | None, state: _State) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(state.to_json(), ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def _store_id(store: Store) -> str:
    return str(store.path.resolve()) if store.path is not None else "memory"


# -- hashing -------------------------------------------------------------------------------------


def _plain(value: PropertyValue) -> object:
    if isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return {"date": str(value)}


def _digest(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def node_hash(node: NodeRecord) -> str:
    return _digest([list(node.labels), {k: _plain(v) for k, v in node.properties.items()}])


def rel_hash(rel: RelRecord) -> str:
    return _digest({k: _plain(v) for k, v in rel.properties.items()})


def rel_key(rel: RelRecord) -> RelKey:
    return (rel.type, rel.source, rel.target, rel.key)


# -- sync ----------------------------------------------------------------------------------------


def _documents(store: Store) -> dict[str, DocumentGraph]:
    """The registered documents by name (the ontology left out: it has no entities)."""
    return {doc.name: doc for doc in store.documents() if doc.kind != "ontology"}


def sync(
    store: Store, backend: SyncTarget, *, full: bool = False, state_file: Path | None = None
) -> SyncReport:
    """Bring the engine up to date with the store, incrementally unless `full` (see module doc).

    The state lives in `state_file` (default `<data_dir>/sync-<backend>.json`); an in-memory
    store has no data dir, so every sync of one is full.
    """
    started = time.perf_counter()
    name = backend_name(backend)
    path = state_file or state_path(store, backend)
    state = None if full else _load_state(path, store)
    if (
        state is not None
        and state.node_hashes
        and not any(_engine_counts(backend.counts())[0].values())
    ):
        state = None  # the engine was emptied behind our back
    replace = None
    if state is None:
        full = True
        replace = _bulk_path(backend)
        if replace is None:
            backend.clear()
        state = _State(store=_store_id(store))
    backend.ensure_schema()
    report = SyncReport(backend=name, full=full)
    docs = _documents(store)
    changed = sorted(
        n for n, d in docs.items() if n not in state.docs or state.docs[n].graph != d.graph
    )
    removed = sorted(n for n in state.docs if n not in docs)
    report.documents, report.removed_documents = changed, removed
    if not changed and not removed:
        if replace is not None:
            replace((), ())  # a full sync of an empty store empties the engine
        _save_state(path, state)
        report.seconds = time.perf_counter() - started
        return report
    plan = _Planner(store, docs, state, changed, removed).plan()
    _discard_state(path)  # killed from here on, the next sync finds no state and is full
    if replace is not None:
        replace(plan.write.nodes, plan.write.relationships)
    else:
        if plan.delete_rels:
            backend.delete_relationships(plan.delete_rels)
        if plan.delete_nodes:
            backend.delete_nodes(plan.delete_nodes)
        if plan.write.nodes or plan.write.relationships:
            backend.write(plan.write)
    report.nodes_deleted = len(plan.gone_nodes)
    report.relationships_deleted = len(plan.delete_rels)
    report.nodes_written = len(plan.write.nodes)
    report.relationships_written = len(plan.write.relationships)
    _save_state(path, state)
    report.seconds = time.perf_counter() - started
    return report


def _bulk_path(
    backend: object,
) -> Callable[[Iterable[NodeRecord], Iterable[RelRecord]], Any] | None:
    """The engine's `replace_all` (its bulk path for a full sync), if it has one."""
    replace = getattr(backend, "replace_all", None)
    return replace if callable(replace) else None


def _discard_state(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


@dataclass(slots=True)
class _Plan:
    delete_rels: list[RelRecord]
    delete_nodes: list[str]
    gone_nodes: list[str]
    write: Projection


class _Planner:
    """Works out the engine operations of one incremental sync, and updates the state."""

    def __init__(
        self,
        store: Store,
        docs: Mapping[str, DocumentGraph],
        state: _State,
        changed: Sequence[str],
        removed: Sequence[str],
    ) -> None:
        self.store = store
        self.docs = docs
        self.state = state
        self.changed = list(changed)
        self.removed = list(removed)
        self._types: Types | None = None
        self.projected: dict[str, Projected] = {}

    @property
    def types(self) -> Types:
        if self._types is None:
            self._types = store_types(self.store)
        return self._types

    def project(self, names: Iterable[str]) -> None:
        for name in sorted(set(names) - set(self.projected)):
            triples = document_triples(self.store, self.docs[name].graph)
            self.projected[name] = project_graph_detailed(triples, types=self.types)

    def plan(self) -> _Plan:
        state = self.state
        before_owners = _owners({n: d.nodes for n, d in state.docs.items()})
        self.project(self.changed)
        after_nodes = {n: d.nodes for n, d in state.docs.items() if n not in self.removed}
        after_nodes.update({n: _ids(self.projected[n]) for n in self.changed})
        after_owners = _owners(after_nodes)

        # Documents whose nodes are described together with the changed ones.
        cluster = set(self.changed) | set(self.removed)
        frontier = set(cluster)
        while frontier:
            ids: set[str] = set()
            for name in frontier:
                ids |= state.docs[name].nodes if name in state.docs else set()
                ids |= after_nodes.get(name, set())
            joined = {
                owner
                for node_id in ids
                for owner in (*before_owners.get(node_id, ()), *after_owners.get(node_id, ()))
            }
            frontier = joined - cluster
            cluster |= frontier
        live = sorted(name for name in cluster if name in self.docs)
        self.project(live)

        before_ids = set(state.node_hashes)
        records = self.merged_nodes(live, after_owners)
        gone = sorted(
            {
                node_id
                for name in cluster
                if name in state.docs
                for node_id in state.docs[name].nodes
                if node_id not in after_owners
            }
        )
        write_nodes = [n for n in records.values() if state.node_hashes.get(n.id) != node_hash(n)]
        recreated = {n.id for n in write_nodes if n.id in before_ids}
        added = {n.id for n in write_nodes if n.id not in before_ids}
        dropped = set(gone) | recreated
        # Relationships on deleted nodes go with them (DETACH DELETE).
        for key in [k for k in state.rel_hashes if k[1] in dropped or k[2] in dropped]:
            del state.rel_hashes[key]

        # Documents outside the cluster with relationships on (re)created nodes.
        touched = added | recreated
        added_iris = {str(n.properties.get("iri", "")) for n in write_nodes if n.id in added}
        others = [
            name
            for name, doc in state.docs.items()
            if name not in cluster
            and name in self.docs
            and (
                any(r[1] in touched or r[2] in touched for r in doc.rels)
                or bool(doc.dangling & added_iris)
            )
        ]
        self.project(others)

        after_rels: dict[str, dict[RelKey, RelRecord]] = {}
        for name in [*live, *others]:
            after_rels[name] = {
                rel_key(r): r for r in self.projected[name].projection.relationships
            }
        all_after: set[RelKey] = set()
        for name, doc in state.docs.items():
            if name not in after_rels and name not in self.removed:
                all_after |= doc.rels
        for rels in after_rels.values():
            all_after |= rels.keys()
        delete_rels: dict[RelKey, RelRecord] = {}
        for name in cluster:
            if name not in state.docs:
                continue
            for key in state.docs[name].rels:
                if key not in all_after and key in state.rel_hashes:
                    delete_rels[key] = RelRecord(key[0], key[1], key[2], key[3])
        write_rels: dict[RelKey, RelRecord] = {}
        for rels in after_rels.values():
            for key, rel in rels.items():
                if state.rel_hashes.get(key) != rel_hash(rel):
                    if key in state.rel_hashes:
                        delete_rels[key] = rel
                    write_rels[key] = rel

        # The new state.
        for name in self.removed:
            del state.docs[name]
        for name in [*live, *others]:
            projected = self.projected[name]
            state.docs[name] = _DocState(
                graph=self.docs[name].graph,
                nodes=_ids(projected),
                rels={rel_key(r) for r in projected.projection.relationships},
                dangling=set(projected.dangling),
            )
        for node_id in gone:
            state.node_hashes.pop(node_id, None)
        for node in write_nodes:
            state.node_hashes[node.id] = node_hash(node)
        for key in delete_rels:
            state.rel_hashes.pop(key, None)
        endpoints = set(state.node_hashes)
        written = [
            r for k, r in sorted(write_rels.items()) if k[1] in endpoints and k[2] in endpoints
        ]
        for rel in written:
            state.rel_hashes[rel_key(rel)] = rel_hash(rel)
        return _Plan(
            delete_rels=[r for k, r in sorted(delete_rels.items()) if not (set(k[1:3]) & dropped)],
            delete_nodes=sorted(dropped),
            gone_nodes=gone,
            write=Projection(tuple(sorted(write_nodes, key=lambda n: n.id)), tuple(written)),
        )

    def merged_nodes(
        self, names: Sequence[str], owners: Mapping[str, set[str]]
    ) -> dict[str, NodeRecord]:
        """Node records of the given documents, each merged over every document defining it."""
        records: dict[str, NodeRecord] = {}
        shared: dict[frozenset[str], set[str]] = defaultdict(set)
        for name in names:
            for node in self.projected[name].projection.nodes:
                docs = owners.get(node.id, set())
                if len(docs) > 1:
                    shared[frozenset(docs)].add(node.id)
                else:
                    records[node.id] = node
        for group, ids in shared.items():
            triples = _chain(
                document_triples(self.store, self.docs[n].graph) for n in sorted(group)
            )
            merged = project_graph_detailed(triples, types=self.types).projection
            records.update({node.id: node for node in merged.nodes if node.id in ids})
        return records


def _chain(parts: Iterable[Iterable[ox.Triple]]) -> Iterator[ox.Triple]:
    for part in parts:
        yield from part


def _ids(projected: Projected) -> set[str]:
    return {node.id for node in projected.projection.nodes}


def _owners(nodes: Mapping[str, set[str]]) -> dict[str, set[str]]:
    owners: dict[str, set[str]] = defaultdict(set)
    for name, ids in nodes.items():
        for node_id in ids:
            owners[node_id].add(name)
    return owners


# -- check ---------------------------------------------------------------------------------------

SAMPLE_SIZE: Final = 50
SAMPLE_NODES: Final = """
MATCH (n:Entity) WHERE n.id IN $ids
RETURN n.id AS id, labels(n) AS labels, n.type AS type, n.earliest AS earliest
"""


def sample_ids(ids: Iterable[str], size: int = SAMPLE_SIZE) -> list[str]:
    """A deterministic sample: the ids with the smallest hashes."""
    return sorted(ids, key=lambda i: hashlib.sha1(i.encode(), usedforsecurity=False).digest())[
        :size
    ]


def expected_counts(projection: Projection) -> tuple[Counter[str], Counter[str]]:
    """(nodes per label, relationships per type) of a projection."""
    labels = Counter(label for node in projection.nodes for label in node.labels)
    types = Counter(rel.type for rel in projection.relationships)
    return labels, types


def check(
    store: Store, backend: SyncTarget, *, projection: Projection | None = None
) -> CheckReport:
    """Compare the engine with the projection of the store; `ok` when they agree."""
    expected = projection if projection is not None else project_store(store)
    labels, types = expected_counts(expected)
    actual_labels, actual_types = _engine_counts(backend.counts())
    report = CheckReport(
        backend=backend_name(backend),
        nodes=len(expected.nodes),
        relationships=len(expected.relationships),
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
    by_id = {node.id: node for node in expected.nodes}
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
    "STATE_VERSION",
    "CheckReport",
    "Drift",
    "SyncReport",
    "SyncTarget",
    "backend_name",
    "check",
    "expected_counts",
    "node_hash",
    "rel_hash",
    "sample_ids",
    "state_path",
    "sync",
]
