"""/sparql: the SPARQL 1.1 Protocol (query and, with the write token, update).

Queries: `GET ?query=`, `POST` of a form (`query=`), `POST` of `application/sparql-query`;
`default-graph-uri` / `named-graph-uri` choose the dataset (else the query's own `FROM`, else
the union of every loaded graph as the default graph and the loaded graphs as named graphs).
Results by content negotiation: JSON, XML, CSV, TSV for SELECT and ASK; Turtle, N-Triples,
JSON-LD and RDF/XML for CONSTRUCT and DESCRIBE. `GET /sparql` without a query returns the
service description.

Limits. `SERVICE` is refused (pyoxigraph would make the HTTP call: SSRF; see
`api.sparql_text`). pyoxigraph has no query timeout or cancellation, so a query runs on a small
dedicated pool and the request gives up after `query_timeout_s` with 503; the abandoned query
still runs to its end on its worker (at most four run at once, later ones queue and time out).

Updates: form `update=` or `application/sparql-update`, only with
`Authorization: Bearer <CASEGRAPH_WRITE_TOKEN>` (none configured: refused); `LOAD` is refused
like `SERVICE`; `using-graph-uri` / `using-named-graph-uri` are not supported (use `USING` in
the update). How an update maps onto the store: `api.writes`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api import sparql_text, writes
from api.deps import AppState, check_write_token, get_state
from api.negotiation import GRAPH_TYPES, RESULT_TYPES, choose
from api.problems import BadRequest, QueryTimeout, UnsupportedMediaType, problem_responses
from api.sparql_results import serialize_solutions, serialize_triples
from graph.store import Change
from ontology.errors import QueryError
from ontology.namespaces import PREFIXES

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"

SD = "http://www.w3.org/ns/sparql-service-description#"

_EXAMPLE = (
    "PREFIX cg: <https://w3id.org/casegraph/ontology#>\n"
    "SELECT ?event ?label ?start WHERE {\n"
    "  ?event a cg:Event ; rdfs:label ?label ; cg:earliest ?start .\n"
    "} ORDER BY ?start LIMIT 10"
)


@dataclass(frozen=True, slots=True)
class Operation:
    """One protocol request, decoded."""

    query: str | None
    update: str | None
    default_graphs: list[str]
    named_graphs: list[str]
    using_graphs: list[str]


def _params(pairs: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise BadRequest(f"give one {name!r} parameter, not {len(values)}")
    return values[0] if values else None


def _utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadRequest(f"the {what} is not UTF-8: {e}") from e


def _url_params(request: Request) -> dict[str, list[str]]:
    return _params(request.query_params.multi_items())


async def _decode(request: Request) -> Operation:
    url = _url_params(request)
    if request.method == "GET":
        if "update" in url:
            raise BadRequest("updates must be sent with POST")
        return Operation(
            _one(url, "query"),
            None,
            url.get("default-graph-uri", []),
            url.get("named-graph-uri", []),
            [],
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if not content_type:
        raise BadRequest(f"POST needs a Content-Type: {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}")
    if content_type == FORM:
        try:
            pairs = parse_qsl(
                _utf8(body, "form"), keep_blank_values=True, encoding="utf-8", errors="strict"
            )
        except UnicodeDecodeError as e:
            raise BadRequest(f"the form is not UTF-8: {e}") from e
        form = _params(pairs)
        query, update = _one(form, "query"), _one(form, "update")
        if query is not None and update is not None:
            raise BadRequest("give 'query' or 'update', not both")
        if query is None and update is None:
            raise BadRequest("the form has neither 'query' nor 'update'")
        return Operation(
            query,
            update,
            form.get("default-graph-uri", []),
            form.get("named-graph-uri", []),
            form.get("using-graph-uri", []) + form.get("using-named-graph-uri", []),
        )
    if content_type == QUERY_TYPE:
        return Operation(
            _utf8(body, "query"),
            None,
            url.get("default-graph-uri", []),
            url.get("named-graph-uri", []),
            [],
        )
    if content_type == UPDATE_TYPE:
        return Operation(
            None,
            _utf8(body, "update"),
            [],
            [],
            url.get("using-graph-uri", []) + url.get("using-named-graph-uri", []),
        )
    raise UnsupportedMediaType(
        f"unsupported Content-Type {content_type!r}; use {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}"
    )


def _dataset(state: AppState, iris: list[str]) -> list[ox.NamedNode]:
    out = []
    for iri in iris:
        physical = writes.physical_graph(state.store, iri)
        out.append(ox.NamedNode(physical or iri))
    return out


def _run_query(
    state: AppState, op: Operation, accept: str | None, deadline: float
) -> tuple[bytes, str]:
    """Evaluate and serialise (on the SPARQL pool), stopping at `deadline` (`time.monotonic`).

    No lock is taken, so a query abandoned after its timeout never holds up a write: the query
    runs on the Oxigraph snapshot taken when it starts, over the graphs published by the last
    completed write (`AppState.visible`). A query that starts while a write is replacing a
    document may miss that document's graph.
    """
    assert op.query is not None
    try:
        store = state.store
        kwargs: dict[str, Any] = {"prefixes": PREFIXES}
        if op.default_graphs or op.named_graphs:
            kwargs["default_graph"] = _dataset(state, op.default_graphs)
            kwargs["named_graphs"] = _dataset(state, op.named_graphs)
        elif not sparql_text.has_dataset_clause(op.query):
            kwargs["default_graph"] = state.visible
            kwargs["named_graphs"] = state.visible
        result = store.raw().query(op.query, **kwargs)
        if isinstance(result, ox.QueryTriples):
            media = choose(accept, list(GRAPH_TYPES))
            data = serialize_triples(result, GRAPH_TYPES[media], deadline)
        elif isinstance(result, ox.QuerySolutions):
            media = choose(accept, list(RESULT_TYPES))
            data = serialize_solutions(result, RESULT_TYPES[media], deadline)
        else:
            media = choose(accept, list(RESULT_TYPES))
            data = result.serialize(format=RESULT_TYPES[media])
    except SyntaxError as e:
        raise QueryError(f"SPARQL syntax error: {e}") from e
    except OSError as e:
        raise QueryError(f"SPARQL query failed: {e}") from e
    return data or b"", media


async def _query(request: Request, state: AppState, op: Operation) -> Response:
    assert op.query is not None
    if sparql_text.uses_service(op.query):
        raise BadRequest(
            "SERVICE (federated query) is not allowed on this endpoint: "
            "it would make the server call other hosts"
        )
    accept = request.headers.get("accept")
    timeout = state.settings.query_timeout_s
    # The worker stops pulling solutions shortly after the request gives up (see sparql_results).
    deadline = time.monotonic() + timeout + 0.5
    future = state.sparql_pool.submit(_run_query, state, op, accept, deadline)
    try:
        data, media = await asyncio.wait_for(asyncio.wrap_future(future), timeout=timeout)
    except TimeoutError:
        raise QueryTimeout(
            f"the query did not finish within {timeout:g} s (CASEGRAPH_QUERY_TIMEOUT_S)"
        ) from None
    charset = "; charset=utf-8" if not media.startswith("application/sparql-results+xml") else ""
    return Response(data, media_type=f"{media}{charset}", headers={"Vary": "Accept"})


async def _update(request: Request, state: AppState, op: Operation) -> Response:
    assert op.update is not None
    check_write_token(state, request.headers.get("authorization"))
    if op.using_graphs:
        if sparql_text.has_using_clause(op.update):
            raise BadRequest("using-graph-uri conflicts with USING in the update")
        raise BadRequest("using-graph-uri / using-named-graph-uri are not supported; use USING")
    if sparql_text.uses_service(op.update) or sparql_text.uses_load(op.update):
        raise BadRequest("SERVICE and LOAD are not allowed: they would make the server call out")
    base = str(request.url_for("sparql_query"))

    def run() -> list[Change]:
        with state.lock.write(timeout_s=state.settings.query_timeout_s):
            return writes.apply_update(state, op.update or "", base_iri=base)

    changes = await run_in_threadpool(run)
    return JSONResponse(
        {
            "graphs": [
                {"name": c.name, "graph": c.graph, "added": c.added, "removed": c.removed}
                for c in changes
            ]
        }
    )


_REQUEST_BODIES: dict[str, Any] = {
    "requestBody": {
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "update": {"type": "string"},
                        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "example": {"query": _EXAMPLE},
            },
            QUERY_TYPE: {"schema": {"type": "string"}, "example": _EXAMPLE},
            UPDATE_TYPE: {
                "schema": {"type": "string"},
                "example": "INSERT DATA { <https://w3id.org/casegraph/id/agent/x> "
                '  rdfs:label "X" ; a cg:Agent }',
            },
        }
    },
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Results (SELECT/ASK) or a graph (CONSTRUCT/DESCRIBE), as negotiated",
        "content": {
            **{media: {} for media in RESULT_TYPES},
            **{media: {} for media in GRAPH_TYPES},
        },
    },
    **problem_responses(400, 401, 403, 406, 409, 415, 503),
}


@router.get(
    "/sparql",
    name="sparql_query",
    summary="SPARQL query (GET) or the service description",
    responses=_RESPONSES,
    openapi_extra={
        "parameters": [
            {"name": "query", "in": "query", "schema": {"type": "string"}, "example": _EXAMPLE},
            {
                "name": "default-graph-uri",
                "in": "query",
                "schema": {"type": "array", "items": {"type": "string"}},
            },
            {
                "name": "named-graph-uri",
                "in": "query",
                "schema": {"type": "array", "items": {"type": "string"}},
            },
        ]
    },
)
async def sparql_get(request: Request, state: Annotated[AppState, Depends(get_state)]) -> Response:
    """Run the `query` parameter; without one, describe the service."""
    op = await _decode(request)
    if op.query is None:
        return _service_description(request)
    return await _query(request, state, op)


@router.post(
    "/sparql",
    summary="SPARQL query or update (POST)",
    responses=_RESPONSES,
    openapi_extra=_REQUEST_BODIES,
)
async def sparql_post(request: Request, state: Annotated[AppState, Depends(get_state)]) -> Response:
    """A query (form or direct) or, with the write token, an update (form or direct)."""
    op = await _decode(request)
    if op.update is not None:
        return await _update(request, state, op)
    return await _query(request, state, op)


def _service_description(request: Request) -> Response:
    endpoint = ox.NamedNode(str(request.url_for("sparql_query")))
    service = ox.BlankNode()
    dataset = ox.BlankNode()

    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(f"{SD}{local}")

    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    formats = [
        "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
        "http://www.w3.org/ns/formats/SPARQL_Results_XML",
        "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
        "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
        "http://www.w3.org/ns/formats/Turtle",
        "http://www.w3.org/ns/formats/N-Triples",
        "http://www.w3.org/ns/formats/JSON-LD",
        "http://www.w3.org/ns/formats/RDF_XML",
    ]
    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), endpoint),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        *(ox.Triple(service, sd("resultFormat"), ox.NamedNode(f)) for f in formats),
    ]
    media = choose(request.headers.get("accept"), list(GRAPH_TYPES))
    rdf_format = GRAPH_TYPES[media]
    prefixes = {"sd": SD} if rdf_format == ox.RdfFormat.TURTLE else None
    data = ox.serialize(triples, format=rdf_format, prefixes=prefixes)
    return Response(data or b"", media_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})


__all__ = ["router"]
