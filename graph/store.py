"""The RDF dataset: Oxigraph on disk, every graph under the name its writer gave it.

Graph names. A loaded file's statements live in `cgg:doc/<file name>`; a graph a client writes
(SPARQL Update, Graph Store, `POST /api/load` with a graph name) keeps the client's IRI; what
clients write without a graph name goes to the store's own default graph. casegraph's own
graphs: `cgg:meta` (the registry below, with PROV-O metadata), `cgg:ontology`,
`cgg:derived/...` (what each graph's statements derive; `graph.derive`) and `cgg:temporal`
(the temporal relations between events).

Queries see the union of every graph as their default graph (Oxigraph's
`use_default_graph_as_union`), and every graph by its name in `GRAPH`.

The registry (`cgg:meta`) lists every graph with its name, kind (`doc`, `api`, `ontology`,
`derived`, `temporal`), loader, content hash, source, size and a *revision* that grows with
each change, and the store's *version*, which grows with each write. The read model
(`graph.readmodel`) records the revisions it has seen, so it can tell what it missed.

Atomicity is not Oxigraph's here: writes go to the primary at bulk speed, and readers query the
published snapshot of the last completed write (`graph.snapshots`). `Store.write()` brackets a
write with the journal, publishes it at the end, and undoes it (restores the snapshot) when it
fails or is killed half-way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import quote, unquote

import pyoxigraph as ox

from graph import faults, snapshots
from graph.snapshots import Layout
from ontology.errors import BackendUnavailable, LoadError, NotFound, QueryError, StoreLocked
from ontology.namespaces import CG, CGG, PREFIXES, PROV, RDF, XSD

META = ox.NamedNode(f"{CGG}meta")
ONTOLOGY_GRAPH = f"{CGG}ontology"
TEMPORAL_GRAPH = f"{CGG}temporal"
DEFAULT_NAME = "default"
"""Registry name of the store's own default graph (what clients write without a graph name)."""
REGISTRY_FORMAT = "2"
"""Bump when the layout of graphs changes; an older store is refused with a message."""

SYSTEM_KINDS = frozenset({"ontology", "derived", "temporal"})
_SAFE = "-._~!$&'()*+,;=:@"

_REGISTRY_QUERY = f"""
SELECT ?g ?name ?kind ?loader ?sha ?source ?at ?n ?rev ?derived WHERE {{
  GRAPH <{META.value}> {{
    ?g a cg:SourceGraph ; cg:documentName ?name ; cg:graphKind ?kind ;
       cg:loader ?loader ; cg:contentHash ?sha ; prov:generatedAtTime ?at ;
       cg:tripleCount ?n ; cg:revision ?rev .
    OPTIONAL {{ ?g prov:wasDerivedFrom ?source }}
    OPTIONAL {{ ?g cg:derivedGraph ?derived }}
  }}
}} ORDER BY ?name
"""
_STATE_QUERY = f"""
SELECT ?version ?format WHERE {{
  OPTIONAL {{ GRAPH <{META.value}> {{ <{META.value}> cg:storeVersion ?version }} }}
  OPTIONAL {{ GRAPH <{META.value}> {{ <{META.value}> cg:registryFormat ?format }} }}
}}
"""


def doc_graph(name: str) -> str:
    """The stable IRI of a loaded document's graph: `cgg:doc/<file name, percent-encoded>`."""
    return f"{CGG}doc/{quote(name, safe=_SAFE)}"


def derived_graph(graph: str) -> str:
    """The graph holding what `graph` derives (`cgg:derived/doc/<name>` for loaded files)."""
    if graph.startswith(f"{CGG}doc/"):
        return f"{CGG}derived/{graph[len(CGG) :]}"
    digest = hashlib.sha256(graph.encode()).hexdigest()[:16]
    return f"{CGG}derived/graph/{digest}"


def name_of_doc_graph(graph: str) -> str | None:
    prefix = f"{CGG}doc/"
    return unquote(graph[len(prefix) :]) if graph.startswith(prefix) else None


def graph_term(iri: str) -> ox.NamedNode | ox.DefaultGraph:
    """The pyoxigraph graph name of a registry IRI ("" is the default graph)."""
    return ox.NamedNode(iri) if iri else ox.DefaultGraph()


@dataclass(frozen=True, slots=True)
class DocumentGraph:
    """One registered graph: where its statements came from and how often it changed."""

    name: str
    graph: str
    """The graph's IRI; "" for the store's default graph."""
    kind: str
    loader: str
    sha256: str
    source: str
    loaded_at: str
    triples: int
    revision: int = 1
    derived: str = ""
    """The IRI of the graph holding what this one derives ("" when none)."""


