"""/sparql: the SPARQL 1.1 Protocol (query and, with the write token, update).

Queries: `GET ?query=`, `POST` of a form (`query=`), `POST` of `application/sparql-query`;
`default-graph-uri` / `named-graph-uri` choose the dataset (else the query's own `FROM`, else
the union of every graph as the default graph and every graph by its name). The base IRI of
queries and updates is this endpoint's URL. Results by content negotiation — decided before the
query runs (406): JSON, XML, CSV, TSV for SELECT and ASK; Turtle, N-Triples, JSON-LD and RDF/XML
for CONSTRUCT and DESCRIBE. `GET /sparql` without a query returns the service description.

A whole answer to a GET is kept until the next write (the response cache,
`CASEGRAPH_RESPONSE_CACHE_MB`), keyed by the exact query string and `Accept` header: a repeated
query is answered without running again. Queries run in supervised worker processes on the
last published snapshot
(`graph.query_workers`): at the deadline (`CASEGRAPH_QUERY_TIMEOUT_S`) the worker is killed and
the client gets 503 (or, when the result had begun to stream, the response is cut off without
its last chunk, so that no client takes it for a whole result); a result over
`CASEGRAPH_SPARQL_MAX_BYTES` stops with 422 (or, once streaming, is cut off the same way); a
query that crashes the engine kills only its worker. Before any of that, `graph.query_guard`
reads the text: `SERVICE` is refused (pyoxigraph would make the HTTP call: SSRF), and so is
text too long or too deeply nested for the parser (400).

Updates: form `update=` or `application/sparql-update`, only with
`Authorization: Bearer <CASEGRAPH_WRITE_TOKEN>` (none configured: refused), the token checked
before the body is read (in a form: as soon as the `update` field's name arrives,
`api.forms`); `using-graph-uri` / `using-named-graph-uri` apply as `USING`; `LOAD` is
refused like `SERVICE`. How an update maps onto the store: `graph.client_writes`.
"""

from __future__ import annotations

import codecs
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import AppState, check_write_token, get_state
from api.forms import form_body
from api.negotiation import GRAPH_TYPES, RESULT_TYPES, choose
from api.problems import BadRequest, UnsupportedMediaType
from api.responses import ResultStream, encode, json_response, kept, remember
from api.routes.sparql_spec import (
    FORM,
    GET_PARAMETERS,
    QUERY_TYPE,
    REQUEST_BODIES,
    RESPONSES,
    UPDATE_TYPE,
    VERSIONS,
)
from api.writes import run_write
from graph import client_writes, query_guard
from graph.sparql_scan import blank, decoded
from graph.store import Change
from ontology.namespaces import PREFIXES

router = APIRouter(tags=["sparql"])


SD = "http://www.w3.org/ns/sparql-service-description#"

_FORM_WORD = re.compile(r"(?i)(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])")


@dataclass(frozen=True, slots=True)
class Operation:
    """One protocol request, decoded."""

    query: str | None
    update: str | None
    default_graphs: list[str]
    named_graphs: list[str]
    using_graphs: list[str]
    using_named_graphs: list[str]


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


def _charset(request: Request) -> str:
    """The body's declared charset, which the protocol fixes to UTF-8: any other is 415."""
    header = request.headers.get("content-type", "")
    match = re.search(r"(?i);\s*charset\s*=\s*\"?([\w.:-]+)", header)
    name = match.group(1) if match else "utf-8"
    try:
        name = codecs.lookup(name).name
    except LookupError:
        raise UnsupportedMediaType(f"unknown charset {name!r}; SPARQL bodies are UTF-8") from None
    if name != "utf-8":
        raise UnsupportedMediaType(f"charset {name!r} is not accepted; SPARQL bodies are UTF-8")
    return name


def _text(body: bytes, charset: str, what: str) -> str:
    try:
        text = body.decode(charset)
    except UnicodeDecodeError as e:
        raise BadRequest(f"the {what} is not {charset.upper()}: {e}") from e
    if not text.strip():
        raise BadRequest(f"the {what} is empty")
    return text


def _iris(values: list[str], name: str) -> list[str]:
    """Dataset and USING parameters: absolute IRIs only, else 400."""
    for value in values:
        if not value or ":" not in value:
            raise BadRequest(f"{name} must be an absolute IRI, not {value!r}")
        try:
            ox.NamedNode(value)
        except ValueError as e:
            raise BadRequest(f"{name} is not a valid IRI: {value!r} ({e})") from e
    return values


