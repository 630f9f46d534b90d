"""GET /api/claims, /api/sources and /api/sources/{id}."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from api import repository
from api.deps import Reading
from api.problems import problem_responses
from api.routes.entities import Limit, Offset
from api.schemas import ClaimPage, SourceDetail, SourcePage
from ontology.errors import NotFound

router = APIRouter()


@router.get(
    "/claims",
    response_model=ClaimPage,
    tags=["claims"],
    summary="Causal claims",
    responses=problem_responses(404, 422),
)
def list_claims(
    state: Reading,
    about: Annotated[
        str | None, Query(description="An entity id: the claim's cause or effect.", max_length=200)
    ] = None,
    stance: Annotated[Literal["supports", "disputes"] | None, Query()] = None,
    source: Annotated[str | None, Query(description="A source id.", max_length=200)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Claims, filtered by what they are about, their stance and their source."""
    found = repository.claims(state.catalog, about=about, stance=stance, source=source)
    return {
        "items": [state.catalog.claim_json(c) for c in found[offset : offset + limit]],
        "total": len(found),
    }


@router.get("/sources", response_model=SourcePage, tags=["sources"], summary="All sources")
def list_sources(state: Reading, limit: Limit = 1000, offset: Offset = 0) -> dict[str, Any]:
    """Every source with how many records cite it."""
    items = repository.source_list(state.catalog)
    return {"items": items[offset : offset + limit], "total": len(items)}


@router.get(
    "/sources/{id}",
    response_model=SourceDetail,
    tags=["sources"],
    summary="One source and what rests on it",
    responses=problem_responses(404),
)
def get_source(
    state: Reading,
    id: Annotated[str, Path(examples=["s01"], max_length=200)],
) -> dict[str, Any]:
    """The source's fields, the records that cite it and the claims that rest on it."""
    entry = repository.entry_or_404(state.catalog, id, what="source")
    if not entry.is_a("Source"):
        raise NotFound(f"{id!r} is a {entry.type}, not a source")
    return repository.source_detail(state.store, state.catalog, entry)


__all__ = ["router"]
