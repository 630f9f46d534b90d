"""The read model and the derived statements, kept up incrementally, against a full rebuild.

A Hypothesis test loads, drops and reloads documents (in versions that move events, change
dates, add and remove claims, links and case memberships) in random orders, and after each
sequence checks that (1) the read model equals one rebuilt from the store, and (2) the store and
the read model equal those of a fresh data directory into which the final documents were loaded
in one go — so incremental derivation (class closure, causal edges, temporal relations) is
exactly what a full derivation gives.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import hypothesis.strategies as st
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings

from graph import ingest, pipeline
from graph.pipeline import GraphChange
from graph.readmodel import audit, temporal, update
from graph.store import META, ONTOLOGY_GRAPH, Dataset
from graph.workspace import Workspace, staleness
from ontology.errors import Conflict, LoadError, NotFound

pytestmark = pytest.mark.timeout(900)

BASE = """
casegraph: 1
cases:
  - id: rm-case
    label: Read-model case
sources:
  - id: rm-source
    type: Report
    label: A fictional source
agents:
  - id: rm-agent
    type: Person
    label: Ana Prueba
phenomena:
  - id: rm-effect
    label: A fictional effect
"""

EVENTS_A = """
casegraph: 1
events:
  - id: rm-a1
    type: MilitaryOperation
    label: Operation One
    date: "{a1}"
    participants: [rm-agent]
    sources: [rm-source]
    cases: [rm-case]
  - id: rm-a2
    type: Arrest
    label: An arrest
    date: "{a2}"
    part_of: [rm-a1]
    sources: [rm-source]
    cases: [{a2case}]
"""

EVENTS_B = """
casegraph: 1
events:
  - id: rm-b1
    type: Strike
    label: A strike
    date: "{b1}"
    sources: [rm-source]
    cases: [rm-case]
"""

CLAIMS = """
casegraph: 1
claims:
  - id: rm-claim
    cause: {cause}
    effect: rm-effect
    relation: {relation}
    asserted_by: [rm-agent]
    sources: [rm-source]
    confidence: 0.7
    note: A fictional claim.
  - id: rm-claim-2
    cause: rm-a1
    effect: rm-b1
    relation: triggers
    asserted_by: [rm-agent]
    sources: [rm-source]
    confidence: 0.5
    note: Another fictional claim.
links:
  - id: rm-link
    relation: precedes
    chain: [rm-a1, rm-b1]
    basis: [rm-source]
