"""GET /api/claims, /api/sources and /api/sources/{id}."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.deps import Reading
from api.problems import problem_responses
from api.responses import from_read_model
from api.routes.entities import Limit, Offset
from api.schemas import ClaimPage, SourceDetail, SourcePage
from graph.readmodel import read
from ontology.errors import NotFound

router = APIRouter()


@router.get(
    "/claims",
    response_model=ClaimPage,
    tags=["claims"],
    summary="Causal claims",
    responses=problem_responses(404, 422),
)
async def list_claims(
    request: Request,
    state: Reading,
    about: Annotated[
        str | None, Query(description="An entity id: the claim's cause or effect.", max_length=200)
    ] = None,
    stance: Annotated[Literal["supports", "disputes"] | None, Query()] = None,
    source: Annotated[str | None, Query(description="A source id.", max_length=200)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Claims, filtered by what they are about, their stance and their source."""

    def build(reader: read.Reader) -> dict[str, Any]:
        found = read.claims(reader, about=about, stance=stance, source=source)
        return {
            "items": [reader.claim_json(c) for c in found[offset : offset + limit]],
            "total": len(found),
        }

    return await from_read_model(state, request, build)


@router.get("/sources", response_model=SourcePage, tags=["sources"], summary="All sources")
async def list_sources(
    request: Request, state: Reading, limit: Limit = 1000, offset: Offset = 0
) -> Response:
    """Every source with how many records cite it."""

    def build(reader: read.Reader) -> dict[str, Any]:
        items = read.source_list(reader)
        return {"items": items[offset : offset + limit], "total": len(items)}

    return await from_read_model(state, request, build)


@router.get(
    "/sources/{id}",
    response_model=SourceDetail,
    tags=["sources"],
    summary="One source and what rests on it",
    responses=problem_responses(404),
)
async def get_source(
    request: Request,
    state: Reading,
    id: Annotated[str, Path(examples=["s01"], max_length=200)],
) -> Response:
    """The source's fields, the records that cite it and the claims that rest on it."""

    def build(reader: read.Reader) -> dict[str, Any]:
        sid, iri = reader.entity(id, what="source")
        if "Source" not in reader.types_of(sid):
            raise NotFound(f"{id!r} is a {reader.summary_dict(iri)['type']}, not a source")
        return read.source_detail(reader, sid, iri)

    return await from_read_model(state, request, build)


__all__ = ["router"]
