"""GET /api/entities and /api/entities/{id}."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api import repository
from api.deps import Reading
from api.problems import problem_responses
from api.schemas import EntityDetail, SummaryPage

router = APIRouter(tags=["entities"])

EntityId = Annotated[
    str, Path(description="The entity's slug.", examples=["operation-michoacan"], max_length=200)
]
Limit = Annotated[int, Query(ge=1, le=1000, description="At most this many items.")]
Offset = Annotated[int, Query(ge=0, description="Skip this many items.")]


@router.get(
    "/entities",
    response_model=SummaryPage,
    summary="Search entities",
    responses=problem_responses(422),
)
def list_entities(
    state: Reading,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Matches labels and aliases, ignoring case and accents; best match first.",
            examples=["calderon"],
        ),
    ] = None,
    type: Annotated[
        str | None,
        Query(max_length=100, description="A cg: class (local name), e.g. Person or Event."),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Entities whose label or an alias matches `q` (all entities, by label, when `q` is empty)."""
    found = state.catalog.search(q, type)
    return repository.page([e.summary() for e in found[offset : offset + limit]], limit, 0) | {
        "total": len(found)
    }


@router.get(
    "/entities/{id}",
    response_model=EntityDetail,
    summary="One entity",
    responses=problem_responses(404),
)
def get_entity(state: Reading, id: EntityId) -> dict[str, Any]:
    """The summary plus properties, relations (out and in), claims, sources, same-as links."""
    entry = repository.entry_or_404(state.catalog, id)
    return repository.entity_detail(state.store, state.catalog, entry)


__all__ = ["EntityId", "Limit", "Offset", "router"]
