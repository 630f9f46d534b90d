"""GET /api/cases, /api/cases/{id} and /api/compare."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from api.deps import Reading
from api.problems import problem_responses
from api.responses import from_read_model
from api.schemas import CaseDetail, CasePage, Comparison
from graph.readmodel import lists, read
from ontology.errors import NotFound

router = APIRouter(tags=["cases"])


def _case(reader: read.Reader, case_id: str) -> str:
    sid, iri = reader.entity(case_id, what="case")
    if "Case" not in reader.types_of(sid):
        kind = reader.summary_dict(iri)["type"]
        raise NotFound(f"{case_id!r} is a {kind}, not a case")
    return iri


@router.get("/cases", response_model=CasePage, summary="All cases")
async def list_cases(request: Request, state: Reading) -> Response:
    """Every case with its number of events and its span."""

    def build(reader: read.Reader) -> dict[str, Any]:
        items = lists.case_list(reader)
        return {"items": items, "total": len(items)}

    return await from_read_model(state, request, build)


@router.get(
    "/cases/{id}",
    response_model=CaseDetail,
    summary="One case",
    responses=problem_responses(404),
)
async def get_case(
    request: Request,
    state: Reading,
    id: Annotated[str, Path(examples=["mexico-drug-war"], max_length=200)],
) -> Response:
    """The case with its events in time order, its actors and places, and the claims on it."""
    return await from_read_model(
        state, request, lambda reader: lists.case_detail(reader, _case(reader, id)), offload=True
    )


@router.get(
    "/compare",
    response_model=Comparison,
    summary="Compare cases",
    responses=problem_responses(404, 422),
)
async def compare(
    request: Request,
    state: Reading,
    cases: Annotated[
        str,
        Query(
            description="Two or more distinct case ids, comma-separated.",
            pattern=r"^[^,]+(,[^,]+)+$",
            examples=["mexico-drug-war,afghanistan-opium-strikes"],
            max_length=2000,
        ),
    ],
) -> Response:
    """Each case's span, event types, actors and places; what they share; claims across them."""
    ids = [part.strip() or part for part in cases.split(",")]

    def build(reader: read.Reader) -> Any:
        # Unknown ids are 404 before "distinct" is judged: the schema can say "two or more",
        # not "two or more different ones".
        iris = list(dict.fromkeys(_case(reader, i) for i in ids))
        if len(iris) < 2:
            raise RequestValidationError(
                [
                    {
                        "loc": ("query", "cases"),
                        "msg": "give at least two distinct case ids",
                        "type": "value_error",
                    }
                ]
            )
        comparison = lists.compare(reader, iris)
        return comparison | _outcomes(reader, [reader.summary_dict(i)["id"] for i in iris])

    return await from_read_model(state, request, build, offload=True)


def _outcomes(reader: read.Reader, case_ids: list[str]) -> dict[str, Any]:
    """The phenomena each case leads to (`graph.outcomes`, as `casegraph analyze outcomes`)."""
    import dataclasses

    from graph.outcomes import compare_cases
    from graph.sync import iter_nodes, iter_relationships

    result = compare_cases(iter_nodes(reader.conn), iter_relationships(reader.conn), case_ids)
    return {
        "outcomes": [dataclasses.asdict(case) for case in result.cases],
        "shared_outcomes": {k: list(v) for k, v in result.shared.items()},
    }


__all__ = ["router"]
