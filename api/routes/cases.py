"""GET /api/cases, /api/cases/{id} and /api/compare."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.exceptions import RequestValidationError

from api import repository
from api.deps import Reading
from api.problems import problem_responses
from api.schemas import CaseDetail, CasePage, Comparison
from ontology.errors import NotFound

router = APIRouter(tags=["cases"])


@router.get("/cases", response_model=CasePage, summary="All cases")
def list_cases(state: Reading) -> dict[str, Any]:
    """Every case with its number of events and its span."""
    items = repository.case_list(state.catalog)
    return {"items": items, "total": len(items)}


@router.get(
    "/cases/{id}",
    response_model=CaseDetail,
    summary="One case",
    responses=problem_responses(404),
)
def get_case(
    state: Reading,
    id: Annotated[str, Path(examples=["mexico-drug-war"], max_length=200)],
) -> dict[str, Any]:
    """The case with its events in time order, its actors and places, and the claims on it."""
    case = repository.entry_or_404(state.catalog, id, what="case")
    if not case.is_a("Case"):
        raise NotFound(f"{id!r} is a {case.type}, not a case")
    return repository.case_detail(state.catalog, case)


@router.get(
    "/compare",
    response_model=Comparison,
    summary="Compare cases",
    responses=problem_responses(404, 422),
)
def compare(
    state: Reading,
    cases: Annotated[
        str,
        Query(
            description="Two or more case ids, comma-separated.",
            examples=["mexico-drug-war,afghanistan-opium-strikes"],
            max_length=2000,
        ),
    ],
) -> dict[str, Any]:
    """Each case's span, event types, actors and places; what they share; claims across them."""
    ids = [part.strip() for part in cases.split(",") if part.strip()]
    if len(set(ids)) < 2:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "cases"),
                    "msg": "give at least two distinct case ids",
                    "type": "value_error",
                }
            ]
        )
    entries = []
    for case_id in dict.fromkeys(ids):
        entry = repository.entry_or_404(state.catalog, case_id, what="case")
        if not entry.is_a("Case"):
            raise NotFound(f"{case_id!r} is a {entry.type}, not a case")
        entries.append(entry)
    return repository.compare(state.catalog, entries)


__all__ = ["router"]
