"""GET /api/series/{measure}: an observation series in one call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from api.deps import Reading
from api.problems import problem_responses
from api.responses import from_read_model
from api.schemas import Series
from graph.readmodel import read
from ontology.errors import NotFound

router = APIRouter(tags=["events"])


@router.get(
    "/series/{measure}",
    response_model=Series,
    summary="An observation series",
    responses=problem_responses(404),
)
async def get_series(
    request: Request,
    state: Reading,
    measure: Annotated[str, Path(examples=["mexico-homicide-rate"], max_length=200)],
) -> Response:
    """Every observation of a measure, in date order, with its value, places and sources."""

    def build(reader: read.Reader) -> dict[str, Any]:
        sid, iri = reader.entity(measure, what="measure")
        if "Measure" not in reader.types_of(sid):
            raise NotFound(f"{measure!r} is a {reader.summary_dict(iri)['type']}, not a measure")
        points = read.series(reader, iri)
        return {"measure": reader.summary(iri), "points": points, "total": len(points)}

    return await from_read_model(state, request, build)


__all__ = ["router"]
