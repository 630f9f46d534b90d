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

import json
import re
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
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
MULTIPART = "multipart/form-data"
STORE_PATH = "/graph-store"

_IRI_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "iri",
    "pattern": '^[A-Za-z][A-Za-z0-9+.-]*:[^<>"{}|^`\\\\ \\x00-\\x20]*$',
}
_GRAPH = {
    "type": "object",
    "title": "graph",
    "properties": {"graph": _IRI_SCHEMA},
    "required": ["graph"],
    "additionalProperties": False,
}
_DEFAULT = {
    "type": "object",
    "title": "default",
    "properties": {"default": {"type": "string", "description": "Its value is not read."}},
    "required": ["default"],
    "additionalProperties": False,
}
_STORE = {
    "type": "object",
    "title": "the store itself",
    "additionalProperties": False,
}


def _target_parameter(*, store: bool) -> dict[str, Any]:
    """The `graph` / `default` pair as one exploded object, so that "exactly one of them" (or,
    for POST, neither: the store itself) is in the schema."""
    branches = [_GRAPH, _DEFAULT, *([_STORE] if store else [])]
    return {
        "name": "target",
        "in": "query",
        "style": "form",
        "explode": True,
        "required": not store,
        "description": "`graph=<IRI>` (a named graph) or `default` (the store's default graph)"
        + ("; neither: the store itself (a new graph is created)." if store else "."),
        "schema": {"oneOf": branches},
        "examples": {
            "graph": {"value": {"graph": "https://example.org/g1"}},
            "default": {"value": {"default": ""}},
        },
    }


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


_DIRECT_PATTERN = r"^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$"
_DIRECT = re.compile(_DIRECT_PATTERN)


def _direct(request: Request) -> str:
    """The graph IRI of a direct request: the request's own URL, without its query."""
    path = request.path_params.get("path", "")
    if not _DIRECT.match(path):
        raise BadRequest(
            f"a graph addressed by its IRI here has a path of letters, digits and '._~-' "
            f"segments; use ?graph=<IRI> for {path!r}"
        )
    return _checked_iri(str(request.url.replace(query="", fragment="")).rstrip("?"))


