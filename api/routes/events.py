"""GET /api/events: a timeline with filters, from the read model's time index."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from api.deps import Reading
from api.problems import problem_responses
from api.responses import from_read_model
from api.routes.entities import TYPE_NAMES, Limit, Offset
from api.schemas import SummaryPage
from graph.readmodel import lists, read
from graph.readmodel.values import BadPeriod, parse_period

router = APIRouter(tags=["events"])

Period = Annotated[
    str | None,
    Query(
        max_length=10,
        pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$",
        description="YYYY, YYYY-MM or YYYY-MM-DD.",
        examples=["2017-11"],
    ),
]


def _period(name: str, value: str | None, *, end: bool) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_period(value, end=end)
    except BadPeriod as e:
        raise RequestValidationError(
            [{"loc": ("query", name), "msg": str(e), "type": "value_error.date"}]
        ) from e


@router.get(
    "/events",
    response_model=SummaryPage,
    summary="Events in time order",
    responses=problem_responses(404, 422),
)
async def list_events(
    request: Request,
    state: Reading,
    from_: Annotated[Period, Query(alias="from")] = None,
    to: Period = None,
    starts_within: Annotated[
        bool,
        Query(
            description="Only events that start within [from, to] (by default every event "
            "whose dates overlap the window, so long terms of office are listed too)."
        ),
    ] = False,
    case: Annotated[str | None, Query(description="A case id.", max_length=200)] = None,
    type: Annotated[
        str | None,
        Query(
            description="A cg: class, e.g. Strike; another value is 422 with the list.",
            max_length=100,
            json_schema_extra={"enum": TYPE_NAMES},
        ),
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
) -> Response:
    """Events whose dates overlap [from, to] (or start within it), ordered by earliest start
    (undated ones last). `from=2017` means from 2017-01-01, `to=2018` up to 2018-12-31.
    """
    start = _period("from", from_, end=False)
    end = _period("to", to, end=True)
    if start is not None and end is not None and start > end:
        raise RequestValidationError(
            [{"loc": ("query", "to"), "msg": "'to' is before 'from'", "type": "value_error.date"}]
        )

    def build(reader: read.Reader) -> dict[str, Any]:
        found = lists.events(
            reader,
            start=start,
            end=end,
            case=case,
            type_name=reader.check_type(type),
            actor=actor,
            place=place,
            starts_within=starts_within,
        )
        return {
            "items": lists.summaries_of(reader, found[offset : offset + limit]),
            "total": len(found),
        }

    return await from_read_model(state, request, build)


__all__ = ["router"]
