"""One write, through every layer: graphs replaced or dropped in the store, what they derive,
the read model, the temporal relations, the registry — all committed together or not at all.

    with pipeline.session(workspace, "load mexico.yaml") as session:
        session.replace(GraphChange(...))      # any number of graphs
        session.settle()                       # optional: see the result before more changes
        session.drop("old.yaml")

Inside, `Store.write` holds the journal and `ReadModel.write` one SQLite transaction. Changes
are taken in by `settle` (also run at the end): each changed graph's derived graph is
recomputed from its statements, both are taken into the read model, and the temporal
relations of the cases and pairs the touched subjects take part in (before and after) are
recomputed and applied to `cgg:temporal` as a delta. On any error the read model rolls back
and the store is restored to the last published version.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph import faults
from graph.derive import DERIVATION_VERSION, Closure, Deriver, derive, ontology_closure
from graph.readmodel import temporal
from graph.readmodel.facts import Facts, group
from graph.readmodel.update import Touched, Updater
from graph.store import (
    ONTOLOGY_GRAPH,
    TEMPORAL_GRAPH,
    Change,
    DocumentGraph,
    Writer,
    derived_graph,
)
from loaders.literals import check_literals
from ontology.paths import ONTOLOGY_PATH

if TYPE_CHECKING:
    from graph.workspace import Workspace

ONTOLOGY_NAME = "ontology"
TEMPORAL_NAME = "temporal"
_BATCH = 50_000
"""Statements taken in at a time on the bulk path (whole subjects: a batch ends between two)."""


@dataclass(slots=True)
class GraphChange:
    """A graph's new content (or its removal) and where it came from."""

    name: str
    graph: str
    kind: str
    loader: str
    sha256: str
    source: str = ""
    triples: Sequence[ox.Triple] | None = None
    bulk_file: tuple[Path, ox.RdfFormat] | None = None


@dataclass(slots=True)
class _Pending:
    graph: str
    facts: Facts
    derived: str
    derived_facts: Facts


