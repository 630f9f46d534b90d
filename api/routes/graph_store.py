"""/graph-store: the SPARQL 1.1 Graph Store HTTP Protocol, indirect and direct identification.

Indirect: `/graph-store?graph=<IRI>` is the store's named graph `<IRI>` — a client's graph, or a
loaded document's (`cgg:doc/<file name>`, see `/api/stats`); `/graph-store?default` is the
store's own default graph, exactly: what clients wrote without a graph name (SPARQL queries
see the union of every graph as *their* default graph; see docs/store.md). A POST to the store
itself (neither parameter) creates a new graph `<store URL>/<n>` and answers 201 with its IRI
in `Location`.

Direct: a graph whose IRI is under this store's URL (`<base>/graph-store/...`, as the graphs
a POST creates are) is also addressed by its IRI itself: GET, HEAD, PUT, POST and DELETE on
`/graph-store/<path>`.

GET and HEAD read a graph; PUT, POST and DELETE (with the write token) change it through
`graph.client_writes`, which keeps casegraph's own graphs read-only (409). Bodies: Turtle,
N-Triples, RDF/XML or JSON-LD, or (POST) `multipart/form-data` whose parts are each one of
those, all merged into the graph. A body is parsed with the graph's IRI as its base.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Reading, State, WriteAllowed
from api.negotiation import GRAPH_TYPES, choose
from api.problems import BadRequest
from api.rdf_bodies import read_body
from api.routes.graph_store_spec import (
    CREATE_RESPONSES,
    DELETE_RESPONSES,
    DIRECT_PATTERN,
    GET_RESPONSES,
    WRITE_RESPONSES,
    direct_spec,
    indirect,
)
from api.writes import run_write
from graph import client_writes
from ontology.errors import NotFound

router = APIRouter(tags=["graph store"])
STORE_PATH = "/graph-store"


def _target(request: Request, *, store: bool = False) -> tuple[bool, str | None]:
    """(is the store itself, graph IRI or None for the default graph) of an indirect request."""
    params = request.query_params
    unknown = sorted(set(params) - {"graph", "default"})
    if unknown:
        raise BadRequest(
            f"unknown parameter {unknown[0]!r}; the Graph Store takes graph or default"
        )
    graphs, defaults = params.getlist("graph"), params.getlist("default")
    if len(graphs) > 1:
        raise BadRequest("give one ?graph=, not several")
    if graphs and defaults:
        raise BadRequest("give exactly one of ?graph=<IRI> or ?default, not both")
    if defaults:
        return False, None
    if not graphs:
        if store:
            return True, None
        raise BadRequest("give exactly one of ?graph=<IRI> or ?default")
    return False, _checked_iri(graphs[0])


def _checked_iri(graph: str) -> str:
    if ":" not in graph:
        raise BadRequest(f"not an absolute IRI: {graph!r}")
    try:
        ox.NamedNode(graph)
    except ValueError as e:
        raise BadRequest(f"not an IRI: {graph!r}: {e}") from e
    return graph


def _store_url(request: Request) -> str:
    return str(request.url_for("graph_store_read"))


_DIRECT = re.compile(DIRECT_PATTERN)


def _direct(request: Request) -> str:
    """The graph IRI of a direct request: the request's own URL, without its query."""
    path = request.path_params.get("path", "")
    if not _DIRECT.match(path):
        raise BadRequest(
            f"a graph addressed by its IRI here has a path of letters, digits and '._~-' "
            f"segments; use ?graph=<IRI> for {path!r}"
        )
    return _checked_iri(str(request.url.replace(query="", fragment="")).rstrip("?"))


def _read(request: Request, state: State, iri: str | None) -> Response:
    triples = client_writes.graph_content(state.snapshot, iri)
    if triples is None:
        raise NotFound(f"no graph <{iri}>")
    media = choose(request.headers.get("accept"), list(GRAPH_TYPES))
    data = ox.serialize(triples, format=GRAPH_TYPES[media]) or b""
    return Response(data, media_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})


async def _write(
    request: Request, state: State, iri: str | None, *, replace: bool, multipart: bool
) -> Response:
    body = await read_body(request, iri, multipart=multipart)
    # The store's default graph always exists; a write to it "creates" it when it was empty.
    was_empty = iri is None and not client_writes.graph_content(state.snapshot, None)
    created = await run_write(state, client_writes.write_graph, iri, body, replace=replace)
    if not (created or was_empty):
        return Response(status_code=204)
    return Response(status_code=201, headers={"Location": _location(request, iri)})


