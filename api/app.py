"""The FastAPI application: `create_app()` builds it; its lifespan opens and closes the resources.

At start-up the lifespan opens the data directory (`graph.workspace.Workspace`: the store, an
interrupted write undone, and the read model, repaired if it missed a write), the last
published snapshot for readers, and the SPARQL worker processes. None of that reads the whole
store, so start-up does not grow with it. The Cypher engines are opened and brought up to date
on a background thread; `/api/health` says how far they are. At shutdown everything closes in
reverse order. Nothing is opened at import time. Routers: `api.routes` (one module per surface).
"""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

import api
from api import http, openapi, problems
from api.deps import AppState, EngineState, ResponseCache
from api.routes import cypher, graph_store, home, linked_data, rest, sparql, views
from api.settings import MiB, Settings
from graph.workspace import Workspace

log = logging.getLogger("casegraph.api")

SHUTDOWN_BUDGET_S = 4.0
"""The lifespan's shutdown ends within this (plus the workspace's close). With uvicorn's
graceful wait (`GRACEFUL_SHUTDOWN_S` in `api.cli`), SIGTERM stops the server within 10 s even
while a query hangs an engine; an engine killed at the bound resyncs from the store at the
next start."""

DESCRIPTION = """
casegraph: a knowledge graph of historical cases — events, actors, places, dates, and sourced
causal claims.

* **REST** under `/api` (this page): entities, events, cases, claims, sources, causal chains.
  Errors are `application/problem+json` (RFC 9457).
* **SPARQL 1.1 Protocol** at `/sparql` (read-only; updates need `Authorization: Bearer <token>`),
  **Graph Store Protocol** at `/graph-store`.
* **Cypher** (read-only) at `/cypher`.
* **Linked Data**: every entity IRI `https://w3id.org/casegraph/id/<kind>/<slug>` is served at
  `/id/<kind>/<slug>` as HTML, JSON-LD or Turtle.
"""

TAGS = [
    {"name": "meta", "description": "Health and counts."},
    {"name": "entities", "description": "Search and read entities; `{id}` is the entity's slug."},
    {"name": "events", "description": "Events in time order, with filters."},
    {"name": "cases", "description": "Cases, and comparing them."},
    {"name": "causal", "description": "Causal chains, causes, effects, neighbourhoods."},
    {"name": "claims", "description": "Causal claims with stance, confidence and sources."},
    {"name": "sources", "description": "Sources and what rests on them."},
    {"name": "graphs", "description": "Loading and dropping documents (with the write token)."},
    {"name": "sparql", "description": "SPARQL 1.1 Protocol."},
    {"name": "graph store", "description": "SPARQL 1.1 Graph Store HTTP Protocol."},
    {"name": "cypher", "description": "Read-only Cypher on the property-graph engine."},
    {"name": "linked data", "description": "Entity IRIs, dereferenced."},
]


def open_engines(settings: Settings) -> tuple[Any, str | None, list[Any], dict[str, str]]:
    """(query engine or None, why not, engines to keep in sync, errors by engine). Never raises."""
    try:
        from graph.cypher import open_backend
    except ImportError as e:
        return None, f"graph.cypher is not available ({e})", [], {}
    engines: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in dict.fromkeys([settings.cypher_backend, *settings.engines()]):
        try:
            engines[name] = open_backend(name, settings)
        except Exception as e:
            errors[name] = str(e)
            log.warning("Cypher engine %s unavailable: %s", name, e)
    backend = engines.get(settings.cypher_backend)
    error = None if backend is not None else "; ".join(errors.values()) or "no engine"
    return backend, error, [engines[n] for n in settings.engines() if n in engines], errors


def _close(resource: Any, timeout_s: float | None = None) -> None:
    close = getattr(resource, "close", None)
    if callable(close):
        try:
            if timeout_s is not None and "stop_timeout_s" in inspect.signature(close).parameters:
                close(stop_timeout_s=timeout_s)  # an embedded engine: killed past the bound
            else:
                close()
        except Exception as e:
            log.warning("closing %r failed: %s", resource, e)


