"""The primary store of a data directory: writes at bulk speed, published as snapshots.

Queries see the union of every graph (`graph.dataset`); the graphs keep the names their writers
gave them (docs/store.md). The registry (`cgg:meta`) lists every graph with its name, kind,
loader, content hash, source, size and a *revision* that grows with each change, and the store's
*version*, which grows with each write; the read model (`graph.readmodel`) records the revisions
it has seen, so it can tell what it missed.

Atomicity is not Oxigraph's here: writes go to the primary at bulk speed, and readers query the
published snapshot of the last completed write (`graph.snapshots`). `Store.write()` brackets a
write with the journal, publishes it at the end, and undoes it (restores the snapshot) when it
fails or is killed half-way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import cast
from urllib.parse import quote

import pyoxigraph as ox

from graph import faults, snapshots
from graph.dataset import (
    DEFAULT_NAME,
    DEFAULT_SUBJECT,
    META,
    ONTOLOGY_GRAPH,
    SYSTEM_KINDS,
    TEMPORAL_GRAPH,
    Change,
    Dataset,
    DocumentGraph,
    derived_graph,
    doc_graph,
    graph_term,
    name_of_doc_graph,
)
from graph.queries import sparql
from graph.snapshots import Layout
from ontology.errors import BackendUnavailable, LoadError, NotFound, QueryError, StoreLocked
from ontology.namespaces import CG, PREFIXES, PROV, RDF, XSD

REGISTRY_FORMAT = "2"
"""Bump when the layout of graphs changes; an older store is refused with a message."""
_STORE_VERSION = ox.NamedNode(f"{CG}storeVersion")
_REGISTRY_FORMAT = ox.NamedNode(f"{CG}registryFormat")
_DOCUMENT_NAME = ox.NamedNode(f"{CG}documentName")


class Store(Dataset):
    """The primary store of a data directory (or an in-memory one when `path` is None).

    `read_only=True` opens the last published snapshot instead, which needs no lock and may be
    opened while another process writes.
    """

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.layout = Layout(path) if path is not None else None
        self.restored: int | None = None
        """The version restored at open after an interrupted write, if any."""
        self._failed = False
        if self.layout is not None and read_only:
            if snapshots.current_version(self.layout) is None and path is not None:
                raise BackendUnavailable(f"no store at {path}: load something first")
            version, store = snapshots.open_snapshot(self.layout)
            super().__init__(store, version)
            self._check_format()
            return
        super().__init__(self._open(), None)
        if self.layout is not None and snapshots.journal(self.layout) is not None:
            self.recover()
        self.version = self._stored_version()
        self._check_format()
        if self.layout is not None and snapshots.current_version(self.layout) is None:
            self._initialise()

    def _open(self) -> ox.Store:
        if self.path is None:
            return ox.Store()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            return ox.Store(str(self.path))
        except OSError as e:
            message = str(e)
            if "lock" in message.lower():
                raise StoreLocked(
                    f"the store at {self.path} is open for writing by another process "
                    f"(stop `casegraph serve` or use its API to write): {message}"
                ) from e
            raise BackendUnavailable(f"cannot open the store at {self.path}: {message}") from e

    def _initialise(self) -> None:
        """A new store: record the registry format and publish version 0."""
        self._store.extend(
            [
                ox.Quad(
                    META, ox.NamedNode(f"{CG}registryFormat"), ox.Literal(REGISTRY_FORMAT), META
                ),
                ox.Quad(META, _STORE_VERSION, _integer(0), META),
            ]
        )
        self._store.flush()
        self.version = 0
        assert self.layout is not None
        snapshots.publish(self.layout, self._store, 0)

    def _state(self) -> ox.QuerySolution:
        """The row of `store_state.rq`: the store's version and registry format."""
        rows = self._store.query(sparql("store_state"), prefixes=PREFIXES)
        row: ox.QuerySolution = next(iter(cast(ox.QuerySolutions, rows)))
        return row

    def _stored_version(self) -> int:
        row = self._state()
        return int(row["version"].value) if row["version"] is not None else 0

    def _check_format(self) -> None:
        row = self._state()
        found = row["format"].value if row["format"] is not None else None
        legacy = any(True for _ in self._store.quads_for_pattern(None, None, None, META))
        if found != REGISTRY_FORMAT and (found is not None or legacy):
            raise BackendUnavailable(
                f"the store at {self.path} was written by an older casegraph (registry format "
                f"{found or 1}, this one reads {REGISTRY_FORMAT}); move the folder away and load "
                "your documents again"
            )

    # -- crash recovery -------------------------------------------------------------------------

    def recover(self) -> int | None:
        """Undo an interrupted write: the primary becomes the current snapshot again.

        The primary must be closed for that, so every reference to it must be gone: a failed
        write therefore leaves the store marked failed, and the next write (or the next open,
        in another process) recovers it, once the failure's traceback has been let go.
        """
        assert self.layout is not None
        with contextlib.suppress(AttributeError, OSError):
            del self._store
        gc.collect()
        self.restored = snapshots.restore(self.layout)
        self._store = self._open()
        self._failed = False
        self.version = self._stored_version() if self.restored is not None else 0
        return self.restored

    # -- writing --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self, what: str) -> Iterator[Writer]:
        """A write: journal, changes, publish; on any error the store is put back as it was."""
        if self.read_only:
            raise StoreLocked("the store is open read-only")
        if self._failed:
            self.recover()
        version = (self.version or 0) + 1
        if self.layout is not None:
            snapshots.begin(self.layout, what, version)
        writer = Writer(self, version)
        try:
            yield writer
            writer.finish()
            self._store.flush()
            self.version = version
            if self.layout is not None:
                snapshots.publish(self.layout, self._store, version)
                faults.point("published")
                snapshots.end(self.layout)
        except BaseException:
            # Undone by the next write or the next open (see `recover`); readers never saw it.
            self._failed = self.layout is not None
            raise

    def snapshot(self) -> Dataset:
        """The last published version, read-only (what readers should query)."""
        if self.layout is None:
            return Dataset(self._store, self.version)
        version, store = snapshots.open_snapshot(self.layout)
        return Dataset(store, version)

    def close(self) -> None:
        if not hasattr(self, "_store"):
            return
        if not self.read_only and not self._failed:
            self._store.flush()
        del self._store


