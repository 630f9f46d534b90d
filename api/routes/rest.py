"""The REST surface under /api: health and stats here, the resources in their own modules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api import repository
from api.deps import Reading
from api.problems import problem_responses
from api.routes import cases, causal, claims, entities, events
from api.schemas import Health, Stats

router = APIRouter(prefix="/api")


@router.get(
    "/health",
    response_model=Health,
    tags=["meta"],
    summary="Liveness and size",
    responses=problem_responses(503),
)
def health(state: Reading) -> dict[str, Any]:
    """`ok` with the number of triples visible and the configured Cypher engine."""
    return {
        "status": "ok",
        "triples": state.catalog.triples,
        "cypher_backend": state.settings.cypher_backend,
    }


@router.get("/stats", response_model=Stats, tags=["meta"], summary="Counts per class and graph")
def stats(state: Reading) -> dict[str, Any]:
    """Triples, entities and claims; instances per cg: class; the loaded graphs."""
    return repository.stats(state.store, state.catalog)


for module in (entities, events, cases, claims, causal):
    router.include_router(module.router)

__all__ = ["router"]
