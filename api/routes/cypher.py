"""/cypher: read-only Cypher on the configured property-graph engine (FalkorDB or Neo4j).

The engine runs the query in read-only mode (`CypherBackend.query(..., read_only=True)`), so a
write clause fails there with a `QueryError` (400); values come back JSON-safe (dates as ISO
strings, nodes, relationships and paths as objects). Without a configured engine: 503.

The text is checked first (`graph.query_guard.check_cypher`): `LOAD CSV`, procedures other than
the metadata ones, and text too long or too deeply nested for the engine's parser are refused
with 400.

Limits, as for SPARQL: the body must be JSON (else 415) and under
`CASEGRAPH_CYPHER_MAX_BODY_BYTES` (else 413, `api.http`); the request gives up after
`CASEGRAPH_QUERY_TIMEOUT_S` with 503 (the engine is given the same timeout and stops the query
itself; FalkorDB checks it only between records, so a query that runs on past a grace period is
ended by restarting the engine in the background: `api.cypher_runs`); a result over
`CASEGRAPH_CYPHER_MAX_ROWS` rows or `CASEGRAPH_CYPHER_MAX_BYTES` bytes is 422 (`api.limits`).
"""

from __future__ import annotations

import functools
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.cypher_runs import refuse_while_restarting, run_query
from api.deps import AppState, Reading
from api.limits import cypher_cap
from api.problems import UnsupportedMediaType, problem_responses
from api.schemas import CypherRequest, CypherResult
from graph import query_guard
from ontology.errors import BackendUnavailable, ResultTooLarge

router = APIRouter(tags=["cypher"])


async def json_body(
    content_type: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    """415 unless the body is declared JSON (`application/json` or `application/*+json`)."""
    media = (content_type or "").split(";")[0].strip().lower()
    json_suffix = media.startswith("application/") and media.endswith("+json")
    if media == "application/json" or json_suffix:
        return
    raise UnsupportedMediaType(
        f"send the query as application/json, not {media or '(no Content-Type)'!r}"
    )


@router.post(
    "/cypher",
    response_model=CypherResult,
    summary="Read-only Cypher query",
    dependencies=[Depends(json_body)],
    responses=problem_responses(400, 413, 415, 422, 503),
)
async def cypher(body: CypherRequest, state: Reading) -> Response:
    """Run `query` with `parameters` (always pass values as `$parameters`)."""
    query_guard.check_cypher(body.query, max_chars=state.settings.cypher_max_chars)
    backend = state.cypher
    if backend is None and not state.engines_opened.is_set():
        # The engines open on a background thread at start-up: wait for them, briefly.
        await run_in_threadpool(state.engines_opened.wait, state.settings.query_timeout_s)
        backend = state.cypher
    if backend is None:
        reason = f": {state.cypher_error}" if state.cypher_error else ""
        raise BackendUnavailable(f"Cypher engine not available{reason}")
    from graph.sync import backend_name

    name = backend_name(backend)
    refuse_while_restarting(state, name)
    timeout = state.settings.query_timeout_s
    await _in_step(state, backend, timeout)
    cap = cypher_cap(state.settings)
    run = functools.partial(
        backend.query,
        body.query,
        body.parameters,
        read_only=True,
        timeout_s=timeout,
        max_rows=cap.max_rows,
    )
    try:
        columns, rows = await run_query(state, name, backend, run, timeout)
    except ResultTooLarge:
        raise cap.too_many_rows() from None
    data = json.dumps(
        {"columns": list(columns), "rows": rows},
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
    ).encode("utf-8")
    cap.check_bytes(len(data))
    return Response(data, media_type="application/json")


async def _in_step(state: AppState, backend: object, timeout_s: float) -> None:
    """Wait until the engine holds the published version, so that an answer never reads a
    graph older than what REST and SPARQL serve (a first start or a write's sync); else 503."""
    from graph.sync import backend_name

    if all(backend is not synced for synced in state.sync_backends):
        return  # kept in step by someone else (`casegraph sync`): nothing to wait for
    name = backend_name(backend)
    engine = state.engines.get(name)
    if engine is None or engine.version == state.version:
        return
    engine = await run_in_threadpool(state.wait_for_engine, name, timeout_s)
    if engine.version == state.version:
        return
    if engine.state == "failed":
        raise BackendUnavailable(f"the Cypher engine {name} failed to sync: {engine.reason}")
    raise BackendUnavailable(
        f"the Cypher engine {name} is still syncing version {state.version} "
        f"(it holds {engine.version if engine.version is not None else 'nothing yet'}); "
        "retry shortly"
    )


__all__ = ["json_body", "router"]
