"""/graph-store: the SPARQL 1.1 Graph Store HTTP Protocol (indirect identification).

`?graph=<IRI>` is the store's named graph `<IRI>` — a client's graph, or a loaded document's
(`cgg:doc/<file name>`, see `/api/stats`); `?default` is the store's own default graph, where
what clients write without a graph name goes (queries see the union of every graph as their
default graph; see docs/store.md). GET and HEAD read a graph; PUT, POST and DELETE (with the
write token) change it through `graph.client_writes`, which keeps casegraph's own graphs
read-only (409). Bodies: Turtle, N-Triples, RDF/XML or JSON-LD.
"""

from __future__ import annotations

from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import Reading, State, WriteAllowed
from api.negotiation import GRAPH_TYPES, choose
from api.problems import BadRequest, UnsupportedMediaType, problem_responses
from api.writes import run_write
from graph import client_writes
from loaders.nesting import check_nesting
from loaders.rdf import parse_rdf_bytes
from ontology.errors import LoadError, NotFound

router = APIRouter(tags=["graph store"])

BODY_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}

GraphParam = Annotated[
    str | None, Query(description="A named graph's IRI.", examples=["https://example.org/g1"])
]
DefaultParam = Annotated[
    str | None, Query(description="Present (empty) to address the default graph.")
]


def _target(graph: str | None, default: str | None) -> str | None:
    if (graph is None) == (default is None):
        raise BadRequest("give exactly one of ?graph=<IRI> or ?default")
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError as e:
            raise BadRequest(f"not an IRI: {graph!r}: {e}") from e
        if ":" not in graph:
            raise BadRequest(f"not an absolute IRI: {graph!r}")
    return graph


MAX_BODY_BYTES = 50 * 1_000_000
"""Graph Store writes larger than this are refused; load big files with `casegraph load`."""


async def _body(request: Request, base: str | None) -> list[ox.Triple]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    rdf_format = BODY_TYPES.get(content_type)
    if rdf_format is None:
        raise UnsupportedMediaType(
            f"unsupported Content-Type {content_type or '(none)'!r}; "
            f"use one of {', '.join(BODY_TYPES)}"
        )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise LoadError(f"the body is over {MAX_BODY_BYTES // 1_000_000} MB", field="body")
    data = await request.body()
    if len(data) > MAX_BODY_BYTES:
        raise LoadError(f"the body is over {MAX_BODY_BYTES // 1_000_000} MB", field="body")
    # The loaders' checks apply: UTF-8, no remote JSON-LD contexts, no nested XML entities,
    # and no JSON-LD or RDF/XML nested deep enough to crash the parser.
    check_nesting(data, rdf_format, "request body")
    return parse_rdf_bytes(data, content_type, "request body", base_iri=base)


_GET_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The graph", "content": {media: {} for media in GRAPH_TYPES}},
    **problem_responses(400, 404, 406),
}
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Created"},
    204: {"description": "Done"},
    **problem_responses(400, 401, 403, 404, 409, 415, 503),
}
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {media: {"schema": {"type": "string"}} for media in BODY_TYPES}
        | {
            "text/turtle": {
                "schema": {"type": "string"},
                "example": '<https://example.org/a> <https://example.org/b> "c" .',
            }
        },
    }
}


@router.api_route(
    "/graph-store", methods=["GET", "HEAD"], summary="Read a graph", responses=_GET_RESPONSES
)
def read_graph(
    request: Request, state: Reading, graph: GraphParam = None, default: DefaultParam = None
) -> Response:
    """The default graph (the union) or a named graph, as negotiated."""
    iri = _target(graph, default)
    triples = client_writes.graph_content(state.snapshot, iri)
    if triples is None:
        raise NotFound(f"no graph <{iri}>")
    media = choose(request.headers.get("accept"), list(GRAPH_TYPES))
    data = ox.serialize(triples, format=GRAPH_TYPES[media]) or b""
    return Response(data, media_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})


async def _write(state: State, iri: str | None, triples: list[ox.Triple], replace: bool) -> bool:
    return await run_write(
        state,
        lambda: client_writes.write_graph(state.workspace, iri, triples, replace=replace),
    )


@router.put(
    "/graph-store",
    summary="Replace a graph",
    status_code=204,
    responses=_WRITE_RESPONSES,
    openapi_extra=_BODY,
)
async def put_graph(
    request: Request,
    state: State,
    _auth: WriteAllowed,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Replace the graph with the body (201 when it did not exist)."""
    iri = _target(graph, default)
    created = await _write(state, iri, await _body(request, iri), replace=True)
    return Response(status_code=201 if created else 204)


@router.post(
    "/graph-store",
    summary="Add to a graph",
    status_code=204,
    responses=_WRITE_RESPONSES,
    openapi_extra=_BODY,
)
async def post_graph(
    request: Request,
    state: State,
    _auth: WriteAllowed,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Merge the body into the graph (201 when it did not exist)."""
    iri = _target(graph, default)
    created = await _write(state, iri, await _body(request, iri), replace=False)
    return Response(status_code=201 if created else 204)


@router.delete(
    "/graph-store", summary="Delete a graph", status_code=204, responses=_WRITE_RESPONSES
)
async def delete_graph(
    state: State, _auth: WriteAllowed, graph: GraphParam = None, default: DefaultParam = None
) -> Response:
    """Drop the graph (`?default`: empty the store's default graph)."""
    iri = _target(graph, default)
    if not await run_write(state, lambda: client_writes.delete_graph(state.workspace, iri)):
        raise NotFound(f"no graph <{iri}>")
    return Response(status_code=204)


__all__ = ["router"]