@dataclass(frozen=True, slots=True)
class Change:
    """What a write did to one graph."""

    name: str
    graph: str
    added: int
    removed: int
    unchanged: bool


class Dataset:
    """A readable version of the dataset: the primary, or a published snapshot."""

    def __init__(self, store: ox.Store, version: int | None) -> None:
        self._store = store
        self.version = version

    # -- the registry ----------------------------------------------------------------------

    def documents(self) -> list[DocumentGraph]:
        """Every registered graph, sorted by name."""
        rows = self._store.query(_REGISTRY_QUERY, prefixes=PREFIXES)
        assert isinstance(rows, ox.QuerySolutions)
        return [_document(row) for row in rows]

    def document(self, name: str) -> DocumentGraph | None:
        return next((doc for doc in self.documents() if doc.name == name), None)

    def by_graph(self, graph: str) -> DocumentGraph | None:
        return next((doc for doc in self.documents() if doc.graph == graph), None)

    def has_graph(self, iri: str) -> bool:
        return bool(self._store.contains_named_graph(ox.NamedNode(iri)))

    # -- queries -----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        default_graph: list[ox.NamedNode | ox.DefaultGraph] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """A SPARQL query; the default graph is the union of every graph unless given."""
        kwargs: dict[str, Any] = {"prefixes": PREFIXES, "base_iri": base_iri}
        if default_graph is None and named_graphs is None:
            kwargs["use_default_graph_as_union"] = True
        else:
            kwargs["default_graph"] = cast(Any, default_graph or [])
            if named_graphs is not None:
                kwargs["named_graphs"] = cast(Any, named_graphs)
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as e:
            raise QueryError(f"SPARQL syntax error: {e}") from e
        except OSError as e:
            raise QueryError(f"SPARQL query failed: {e}") from e

    def select(
        self, sparql: str, **substitutions: ox.NamedNode | ox.Literal
    ) -> Iterator[ox.QuerySolution]:
        """A SELECT query's rows."""
        result = self.query(sparql, substitutions=substitutions)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        return iter(result)

    def graph_triples(self, graph: str) -> Iterator[ox.Triple]:
        """The triples of one graph ("" for the default graph)."""
        for quad in self._store.quads_for_pattern(None, None, None, graph_term(graph)):
            yield ox.Triple(quad.subject, quad.predicate, quad.object)

    def graph_quads(self, graph: str) -> Iterator[ox.Quad]:
        yield from self._store.quads_for_pattern(None, None, None, graph_term(graph))

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad, graph by graph in name order (the default graph first)."""
        yield from self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        for graph in sorted(self._store.named_graphs(), key=lambda g: str(g)):
            yield from self._store.quads_for_pattern(None, None, None, graph)

    def triple_count(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))["n"].value)

    def dump(self, output: IO[bytes], rdf_format: ox.RdfFormat) -> None:
        """Serialise the dataset (quads for TriG / N-Quads, else the union as triples)."""
        if rdf_format.supports_datasets:
            ox.serialize(self.quads(), output, rdf_format, prefixes=_dump_prefixes())
        else:
            ox.serialize(
                (ox.Triple(q.subject, q.predicate, q.object) for q in self.quads()),
                output,
                rdf_format,
                prefixes=_dump_prefixes(),
            )

    def fingerprint(self) -> str:
        """A hash of the dataset's content without load times and counters (tests, checks)."""
        volatile = {f"{PROV}generatedAtTime", f"{CG}storeVersion", f"{CG}revision"}
        digest = hashlib.sha256()
        for line in sorted(str(q) for q in self.quads() if q.predicate.value not in volatile):
            digest.update(line.encode())
        return digest.hexdigest()

    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store."""
        return self._store

    def close(self) -> None:
        del self._store


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
        self._store.update(
            f"INSERT DATA {{ GRAPH <{META.value}> {{ <{META.value}> cg:registryFormat "
            f'"{REGISTRY_FORMAT}" ; cg:storeVersion 0 }} }}',
            prefixes=PREFIXES,
        )
        self._store.flush()
        self.version = 0
        assert self.layout is not None
        snapshots.publish(self.layout, self._store, 0)

    def _stored_version(self) -> int:
        row = next(
            iter(cast(ox.QuerySolutions, self._store.query(_STATE_QUERY, prefixes=PREFIXES)))
        )
        return int(row["version"].value) if row["version"] is not None else 0

    def _check_format(self) -> None:
        row = next(
            iter(cast(ox.QuerySolutions, self._store.query(_STATE_QUERY, prefixes=PREFIXES)))
        )
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
        """Undo an interrupted write: the primary becomes the current snapshot again."""
        assert self.layout is not None
        self._store.flush()
        del self._store
        self.restored = snapshots.restore(self.layout)
        self._store = self._open()
        self.version = self._stored_version() if self.restored is not None else 0
        return self.restored

    # -- writing --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self, what: str) -> Iterator[Writer]:
        """A write: journal, changes, publish; on any error the store is put back as it was."""
        if self.read_only:
            raise StoreLocked("the store is open read-only")
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
            if self.layout is not None:
                self.recover()
            raise

    def snapshot(self) -> Dataset:
        """The last published version, read-only (what readers should query)."""
        if self.layout is None:
            return Dataset(self._store, self.version)
        version, store = snapshots.open_snapshot(self.layout)
        return Dataset(store, version)

    def close(self) -> None:
        if not self.read_only:
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
        pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
        result = self._raw.query(f"SELECT (COUNT(*) AS ?n) {{ {pattern} }}")
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))["n"].value)

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
        deletes: list[str] = []
        inserts: list[str] = []
        for name in sorted(self._dirty):
            deletes.append(f"?old{len(deletes)} cg:documentName {_literal(name)} .")
            doc = self._registry.get(name)
            if doc is not None:
                inserts.append(_registry_triples(doc))
        meta = META.value
        for i, pattern in enumerate(deletes):
            self._raw.update(
                f"DELETE {{ GRAPH <{meta}> {{ ?old{i} ?p ?o }} }} "
                f"WHERE {{ GRAPH <{meta}> {{ {pattern} ?old{i} ?p ?o }} }}",
                prefixes=PREFIXES,
            )
        body = " ".join(inserts)
        self._raw.update(
            f"DELETE {{ GRAPH <{meta}> {{ <{meta}> cg:storeVersion ?v }} }} "
            f"INSERT {{ GRAPH <{meta}> {{ <{meta}> cg:storeVersion {self.version} . {body} }} }} "
            f"WHERE {{ OPTIONAL {{ GRAPH <{meta}> {{ <{meta}> cg:storeVersion ?v }} }} }}",
            prefixes=PREFIXES,
        )


def _literal(value: str) -> str:
    return str(ox.Literal(value))


def _registry_triples(doc: DocumentGraph) -> str:
    subject = f"<{doc.graph}>" if doc.graph else f"<{CGG}default>"
    facts: list[tuple[str, str]] = [
        (f"{RDF}type", f"<{CG}SourceGraph>"),
        (f"{RDF}type", f"<{PROV}Entity>"),
        (f"{CG}documentName", _literal(doc.name)),
        (f"{CG}graphKind", _literal(doc.kind)),
        (f"{CG}loader", _literal(doc.loader)),
        (f"{CG}contentHash", _literal(doc.sha256)),
        (f"{PROV}generatedAtTime", f'"{doc.loaded_at}"^^<{XSD}dateTime>'),
        (f"{CG}tripleCount", f'"{doc.triples}"^^<{XSD}integer>'),
        (f"{CG}revision", f'"{doc.revision}"^^<{XSD}integer>'),
        (f"{PROV}wasGeneratedBy", f"<{CG}loader-{quote(doc.loader, safe='-._')}>"),
    ]
    if doc.source:
        facts.append((f"{PROV}wasDerivedFrom", f"<{doc.source}>"))
    if doc.derived:
        facts.append((f"{CG}derivedGraph", f"<{doc.derived}>"))
    return " ".join(f"{subject} <{p}> {o} ." for p, o in facts)


def _document(row: ox.QuerySolution) -> DocumentGraph:
    graph = row["g"].value
    return DocumentGraph(
        name=row["name"].value,
        graph="" if graph == f"{CGG}default" else graph,
        kind=row["kind"].value,
        loader=row["loader"].value,
        sha256=row["sha"].value,
        source=row["source"].value if row["source"] is not None else "",
        loaded_at=row["at"].value,
        triples=int(row["n"].value),
        revision=int(row["rev"].value),
        derived=row["derived"].value if row["derived"] is not None else "",
    )


def _dump_prefixes() -> dict[str, str]:
    return {k: v for k, v in PREFIXES.items() if k not in {"xsd", "rdf"}} | {"xsd": XSD, "rdf": RDF}


__all__ = [
    "DEFAULT_NAME",
    "META",
    "ONTOLOGY_GRAPH",
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
