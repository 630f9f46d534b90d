"""The REST surface under /api: health, stats, loading and dropping documents; the resources
in their own modules."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import AppState, Reading, State, WriteAllowed
from api.problems import problem_responses
from api.responses import encode, json_response
from api.routes import analytics, cases, causal, claims, consistency, entities, events, series
from api.schemas import Health, LoadReport, Stats
from api.uploads import save_upload
from api.writes import run_write
from graph import ingest
from graph.stats import class_counts
from graph.store import Change

router = APIRouter(prefix="/api")

_YAML_EXAMPLE = """casegraph: 1
agents:
  - id: example-agency
    type: Government
    label: Example Agency
"""
_TRIPLE_EXAMPLE = (
    '<https://example.org/notes/s> <http://www.w3.org/2000/01/rdf-schema#label> "a note" .\n'
)


@router.get(
    "/health",
    response_model=Health,
    tags=["meta"],
    summary="Liveness, size and the engines' states",
    responses=problem_responses(503),
)
async def health(state: Reading) -> Response:
    """`ok` when the store and the read model answer (503 otherwise, saying what failed), with
    the number of triples, the version readers see, and each Cypher engine's state (`ok`,
    `syncing`, `failed` with its reason)."""
    from ontology.errors import BackendUnavailable

    problem = _unreadable(state)
    if problem is not None:
        raise BackendUnavailable(problem)
    return json_response(
        encode(
            {
                "status": "ok",
                "triples": _triples(state),
                "version": state.version,
                "cypher_backend": state.settings.cypher_backend,
                "engines": {
                    name: {"state": e.state, "reason": e.reason, "version": e.version}
                    for name, e in sorted(state.engines.items())
                },
            }
        )
    )


def _triples(state: AppState) -> int:
    """The statements of the version readers see, from its registry (counted once per version:
    the snapshot does not change)."""
    snapshot = state.snapshot
    found = state.memo.get(("triples", snapshot.version))
    if found is None:
        found = sum(doc.triples for doc in snapshot.documents())
        state.memo = {("triples", snapshot.version): found}
    return int(found)


def _unreadable(state: Any) -> str | None:
    """What keeps the store or the read model from being read, probed on every call (a
    data folder on a detached volume still answers from open files for a while)."""
    folder = state.settings.data_dir
    for path in (state.workspace.model.path, folder / "oxigraph"):
        if not path.exists():
            return f"the data folder is not readable: {path} is missing"
    try:
        state.snapshot.probe()
    except Exception as e:
        return f"the store cannot be read: {e}"
    try:
        with state.workspace.model.read() as conn:
            conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()
    except Exception as e:
        return f"the read model cannot be read: {e}"
    return None


@router.get("/stats", response_model=Stats, tags=["meta"], summary="Counts per class and graph")
async def stats(state: Reading) -> Response:
    """Triples, entities and claims; instances per cg: class; the loaded graphs."""

    def build() -> bytes:
        snapshot = state.snapshot
        with state.workspace.model.read() as conn:
            entities_n = conn.execute("SELECT COUNT(*) FROM entity").fetchone()[0]
            claims_n = conn.execute("SELECT COUNT(*) FROM claim").fetchone()[0]
        return encode(
            {
                "triples": snapshot.triple_count(),
                "entities": entities_n,
                "claims": claims_n,
                "classes": class_counts(snapshot),
                "graphs": [
                    {
                        "name": d.name,
                        "graph": d.graph,
                        "kind": d.kind,
                        "loader": d.loader,
                        "triples": d.triples,
                        "loaded_at": d.loaded_at,
                        "revision": d.revision,
                    }
                    for d in snapshot.documents()
                ],
            }
        )

    return json_response(await run_in_threadpool(build))


def _report(result: ingest.LoadResult, *, dropped: bool = False) -> dict[str, Any]:
    return {
        "graphs": [_graph(change, dropped) for change in result.changes],
        "version": result.version,
        "warnings": result.warnings,
    }


def _graph(change: Change, dropped: bool) -> dict[str, Any]:
    status = "unchanged" if change.unchanged else "dropped" if dropped else "loaded"
    return {
        "name": change.name,
        "graph": change.graph,
        "added": change.added,
        "removed": change.removed,
        "status": status,
    }


@router.post(
    "/load",
    response_model=LoadReport,
    tags=["graphs"],
    summary="Load documents",
    status_code=200,
    responses=problem_responses(400, 401, 403, 409, 413, 415, 422, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A multipart upload of one or more files (each named by its file "
            "name), or one document as the raw body with its Content-Type and `?graph=<name>`. "
            "A name without a known extension gets its Content-Type's (`notes` sent as "
            "`text/turtle` is `notes.ttl`).",
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                                "minItems": 1,
                            }
                        },
                        "required": ["file"],
                    }
                },
                "application/yaml": {
                    "schema": {"type": "string", "minLength": 1},
                    "example": _YAML_EXAMPLE,
                },
                "text/turtle": {
                    "schema": {"type": "string", "format": "turtle", "minLength": 1},
                    "example": _TRIPLE_EXAMPLE,
                },
                "application/n-triples": {
                    "schema": {"type": "string", "format": "n-triples", "minLength": 1},
                    "example": _TRIPLE_EXAMPLE,
                },
                "application/ld+json": {
                    "schema": {"type": "object"},
                    "example": {
                        "@id": "https://example.org/notes/s",
                        "http://www.w3.org/2000/01/rdf-schema#label": "a note",
                    },
                },
                "text/csv": {"schema": {"type": "string", "minLength": 1}},
                "application/rdf+xml": {"schema": {"type": "string", "minLength": 1}},
                "application/json": {
                    "schema": {"type": "object"},
                    "description": "A Wikidata entity export.",
                },
                **{
                    media: {"schema": {"type": "string", "minLength": 1}}
                    for media in ("application/trig", "application/n-quads")
                },
            },
        }
    },
)
async def load(
    request: Request,
    state: State,
    _auth: WriteAllowed,
    graph: Annotated[
        str | None,
        Query(
            max_length=200,
            description="The document's name, which names its graph (raw bodies; the name "
            "`DELETE /api/graphs/{id}` and `/api/stats` use). Its extension tells the format "
            "unless `format` does.",
            examples=["notes.yaml"],
        ),
    ] = None,
    name: Annotated[
        str | None,
        Query(max_length=200, description="Former name of `graph`.", deprecated=True),
    ] = None,
    format: Annotated[
        str | None, Query(description=f"One of {', '.join(ingest.FORMATS)} (default: guess).")
    ] = None,
    validate: Annotated[bool, Query(description="Check the SHACL shapes.")] = True,
    force: Annotated[
        bool,
        Query(description="Load even if other documents would be left pointing at removed ids."),
    ] = False,
) -> Response:
    """Load case files, RDF files or datasets as `casegraph load` does: all of them or none,
    with the same checks and the same report."""
    folder = Path(tempfile.mkdtemp(prefix="casegraph-upload-"))
    try:
        paths = await save_upload(
            request, folder, graph or name, max_bytes=state.settings.upload_max_body_bytes
        )
        settings = state.settings
        result = await run_write(
            state,
            ingest.load,
            paths,
            format=format,
            validate=validate and settings.validate_shacl,
            force=force,
        )
        return json_response(encode(_report(result)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@router.delete(
    "/graphs/{name:path}",
    tags=["graphs"],
    summary="Drop a document",
    status_code=204,
    responses={204: {"description": "Dropped"}, **problem_responses(401, 403, 404, 409, 503)},
)
async def drop_graph(
    state: State,
    _auth: WriteAllowed,
    name: Annotated[
        str, PathParam(description="The document's name (see /api/stats).", examples=["notes.yaml"])
    ],
    force: Annotated[
        bool, Query(description="Drop even if other documents point at its ids.")
    ] = False,
) -> Response:
    """Remove a document's graph and everything derived from it, as `casegraph drop` does
    (409 when other documents point at its ids, unless `force`)."""
    await run_write(state, ingest.drop, name, force=force)
    return Response(status_code=204)


for module in (entities, events, cases, claims, consistency, causal, series, analytics):
    router.include_router(module.router)

__all__ = ["router"]
