"""/cypher: read-only Cypher on the configured property-graph engine (FalkorDB or Neo4j).

The engine runs the query in read-only mode (`CypherBackend.query(..., read_only=True)`), so a
write clause fails there with a `QueryError` (400); values come back JSON-safe (dates as ISO
strings, nodes, relationships and paths as objects). Without a configured engine: 503.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Reading
from api.problems import problem_responses
from api.schemas import CypherRequest, CypherResult
from ontology.errors import BackendUnavailable

router = APIRouter(tags=["cypher"])


@router.post(
    "/cypher",
    response_model=CypherResult,
    summary="Read-only Cypher query",
    responses=problem_responses(400, 422, 503),
)
def cypher(body: CypherRequest, state: Reading) -> dict[str, Any]:
    """Run `query` with `parameters` (always pass values as `$parameters`)."""
    backend = state.cypher
    if backend is None:
        reason = f": {state.cypher_error}" if state.cypher_error else ""
        raise BackendUnavailable(f"Cypher engine not configured{reason}")
    columns, rows = backend.query(
        body.query, body.parameters, read_only=True, timeout_s=state.settings.query_timeout_s
    )
    return {"columns": list(columns), "rows": [list(row) for row in rows]}


__all__ = ["router"]