def _media(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _body(request: Request, base: str | None, *, multipart: bool) -> list[ox.Triple]:
    content_type = _media(request)
    if multipart and content_type == MULTIPART:
        return await _multipart(request, base)
    rdf_format = BODY_TYPES.get(content_type)
    if rdf_format is None:
        accepted = [*BODY_TYPES, *([MULTIPART] if multipart else [])]
        raise UnsupportedMediaType(
            f"unsupported Content-Type {content_type or '(none)'!r}; "
            f"use one of {', '.join(accepted)}"
        )
    return _parse(await request.body(), content_type, rdf_format, "request body", base)


def _parse(
    data: bytes, content_type: str, rdf_format: ox.RdfFormat, name: str, base: str | None
) -> list[ox.Triple]:
    # The loaders' checks apply: UTF-8, no remote JSON-LD contexts, no nested XML entities,
    # and no JSON-LD or RDF/XML nested deep enough to crash the parser.
    check_nesting(data, rdf_format, name)
    if rdf_format == ox.RdfFormat.JSON_LD:
        _check_json_ld_top(data, name)
    return parse_rdf_bytes(data, content_type, name, base_iri=base)


def _check_json_ld_top(data: bytes, name: str) -> None:
    """A JSON-LD document is a JSON object or array (JSON-LD 1.1, section 9)."""
    try:
        top = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise LoadError(f"{name}: not JSON: {e}", field="body") from e
    if not isinstance(top, dict | list) or (
        isinstance(top, list) and not all(isinstance(item, dict) for item in top)
    ):
        raise LoadError(
            f"{name}: a JSON-LD document is an object or an array of objects", field="body"
        )


async def _multipart(request: Request, base: str | None) -> list[ox.Triple]:
    """Every part of a multipart/form-data body, each parsed by its own Content-Type."""
    limit = request.app.state.settings.upload_max_body_bytes
    form = await request.form(max_files=100, max_fields=100, max_part_size=limit)
    triples: list[ox.Triple] = []
    try:
        parts = 0
        for field, item in form.multi_items():
            parts += 1
            if isinstance(item, str):
                # A part without a filename reaches us without its Content-Type: Turtle.
                name = f"part {field!r}"
                triples.extend(
                    _parse(item.encode(), "text/turtle", ox.RdfFormat.TURTLE, name, base)
                )
                continue
            name = f"part {item.filename or field!r}"
            content_type = (item.content_type or "").split(";")[0].strip().lower()
            rdf_format = BODY_TYPES.get(content_type)
            if rdf_format is None:
                raise UnsupportedMediaType(
                    f"{name}: unsupported Content-Type {content_type or '(none)'!r}; "
                    f"use one of {', '.join(BODY_TYPES)}"
                )
            triples.extend(_parse(await item.read(), content_type, rdf_format, name, base))
        if not parts:
            raise BadRequest("the multipart body holds no part")
    finally:
        await form.close()
    return list(dict.fromkeys(triples))


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
    triples = await _body(request, iri, multipart=multipart)
    # The store's default graph always exists; a write to it "creates" it when it was empty.
    was_empty = iri is None and not client_writes.graph_content(state.snapshot, None)
    created = await run_write(
        state,
        lambda: client_writes.write_graph(state.workspace, iri, triples, replace=replace),
    )
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
    if not await run_write(state, lambda: client_writes.delete_graph(state.workspace, iri)):
        raise NotFound(f"no graph <{iri}>")
    return Response(status_code=204)


# -- OpenAPI ----------------------------------------------------------------------------------

_TURTLE_EXAMPLE = '<https://example.org/a> <https://example.org/b> "c" .'
_GET_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The graph", "content": {media: {} for media in GRAPH_TYPES}},
    **problem_responses(400, 404, 406),
}
_LOCATION = {
    "Location": {
        "description": "Where the new graph is read: its IRI (direct identification) or "
        "`/graph-store?graph=<IRI>`",
        "schema": {"type": "string", "format": "uri"},
    }
}
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Created: the graph did not exist", "headers": _LOCATION},
    204: {"description": "Done"},
    **problem_responses(400, 401, 403, 404, 409, 415, 503),
}
_DELETE_RESPONSES: dict[int | str, dict[str, Any]] = {
    204: {"description": "Deleted"},
    **problem_responses(400, 401, 403, 404, 409, 503),
}
_CREATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_WRITE_RESPONSES,
    201: {
        "description": "Created (POST to the store): `Location` is the new graph's IRI",
        "headers": _LOCATION,
    },
}


def _rdf_content() -> dict[str, Any]:
    content: dict[str, Any] = {
        media: {
            "schema": {"type": "string", "format": "turtle", "minLength": 1},
            "example": _TURTLE_EXAMPLE,
        }
        for media in ("text/turtle", "application/x-turtle")
    }
    content["application/n-triples"] = {
        "schema": {"type": "string", "format": "n-triples", "minLength": 1},
        "example": _TURTLE_EXAMPLE,
    }
    content["application/ld+json"] = {
        "schema": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]},
        "example": {"@id": "https://example.org/a", "https://example.org/b": "c"},
    }
    return content


def _body_spec(*, multipart: bool) -> dict[str, Any]:
    content = _rdf_content()
    if multipart:
        content[MULTIPART] = {
            "schema": {
                "type": "object",
                "properties": {"graph": {"type": "string", "format": "turtle", "minLength": 1}},
                "additionalProperties": {"type": "string", "format": "turtle", "minLength": 1},
                "required": ["graph"],
                "description": "Each part one RDF document, parsed by its Content-Type "
                "(a part without a filename: Turtle); all of them are merged.",
            },
            "encoding": {"graph": {"contentType": "text/turtle"}},
        }
    return {
        "requestBody": {
            "required": True,
            "description": "The graph as Turtle, N-Triples or JSON-LD (RDF/XML, "
            "`application/rdf+xml`, is taken too)"
            + ("; or several as `multipart/form-data`." if multipart else "."),
            "content": content,
        }
    }