"""

VERSIONS: dict[str, list[str]] = {
    "base.yaml": [BASE, BASE.replace("Ana Prueba", "Ana Prueba Dos")],
    "events-a.yaml": [
        EVENTS_A.format(a1="2010-01-15", a2="2010-03", a2case="rm-case"),
        EVENTS_A.format(a1="2011-05~", a2="2010-01-10/2010-02", a2case="rm-case"),
        EVENTS_A.format(a1="2012", a2="2012-06-01?", a2case="rm-case").replace(
            "    cases: [rm-case]\n  - id: rm-a2", "  - id: rm-a2"
        ),
    ],
    "events-b.yaml": [
        EVENTS_B.format(b1="2010-02-01"),
        EVENTS_B.format(b1="2009-12-01"),
        EVENTS_B.format(b1="2009-12~"),
    ],
    "claims.yaml": [
        CLAIMS.format(cause="rm-a2", relation="causes"),
        CLAIMS.format(cause="rm-a1", relation="contributes-to"),
    ],
}

operation = st.tuples(
    st.sampled_from(["load", "load", "drop"]),
    st.sampled_from(sorted(VERSIONS)),
    st.integers(min_value=0, max_value=2),
)


def write_version(folder: Path, name: str, index: int) -> Path:
    versions = VERSIONS[name]
    path = folder / name
    path.write_text(versions[index % len(versions)], encoding="utf-8")
    return path


def user_content(store: Dataset) -> set[str]:
    """Every quad but the registry's (times and revisions) and the ontology's (fixed)."""
    skip = {META, ox.NamedNode(ONTOLOGY_GRAPH)}
    return {str(q) for q in store.quads() if q.graph_name not in skip}


def assert_agrees_with_rebuild(workspace: Workspace, scratch: Path) -> None:
    assert not staleness(workspace.store, workspace.model)
    rebuilt = audit.rebuild(workspace.store, scratch / "rebuilt.sqlite3")
    try:
        with workspace.model.read() as mine, rebuilt.read() as theirs:
            problems = list(audit.differences(audit.contents(mine), audit.contents(theirs)))
    finally:
        rebuilt.close()
    assert not problems, problems


@contextlib.contextmanager
def workspace_in(folder: Path) -> Iterator[Workspace]:
    opened = Workspace.open(folder)
    try:
        yield opened
    finally:
        opened.close()


@settings(max_examples=12, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(operation, min_size=2, max_size=7))
def test_incremental_equals_rebuild(operations: list[tuple[str, str, int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = root / "files"
        files.mkdir()
        final: dict[str, int] = {}
        with workspace_in(root / "data") as workspace:
            for verb, name, index in operations:
                try:
                    if verb == "load":
                        path = write_version(files, name, index)
                        ingest.load(workspace, [path], force=True, validate=False)
                        final[name] = index
                    else:
                        ingest.drop(workspace, name, force=True)
                        final.pop(name, None)
                except (LoadError, NotFound, Conflict):
                    continue  # a reference to a document not loaded, or nothing to drop
            assert_agrees_with_rebuild(workspace, root)
            incremental = user_content(workspace.store)
            with workspace.model.read() as conn:
                incremental_model = audit.contents(conn)
            documents = [
                (doc, list(workspace.store.graph_triples(doc.graph)))
                for doc in workspace.store.documents()
                if doc.kind == "doc"
            ]
        # A fresh data directory given the same documents in one write derives the same.
        with workspace_in(root / "fresh") as fresh:
            with pipeline.session(fresh, "the final documents at once") as session:
                for doc, triples in documents:
                    session.replace(
                        GraphChange(
                            doc.name, doc.graph, "doc", doc.loader, doc.sha256, doc.source, triples
                        )
                    )
            assert user_content(fresh.store) == incremental
            with fresh.model.read() as conn:
                problems = list(audit.differences(audit.contents(conn), incremental_model))
            assert not problems, problems


def test_temporal_relations_follow_a_moved_event(tmp_path: Path) -> None:
    """A date change in one document re-derives the relations with events of another."""
    files = tmp_path / "files"
    files.mkdir()
    with workspace_in(tmp_path / "data") as workspace:
        for name in ("base.yaml", "events-a.yaml", "events-b.yaml", "claims.yaml"):
            ingest.load(workspace, [write_version(files, name, 0)])

        def before(a: str, b: str) -> bool:
            result = workspace.store.query(f"ASK {{ event:{a} time:intervalBefore event:{b} }}")
            assert isinstance(result, ox.QueryBoolean)
            return bool(result)

        assert before("rm-a1", "rm-b1")
        ingest.load(workspace, [write_version(files, "events-b.yaml", 1)])  # b1 moves to 2009
        assert not before("rm-a1", "rm-b1")
        assert before("rm-b1", "rm-a1")
        assert_agrees_with_rebuild(workspace, tmp_path)


def test_a_recompute_past_its_subject_budget_reads_them_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no subject kept between the two passes of a recompute (as when a load touches
    more than `KEEP_SUBJECTS`), every row is still rebuilt: the same as a full rebuild."""
    monkeypatch.setattr(update, "KEEP_SUBJECTS", 0)
    files = tmp_path / "files"
    files.mkdir()
    with workspace_in(tmp_path / "data") as workspace:
        for name in ("base.yaml", "events-a.yaml", "events-b.yaml", "claims.yaml"):
            ingest.load(workspace, [write_version(files, name, 0)])
        ingest.load(workspace, [write_version(files, "events-b.yaml", 1)])
        ingest.drop(workspace, "events-a.yaml", force=True)
        assert_agrees_with_rebuild(workspace, tmp_path)


