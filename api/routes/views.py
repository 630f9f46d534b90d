"""/view/...: the HTML graph views (a case, an entity's neighbourhood, a causal chain, the whole
graph) and the timeline, built by `graph.views.build` and served with a Content-Security-Policy.

The views are cut from the read model (`graph.readmodel.view_index.StoredIndex`: the nodes and
relationships a view needs, fetched by id in one read transaction); the causal graph the chain
view searches is built once per version. Pages link with `link_base=""`, so their Linked-Data
and re-centre links stay on this server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse

from api.deps import AppState, Reading
from api.html import html_headers
from api.problems import problem_responses
from graph.readmodel.view_index import StoredIndex, causal_graph
from graph.views.build import (
    GraphInput,
    TimelineInput,
    case_view,
    chain_view,
    entity_view,
    render_view,
    timeline_for_case,
    timeline_for_ids,
    whole_view,
)

router = APIRouter(prefix="/view", tags=["views"])

HEADERS = html_headers(scripts=True)
"""The pages' own inline script and style, data: images, nothing else (see `api.html`)."""
CONTENT_SECURITY_POLICY = HEADERS["Content-Security-Policy"]

Id = Annotated[str, Path(max_length=200)]
IdList = Annotated[str | None, Query(max_length=4000, description="Comma-separated ids.")]
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


@contextlib.contextmanager
def graph_index(state: AppState) -> Iterator[StoredIndex]:
    """The read model as the views' index, inside one read transaction."""
    with state.workspace.model.read() as conn:
        key = f"causal-graph:{state.version}"
        causal = state.derived.get(key)
        index = StoredIndex(conn, causal)
        yield index
        if causal is None and index._causal is not None:
            state.derived = {key: index._causal}


def page(view: GraphInput | TimelineInput) -> HTMLResponse:
    return HTMLResponse(render_view(view, link_base="", export=False), headers=HEADERS)


@router.get(
    "/case/{id}",
    response_class=HTMLResponse,
    summary="Graph view of a case",
    responses=problem_responses(404),
)
def view_case(state: Reading, id: Id) -> HTMLResponse:
    """The case, its members and what they involve, with a "graph as of" date control."""
    with graph_index(state) as index:
        return page(case_view(index, id))


@router.get(
    "/entity/{id:path}",
    response_class=HTMLResponse,
    summary="Graph view of an entity's neighbourhood",
    responses=problem_responses(404, 422),
)
def view_entity(
    state: Reading,
    id: Id,
    depth: Annotated[int, Query(ge=0, le=4, description="Relationships to follow.")] = 1,
) -> HTMLResponse:
    """The entity, selected, and everything within `depth` relationships of it."""
    with graph_index(state) as index:
        return page(entity_view(index, id, depth))


@router.get(
    "/chain",
    response_class=HTMLResponse,
    summary="Graph view of the causal chains between two entities",
    responses=problem_responses(404, 422),
)
def view_chain(
    state: Reading,
    from_: Annotated[str, Query(alias="from", max_length=200, description="The cause's id.")],
    to: Annotated[str, Query(max_length=200, description="The effect's id.")],
    max_depth: Annotated[int, Query(ge=1, le=8, description="At most this many steps.")] = 4,
) -> HTMLResponse:
    """Every causal chain of at most `max_depth` steps, with its claims in the side panels."""
    with graph_index(state) as index:
        return page(chain_view(index, from_, to, max_depth))


@router.get(
    "/graph",
    response_class=HTMLResponse,
    summary="The whole graph, filtered",
    responses=problem_responses(404, 422),
)
def view_graph(
    state: Reading,
    type: IdList = None,
    case: Annotated[str | None, Query(max_length=200)] = None,
    from_: Annotated[
        str | None, Query(alias="from", description="YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    to: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
) -> HTMLResponse:
    """Every node, or only those of some classes (`type=Event,Person`), of a case's view, and
    (for dated nodes) overlapping `from`..`to`."""
    with graph_index(state) as index:
        return _whole(index, type, case, from_, to)


def _whole(
    index: StoredIndex, type: str | None, case: str | None, from_: str | None, to: str | None
) -> HTMLResponse:
    return page(
        whole_view(
            index,
            types=_split(type),
            case=case or None,
            date_from=period(from_, "from", end=False),
            date_to=period(to, "to", end=True),
        )
    )


@router.get(
    "/timeline",
    response_class=HTMLResponse,
    summary="Timeline of a case or of chosen entities",
    responses=problem_responses(404, 422),
    openapi_extra={
        "x-one-of-required": {
            "name": "what",
            "parameters": ["case", "ids"],
            "description": "`case=<id>` (a case's events), `ids=<id,id,...>` (chosen "
            "entities), or both; at least one.",
        }
    },
)
def view_timeline(
    state: Reading,
    case: Annotated[str | None, Query(max_length=200)] = None,
    ids: IdList = None,
    series: Annotated[
        str | None, Query(max_length=2000, description="Measure ids to draw, comma-separated.")
    ] = None,
    group: Annotated[
        Literal["case", "actor"] | None,
        Query(description="Lanes by actor (a case's default) or by case (the ids' default)."),
    ] = None,
) -> HTMLResponse:
    """Events in lanes on a time axis, with observation series on the same axis."""
    chosen = _split(ids)
    if not case and not chosen:
        raise RequestValidationError(
            [{"loc": ("query", "case"), "msg": "give case= or ids=", "type": "value_error"}]
        )
    with graph_index(state) as index:
        if case and not chosen:
            return page(
                timeline_for_case(index, case, series=_split(series), group=group or "actor")
            )
        wanted = [case, *chosen] if case else chosen
        return page(timeline_for_ids(index, wanted, series=_split(series), group=group or "case"))


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def period(value: str | None, name: str, *, end: bool) -> dt.date | None:
    """The first (or, with `end`, the last) day of `YYYY`, `YYYY-MM` or `YYYY-MM-DD`."""
    if not value:
        return None
    match = _PERIOD.match(value.strip())
    try:
        if match is None:
            raise ValueError(value)
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        if day is not None:
            return dt.date(year, month or 1, day)
        if month is not None:
            first = dt.date(year, month, 1)
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return following - dt.timedelta(days=1) if end else first
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    except ValueError:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", name),
                    "msg": "a date as YYYY, YYYY-MM or YYYY-MM-DD",
                    "type": "value_error",
                }
            ]
        ) from None


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "HEADERS",
    "causal_graph",
    "graph_index",
    "period",
    "router",
]