@dataclass(slots=True)
class Session:
    """A write under way (see the module doc)."""

    writer: Writer
    updater: Updater
    closure: Closure
    changes: list[Change] = field(default_factory=list)
    touched: Touched = field(default_factory=Touched)
    _pending: list[_Pending] = field(default_factory=list)
    _planned: set[str] = field(default_factory=set)
    _temporal_count: int = 0
    _before: temporal.Scopes = field(default_factory=temporal.Scopes)
    """Scopes of what the bulk path took in, as they were before it."""
    _streamed: set[str] = field(default_factory=set)
    """Subjects the bulk path took in (their temporal scopes are recomputed at `settle`)."""

    @property
    def conn(self):  # type: ignore[no-untyped-def]
        return self.updater.conn

    def replace(self, change: GraphChange, *, force: bool = False) -> Change:
        """Write a graph's new content (unless it is the same bytes from the same loader)."""
        previous = self.writer.document(change.name)
        if (
            not force
            and previous is not None
            and previous.sha256 == change.sha256
            and previous.loader == change.loader
        ):
            result = Change(change.name, previous.graph, 0, 0, unchanged=True)
            self.changes.append(result)
            return result
        self._plan(change.graph)
        self._plan(derived_graph(change.graph))
        removed = previous.triples if previous is not None else 0
        if previous is not None and previous.graph != change.graph:
            self._drop_graphs(previous)
        where = str(change.bulk_file[0]) if change.bulk_file else change.source or change.name
        derived_iri = derived_graph(change.graph)
        if change.bulk_file is not None:
            count, derived_count = self._replace_bulk(change, where)
        else:
            triples = list(dict.fromkeys(change.triples or ()))
            check_literals(triples, file=where)
            self.writer.replace_graph(change.graph, triples=triples)
            count = len(triples)
            derived = derive(triples, self.closure)
            self.writer.replace_graph(derived_iri, triples=derived)
            derived_count = len(derived)
            self._pending.append(
                _Pending(change.graph, group(triples), derived_iri, group(derived))
            )
        self.writer.register(
            DocumentGraph(
                name=change.name,
                graph=change.graph,
                kind=change.kind,
                loader=change.loader,
                sha256=change.sha256,
                source=change.source,
                loaded_at="",
                triples=count,
                derived=derived_iri,
            )
        )
        self.writer.register(
            DocumentGraph(
                name=f"derived:{change.name}",
                graph=derived_iri,
                kind="derived",
                loader="derive",
                sha256=DERIVATION_VERSION,
                source=change.graph,
                loaded_at="",
                triples=derived_count,
            )
        )
        result = Change(change.name, change.graph, count, removed, unchanged=False)
        self.changes.append(result)
        return result

    def _replace_bulk(self, change: GraphChange, where: str) -> tuple[int, int]:
        """Bulk-load a file into its graph, then take the graph in batch by batch (the store
        gives a graph's statements subject by subject), so that memory stays flat whatever
        the file's size; (statements, derived statements)."""
        assert change.bulk_file is not None
        graph, derived_iri = change.graph, derived_graph(change.graph)
        old = set(self.updater.subjects_of(graph))
        old_derived = set(self.updater.subjects_of(derived_iri))
        self._before |= temporal.scopes_of(self.updater.conn, old | old_derived)
        self.writer.replace_graph(graph, bulk_file=change.bulk_file)
        self.writer.clear_graph(derived_iri)
        self.updater.put(derived_iri, {iri: [] for iri in old_derived}, complete=False)
        deriver = Deriver(self.closure)
        seen: set[str] = set()
        count = 0
        for batch in _by_subject(self.writer.store.graph_quads(graph), _BATCH):
            check_literals(batch, file=where)
            count += len(batch)
            self._take_in(graph, batch, derived_iri, deriver.feed(batch), seen)
        self._take_in(graph, [], derived_iri, deriver.finish(), seen)
        self.updater.put(graph, {iri: [] for iri in old - seen}, complete=False)
        self._absorb(self.updater.recompute())
        return count, self.writer.count(derived_iri)

    def _take_in(
        self,
        graph: str,
        batch: Sequence[ox.Quad],
        derived_iri: str,
        derived: set[ox.Triple],
        seen: set[str],
    ) -> None:
        term = ox.NamedNode(derived_iri)
        self.writer.add(ox.Quad(t.subject, t.predicate, t.object, term) for t in derived)
        facts = group(batch)
        seen.update(facts)
        self.updater.put(graph, facts, complete=False)
        # A subject's derived statements may come from several batches (a claim's edge is
        # a statement about its cause): they add up.
        self.updater.put(derived_iri, group(derived), complete=False, merge=True)
        self._absorb(self.updater.recompute())

    def _absorb(self, touched: Touched) -> None:
        self._streamed |= touched.iris
        self.touched.subjects |= touched.subjects
        self.touched.iris |= touched.iris

    def drop(self, name: str) -> Change:
        """Remove a registered graph and what it derives."""
        previous = self.writer.document(name)
        if previous is None:
            self.writer.unregister(name)  # raises NotFound
            raise AssertionError("unreachable")
        self._plan(previous.graph)
        self._drop_graphs(previous)
        result = Change(name, previous.graph, 0, previous.triples, unchanged=False)
        self.changes.append(result)
        return result

    def _drop_graphs(self, doc: DocumentGraph) -> None:
        self.writer.clear_graph(doc.graph)
        self.writer.unregister(doc.name)
        derived_iri = doc.derived or derived_graph(doc.graph)
        self.writer.clear_graph(derived_iri)
        if self.writer.document(f"derived:{doc.name}") is not None:
            self.writer.unregister(f"derived:{doc.name}")
        self._plan(derived_iri)
        self._pending.append(_Pending(doc.graph, {}, derived_iri, {}))

    def _plan(self, graph: str) -> None:
        for iri in self.updater.subjects_of(graph):
            self._planned.add(iri)

    def settle(self) -> Touched:
        """Take the pending changes into the read model and the temporal relations."""
        if not self._pending and not self._streamed:
            return Touched()
        planned = set(self._planned)
        for item in self._pending:
            planned |= item.facts.keys() | item.derived_facts.keys()
        conn = self.updater.conn
        before = temporal.scopes_of(conn, planned)
        before |= self._before
        for item in self._pending:
            self.updater.put(item.graph, item.facts, complete=True)
            self.updater.put(item.derived, item.derived_facts, complete=True)
        self._pending, self._planned = [], set()
        touched = self.updater.recompute()
        scopes = before
        scopes |= temporal.scopes_of(conn, touched.iris | self._streamed)
        self._before, self._streamed = temporal.Scopes(), set()
        for part in scopes.parts():
            self.apply_temporal(temporal.recompute(conn, part))
        self.touched.subjects |= touched.subjects
        self.touched.iris |= touched.iris
        return touched

    def apply_temporal(self, delta: temporal.Delta, *, rewrite: bool = False) -> None:
        """Apply a temporal delta to the store and the read model (`rewrite`: the delta is the
        whole temporal graph)."""
        graph = ox.NamedNode(TEMPORAL_GRAPH)
        if rewrite:
            # The delta is the whole graph: write only where the store differs from it.
            self.writer.sync_graph(TEMPORAL_GRAPH, delta.add)
            self._temporal_count = 0
        elif not (delta.add or delta.remove or delta.facts):
            return
        else:
            self.writer.remove(
                ox.Quad(t.subject, t.predicate, t.object, graph) for t in delta.remove
            )
            self.writer.add(ox.Quad(t.subject, t.predicate, t.object, graph) for t in delta.add)
        current = self.writer.document(TEMPORAL_NAME)
        base = self._temporal_count if rewrite else (current.triples if current else 0)
        count = base + len(delta.add) - len(delta.remove)
        self.writer.register(
            DocumentGraph(
                name=TEMPORAL_NAME,
                graph=TEMPORAL_GRAPH,
                kind="temporal",
                loader="derive",
                sha256=DERIVATION_VERSION,
                source="",
                loaded_at="",
                triples=count,
            )
        )
        self.updater.put(TEMPORAL_GRAPH, delta.facts, complete=rewrite)
        touched = self.updater.recompute()
        self.touched.subjects |= touched.subjects
        self.touched.iris |= touched.iris

    def record_graphs(self) -> None:
        """The read model's copy of the registry revisions, for every graph this write changed."""
        conn = self.updater.conn
        current = {doc.graph: doc for doc in self.writer.documents()}
        known = {iri for (iri,) in conn.execute("SELECT iri FROM graph")}
        for iri in known - current.keys():
            conn.execute("DELETE FROM graph WHERE iri=?", (iri,))
        conn.executemany(
            "INSERT INTO graph (iri, name, kind, revision) VALUES (?,?,?,?) ON CONFLICT(iri) "
            "DO UPDATE SET name=excluded.name, kind=excluded.kind, revision=excluded.revision",
            [(iri, doc.name, doc.kind, doc.revision) for iri, doc in sorted(current.items())],
        )


