"""Writes through the API (SPARQL Update, Graph Store Protocol) as document graphs of the store.

What a client writes lives in document graphs of their own, beside the loaded documents:
`api:default` holds what was written to the default graph, `api:<IRI>` what was written to the
named graph `<IRI>` (its physical graph is `cgg:doc/api-<IRI slug>/<hash>`; the client's IRI is
recorded as its `prov:wasDerivedFrom` in `cgg:meta`). Each is committed atomically like any
document (see `graph.store`), and then the derived statements are recomputed, the catalog
rebuilt and the Cypher engines re-synced.

An update runs against a scratch in-memory copy of the dataset in which the default graph is the
union of every registered graph (as for queries), named graphs are the client's graphs under
their own IRIs and the loaded documents under their physical IRIs. The difference it makes is
then written back: triples added to the default graph go to `api:default`; triples removed from
it must come from `api:default` (a loaded document is changed by editing the file and loading
it again), and the loaded documents' graphs cannot be changed at all. The copy costs time in
proportion to the dataset (about a second per million triples); fine at casegraph's scale.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from http import HTTPStatus

import pyoxigraph as ox

from api.catalog import Catalog
from api.deps import AppState
from api.problems import HTTPProblem
from graph.derive import rederive
from graph.store import META, Change, DocumentGraph, Store
from ontology.errors import QueryError
from ontology.namespaces import PREFIXES

log = logging.getLogger("casegraph.api")

API_LOADER = "api"
DEFAULT_NAME = "api:default"


class Conflict(HTTPProblem):
    """The write would change a graph (or triple) that belongs to a loaded document."""

    status = HTTPStatus.CONFLICT


def api_documents(store: Store) -> dict[str | None, DocumentGraph]:
    """The client-written graphs: client IRI (None for the default graph) -> document."""
    out: dict[str | None, DocumentGraph] = {}
    for doc in store.documents():
        if doc.loader == API_LOADER:
            out[None if doc.name == DEFAULT_NAME else doc.source] = doc
    return out


def physical_graph(store: Store, iri: str) -> str | None:
    """The physical graph for an IRI a client uses: its own graph's, or a registered graph's."""
    own = api_documents(store).get(iri)
    if own is not None:
        return own.graph
    if any(graph.value == iri for graph in store.visible_graphs()):
        return iri
    return None


def graph_triples(store: Store, iri: str | None) -> list[ox.Triple] | None:
    """The triples of a graph as the Graph Store Protocol serves it (None: no such graph).

    `None` as `iri` is the default graph: the union of every registered graph.
    """
    if iri is None:
        return list(
            dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in store.quads())
        )
    physical = physical_graph(store, iri)
    if physical is None:
        return None
    return list(store.graph_triples(physical))


def _sha(name: str, triples: Iterable[ox.Triple]) -> str:
    digest = hashlib.sha256(name.encode())
    for line in sorted(str(t) for t in triples):
        digest.update(b"\n" + line.encode())
    return digest.hexdigest()


def _commit(store: Store, iri: str | None, triples: list[ox.Triple]) -> Change:
    name = DEFAULT_NAME if iri is None else f"api:{iri}"
    # Store.commit swaps the registration atomically: readers see the old graph or the new.
    return store.commit(
        name=name,
        kind="doc",
        loader=API_LOADER,
        sha256=_sha(name, triples),
        source=iri or "",
        triples=triples,
    )


def _check_writable(store: Store, iri: str) -> None:
    if iri == META.value or (
        iri not in api_documents(store)
        and any(graph.value == iri for graph in store.visible_graphs())
    ):
        raise Conflict(
            f"<{iri}> is a graph loaded by `casegraph load` (or the registry) and is read-only "
            "through the API; change the document and load it again"
        )


def write_graph(
    state: AppState, iri: str | None, triples: list[ox.Triple], *, replace: bool
) -> bool:
    """PUT (`replace`) or POST triples to a client graph; True when the graph was created."""
    store = state.store
    if iri is not None:
        _check_writable(store, iri)
    current = api_documents(store).get(iri)
    existing = list(store.graph_triples(current.graph)) if current is not None else []
    content = triples if replace else list(dict.fromkeys([*existing, *triples]))
    _commit(store, iri, content)
    after_write(state)
    return current is None


def delete_graph(state: AppState, iri: str | None) -> bool:
    """Drop a client graph (the default graph: empty it); False when there was none."""
    store = state.store
    if iri is not None:
        _check_writable(store, iri)
    current = api_documents(store).get(iri)
    if current is None:
        return iri is None
    store.drop(current.name)
    after_write(state)
    return True


def apply_update(state: AppState, update: str, *, base_iri: str | None = None) -> list[Change]:
    """Run a SPARQL update (see the module doc for how it maps onto the store)."""
    store = state.store
    own = api_documents(store)
    own_physical = {doc.graph: iri for iri, doc in own.items()}
    scratch = ox.Store()
    union: set[ox.Triple] = set()
    read_only: dict[str, set[ox.Triple]] = {}
    for graph in store.visible_graphs():
        triples = set(store.graph_triples(graph.value))
        if graph != META:
            union |= triples
        if graph.value in own_physical:
            client = own_physical[graph.value]
            if client is not None:
                target = ox.NamedNode(client)
                scratch.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)
                scratch.add_graph(target)
        else:
            read_only[graph.value] = triples
            target = ox.NamedNode(graph.value)
            scratch.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in union)
    try:
        scratch.update(update, base_iri=base_iri, prefixes=PREFIXES)
    except SyntaxError as e:
        raise QueryError(f"SPARQL syntax error: {e}") from e
    except OSError as e:
        raise QueryError(f"SPARQL update failed: {e}") from e

    after_default = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in scratch.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }
    default_doc = own.get(None)
    own_default = set(store.graph_triples(default_doc.graph)) if default_doc else set()
    removed = union - after_default
    foreign = removed - own_default
    if foreign:
        example = next(iter(foreign))
        raise Conflict(
            f"the update deletes {len(foreign)} triple(s) that come from loaded documents, "
            f"e.g. {example}; change the document and load it again"
        )
    changes: list[Change] = []
    added = after_default - union
    if added or removed:
        changes.append(_commit(store, None, sorted((own_default - removed) | added, key=str)))
    after_named: dict[str, set[ox.Triple]] = {}
    for name in scratch.named_graphs():
        if isinstance(name, ox.NamedNode):
            after_named[name.value] = {
                ox.Triple(q.subject, q.predicate, q.object)
                for q in scratch.quads_for_pattern(None, None, None, name)
            }
    for iri, before in read_only.items():
        if after_named.get(iri, set()) != before:
            _check_writable(store, iri)
    for client, content in after_named.items():
        if client in read_only:
            continue
        current = own.get(client)
        if current is None or set(store.graph_triples(current.graph)) != content:
            changes.append(_commit(store, client, sorted(content, key=str)))
    for client_iri, doc in own.items():
        if client_iri is not None and client_iri not in after_named:
            store.drop(doc.name)
            changes.append(Change(doc.name, doc.graph, 0, doc.triples, unchanged=False))
    if changes:
        after_write(state)
    return changes


def after_write(state: AppState) -> None:
    """Recompute the derived graph, rebuild the catalog and re-sync the Cypher engines."""
    rederive(state.store)
    state.catalog = Catalog.build(state.store)
    state.visible = state.store.visible_graphs()
    sync_engines(state)


def sync_engines(state: AppState) -> None:
    """Bring every configured property-graph engine up to date with the store."""
    if not state.sync_backends:
        return
    from graph.sync import sync

    for backend in state.sync_backends:
        sync(state.store, backend)


__all__ = [
    "API_LOADER",
    "DEFAULT_NAME",
    "Conflict",
    "after_write",
    "api_documents",
    "apply_update",
    "delete_graph",
    "graph_triples",
    "physical_graph",
    "sync_engines",
    "write_graph",
]
