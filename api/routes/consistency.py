"""GET /api/consistency: the causal claims and link steps whose cause may begin after its effect
ends (`graph.consistency`, read from the read model by `graph.readmodel.consistency`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Reading
from api.responses import from_read_model
from api.schemas import ConsistencyReport
from graph.consistency import flagged
from graph.readmodel import read
from graph.readmodel.consistency import findings, report_json

router = APIRouter(tags=["claims"])


@router.get(
    "/consistency",
    response_model=ConsistencyReport,
    summary="Claims and links whose dates do not fit",
)
async def consistency(request: Request, state: Reading) -> Response:
    """Every causal claim and casebook link step is judged on the dates of its two ends: it is
    `inconsistent` when the cause certainly begins after the effect ends, and
    `possibly-inconsistent` when the dates allow it (imprecise or uncertain dates). The flagged
    ones are listed, the inconsistent first; `casegraph check --temporal` gives the same list.
    """

    def build(reader: read.Reader) -> dict[str, Any]:
        found = findings(reader.conn)
        return report_json(reader, len(found), flagged(found))

    return await from_read_model(state, request, build, offload=True)


__all__ = ["router"]
