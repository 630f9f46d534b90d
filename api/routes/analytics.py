"""GET /api/analytics/centrality: the central actors, events and phenomena of the causal
subgraph (`graph.analytics.causal_centrality`, as `casegraph analyze centrality`), computed from
the read model's property graph once per store version (the response cache keeps it)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import Reading
from api.problems import problem_responses
from api.responses import from_read_model
from api.schemas import CentralityPage
from graph.readmodel import read

router = APIRouter(prefix="/analytics", tags=["analytics"])


@router.get(
    "/centrality",
    response_model=CentralityPage,
    summary="Central nodes of the causal subgraph",
    responses=problem_responses(422),
)
async def centrality(
    request: Request,
    state: Reading,
    top: Annotated[int, Query(ge=1, le=1000, description="How many to return.")] = 20,
    kind: Annotated[
        list[str] | None,
        Query(
            description="Only nodes of these kinds, the IRI's kind segment: `event`, `agent`, "
            "`phenomenon`, ... (repeatable).",
            examples=[["agent"]],
            max_length=20,
        ),
    ] = None,
    by: Annotated[
        Literal["betweenness", "pagerank", "reach"], Query(description="The order.")
    ] = "betweenness",
) -> Response:
    """Events, phenomena and actors ranked by their place in the causal subgraph: betweenness
    (mediators of chains), PageRank (where influence flows) or reach (what lies downstream);
    an actor is ranked through the events it took part in."""

    def build(reader: read.Reader) -> dict[str, Any]:
        from graph.analytics import causal_centrality
        from graph.sync import iter_nodes, iter_relationships

        ranked = causal_centrality(
            iter_nodes(reader.conn),
            iter_relationships(reader.conn),
            top=top,
            kinds=set(kind) if kind else None,
            by=by,
        )
        items = [dataclasses.asdict(c) for c in ranked]
        return {"items": items, "total": len(items), "by": by}

    return await from_read_model(state, request, build, offload=True)


__all__ = ["router"]