def _check_version(params: dict[str, list[str]]) -> None:
    version = _one(params, "version")
    if version is not None and version not in VERSIONS:
        raise BadRequest(
            f"unsupported SPARQL version {version!r}; this endpoint speaks 1.1 and 1.2"
        )


async def _decode(request: Request, state: AppState) -> Operation:
    url = _params(request.query_params.multi_items())
    _check_version(url)
    if request.method in {"GET", "HEAD"}:
        if "update" in url:
            raise BadRequest("updates must be sent with POST")
        return Operation(
            _one(url, "query"),
            None,
            _iris(url.get("default-graph-uri", []), "default-graph-uri"),
            _iris(url.get("named-graph-uri", []), "named-graph-uri"),
            [],
            [],
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not content_type:
        raise BadRequest(f"POST needs a Content-Type: {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}")
    if content_type not in {FORM, QUERY_TYPE, UPDATE_TYPE}:
        raise UnsupportedMediaType(
            f"unsupported Content-Type {content_type!r}; use {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}"
        )
    charset = _charset(request)
    if content_type == UPDATE_TYPE:
        # The token is checked before the body is read.
        check_write_token(state, request.headers.get("authorization"))
    body = await (form_body(request, state) if content_type == FORM else request.body())
    if content_type == FORM:
        text = _text(body, charset, "form")
        try:
            pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError as e:
            raise BadRequest(f"the form is not UTF-8: {e}") from e
        form = _params(pairs)
        _check_version(form)
        query, update = _one(form, "query"), _one(form, "update")
        if query is not None and update is not None:
            raise BadRequest("give 'query' or 'update', not both")
        if query is None and update is None:
            raise BadRequest("the form has neither 'query' nor 'update'")
        if not (query or update or "").strip():
            raise BadRequest(f"the {'query' if query is not None else 'update'} is empty")
        return Operation(
            query,
            update,
            _iris(form.get("default-graph-uri", []), "default-graph-uri"),
            _iris(form.get("named-graph-uri", []), "named-graph-uri"),
            _iris(form.get("using-graph-uri", []), "using-graph-uri"),
            _iris(form.get("using-named-graph-uri", []), "using-named-graph-uri"),
        )
    if content_type == QUERY_TYPE:
        return Operation(
            _text(body, charset, "query"),
            None,
            _iris(url.get("default-graph-uri", []), "default-graph-uri"),
            _iris(url.get("named-graph-uri", []), "named-graph-uri"),
            [],
            [],
        )
    return Operation(
        None,
        _text(body, charset, "update"),
        [],
        [],
        _iris(url.get("using-graph-uri", []), "using-graph-uri"),
        _iris(url.get("using-named-graph-uri", []), "using-named-graph-uri"),
    )


def query_form(query: str) -> str:
    """`SELECT`, `ASK`, `CONSTRUCT` or `DESCRIBE`: the query's first form keyword (`SELECT` when
    none is found: the engine then reports the syntax error in its own words)."""
    match = _FORM_WORD.search(blank(decoded(query)))
    return match.group(1).upper() if match is not None else "SELECT"


def _attribute(owner: Any, value: Any) -> str:
    """The attribute name of a pyoxigraph format constant (`JSON`, `TURTLE`, ...)."""
    return next(n for n in dir(owner) if n.isupper() and getattr(owner, n) == value)


def _media(accept: str | None, form: str) -> tuple[str, str, str]:
    """(media type, results format name, graph format name), or 406 before anything runs."""
    if form in {"CONSTRUCT", "DESCRIBE"}:
        media = choose(accept, list(GRAPH_TYPES))
        return media, "JSON", _attribute(ox.RdfFormat, GRAPH_TYPES[media])
    media = choose(accept, list(RESULT_TYPES))
    return media, _attribute(ox.QueryResultsFormat, RESULT_TYPES[media]), "TURTLE"


def _endpoint(request: Request) -> str:
    return str(request.url_for("sparql_query"))


async def _query(
    request: Request, state: AppState, op: Operation, *, keep: bool = False
) -> Response:
    """Run a query; with `keep` (a GET), a whole answer is kept for this version under the
    exact query string and Accept header, so a repeat gets the same bytes."""
    assert op.query is not None
    facts = query_guard.check_sparql_query(op.query, max_chars=state.settings.sparql_max_chars)
    media, result_format, graph_format = _media(request.headers.get("accept"), query_form(op.query))
    from graph.query_workers import Job

    given = bool(op.default_graphs or op.named_graphs)
    job = Job(
        query=op.query,
        result_format=result_format,
        graph_format=graph_format,
        base_iri=_endpoint(request),
        default_graphs=tuple(op.default_graphs) if given else None,
        named_graphs=tuple(op.named_graphs) if given else None,
        union=not given and not facts.has_dataset_clause,
        max_bytes=state.settings.sparql_max_bytes,
    )
    charset = "; charset=utf-8" if "xml" not in media else ""
    headers = {"Vary": "Accept"}
    deadline = time.monotonic() + state.settings.query_timeout_s
    if state.queries is None:
        data = await run_in_threadpool(_in_process, state, job)
        return Response(data, media_type=f"{media}{charset}", headers=headers)
    version = state.version
    answer, rest = await run_in_threadpool(state.queries.run, job, version, deadline)
    if answer.complete:
        if keep:
            return remember(state, version, request, answer.data, f"{media}{charset}", headers)
        return Response(answer.data, media_type=f"{media}{charset}", headers=headers)
    return ResultStream(answer.data, rest, f"{media}{charset}", headers)


def _in_process(state: AppState, job: Any) -> bytes:
    """A query on this process's snapshot (`CASEGRAPH_SPARQL_WORKERS=0`: no deadline)."""
    snapshot = state.snapshot
    kwargs: dict[str, Any] = {"base_iri": job.base_iri}
    if not job.union and job.default_graphs is None:
        result = snapshot.raw().query(job.query, base_iri=job.base_iri, prefixes=PREFIXES)
        return _serialise(result, job)
    if job.default_graphs is not None:
        kwargs["default_graph"] = [
            ox.NamedNode(g) if g else ox.DefaultGraph() for g in job.default_graphs
        ]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or ()]
    return _serialise(snapshot.query(job.query, **kwargs), job)


