"""Incremental sync of the real store into the Cypher engines, and drift detection.

Runs against the real Oxigraph store and FalkorDB (embedded) and Neo4j (the fixtures of
`tests/integration/conftest_cypher.py`: skipped without NEO4J_URI outside CI, failing in CI); an
in-memory stand-in engine runs the same tests so that the sync logic is checked on its own too.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from graph import ingest
from graph.projection import project_store
from graph.records import NodeRecord, Projection, RelRecord
from graph.sync import SAMPLE_NODES
from graph.sync import check as check_engine
from graph.sync import sync as sync_engine
from graph.workspace import Workspace


def load(workspace: Workspace, paths: Sequence[Path]) -> None:
    ingest.load(workspace, list(paths))


def drop(workspace: Workspace, name: str) -> None:
    ingest.drop(workspace, name)


def sync(workspace: Workspace, backend: Any, *, full: bool = False) -> Any:
    return sync_engine(workspace.model, backend, full=full)


def check(workspace: Workspace, backend: Any) -> Any:
    return check_engine(workspace.model, backend)


def expected_counts(projection: Projection) -> tuple[Counter[str], Counter[str]]:
    """(nodes per label, relationships per type) of a projection."""
    labels = Counter(label for node in projection.nodes for label in node.labels)
    types = Counter(rel.type for rel in projection.relationships)
    return labels, types


ENTITIES = """
casegraph: 1
sources:
  - id: s1
    type: Report
    label: A fictional report
agents:
  - id: gov
    type: Government
    label: Government of Testland
    aliases: ["Testland government", {text: "Gobierno de Testlandia", lang: es}]
  - id: cartel
    type: CriminalOrganization
    label: "Cártel \\"de\\" Prueba"
  - id: analyst
    type: Person
    label: Ana Líztica
places:
  - id: testland
    type: Country
    label: Testland
  - id: test-city
    type: City
    label: Test City
    located_in: [testland]
    latitude: 10.5
"""

EVENTS = """
casegraph: 1
events:
  - id: ev-a
    type: MilitaryOperation
    label: Operation Test
    date: "2010-01-15"
    participants: [gov]
    targets: [cartel]
    places: [test-city]
    sources: [s1]
  - id: ev-b
    type: Arrest
    label: Arrest of the leader
    date: "2011-06~"
    part_of: [ev-a]
    sources: [s1]
  - id: ev-c
    type: ArmedConflict
    label: Factional fighting
    date: "2012-07/.."
    sources: [s1]
claims:
  - id: cl-1
    cause: ev-a
    effect: ev-b
    relation: causes
    asserted_by: [analyst]
    confidence: 0.8
    note: The operation led to the arrest.
    sources: [s1]
  - id: cl-2
    cause: ev-b
    effect: ev-c
    relation: contributes-to
    asserted_by: [analyst]
    stance: disputes
    confidence: 0.6
    note: The arrest set off the fighting.
    sources: [s1]
"""

EVENTS_CHANGED = """
casegraph: 1
events:
  - id: ev-a
    type: MilitaryOperation
    label: Operation Test (renamed)
    date: "2010-01-15"
    participants: [gov]
    places: [test-city]
    sources: [s1]
  - id: ev-b
    type: Arrest
    label: Arrest of the leader
    date: "2011-06~"
    part_of: [ev-a]
    sources: [s1]
  - id: ev-d
    type: Designation
    label: A designation
    date: "2013-02-03"
    targets: [cartel]
    sources: [s1]
claims:
  - id: cl-1
    cause: ev-a
    effect: ev-b
    relation: causes
    asserted_by: [analyst]
    confidence: 0.9
    note: The operation led to the arrest.
    sources: [s1]
  - id: cl-3
    cause: ev-b
    effect: ev-d
    relation: triggers
    asserted_by: [analyst, gov]
    confidence: 0.5
    note: The arrest prompted the designation.
    sources: [s1]
