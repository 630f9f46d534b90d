"""The FastAPI application: `create_app()` builds it; its lifespan opens and closes the resources.

At start-up the lifespan opens the store (read-write, or read-only when `Settings.read_only`),
builds the REST catalog (`api.catalog`), opens the configured Cypher engine and checks that
every engine kept in sync holds the current projection; at shutdown it closes them in reverse
order. Nothing is opened at import time. Routers: `api.routes` (one module per surface).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

import api
from api import http, openapi, problems
from api.catalog import Catalog
from api.deps import AppState
from api.routes import cypher, graph_store, linked_data, rest, sparql, views
from api.settings import Settings
from graph.store import Store

log = logging.getLogger("casegraph.api")

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
    {"name": "sparql", "description": "SPARQL 1.1 Protocol."},
    {"name": "graph store", "description": "SPARQL 1.1 Graph Store HTTP Protocol."},
    {"name": "cypher", "description": "Read-only Cypher on the property-graph engine."},
    {"name": "linked data", "description": "Entity IRIs, dereferenced."},
]


def open_engines(settings: Settings) -> tuple[Any, str | None, list[Any]]:
    """(query engine or None, why not, engines to keep in sync). Never raises."""
    try:
        from graph.cypher import open_backend
    except ImportError as e:
        return None, f"graph.cypher is not available ({e})", []
    engines: dict[str, Any] = {}
    errors: list[str] = []
    for name in dict.fromkeys([settings.cypher_backend, *settings.engines()]):
        try:
            engines[name] = open_backend(name, settings)
        except Exception as e:
            errors.append(f"{name}: {e}")
            log.warning("Cypher engine %s unavailable: %s", name, e)
    backend = engines.get(settings.cypher_backend)
    error = None if backend is not None else "; ".join(errors) or "no engine"
    return backend, error, [engines[n] for n in settings.engines() if n in engines]


def _close(resource: Any) -> None:
    close = getattr(resource, "close", None)
    if callable(close):
        try:
            close()
        except Exception as e:
            log.warning("closing %r failed: %s", resource, e)


def _start(settings: Settings) -> AppState:
    store = Store(settings.store_path, read_only=settings.read_only)
    try:
        catalog = Catalog.build(store)
        state = AppState(
            settings=settings, store=store, catalog=catalog, visible=store.visible_graphs()
        )
        state.cypher, state.cypher_error, state.sync_backends = open_engines(settings)
        if state.sync_backends and not settings.read_only:
            from api.writes import sync_engines

            try:
                sync_engines(state)
            except Exception as e:
                log.warning("syncing the Cypher engines failed: %s", e)
        return state
    except BaseException:
        store.close()
        raise


def _stop(state: AppState) -> None:
    state.sparql_pool.shutdown()
    for engine in dict.fromkeys([*state.sync_backends, state.cypher]):
        if engine is not None:
            _close(engine)
    state.store.close()


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
    for module in (rest, sparql, graph_store, cypher, linked_data, views):
        app.include_router(module.router)
    return app


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("casegraph")
    except Exception:
        return getattr(api, "__version__", "0")


__all__ = ["create_app", "lifespan", "open_engines"]