def test_missing_read_model_is_rebuilt_at_open(tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    with workspace_in(tmp_path / "data") as workspace:
        ingest.load(workspace, [write_version(files, n, 0) for n in ("base.yaml", "events-a.yaml")])
        with workspace.model.read() as conn:
            before = audit.contents(conn)
    (tmp_path / "data" / "readmodel.sqlite3").unlink()
    for leftover in (tmp_path / "data").glob("readmodel.sqlite3-*"):
        leftover.unlink()
    with workspace_in(tmp_path / "data") as workspace:
        with workspace.model.read() as conn:
            after = audit.contents(conn)
        assert not list(audit.differences(before, after))
        assert_agrees_with_rebuild(workspace, tmp_path)


def test_derive_full_repairs_derived_and_temporal_graphs(tmp_path: Path) -> None:
    """`derive --full` puts back derived and temporal statements that went missing or were
    added by hand, writes nothing when all is right, and leaves the read model agreeing."""
    files = tmp_path / "files"
    files.mkdir()
    names = ("base.yaml", "events-a.yaml", "events-b.yaml", "claims.yaml")
    with workspace_in(tmp_path / "data") as workspace:
        ingest.load(workspace, [write_version(files, n, 0) for n in names])
        right = user_content(workspace.store)
        derived = [d.graph for d in workspace.store.documents() if d.kind == "derived"]
        assert derived
        temporal = ox.NamedNode(pipeline.TEMPORAL_GRAPH)
        lost = [
            next(q for q in workspace.store.graph_quads(derived[0])),
            next(q for q in workspace.store.graph_quads(pipeline.TEMPORAL_GRAPH)),
        ]
        bogus = ox.Quad(
            ox.NamedNode("https://w3id.org/casegraph/id/event/rm-a1"),
            ox.NamedNode("http://www.w3.org/2006/time#intervalAfter"),
            ox.NamedNode("https://w3id.org/casegraph/id/event/rm-b1"),
            temporal,
        )
        with workspace.store.write("damage, as a crash or a hand edit could") as writer:
            writer.remove(lost)
            writer.add([bogus])
        assert user_content(workspace.store) != right
        with pipeline.session(workspace, "derive --full") as session:
            pipeline.rederive_all(session)
            pipeline.rebuild_temporal(session)
        assert user_content(workspace.store) == right
        assert_agrees_with_rebuild(workspace, tmp_path)
        version = workspace.store.version
        with pipeline.session(workspace, "derive --full again") as session:
            pipeline.rederive_all(session)
            pipeline.rebuild_temporal(session)
        assert user_content(workspace.store) == right
        with workspace.model.read() as conn:
            changed = conn.execute(
                "SELECT count(*) FROM pg_change WHERE version > ?", (version,)
            ).fetchone()[0]
        assert changed == 0


def test_bulk_path_in_batches_agrees_with_the_whole_graph_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk path takes a graph in batch by batch (subjects whole, derived statements of
    one subject from several batches adding up); loaded, reloaded changed, it ends where the
    in-memory path and a rebuild from the store end."""
    from benchmarks.generate import write

    full = tmp_path / "synthetic.nt"
    write(full, 3000, seed=7)
    lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = tmp_path / "changed" / "synthetic.nt"
    changed.parent.mkdir()
    changed.write_text("".join(lines[: len(lines) * 2 // 3]), encoding="utf-8")
    monkeypatch.setattr(pipeline, "_BATCH", 97)
    with workspace_in(tmp_path / "bulk") as workspace:
        ingest.load(workspace, [full], validate=False)
        assert_agrees_with_rebuild(workspace, full.parent)
        ingest.load(workspace, [changed], validate=False, force=True)
        assert_agrees_with_rebuild(workspace, changed.parent)
        bulk = user_content(workspace.store)
        with workspace.model.read() as conn:
            bulk_model = audit.contents(conn)
    with workspace_in(tmp_path / "whole") as workspace:
        triples = list(ox.parse(path=str(changed), format=ox.RdfFormat.N_TRIPLES))
        with pipeline.session(workspace, "the same statements in memory") as session:
            session.replace(
                GraphChange(
                    "synthetic.nt", ingest.doc_graph("synthetic.nt"), "doc", "rdf", "x", "", triples
                )
            )
        assert user_content(workspace.store) == bulk
        with workspace.model.read() as conn:
            assert not list(audit.differences(audit.contents(conn), bulk_model))


def test_temporal_relations_recomputed_in_parts_end_where_one_part_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bulk load recomputes its temporal scopes part by part (so that its delta is never
    held whole); with one case or one pair per part, a load and a changed reload end with the
    same store and read model as with the default parts, and agree with a rebuild."""
    from benchmarks.generate import write

    full = tmp_path / "synthetic.nt"
    write(full, 3000, seed=11)
    lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = tmp_path / "changed" / "synthetic.nt"
    changed.parent.mkdir()
    changed.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    ends = []
    for part_size in (None, 1):
        if part_size is not None:
            monkeypatch.setattr(temporal, "_PART_CASES", part_size)
            monkeypatch.setattr(temporal, "_PART_PAIRS", part_size)
        folder = tmp_path / f"parts-{part_size}"
        with workspace_in(folder) as workspace:
            ingest.load(workspace, [full], validate=False)
            ingest.load(workspace, [changed], validate=False, force=True)
            assert_agrees_with_rebuild(workspace, folder)
            with workspace.model.read() as conn:
                relations = conn.execute("SELECT count(*) FROM temporal").fetchone()[0]
                ends.append((user_content(workspace.store), audit.contents(conn)))
        assert relations > 0
    (store_a, model_a), (store_b, model_b) = ends
    assert store_a == store_b
    assert not list(audit.differences(model_a, model_b))


def test_a_pair_no_claim_states_any_more_loses_its_relations(tmp_path: Path) -> None:
    """Two dated events in no case, related only because a claim links them: when the claim
    goes, so do their temporal relations (the pair was recomputed from the scopes as they
    were before the change, and its relations came back)."""
    events = """
casegraph: 1
events:
  - id: rm-x1
    type: Strike
    label: First strike
    date: "2010-01-01"
    sources: [rm-source]
  - id: rm-x2
    type: Strike
    label: Second strike
    date: "2011-01-01"
    sources: [rm-source]
"""
    claim = """
casegraph: 1
claims:
  - id: rm-x-claim
    cause: rm-x1
    effect: {effect}
    relation: triggers
    asserted_by: [rm-agent]
    sources: [rm-source]
    confidence: 0.5
    note: A fictional claim.
"""
    files = tmp_path / "files"
    files.mkdir()
    (files / "events-x.yaml").write_text(events, encoding="utf-8")
    with workspace_in(tmp_path / "data") as workspace:
        ingest.load(workspace, [write_version(files, "base.yaml", 0), files / "events-x.yaml"])

        def related() -> bool:
            result = workspace.store.query("ASK { event:rm-x1 time:intervalBefore event:rm-x2 }")
            assert isinstance(result, ox.QueryBoolean)
            return bool(result)

        (files / "x-claims.yaml").write_text(claim.format(effect="rm-x2"), encoding="utf-8")
        ingest.load(workspace, [files / "x-claims.yaml"])
        assert related()
        (files / "x-claims.yaml").write_text(claim.format(effect="rm-effect"), encoding="utf-8")
        ingest.load(workspace, [files / "x-claims.yaml"])
        assert not related()
        assert_agrees_with_rebuild(workspace, tmp_path)


def test_the_events_window_answers_the_same_without_its_index(tmp_path: Path) -> None:
    """A window is joined through `entity_event_order`; a read model made before that index
    and opened read-only (no schema run) answers the same events, in the same order."""
    import datetime as dt

    from graph.readmodel import lists
    from graph.readmodel.db import ReadModel
    from graph.readmodel.read import Reader

    files = tmp_path / "files"
    files.mkdir()
    with workspace_in(tmp_path / "data") as workspace:
        for name in ("base.yaml", "events-a.yaml", "events-b.yaml"):
            ingest.load(workspace, [write_version(files, name, 0)])
        path = workspace.model.path

    def window() -> list[int]:
        model = ReadModel(path, read_only=True)
        try:
            with model.read() as conn:
                return lists.events(
                    Reader(conn), start=dt.date(1900, 1, 1), end=dt.date(2100, 1, 1),
                    case=None, type_name=None, actor=None, place=None,
                )  # fmt: skip
        finally:
            model.close()

    indexed = window()
    assert indexed
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("DROP INDEX entity_event_order")
        conn.commit()
    assert window() == indexed


def test_an_in_memory_workspace_removes_its_read_model_folder_on_close() -> None:
    """`casegraph validate` without a data folder opens one; runs left folders in the temp dir."""
    workspace = Workspace.open(None)
    scratch = workspace.model.path.parent
    assert scratch.is_dir() and scratch.name.startswith("casegraph-readmodel-")
    workspace.close()
    assert not scratch.exists()