def _indirect(*, store: bool = False, body: bool = False, multipart: bool = False) -> Any:
    extra: dict[str, Any] = {"parameters": [_target_parameter(store=store)]}
    if body:
        extra |= _body_spec(multipart=multipart)
    return extra


def _direct_spec(*, body: bool = False, multipart: bool = False) -> Any:
    path = {
        "name": "path",
        "in": "path",
        "required": True,
        "description": "The rest of the graph's IRI under `<base>/graph-store/`.",
        "schema": {"type": "string", "pattern": _DIRECT_PATTERN},
        "example": "person/1.ttl",
    }
    extra: dict[str, Any] = {"parameters": [path]}
    if body:
        extra |= _body_spec(multipart=multipart)
    return extra


# -- indirect identification ------------------------------------------------------------------


@router.api_route(
    STORE_PATH,
    methods=["GET", "HEAD"],
    name="graph_store_read",
    summary="Read a graph",
    responses=_GET_RESPONSES,
    openapi_extra=_indirect(),
)
def read_graph(request: Request, state: Reading) -> Response:
    """The store's default graph (`?default`) or a named graph (`?graph=`), as negotiated."""
    _, iri = _target(request)
    return _read(request, state, iri)


@router.put(
    STORE_PATH,
    summary="Replace a graph",
    status_code=204,
    responses=_WRITE_RESPONSES,
    openapi_extra=_indirect(body=True),
)
async def put_graph(request: Request, state: State, _auth: WriteAllowed) -> Response:
    """Replace the graph with the body (201 when it did not exist)."""
    _, iri = _target(request)
    return await _write(request, state, iri, replace=True, multipart=False)


@router.post(
    STORE_PATH,
    summary="Add to a graph, or create one",
    status_code=204,
    responses=_CREATE_RESPONSES,
    openapi_extra=_indirect(store=True, body=True, multipart=True),
)
async def post_graph(request: Request, state: State, _auth: WriteAllowed) -> Response:
    """Merge the body into the graph (201 when it did not exist); to the store itself (no
    parameter): create a new graph and answer 201 with its IRI in `Location`."""
    is_store, iri = _target(request, store=True)
    if not is_store:
        return await _write(request, state, iri, replace=False, multipart=True)
    base = _store_url(request).rstrip("/") + "/"
    triples = await _body(request, base, multipart=True)
    created = await run_write(
        state, lambda: client_writes.create_graph(state.workspace, triples, base)
    )
    return Response(status_code=201, headers={"Location": created})


@router.delete(
    STORE_PATH,
    summary="Delete a graph",
    status_code=204,
    responses=_DELETE_RESPONSES,
    openapi_extra=_indirect(),
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
    responses=_GET_RESPONSES,
    openapi_extra=_direct_spec(),
)
def read_direct(request: Request, state: Reading) -> Response:
    """The graph whose IRI is this URL, as negotiated."""
    return _read(request, state, _direct(request))


@router.put(
    DIRECT_PATH,
    summary="Replace a graph by its IRI",
    status_code=204,
    responses=_WRITE_RESPONSES,
    openapi_extra=_direct_spec(body=True),
)
async def put_direct(request: Request, state: State, _auth: WriteAllowed) -> Response:
    """Replace the graph whose IRI is this URL (201 when it did not exist)."""
    return await _write(request, state, _direct(request), replace=True, multipart=False)


@router.post(
    DIRECT_PATH,
    summary="Add to a graph by its IRI",
    status_code=204,
    responses=_WRITE_RESPONSES,
    openapi_extra=_direct_spec(body=True, multipart=True),
)
async def post_direct(request: Request, state: State, _auth: WriteAllowed) -> Response:
    """Merge the body into the graph whose IRI is this URL (201 when it did not exist)."""
    return await _write(request, state, _direct(request), replace=False, multipart=True)


@router.delete(
    DIRECT_PATH,
    summary="Delete a graph by its IRI",
    status_code=204,
    responses=_DELETE_RESPONSES,
    openapi_extra=_direct_spec(),
)
async def delete_direct(request: Request, state: State, _auth: WriteAllowed) -> Response:
    """Drop the graph whose IRI is this URL."""
    return await _delete(state, _direct(request))


__all__ = ["BODY_TYPES", "router"]
