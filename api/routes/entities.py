"""GET /api/entities and /api/entities/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.deps import Reading
from api.problems import problem_responses
from api.responses import from_read_model
from api.schemas import EntityDetail, SummaryPage
from graph.readmodel import read

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
async def list_entities(
    request: Request,
    state: Reading,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Matches ids and casebook ids, labels, aliases and descriptions, "
            "ignoring case and accents; best match first (an exact id, then a label that starts "
            "with the text, a label with all its words, an alias, a description). Observations "
            "that match stand for their series: their measure is listed instead.",
            examples=["calderon"],
        ),
    ] = None,
    type: Annotated[
        str | None,
        Query(max_length=100, description="A cg: class (local name), e.g. Person or Event."),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    """Entities that match `q` (all entities, by label, when `q` is empty)."""

    def build(reader: read.Reader) -> dict[str, object]:
        found = read.search(reader, q, reader.check_type(type))
        return read.page([read.fragment(s) for s in found[offset : offset + limit]], limit, 0) | {
            "total": len(found)
        }

    return await from_read_model(state, request, build)


@router.get(
    "/entities/{id}",
    response_model=EntityDetail,
    summary="One entity",
    responses=problem_responses(404),
)
async def get_entity(request: Request, state: Reading, id: EntityId) -> Response:
    """The summary plus properties, relations (out and in), claims, sources, same-as links,
    and the temporal relations derived from its dates (certain and possible)."""
    return await from_read_model(
        state, request, lambda reader: read.entity_detail(reader, *reader.entity(id))
    )


__all__ = ["EntityId", "Limit", "Offset", "router"]