def _serialise(result: Any, job: Any) -> bytes:
    if isinstance(result, ox.QueryTriples):
        fmt = getattr(ox.RdfFormat, job.graph_format)
        return (
            ox.serialize(
                result, format=fmt, prefixes=PREFIXES if job.graph_format == "TURTLE" else None
            )
            or b""
        )
    data = result.serialize(format=getattr(ox.QueryResultsFormat, job.result_format))
    return data or b""


async def _update(request: Request, state: AppState, op: Operation) -> Response:
    assert op.update is not None
    check_write_token(state, request.headers.get("authorization"))
    query_guard.check_sparql_update(op.update, max_chars=state.settings.sparql_max_chars)
    base = _endpoint(request)

    changes: list[Change] = await run_write(
        state,
        client_writes.apply_update,
        op.update,
        base_iri=base,
        using_graphs=op.using_graphs,
        using_named_graphs=op.using_named_graphs,
    )
    return json_response(
        encode(
            {
                "graphs": [
                    {"name": c.name, "graph": c.graph, "added": c.added, "removed": c.removed}
                    for c in changes
                ],
                "version": state.version,
            }
        )
    )


@router.get(
    "/sparql",
    name="sparql_query",
    summary="SPARQL query (GET) or the service description",
    responses=RESPONSES,
    openapi_extra=GET_PARAMETERS,
)
async def sparql_get(request: Request, state: Annotated[AppState, Depends(get_state)]) -> Response:
    """Run the `query` parameter; without one, describe the service."""
    found = kept(state, request)
    if found is not None:
        return found
    op = await _decode(request, state)
    if op.query is None:
        return _service_description(request)
    return await _query(request, state, op, keep=True)


@router.post(
    "/sparql",
    summary="SPARQL query or update (POST)",
    responses=RESPONSES,
    openapi_extra=REQUEST_BODIES,
)
async def sparql_post(request: Request, state: Annotated[AppState, Depends(get_state)]) -> Response:
    """A query (form or direct) or, with the write token, an update (form or direct)."""
    op = await _decode(request, state)
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
