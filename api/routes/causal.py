"""Causal chains, causes, effects and neighbourhoods, walked over the read model
(`graph.readmodel.causal`): each request reads only what its walk visits. A step is asserted by
causal claims and by casebook link steps (`graph.chains`); each carries its kind, asserters and
sources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.deps import Reading
from api.problems import problem_responses
from api.responses import from_read_model
from api.schemas import Chains, Neighborhood, ReachedList
from graph.readmodel import read
from graph.readmodel.causal import CausalWalker, neighbors
from graph.readmodel.causal_json import chain_json, node_info, reached_json

router = APIRouter(tags=["causal"])

EntityId = Annotated[str, Path(examples=["operation-michoacan"], max_length=200)]
Depth = Annotated[int, Query(ge=1, le=6, description="Hops to follow.")]


def _node(reader: read.Reader, entity_id: str) -> tuple[str, str]:
    """(node id, IRI) of an entity (the node id is its slug unless two kinds share it)."""
    sid, iri = reader.entity(entity_id)
    row = reader.conn.execute("SELECT id FROM node WHERE sid=?", (sid,)).fetchone()
    return (str(row[0]) if row else entity_id), iri


@router.get(
    "/causal-chains",
    response_model=Chains,
    summary="Causal chains between two entities",
    responses=problem_responses(404, 422),
)
async def causal_chains(
    request: Request,
    state: Reading,
    from_: Annotated[str, Query(alias="from", description="The cause's id.", max_length=200)],
    to: Annotated[str, Query(description="The effect's id.", max_length=200)],
    max_depth: Annotated[int, Query(ge=1, le=8, description="At most this many steps.")] = 4,
    min_confidence: Annotated[
        float,
        Query(ge=0, le=1, description="Claims and link steps below this confidence are ignored."),
    ] = 0.0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> Response:
    """Every simple causal path from `from` to `to` over causal claims and casebook links,
    best first. Each step gives its kind (causes, enables, triggers, precedes, ...), the claims
    and link steps that assert it, and their asserters and sources.

    A step's score is its best supporting claim's or link's confidence times (1 - the strongest
    one against it), 0 when only claims against it remain (no material effect, disputed); a
    chain's score is the product of its steps' scores (see `graph.chains`). A link's confidence
    follows the curation rule of the claims from its status (0.9 VERIFIED, 0.6 REPORTED(S00),
    0.3 UNVERIFIED).
    """

    def build(reader: read.Reader) -> dict[str, Any]:
        source, _ = _node(reader, from_)
        target, _ = _node(reader, to)
        walker = CausalWalker(reader)
        chains = walker.chains(source, target, max_depth=max_depth, min_confidence=min_confidence)
        return chain_json(walker, chains, limit)

    return await from_read_model(state, request, build)


def _reached(reader: read.Reader, entity_id: str, depth: int, forward: bool) -> dict[str, Any]:
    node, iri = _node(reader, entity_id)
    walker = CausalWalker(reader)
    return reached_json(walker, reader.summary(iri), walker.reached(node, depth, forward=forward))


@router.get(
    "/entities/{id}/causes",
    response_model=ReachedList,
    summary="What led to an entity",
    responses=problem_responses(404, 422),
)
async def entity_causes(
    request: Request, state: Reading, id: EntityId, depth: Depth = 1
) -> Response:
    """Entities from which `id` is reachable in at most `depth` causal steps (claims and
    casebook links), nearest first; each with the kind, claims, links, asserters and sources of
    the step that reached it."""
    return await from_read_model(state, request, lambda r: _reached(r, id, depth, False))


@router.get(
    "/entities/{id}/effects",
    response_model=ReachedList,
    summary="What an entity led to",
    responses=problem_responses(404, 422),
)
async def entity_effects(
    request: Request, state: Reading, id: EntityId, depth: Depth = 1
) -> Response:
    """Entities reachable from `id` in at most `depth` causal steps (claims and casebook
    links), nearest first; each with the kind, claims, links, asserters and sources of the step
    that reached it."""
    return await from_read_model(state, request, lambda r: _reached(r, id, depth, True))


@router.get(
    "/entities/{id}/neighbors",
    response_model=Neighborhood,
    summary="An entity's neighbourhood",
    responses=problem_responses(404, 422),
)
async def entity_neighbors(
    request: Request,
    state: Reading,
    id: EntityId,
    depth: Annotated[int, Query(ge=1, le=3, description="Hops, either direction.")] = 1,
) -> Response:
    """Entities within `depth` relationships of `id` (any type, either direction) and the
    relationships among them."""

    def build(reader: read.Reader) -> dict[str, Any]:
        node, iri = _node(reader, id)
        found, edges = neighbors(reader, node, depth)
        info = node_info(reader, sorted(found))
        ordered = sorted(found, key=lambda n: (info[n][1], info[n][2]))
        return {
            "entity": reader.summary(iri),
            "nodes": [info[n][0] for n in ordered],
            "edges": [{"source": u, "target": v, "type": t} for u, v, t in edges],
        }

    return await from_read_model(state, request, build, offload=True)


__all__ = ["router"]
