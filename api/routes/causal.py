"""Causal chains, causes, effects and neighbourhoods, on the networkx graphs of the projection.

The graphs (`graph.analytics.causal_subgraph` and `to_networkx` over `graph.projection`) are
built on the first request after a load or write and kept with the catalog.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api import repository
from api.catalog import Catalog
from api.deps import AppState, Reading
from api.problems import problem_responses
from api.schemas import Chains, Neighborhood, ReachedList
from graph import analytics
from graph.projection import project_store

router = APIRouter(tags=["causal"])

EntityId = Annotated[str, Path(examples=["operation-michoacan"], max_length=200)]
Depth = Annotated[int, Query(ge=1, le=6, description="Hops to follow.")]


def _graphs(state: AppState) -> tuple[Any, Any]:
    def build() -> tuple[Any, Any]:
        projection = project_store(state.store)
        return analytics.causal_subgraph(projection), analytics.to_networkx(projection)

    graphs: tuple[Any, Any] = state.catalog.derived("networks", build)
    return graphs


def _relation(name: str) -> str:
    return name if ":" in name else f"cg:{name}"


def _summary(catalog: Catalog, node_id: str) -> dict[str, Any]:
    entry = catalog.get(node_id)
    return (
        entry.summary()
        if entry is not None
        else {
            "id": node_id,
            "iri": "",
            "type": None,
            "types": [],
            "label": node_id,
            "description": None,
            "start": None,
            "end": None,
            "date_edtf": None,
            "status": None,
        }
    )


@router.get(
    "/causal-chains",
    response_model=Chains,
    summary="Causal chains between two entities",
    responses=problem_responses(404, 422),
)
def causal_chains(
    state: Reading,
    from_: Annotated[str, Query(alias="from", description="The cause's id.", max_length=200)],
    to: Annotated[str, Query(description="The effect's id.", max_length=200)],
    max_depth: Annotated[int, Query(ge=1, le=8, description="At most this many steps.")] = 4,
    min_confidence: Annotated[
        float, Query(ge=0, le=1, description="Claims below this confidence are ignored.")
    ] = 0.0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    """Every simple causal path from `from` to `to`, best first.

    A step's score is its best supporting claim's confidence times (1 - the strongest claim
    against it); a chain's score is the product of its steps' scores (see `graph.analytics`).
    """
    catalog = state.catalog
    source = repository.entry_or_404(catalog, from_)
    target = repository.entry_or_404(catalog, to)
    causal, _multi = _graphs(state)
    chains = analytics.causal_chains(
        causal, source.id, target.id, max_depth=max_depth, min_confidence=min_confidence
    )
    return {
        "chains": [
            {
                "score": chain.score,
                "steps": [
                    {
                        "cause": _summary(catalog, step.source),
                        "effect": _summary(catalog, step.target),
                        "relation": _relation(
                            causal.edges[step.source, step.target].get("relation", "causes")
                        ),
                        "claims": [
                            {
                                "id": claim.id,
                                "asserted_by": list(claim.asserted_by),
                                "source": list(claim.sources),
                                "stance": claim.stance,
                                "confidence": claim.confidence,
                            }
                            for claim in step.claims
                        ],
                    }
                    for step in chain.steps
                ],
            }
            for chain in chains[:limit]
        ]
    }


def _reached(state: AppState, entity_id: str, depth: int, forward: bool) -> dict[str, Any]:
    catalog = state.catalog
    entry = repository.entry_or_404(catalog, entity_id)
    causal, _multi = _graphs(state)
    found = (analytics.effects if forward else analytics.causes)(causal, entry.id, depth)
    # Breadth-first once more to report each node's depth and the hop that reached it.
    items: list[dict[str, Any]] = []
    level, seen = [entry.id], {entry.id}
    for hops in range(1, depth + 1):
        following = []
        for node in level:
            neighbours = causal.succ[node] if forward else causal.pred[node]
            for other in sorted(neighbours):
                if other in seen or other not in found:
                    continue
                seen.add(other)
                following.append(other)
                edge = causal.edges[node, other] if forward else causal.edges[other, node]
                items.append(
                    {
                        "entity": _summary(catalog, other),
                        "depth": hops,
                        "relation": _relation(edge.get("relation", "causes")),
                        "via": node,
                    }
                )
        level = following
    return {"entity": entry.summary(), "items": items}


@router.get(
    "/entities/{id}/causes",
    response_model=ReachedList,
    summary="What led to an entity",
    responses=problem_responses(404, 422),
)
def entity_causes(state: Reading, id: EntityId, depth: Depth = 1) -> dict[str, Any]:
    """Entities from which `id` is reachable in at most `depth` causal steps, nearest first."""
    return _reached(state, id, depth, forward=False)


@router.get(
    "/entities/{id}/effects",
    response_model=ReachedList,
    summary="What an entity led to",
    responses=problem_responses(404, 422),
)
def entity_effects(state: Reading, id: EntityId, depth: Depth = 1) -> dict[str, Any]:
    """Entities reachable from `id` in at most `depth` causal steps, nearest first."""
    return _reached(state, id, depth, forward=True)


@router.get(
    "/entities/{id}/neighbors",
    response_model=Neighborhood,
    summary="An entity's neighbourhood",
    responses=problem_responses(404, 422),
)
def entity_neighbors(
    state: Reading,
    id: EntityId,
    depth: Annotated[int, Query(ge=1, le=3, description="Hops, either direction.")] = 1,
) -> dict[str, Any]:
    """Entities within `depth` relationships of `id` (any type, either direction) and the
    relationships among them."""
    catalog = state.catalog
    entry = repository.entry_or_404(catalog, id)
    _causal, multi = _graphs(state)
    nodes = analytics.neighbors(multi, entry.id, depth)
    keep = nodes | {entry.id}
    edges = sorted(
        {(u, v, str(data.get("type", ""))) for u, v, data in multi.subgraph(keep).edges(data=True)}
    )
    return {
        "entity": entry.summary(),
        "nodes": sorted((_summary(catalog, n) for n in nodes), key=lambda s: s["label"]),
        "edges": [{"source": u, "target": v, "type": t} for u, v, t in edges],
    }


__all__ = ["router"]