class Writer:
    """The primary during one write (see `Store.write`)."""

    def __init__(self, store: Store, version: int) -> None:
        self.store = store
        self.version = version
        self._raw = store.raw()
        self._registry = {doc.name: doc for doc in store.documents()}
        self._dirty: set[str] = set()

    # -- graph contents -------------------------------------------------------------------------

    def replace_graph(
        self,
        graph: str,
        *,
        triples: Iterable[ox.Triple | ox.Quad] | None = None,
        bulk_file: tuple[Path, ox.RdfFormat] | None = None,
    ) -> int:
        """Replace a graph's content at bulk speed; the number of triples it then holds."""
        term = graph_term(graph)
        self.clear_graph(graph)
        if bulk_file is not None:
            path, rdf_format = bulk_file
            try:
                self._raw.bulk_load(path=str(path), format=rdf_format, to_graph=term)
            except SyntaxError as e:
                raise LoadError(f"syntax error: {e}", file=str(path)) from e
        else:
            self._raw.bulk_extend(
                ox.Quad(t.subject, t.predicate, t.object, term) for t in triples or ()
            )
        if isinstance(term, ox.NamedNode):
            self._raw.add_graph(term)
        return self.count(graph)

    def sync_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad]) -> tuple[int, int]:
        """Make a graph hold exactly `triples`, writing only the difference (a derived graph
        recomputed whole mostly equals what it was); (added, removed)."""
        term = graph_term(graph)
        wanted = {(t.subject, t.predicate, t.object) for t in triples}
        held = {
            (q.subject, q.predicate, q.object)
            for q in self._raw.quads_for_pattern(None, None, None, term)
        }
        extra, missing = held - wanted, wanted - held
        self.remove(ox.Quad(s, p, o, term) for s, p, o in sorted(extra, key=str))
        self._raw.bulk_extend(ox.Quad(s, p, o, term) for s, p, o in missing)
        if isinstance(term, ox.NamedNode):
            self._raw.add_graph(term)
        return len(missing), len(extra)

    def clear_graph(self, graph: str) -> None:
        term = graph_term(graph)
        if isinstance(term, ox.DefaultGraph):
            self._raw.clear_graph(term)
        elif self._raw.contains_named_graph(term):
            self._raw.remove_graph(term)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        self._raw.bulk_extend(quads)

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        for quad in quads:
            self._raw.remove(quad)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update on the primary (the caller decides which graphs it may touch)."""
        try:
            self._raw.update(sparql, base_iri=base_iri, prefixes=PREFIXES)
        except SyntaxError as e:
            raise QueryError(f"SPARQL syntax error: {e}") from e
        except OSError as e:
            raise QueryError(f"SPARQL update failed: {e}") from e

    def count(self, graph: str) -> int:
        return self.store.graph_size(graph)

    # -- the registry -----------------------------------------------------------------------------

    def documents(self) -> list[DocumentGraph]:
        return sorted(self._registry.values(), key=lambda d: d.name)

    def document(self, name: str) -> DocumentGraph | None:
        return self._registry.get(name)

    def register(self, doc: DocumentGraph) -> DocumentGraph:
        """Record a graph as changed by this write (its revision grows)."""
        previous = self._registry.get(doc.name)
        revision = previous.revision + 1 if previous is not None else 1
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        entry = replace(doc, revision=revision, loaded_at=now)
        self._registry[doc.name] = entry
        self._dirty.add(doc.name)
        return entry

    def unregister(self, name: str) -> DocumentGraph:
        previous = self._registry.pop(name, None)
        if previous is None:
            raise NotFound(f"no graph named {name!r} (see `casegraph stats` for the list)")
        self._dirty.add(name)
        return previous

    def finish(self) -> None:
        """Write the changed registry entries and the new store version into `cgg:meta`."""
        for name in sorted(self._dirty):
            subjects = {
                q.subject
                for q in self._raw.quads_for_pattern(None, _DOCUMENT_NAME, ox.Literal(name), META)
            }
            for subject in subjects:
                self.remove(list(self._raw.quads_for_pattern(subject, None, None, META)))
            doc = self._registry.get(name)
            if doc is not None:
                self._raw.extend(_registry_quads(doc))
        self.remove(list(self._raw.quads_for_pattern(META, _STORE_VERSION, None, META)))
        self._raw.extend([ox.Quad(META, _STORE_VERSION, _integer(self.version), META)])


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}integer"))


def _registry_quads(doc: DocumentGraph) -> list[ox.Quad]:
    subject = ox.NamedNode(doc.graph or DEFAULT_SUBJECT)
    facts: list[tuple[str, ox.NamedNode | ox.Literal]] = [
        (f"{RDF}type", ox.NamedNode(f"{CG}SourceGraph")),
        (f"{RDF}type", ox.NamedNode(f"{PROV}Entity")),
        (f"{CG}documentName", ox.Literal(doc.name)),
        (f"{CG}graphKind", ox.Literal(doc.kind)),
        (f"{CG}loader", ox.Literal(doc.loader)),
        (f"{CG}contentHash", ox.Literal(doc.sha256)),
        (
            f"{PROV}generatedAtTime",
            ox.Literal(doc.loaded_at, datatype=ox.NamedNode(f"{XSD}dateTime")),
        ),
        (f"{CG}tripleCount", _integer(doc.triples)),
        (f"{CG}revision", _integer(doc.revision)),
        (f"{PROV}wasGeneratedBy", ox.NamedNode(f"{CG}loader-{quote(doc.loader, safe='-._')}")),
    ]
    if doc.source:
        facts.append((f"{PROV}wasDerivedFrom", ox.NamedNode(doc.source)))
    if doc.derived:
        facts.append((f"{CG}derivedGraph", ox.NamedNode(doc.derived)))
    return [ox.Quad(subject, ox.NamedNode(p), o, META) for p, o in facts]


__all__ = [
    "DEFAULT_NAME",
    "META",
    "ONTOLOGY_GRAPH",
    "REGISTRY_FORMAT",
    "SYSTEM_KINDS",
    "TEMPORAL_GRAPH",
    "Change",
    "Dataset",
    "DocumentGraph",
    "Store",
    "Writer",
    "derived_graph",
    "doc_graph",
    "graph_term",
    "name_of_doc_graph",
]
