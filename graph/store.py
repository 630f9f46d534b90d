"""The RDF dataset: Oxigraph on disk, one named graph per source document, loads that are atomic.

How a load stays atomic at bulk speed. Each document is written into a fresh *physical* graph
`cgg:doc/<name>/<content-hash>` with Oxigraph's fast non-transactional bulk writer. Nothing
sees it yet: every query this module runs uses as its dataset only the graphs *registered* in
`cgg:meta`. One small SPARQL update — atomic in Oxigraph — then swaps the registration from the
old physical graph to the new one, and the old graph is removed. A crash before the swap leaves
an unregistered graph, which the next writer deletes on open; a crash after it leaves an
unregistered old graph, deleted the same way. So a reader (and a restarted store) sees a
document whole or not at all, and loading the same bytes again changes nothing.

Graphs: `cgg:meta` (the registry and PROV-O metadata of each document graph), `cgg:ontology/<hash>`
(the ontology), `cgg:doc/<name>/<hash>` (one per document) and `cgg:derived/<hash>` (statements
computed from the others; see `graph.derive`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from ontology.errors import BackendUnavailable, LoadError, NotFound, QueryError, StoreLocked
from ontology.namespaces import CG, CGG, PREFIXES, PROV, RDF, XSD

META = ox.NamedNode(f"{CGG}meta")
_SOURCE_GRAPH = ox.NamedNode(f"{CG}SourceGraph")

DOCUMENTS_QUERY = f"""
SELECT ?g ?name ?kind ?loader ?sha ?source ?at ?n WHERE {{
  GRAPH <{META.value}> {{
    ?g a cg:SourceGraph ; cg:documentName ?name ; cg:graphKind ?kind ;
       cg:loader ?loader ; cg:contentHash ?sha ; prov:generatedAtTime ?at ;
       cg:tripleCount ?n .
    OPTIONAL {{ ?g prov:wasDerivedFrom ?source }}
  }}
}} ORDER BY ?name
"""
_DERIVED_KIND = "derived"


def _name_slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
    return slug or "document"


@dataclass(frozen=True, slots=True)
class DocumentGraph:
    """One registered graph: the document it came from and how it was loaded."""

    name: str
    graph: str
    kind: str
    loader: str
    sha256: str
    source: str
    loaded_at: str
    triples: int


@dataclass(frozen=True, slots=True)
class Change:
    """What a commit did to one document graph."""

    name: str
    graph: str
    added: int
    removed: int
    unchanged: bool


class Store:
    """The dataset on disk (or in memory when `path` is None)."""

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as e:
            message = str(e)
            if "lock" in message.lower():
                raise StoreLocked(
                    f"the store at {path} is open for writing by another process "
                    f"(stop `casegraph serve` or use its API to write): {message}"
                ) from e
            raise BackendUnavailable(f"cannot open the store at {path}: {message}") from e
        self._registered: list[ox.NamedNode] | None = None
        if not read_only:
            self.collect_garbage()

    # -- registry --------------------------------------------------------------------------

    def documents(self) -> list[DocumentGraph]:
        """Every registered graph, sorted by name."""
        rows = self._store.query(DOCUMENTS_QUERY, prefixes=PREFIXES)
        assert isinstance(rows, ox.QuerySolutions)
        return [
            DocumentGraph(
                name=row["name"].value,
                graph=row["g"].value,
                kind=row["kind"].value,
                loader=row["loader"].value,
                sha256=row["sha"].value,
                source=row["source"].value if row["source"] is not None else "",
                loaded_at=row["at"].value,
                triples=int(row["n"].value),
            )
            for row in rows
        ]

    def document(self, name: str) -> DocumentGraph | None:
        return next((doc for doc in self.documents() if doc.name == name), None)

    def visible_graphs(self) -> list[ox.NamedNode]:
        """The graphs queries see: the registry and every registered graph."""
        if self._registered is None:
            self._registered = [META, *(ox.NamedNode(d.graph) for d in self.documents())]
        return list(self._registered)

    @contextlib.contextmanager
    def hidden(self, name: str) -> Iterator[None]:
        """Within the block, queries do not see the document `name`."""
        doc = self.document(name)
        self._registered = [
            graph for graph in self.visible_graphs() if doc is None or graph.value != doc.graph
        ]
        try:
            yield
        finally:
            self._registered = None

    def collect_garbage(self) -> list[str]:
        """Remove physical graphs that no registration points to (left by a crash)."""
        keep = {graph.value for graph in self.visible_graphs()}
        removed = []
        for graph in list(self._store.named_graphs()):
            if isinstance(graph, ox.NamedNode) and graph.value not in keep:
                self._store.remove_graph(graph)
                removed.append(graph.value)
        if removed:
            self._store.flush()
        return removed

    # -- writing ---------------------------------------------------------------------------

    def physical_graph(self, kind: str, name: str, sha256: str) -> ox.NamedNode:
        if kind == "doc":
            return ox.NamedNode(f"{CGG}doc/{_name_slug(name)}/{sha256[:16]}")
        return ox.NamedNode(f"{CGG}{kind}/{sha256[:16]}")

    def is_current(self, name: str, sha256: str, loader: str) -> bool:
        """True when the document is registered with exactly these bytes and this loader."""
        doc = self.document(name)
        return doc is not None and doc.sha256 == sha256 and doc.loader == loader

    def commit(
        self,
        *,
        name: str,
        kind: str,
        loader: str,
        sha256: str,
        source: str,
        triples: Iterable[ox.Triple] | None = None,
        bulk_file: tuple[Path, ox.RdfFormat] | None = None,
        extra_meta: Iterable[tuple[str, ox.NamedNode | ox.Literal]] = (),
    ) -> Change:
        """Write a document's triples into a new physical graph and switch to it atomically.

        Give either `triples` or `bulk_file` (a file Oxigraph parses itself, the fast path).
        """
        self._writable()
        previous = self.document(name)
        if previous is not None and previous.sha256 == sha256 and previous.loader == loader:
            return Change(name, previous.graph, 0, 0, unchanged=True)
        graph = self.physical_graph(kind, name, sha256)
        if previous is not None and previous.graph == graph.value:
            graph = ox.NamedNode(f"{graph.value}-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S%f}")
        self._store.remove_graph(graph)
        if bulk_file is not None:
            path, rdf_format = bulk_file
            try:
                self._store.bulk_load(path=str(path), format=rdf_format, to_graph=graph)
            except SyntaxError as e:
                self._store.remove_graph(graph)
                raise LoadError(f"syntax error: {e}", file=str(path)) from e
        else:
            self._store.bulk_extend(
                ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples or ()
            )
        self._store.flush()
        count = self._count(graph)
        self._register(graph, name, kind, loader, sha256, source, count, previous, extra_meta)
        removed = previous.triples if previous is not None else 0
        if previous is not None:
            self._store.remove_graph(ox.NamedNode(previous.graph))
            self._store.flush()
        return Change(name, graph.value, count, removed, unchanged=False)

    def drop(self, name: str) -> Change:
        """Unregister and delete a document graph."""
        self._writable()
        previous = self.document(name)
        if previous is None:
            raise NotFound(f"no graph named {name!r} (see `casegraph stats` for the list)")
        update = f"DELETE WHERE {{ GRAPH <{META.value}> {{ <{previous.graph}> ?p ?o }} }}"
        self._store.update(update)
        self._registered = None
        self._store.remove_graph(ox.NamedNode(previous.graph))
        self._store.flush()
        return Change(name, previous.graph, 0, previous.triples, unchanged=False)

    def _register(
        self,
        graph: ox.NamedNode,
        name: str,
        kind: str,
        loader: str,
        sha256: str,
        source: str,
        count: int,
        previous: DocumentGraph | None,
        extra_meta: Iterable[tuple[str, ox.NamedNode | ox.Literal]],
    ) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        facts: list[tuple[str, ox.NamedNode | ox.Literal]] = [
            (f"{RDF}type", _SOURCE_GRAPH),
            (f"{RDF}type", ox.NamedNode(f"{PROV}Entity")),
            (f"{CG}documentName", ox.Literal(name)),
            (f"{CG}graphKind", ox.Literal(kind)),
            (f"{CG}loader", ox.Literal(loader)),
            (f"{CG}contentHash", ox.Literal(sha256)),
            (f"{PROV}generatedAtTime", ox.Literal(now, datatype=ox.NamedNode(f"{XSD}dateTime"))),
            (f"{CG}tripleCount", ox.Literal(str(count), datatype=ox.NamedNode(f"{XSD}integer"))),
            (f"{PROV}wasGeneratedBy", ox.NamedNode(f"{CG}loader-{loader}")),
            *extra_meta,
        ]
        if source:
            facts.append((f"{PROV}wasDerivedFrom", ox.NamedNode(source)))
        inserts = " ".join(f"<{graph.value}> <{p}> {o} ." for p, o in facts)
        delete = f"<{previous.graph}> ?p ?o ." if previous is not None else ""
        where = (
            f"OPTIONAL {{ GRAPH <{META.value}> {{ <{previous.graph}> ?p ?o }} }}"
            if previous is not None
            else ""
        )
        update = (
            f"DELETE {{ GRAPH <{META.value}> {{ {delete} }} }} "
            f"INSERT {{ GRAPH <{META.value}> {{ {inserts} }} }} "
            f"WHERE {{ {where} }}"
        )
        self._store.update(update)
        self._registered = None

    def _count(self, graph: ox.NamedNode) -> int:
        result = self._store.query(
            f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
        )
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))["n"].value)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreLocked("the store is open read-only")

    # -- reading ---------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query over the visible dataset (the union of registered graphs)."""
        visible = self.visible_graphs()
        try:
            return self._store.query(
                sparql,
                prefixes=PREFIXES,
                default_graph=cast(Any, default_graph if default_graph is not None else visible),
                named_graphs=cast(Any, named_graphs if named_graphs is not None else visible),
                substitutions={ox.Variable(k): v for k, v in (substitutions or {}).items()},
            )
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
        for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            yield ox.Triple(quad.subject, quad.predicate, quad.object)

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the visible dataset, registry included, in a stable order."""
        for graph in sorted(self.visible_graphs(), key=lambda g: g.value):
            yield from self._store.quads_for_pattern(None, None, None, graph)

    def triple_count(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))["n"].value)

    def dump(self, output: IO[bytes], rdf_format: ox.RdfFormat) -> None:
        """Serialise the visible dataset (quads for TriG / N-Quads, else the union as triples)."""
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
        """A hash of the visible dataset's content, without load times (for tests and checks)."""
        digest = hashlib.sha256()
        lines = sorted(
            str(quad) for quad in self.quads() if quad.predicate.value != f"{PROV}generatedAtTime"
        )
        for line in lines:
            digest.update(line.encode())
        return digest.hexdigest()

    def raw(self) -> Any:
        """The underlying pyoxigraph store (for benchmarks and the derivation code)."""
        return self._store

    def close(self) -> None:
        if not self.read_only:
            self._store.flush()
        del self._store


def _dump_prefixes() -> dict[str, str]:
    return {k: v for k, v in PREFIXES.items() if k not in {"xsd", "rdf"}} | {"xsd": XSD, "rdf": RDF}
