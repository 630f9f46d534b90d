"""GET /api/events: a timeline with filters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

from api import repository
from api.deps import Reading
from api.problems import problem_responses
from api.routes.entities import Limit, Offset
from api.schemas import SummaryPage

router = APIRouter(tags=["events"])

Period = Annotated[
    str | None,
    Query(
        max_length=10,
        description="YYYY, YYYY-MM or YYYY-MM-DD.",
        examples=["2017-11"],
    ),
]


def _period(name: str, value: str | None, *, end: bool) -> Any:
    if value is None:
        return None
    try:
        return repository.parse_period(value, end=end)
    except repository.BadPeriod as e:
        raise RequestValidationError(
            [{"loc": ("query", name), "msg": str(e), "type": "value_error.date"}]
        ) from e


@router.get(
    "/events",
    response_model=SummaryPage,
    summary="Events in time order",
    responses=problem_responses(404, 422),
)
def list_events(
    state: Reading,
    from_: Annotated[Period, Query(alias="from")] = None,
    to: Period = None,
    case: Annotated[str | None, Query(description="A case id.", max_length=200)] = None,
    type: Annotated[
        str | None, Query(description="A cg: event class, e.g. Strike.", max_length=100)
    ] = None,
    actor: Annotated[
        str | None, Query(description="An agent id (participant or target).", max_length=200)
    ] = None,
    place: Annotated[
        str | None,
        Query(description="A place id; places located in it count too.", max_length=200),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Events whose dates overlap [from, to], ordered by earliest start (undated ones last).

    `from=2017` means from 2017-01-01, `to=2018` up to 2018-12-31.
    """
    start = _period("from", from_, end=False)
    end = _period("to", to, end=True)
    if start is not None and end is not None and start > end:
        raise RequestValidationError(
            [{"loc": ("query", "to"), "msg": "'to' is before 'from'", "type": "value_error.date"}]
        )
    found = repository.events(
        state.catalog, start=start, end=end, case=case, type_name=type, actor=actor, place=place
    )
    return {"items": [e.summary() for e in found[offset : offset + limit]], "total": len(found)}


__all__ = ["router"]