"""


# -- a stand-in engine -------------------------------------------------------------------------


class MemoryBackend:
    """An engine in a dict: MERGE-on-id nodes, relationships keyed like the real ones."""

    name = "memory"

    def __init__(self) -> None:
        self.nodes: dict[str, NodeRecord] = {}
        self.rels: dict[tuple[str, str, str, str], RelRecord] = {}
        self.writes = 0

    def ensure_schema(self) -> None:
        pass

    def write(self, projection: Projection) -> None:
        self.writes += 1
        for node in projection.nodes:
            old = self.nodes.get(node.id)
            labels = tuple(dict.fromkeys((*(old.labels if old else ()), *node.labels)))
            props = {**(old.properties if old else {}), **node.properties}
            self.nodes[node.id] = NodeRecord(node.id, labels, props)
        for rel in projection.relationships:
            if rel.source in self.nodes and rel.target in self.nodes:
                key = (rel.type, rel.source, rel.target, rel.key)
                old_rel = self.rels.get(key)
                props = {**(old_rel.properties if old_rel else {}), **rel.properties}
                self.rels[key] = RelRecord(rel.type, rel.source, rel.target, rel.key, props)

    def delete_nodes(self, ids: Sequence[str]) -> None:
        for node_id in ids:
            self.nodes.pop(node_id, None)
        self.rels = {
            k: r for k, r in self.rels.items() if r.source in self.nodes and r.target in self.nodes
        }

    def delete_relationships(self, rels: Sequence[RelRecord]) -> None:
        for rel in rels:
            self.rels.pop((rel.type, rel.source, rel.target, rel.key), None)

    def clear(self) -> None:
        self.nodes.clear()
        self.rels.clear()

    def counts(self) -> SimpleNamespace:
        labels = Counter(label for node in self.nodes.values() for label in node.labels)
        types = Counter(rel.type for rel in self.rels.values())
        return SimpleNamespace(labels=dict(labels), types=dict(types))

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        assert cypher == SAMPLE_NODES
        ids = (params or {})["ids"]
        return [
            {
                "id": node.id,
                "labels": list(node.labels),
                "type": node.properties.get("type"),
                "earliest": node.properties.get("earliest"),
            }
            for node_id, node in self.nodes.items()
            if node_id in ids
        ]


# -- helpers -----------------------------------------------------------------------------------


def engine_counts(backend: Any) -> tuple[dict[str, int], dict[str, int]]:
    counts = backend.counts()
    if isinstance(counts, tuple):
        return counts
    labels = getattr(counts, "labels", None) or getattr(counts, "nodes", {})
    types = getattr(counts, "types", None) or getattr(counts, "relationships", {})
    return dict(labels), dict(types)


def engine_ids(backend: Any, ids: Sequence[str]) -> set[str]:
    result = backend.query(SAMPLE_NODES, {"ids": list(ids)})
    rows = getattr(result, "rows", result)
    columns = getattr(result, "columns", None)
    found = set()
    for row in rows:
        if isinstance(row, Mapping):
            found.add(str(row["id"]))
        else:
            assert columns is not None
            found.add(str(dict(zip(columns, row, strict=False))["id"]))
    return found


def write_doc(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture(params=["memory", "falkordb", "neo4j"])
def backend(request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        return MemoryBackend()
    return request.getfixturevalue(f"{request.param}_backend")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Workspace]:
    opened = Workspace.open(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    write_doc(folder, "entities.yaml", ENTITIES)
    write_doc(folder, "events.yaml", EVENTS)
    return folder


# -- the tests ---------------------------------------------------------------------------------


def test_first_sync_writes_the_projection(store: Workspace, backend: Any, docs: Path) -> None:
    load(store, [docs / "entities.yaml", docs / "events.yaml"])
    report = sync(store, backend)
    assert report.full
    projection = project_store(store.store)
    assert report.nodes_written == len(projection.nodes)
    assert report.relationships_written == len(projection.relationships)
    labels, types = expected_counts(projection)
    assert engine_counts(backend) == (dict(labels), dict(types))
    assert types["CAUSES"] == 1
    assert types["CONTRIBUTES_TO"] == 1
    assert any(t.startswith("INTERVAL_") for t in types)
    result = check(store, backend)
    assert result.ok, result.drift
    assert result.sampled == len(projection.nodes)
    engine = (
        store.model.connection()
        .execute("SELECT version, state FROM engine WHERE name=?", (report.backend,))
        .fetchone()
    )
    assert engine == (store.store.version, "clean")


def test_sync_again_is_a_no_op(store: Workspace, backend: Any, docs: Path) -> None:
    load(store, [docs / "entities.yaml", docs / "events.yaml"])
    sync(store, backend)
    again = sync(store, backend)
    assert not again.full and not again.changed
    assert (again.nodes_written, again.relationships_written) == (0, 0)


def test_incremental_sync_follows_a_changed_document(
    store: Workspace, backend: Any, docs: Path
) -> None:
    load(store, [docs / "entities.yaml", docs / "events.yaml"])
    sync(store, backend)
    write_doc(docs, "events.yaml", EVENTS_CHANGED)
    load(store, [docs / "events.yaml"])
    report = sync(store, backend)
    assert not report.full
    assert report.nodes_deleted == 2  # ev-c and cl-2
    # The entities document's nodes were not rewritten, only the changed ones.
    assert report.nodes_written < len(project_store(store.store).nodes) - 5
    assert engine_ids(backend, ["ev-a", "ev-c", "ev-d", "cl-2", "cl-3", "gov"]) == {
        "ev-a",
        "ev-d",
        "cl-3",
        "gov",
    }
    result = check(store, backend)
    assert result.ok, result.drift
    incremental = engine_counts(backend)
    labels, types = expected_counts(project_store(store.store))
    assert incremental == (dict(labels), dict(types))
    assert "CONTRIBUTES_TO" not in incremental[1]
    assert incremental[1]["TRIGGERS"] == 1
    assert "TARGET" in incremental[1]  # ev-d -> cartel; ev-a lost its target

    full = sync(store, backend, full=True)
    assert full.full
    assert engine_counts(backend) == incremental
    assert check(store, backend).ok


def test_changed_node_loses_removed_properties(store: Workspace, docs: Path) -> None:
    backend = MemoryBackend()
    load(store, [docs / "entities.yaml", docs / "events.yaml"])
    sync(store, backend)
    assert "latitude" in backend.nodes["test-city"].properties
    write_doc(docs, "entities.yaml", ENTITIES.replace("    latitude: 10.5\n", ""))
    load(store, [docs / "entities.yaml"])
    sync(store, backend)
    assert "latitude" not in backend.nodes["test-city"].properties
    # Relationships of the unchanged events document onto the re-created node came back.
    assert ("PLACE", "ev-a", "test-city", "") in backend.rels
    assert check(store, backend).ok


def test_dropped_document(store: Workspace, backend: Any, docs: Path) -> None:
    write_doc(
        docs, "extra.yaml", "casegraph: 1\nphenomena:\n  - id: ph-1\n    label: Fragmentation\n"
    )
    load(store, [docs / "entities.yaml", docs / "events.yaml", docs / "extra.yaml"])
    sync(store, backend)
    assert engine_ids(backend, ["ph-1"]) == {"ph-1"}
    drop(store, "extra.yaml")
    report = sync(store, backend)
    assert report.nodes_deleted == 1
    assert engine_ids(backend, ["ph-1"]) == set()
    assert check(store, backend).ok


def test_check_reports_drift(store: Workspace, backend: Any, docs: Path) -> None:
    load(store, [docs / "entities.yaml", docs / "events.yaml"])
    sync(store, backend)
    assert check(store, backend).ok
    backend.delete_nodes(["ev-a"])
    result = check(store, backend)
    assert not result.ok
    whats = {(d.what, d.name) for d in result.drift}
    assert ("label", "MilitaryOperation") in whats
    assert ("node", "ev-a") in whats
    assert ("type", "PARTICIPANT") in whats
    sync(store, backend, full=True)
    assert check(store, backend).ok


def test_node_described_by_two_documents(store: Workspace, backend: Any, docs: Path) -> None:
    extra = docs / "extra.ttl"
    extra.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<https://w3id.org/casegraph/id/agent/gov> skos:altLabel "El Gobierno"@es .\n',
        encoding="utf-8",
    )
    load(store, [docs / "entities.yaml", docs / "events.yaml", extra])
    sync(store, backend)
    assert check(store, backend).ok
    (gov,) = [n for n in project_store(store.store).nodes if n.id == "gov"]
    assert "El Gobierno" in gov.properties["aliases"]
    if isinstance(backend, MemoryBackend):
        assert backend.nodes["gov"].properties["aliases"] == gov.properties["aliases"]
    drop(store, "extra.ttl")
    report = sync(store, backend)
    assert report.nodes_deleted == 0
    assert engine_ids(backend, ["gov"]) == {"gov"}
    assert check(store, backend).ok
    if isinstance(backend, MemoryBackend):
        assert "El Gobierno" not in backend.nodes["gov"].properties["aliases"]
        assert ("PARTICIPANT", "ev-a", "gov", "") in backend.rels