def _start(settings: Settings) -> AppState:
    writer = None
    if settings.write_process and settings.data_dir is not None and not settings.read_only:
        from graph.write_process import WriteProcess

        writer = WriteProcess(settings.data_dir)  # opens (and repairs) the store first
    try:
        workspace = Workspace.open(
            settings.data_dir,
            read_only=settings.read_only or writer is not None,
            model_read_only=settings.read_only,
        )
    except BaseException:
        if writer is not None:
            writer.close()
        raise
    try:
        snapshot = workspace.store.snapshot()
        state = AppState(
            settings=settings,
            workspace=workspace,
            snapshot=snapshot,
            version=snapshot.version or 0,
            cache=ResponseCache(settings.response_cache_mb * MiB),
            writer=writer,
        )
        workspace.listeners.append(state.publish)
        state.engines = {
            name: EngineState(name)
            for name in dict.fromkeys([settings.cypher_backend, *settings.engines()])
        }
        if settings.sparql_workers > 0:
            from graph.query_workers import QueryWorkers

            state.queries = QueryWorkers(settings.data_dir, settings.sparql_workers)
        state.engines_thread = threading.Thread(
            target=_engines_start, args=(state,), name="casegraph-engines", daemon=True
        )
        state.engines_thread.start()
        return state
    except BaseException:
        workspace.close()
        if writer is not None:
            writer.close()
        raise


def _engines_start(state: AppState) -> None:
    """Open the Cypher engines and sync them (a background thread; see `/api/health`)."""
    settings = state.settings
    try:
        backend, error, sync_backends, errors = open_engines(settings)
        state.cypher, state.cypher_error, state.sync_backends = backend, error, sync_backends
    finally:
        state.engines_opened.set()
    for name, reason in errors.items():
        state.engines[name] = EngineState(name, "unavailable", reason)
    if settings.read_only:
        for engine in sync_backends:
            state.engines[_name(engine)] = EngineState(_name(engine), "ok", None)
        return
    from api.writes import sync_engines

    sync_engines(state)


def _name(engine: Any) -> str:
    from graph.sync import backend_name

    return backend_name(engine)


def _stop(state: AppState) -> None:
    """Close everything within `SHUTDOWN_BUDGET_S`, whatever hangs (a sync or a query stuck in
    an engine, a SPARQL worker mid-query): past its share, each part is killed."""
    from api.writes import wait_for_sync

    deadline = time.monotonic() + SHUTDOWN_BUDGET_S

    def share(seconds: float) -> float:
        return max(0.1, min(seconds, deadline - time.monotonic()))

    if state.engines_thread is not None:
        state.engines_thread.join(timeout=share(1.0))
    stuck = not wait_for_sync(timeout_s=share(1.0))
    if stuck:
        log.warning("an engine sync is still running; closing the engines under it")
    if state.queries is not None:
        state.queries.close(timeout_s=share(1.0))
    for engine in dict.fromkeys([*state.sync_backends, state.cypher]):
        if engine is not None:
            # A sync that does not end is most likely stuck behind a hung query: the engine
            # would not save either, so it gets a short stop before it is killed.
            _close(engine, share(1.0 if stuck else SHUTDOWN_BUDGET_S))
    if state.writer is not None:
        state.writer.close(timeout_s=share(SHUTDOWN_BUDGET_S))
    state.workspace.close()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    state = await run_in_threadpool(_start, settings)
    app.state.casegraph = state
    try:
        yield
    finally:
        await run_in_threadpool(_stop, state)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application; `settings` default to the environment (`CASEGRAPH_*`)."""
    app = FastAPI(
        title="casegraph",
        version=_version(),
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,  # api.openapi serves /docs and /redoc without a CDN
        redoc_url=None,
    )
    app.state.settings = settings or Settings()
    problems.install(app)
    http.install(app, app.state.settings)
    openapi.install(app)
    for module in (rest, sparql, graph_store, cypher, linked_data, views, home):
        app.include_router(module.router)
    return app


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("casegraph")
    except Exception:
        return getattr(api, "__version__", "0")


__all__ = ["create_app", "lifespan", "open_engines"]