def _by_subject(quads: Iterator[ox.Quad], size: int) -> Iterator[list[ox.Quad]]:
    """Batches of about `size` statements that never split a subject's statements (the
    store gives a graph's statements grouped by subject)."""
    batch: list[ox.Quad] = []
    for quad in quads:
        if len(batch) >= size and quad.subject != batch[-1].subject:
            yield batch
            batch = []
        batch.append(quad)
    if batch:
        yield batch


def ensure_ontology(session: Session) -> bool:
    """Load (or refresh) the ontology graph; True when it changed (derivations then differ)."""
    from loaders.base import sha256_file

    sha = sha256_file(ONTOLOGY_PATH)
    current = session.writer.document(ONTOLOGY_NAME)
    if current is not None and current.sha256 == sha:
        return False
    count = session.writer.replace_graph(
        ONTOLOGY_GRAPH, bulk_file=(ONTOLOGY_PATH, ox.RdfFormat.TURTLE)
    )
    session.writer.register(
        DocumentGraph(
            name=ONTOLOGY_NAME,
            graph=ONTOLOGY_GRAPH,
            kind="ontology",
            loader="ontology",
            sha256=sha,
            source=ONTOLOGY_PATH.as_uri(),
            loaded_at="",
            triples=count,
        )
    )
    session.closure = ontology_closure(session.writer.store)
    return True


@contextlib.contextmanager
def session(workspace: Workspace, what: str) -> Iterator[Session]:
    """A write through every layer (see the module doc)."""
    store, model = workspace.store, workspace.model
    with store.write(what) as writer:
        with model.write(writer.version) as updater:
            current = Session(writer, updater, ontology_closure(store))
            if ensure_ontology(current):
                rederive_all(current)
            yield current
            current.settle()
            current.record_graphs()
            faults.point("store-written")
        faults.point("readmodel-committed")
    workspace.published(store.version or 0)


def rederive_all(session: Session) -> None:
    """Recompute every graph's derived graph (the ontology changed, or `derive --full`)."""
    store = session.writer.store
    for doc in session.writer.documents():
        if doc.kind not in {"doc", "api"}:
            continue
        derived = derive(store.graph_quads(doc.graph), session.closure)
        derived_iri = doc.derived or derived_graph(doc.graph)
        session.writer.sync_graph(derived_iri, derived)
        session.writer.register(
            DocumentGraph(
                name=f"derived:{doc.name}",
                graph=derived_iri,
                kind="derived",
                loader="derive",
                sha256=DERIVATION_VERSION,
                source=doc.graph,
                loaded_at="",
                triples=len(derived),
            )
        )
        session.updater.put(derived_iri, group(derived), complete=True)
    session.updater.recompute()


def rebuild_temporal(session: Session) -> None:
    """Recompute every temporal relation and rewrite the temporal graph with them."""
    conn = session.updater.conn
    scopes = temporal.all_scopes(conn)
    conn.execute("DELETE FROM temporal")
    for part in scopes.parts():
        temporal.recompute(conn, part)
    session.apply_temporal(temporal.everything(conn), rewrite=True)


__all__ = [
    "ONTOLOGY_NAME",
    "TEMPORAL_NAME",
    "GraphChange",
    "Session",
    "ensure_ontology",
    "rebuild_temporal",
    "rederive_all",
    "session",
]