def _location(request: Request, iri: str | None) -> str:
    """Where a created graph is read: its IRI when the request named it directly, else the
    store's URL with `?graph=` (or `?default`)."""
    if "path" in request.path_params:
        return str(iri)
    store = _store_url(request)
    return f"{store}?default" if iri is None else f"{store}?{urlencode({'graph': iri})}"


async def _delete(state: State, iri: str | None) -> Response:
    if not await run_write(state, client_writes.delete_graph, iri):
        raise NotFound(f"no graph <{iri}>")
    return Response(status_code=204)


# -- OpenAPI ----------------------------------------------------------------------------------

# -- indirect identification ------------------------------------------------------------------


@router.api_route(
    STORE_PATH,
    methods=["GET", "HEAD"],
    name="graph_store_read",
    summary="Read a graph",
    responses=GET_RESPONSES,
    openapi_extra=indirect(),
)
def read_graph(request: Request, state: Reading) -> Response:
    """The store's default graph (`?default`) or a named graph (`?graph=`), as negotiated."""
    _, iri = _target(request)
    return _read(request, state, iri)


@router.put(
    STORE_PATH,
    summary="Replace a graph",
    status_code=204,
    responses=WRITE_RESPONSES,
    openapi_extra=indirect(body=True),
)
async def put_graph(request: Request, state: State, _auth: WriteAllowed) -> Response:
    """Replace the graph with the body (201 when it did not exist)."""
    _, iri = _target(request)
    return await _write(request, state, iri, replace=True, multipart=False)


@router.post(
    STORE_PATH,
    summary="Add to a graph, or create one",
    status_code=204,
    responses=CREATE_RESPONSES,
    openapi_extra=indirect(store=True, body=True, multipart=True),
)
async def post_graph(request: Request, state: State, _auth: WriteAllowed) -> Response:
    """Merge the body into the graph (201 when it did not exist); to the store itself (no
    parameter): create a new graph and answer 201 with its IRI in `Location`."""
    is_store, iri = _target(request, store=True)
    if not is_store:
        return await _write(request, state, iri, replace=False, multipart=True)
    base = _store_url(request).rstrip("/") + "/"
    body = await read_body(request, base, multipart=True)
    created = await run_write(state, client_writes.create_graph, body, base)
    return Response(status_code=201, headers={"Location": created})


@router.delete(
    STORE_PATH,
    summary="Delete a graph",
    status_code=204,
    responses=DELETE_RESPONSES,
    openapi_extra=indirect(),
)
async def delete_graph(request: Request, state: State, _auth: WriteAllowed) -> Response:
    """Drop the graph (`?default`: empty the store's default graph)."""
    _, iri = _target(request)
    return await _delete(state, iri)


# -- direct identification --------------------------------------------------------------------

DIRECT_PATH = STORE_PATH + "/{path:path}"


@router.api_route(
    DIRECT_PATH,
    methods=["GET", "HEAD"],
    summary="Read a graph by its IRI",
    responses=GET_RESPONSES,
    openapi_extra=direct_spec(),
)
def read_direct(request: Request, state: Reading) -> Response:
    """The graph whose IRI is this URL, as negotiated."""
    return _read(request, state, _direct(request))


@router.put(
    DIRECT_PATH,
    summary="Replace a graph by its IRI",
    status_code=204,
    responses=WRITE_RESPONSES,
    openapi_extra=direct_spec(body=True),
)
async def put_direct(request: Request, state: State, _auth: WriteAllowed) -> Response:
    """Replace the graph whose IRI is this URL (201 when it did not exist)."""
    return await _write(request, state, _direct(request), replace=True, multipart=False)


@router.post(
    DIRECT_PATH,
    summary="Add to a graph by its IRI",
    status_code=204,
    responses=WRITE_RESPONSES,
    openapi_extra=direct_spec(body=True, multipart=True),
)
async def post_direct(request: Request, state: State, _auth: WriteAllowed) -> Response:
    """Merge the body into the graph whose IRI is this URL (201 when it did not exist)."""
    return await _write(request, state, _direct(request), replace=False, multipart=True)


@router.delete(
    DIRECT_PATH,
    summary="Delete a graph by its IRI",
    status_code=204,
    responses=DELETE_RESPONSES,
    openapi_extra=direct_spec(),
)
async def delete_direct(request: Request, state: State, _auth: WriteAllowed) -> Response:
    """Drop the graph whose IRI is this URL."""
    return await _delete(state, _direct(request))


__all__ = ["router"]
