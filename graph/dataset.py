"""A readable version of the dataset (the primary store, or a published snapshot): the
registry of graphs, queries over the union of every graph, and the graphs one by one.

Graph names (docs/store.md): `cgg:doc/<file name>` for a loaded file, the client's own IRI for a
graph a client writes, "" for the store's default graph, and casegraph's own `cgg:meta`,
`cgg:ontology`, `cgg:derived/...` and `cgg:temporal`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, cast
from urllib.parse import quote, unquote

import pyoxigraph as ox

from graph.queries import sparql
from ontology.errors import QueryError
from ontology.namespaces import CG, CGG, PREFIXES, PROV, RDF, XSD

META = ox.NamedNode(f"{CGG}meta")
ONTOLOGY_GRAPH = f"{CGG}ontology"
TEMPORAL_GRAPH = f"{CGG}temporal"
DEFAULT_NAME = "default"
"""Registry name of the store's own default graph (what clients write without a graph name)."""
DEFAULT_SUBJECT = f"{CGG}default"
"""The subject that stands for the store's default graph in the registry."""
SYSTEM_KINDS = frozenset({"ontology", "derived", "temporal"})
_SAFE = "-._~!$&'()*+,;=:@"


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

    def probe(self) -> None:
        """Read one statement of the registry from disk (raises when the store cannot be read)."""
        next(iter(self._store.quads_for_pattern(None, None, None, META)), None)

    def documents(self) -> list[DocumentGraph]:
        """Every registered graph, sorted by name."""
        rows = self._store.query(sparql("registry"), prefixes=PREFIXES)
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
        """The triples of the union of the graphs (duplicates across graphs counted once)."""
        result = self.query(sparql("triple_count"))
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))["n"].value)

    def graph_size(self, graph: str) -> int:
        """The triples of one graph ("" for the store's default graph), counted by Oxigraph."""
        if graph:
            result = self._store.query(
                sparql("graph_size"), substitutions={ox.Variable("g"): ox.NamedNode(graph)}
            )
        else:
            result = self._store.query(sparql("default_graph_size"))
        assert isinstance(result, ox.QuerySolutions)
        row = next(iter(result), None)
        return int(row["n"].value) if row is not None else 0

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


def _document(row: ox.QuerySolution) -> DocumentGraph:
    graph = row["g"].value
    return DocumentGraph(
        name=row["name"].value,
        graph="" if graph == DEFAULT_SUBJECT else graph,
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
    "DEFAULT_SUBJECT",
    "META",
    "ONTOLOGY_GRAPH",
    "SYSTEM_KINDS",
    "TEMPORAL_GRAPH",
    "Change",
    "Dataset",
    "DocumentGraph",
    "derived_graph",
    "doc_graph",
    "graph_term",
    "name_of_doc_graph",
]
