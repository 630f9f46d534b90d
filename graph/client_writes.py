"""Writes by clients (SPARQL Update, the Graph Store Protocol, `POST /api/load`), as graphs of
the store under the names the clients gave them.

A client's graph `<G>` is the store's named graph `<G>`; what it writes without a graph name
goes to the store's own default graph. Both are registered (kind `api`, loader `api`; the
default graph under the name `default`) and take part in derivation and the read model like
any loaded document. A client may change a loaded document's graph too (it is then marked as
written by `api`, and the next `casegraph load` of the file replaces it). casegraph's own
graphs — `cgg:meta`, `cgg:ontology`, `cgg:derived/...`, `cgg:temporal` — are read-only:
writing them answers `Conflict`.

An update runs on the primary store inside a `graph.pipeline` session, so it is all or
nothing for readers too. Which graphs it changed is read from its text (`graph.sparql_scan`):
the graphs it names, the default graph, and every client graph when it names a graph by a
variable or clears or drops `ALL` or `NAMED`; those are taken in again whole.
`CLEAR`/`DROP` `ALL`/`NAMED` apply to the clients' and documents' graphs, graph by graph,
never to casegraph's own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from graph import pipeline
from graph.pipeline import GraphChange, Session
from graph.sparql_scan import expand_bulk_ops, scan_update
from graph.store import DEFAULT_NAME, META, SYSTEM_KINDS, Change, Dataset
from graph.workspace import Workspace
from loaders.bodies import RdfBody
from loaders.literals import check_literals
from ontology.errors import Conflict, QueryError
from ontology.namespaces import CGG, PREFIXES

API_LOADER = "api"

type Body = Sequence[ox.Triple] | RdfBody
"""What a client writes: triples, or the RDF documents of a request, parsed by the write."""


def is_system_graph(iri: str) -> bool:
    return iri == META.value or (
        iri.startswith(CGG) and not iri.startswith(f"{CGG}doc/") and iri != f"{CGG}default"
    )


def graph_content(dataset: Dataset, iri: str | None) -> list[ox.Triple] | None:
    """A graph's triples as the Graph Store serves it (None: no such named graph).

    `None` as `iri` is the store's own default graph (what clients wrote without a name).
    """
    if iri is None:
        return list(dataset.graph_triples(""))
    if not dataset.has_graph(iri):
        return None
    return list(dataset.graph_triples(iri))


def _sha(graph: str, triples: Iterable[ox.Triple]) -> str:
    digest = hashlib.sha256(graph.encode())
    for line in sorted(str(t) for t in triples):
        digest.update(b"\n" + line.encode())
    return digest.hexdigest()


def _change(session: Session, graph: str, triples: Sequence[ox.Triple]) -> GraphChange:
    """The registry entry a client's write gives a graph (keeping a document's name)."""
    current = session.writer.store.by_graph(graph) if graph else None
    existing = next((d for d in session.writer.documents() if d.graph == graph), current)
    name = existing.name if existing is not None else (graph or DEFAULT_NAME)
    kind = existing.kind if existing is not None and existing.kind == "doc" else "api"
    source = existing.source if existing is not None else ""
    return GraphChange(
        name=name,
        graph=graph,
        kind=kind,
        loader=API_LOADER,
        sha256=_sha(graph, triples),
        source=source,
        triples=list(triples),
    )


def _refuse_system(iri: str) -> None:
    if is_system_graph(iri):
        raise Conflict(
            f"<{iri}> is one of casegraph's own graphs and is read-only (see docs/store.md)"
        )


def _triples_of(body: Body) -> list[ox.Triple]:
    """The triples of a write: given, or parsed here from a request's body (a write runs in
    the writer process: the server does not parse large bodies while readers wait)."""
    return body.triples() if isinstance(body, RdfBody) else list(body)


def write_graph(workspace: Workspace, iri: str | None, body: Body, *, replace: bool) -> bool:
    """PUT (`replace`) or POST triples into a graph; True when the graph was created."""
    graph = iri or ""
    if graph:
        _refuse_system(graph)
    triples = _triples_of(body)
    check_literals(triples, file="request body")
    with pipeline.session(workspace, f"graph store write {graph or 'default'}") as session:
        raw = session.writer.store.raw()
        created = bool(graph) and not raw.contains_named_graph(ox.NamedNode(graph))
        existing = [] if replace else list(session.writer.store.graph_triples(graph))
        content = list(dict.fromkeys([*existing, *triples]))
        session.replace(_change(session, graph, content), force=created)
    return created


def create_graph(workspace: Workspace, body: Body, base: str) -> str:
    """POST to the Graph Store itself: a new graph under `base`; its IRI."""
    triples = _triples_of(body)
    check_literals(triples, file="request body")
    with pipeline.session(workspace, "graph store create") as session:
        raw = session.writer.store.raw()
        number = sum(1 for g in raw.named_graphs() if g.value.startswith(base)) + 1
        while raw.contains_named_graph(ox.NamedNode(f"{base}{number}")):
            number += 1
        iri = f"{base}{number}"
        session.replace(_change(session, iri, triples), force=True)
    return iri


def delete_graph(workspace: Workspace, iri: str | None, *, force: bool = True) -> bool:
    """Drop a graph (the default graph: empty it); False when there was none."""
    graph = iri or ""
    if graph:
        _refuse_system(graph)
    with pipeline.session(workspace, f"graph store delete {graph or 'default'}") as session:
        doc = next((d for d in session.writer.documents() if d.graph == graph), None)
        raw = session.writer.store.raw()
        if graph and doc is None and not raw.contains_named_graph(ox.NamedNode(graph)):
            return False
        if doc is None:
            if not graph:
                return True
            session.writer.clear_graph(graph)
            return True
        session.drop(doc.name)
    return True


def apply_update(
    workspace: Workspace,
    update: str,
    *,
    base_iri: str | None = None,
    using_graphs: Sequence[str] = (),
    using_named_graphs: Sequence[str] = (),
) -> list[Change]:
    """Run a SPARQL update (see the module doc)."""
    text = _with_using(update, using_graphs, using_named_graphs)
    scan = scan_update(text, base_iri=base_iri, prefixes=PREFIXES)
    for iri in sorted(scan.iris):
        if is_system_graph(iri):
            raise Conflict(
                f"the update names <{iri}>, one of casegraph's own graphs, which are read-only"
            )
    with pipeline.session(workspace, "sparql update") as session:
        documents = session.writer.documents()
        user = {d.graph for d in documents if d.kind not in SYSTEM_KINDS and d.kind != "ontology"}
        raw = session.writer.store.raw()
        before = {g.value for g in raw.named_graphs() if isinstance(g, ox.NamedNode)}
        user |= {g for g in before if not is_system_graph(g)}
        if scan.bulk_ops:
            text = expand_bulk_ops(text, scan, sorted(g for g in user if g))
        system_counts = _system_counts(session.writer.store, before)
        try:
            session.writer.update(text, base_iri=base_iri)
        except RuntimeError as e:
            # The engine refuses the update as a whole (e.g. CLEAR GRAPH of a graph that does
            # not exist, without SILENT): the client's error, nothing written.
            raise QueryError(f"the update failed: {e}") from e
        after = {g.value for g in raw.named_graphs() if isinstance(g, ox.NamedNode)}
        if _system_counts(session.writer.store, after | before) != system_counts:
            raise Conflict("the update changed casegraph's own graphs, which are read-only")
        # `CLEAR`/`DROP DEFAULT` touches the default graph alone: taking every graph in
        # again would mark untouched documents as written by the API.
        every_graph = any(op.target != "DEFAULT" for op in scan.bulk_ops)
        if scan.variable_graph or every_graph:
            candidates = (user | after) - {g for g in after | before if is_system_graph(g)}
        else:
            candidates = {g for g in scan.iris if g in before or g in after}
        candidates.add("")
        return _take_in(session, sorted(candidates), after)


def _system_counts(store: Dataset, graphs: Iterable[str]) -> dict[str, int]:
    return {graph: store.graph_size(graph) for graph in sorted(graphs) if is_system_graph(graph)}


def _take_in(session: Session, graphs: Sequence[str], existing: set[str]) -> list[Change]:
    """Register and derive the graphs an update may have changed."""
    changes = []
    store = session.writer.store
    for graph in graphs:
        doc = next((d for d in session.writer.documents() if d.graph == graph), None)
        if graph and graph not in existing:
            if doc is not None:
                changes.append(session.drop(doc.name))
            continue
        triples = list(store.graph_triples(graph))
        check_literals(triples, file="the update's result")
        if not graph and not triples and doc is None:
            continue
        change = _change(session, graph, triples)
        if doc is not None and doc.sha256 == change.sha256 and doc.loader == API_LOADER:
            continue
        changes.append(session.replace(change, force=True))
    return changes


def _with_using(update: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """The update with the protocol's `using-graph-uri` / `using-named-graph-uri` applied.

    The protocol gives them the meaning of `USING` / `USING NAMED` on every operation that
    has a `WHERE`; an update that has its own `USING` or `WITH` and also these parameters is
    an error.
    """
    if not using and not using_named:
        return update
    from graph.sparql_scan import blank, decoded

    code = blank(decoded(update)).upper()
    if " USING " in f" {code} " or "WITH " in code:
        raise QueryError(
            "the update has its own USING or WITH: do not also send using-graph-uri or "
            "using-named-graph-uri"
        )
    clause = " ".join(
        [*(f"USING <{g}>" for g in using), *(f"USING NAMED <{g}>" for g in using_named)]
    )
    source = decoded(update)
    code = blank(source)
    out, position = [], 0
    import re

    for match in re.finditer(r"(?i)(?<![\w:])WHERE(?![\w:])", code):
        out.append(source[position : match.start()])
        out.append(f"{clause} ")
        position = match.start()
    out.append(source[position:])
    return "".join(out)


__all__ = [
    "API_LOADER",
    "Conflict",
    "apply_update",
    "create_graph",
    "delete_graph",
    "graph_content",
    "is_system_graph",
    "write_graph",
]
