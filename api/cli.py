"""The `casegraph` command: `schema` and `serve` here, and every verb registered on `app`.

Documents in (load, validate, drop, derive) are in `api.cli_documents`, out (stats, export) in
`api.cli_export`, analytics in `api.cli_analyze`; queries, engines and views in `api.cli_query`,
`api.cli_engines` and `api.cli_view`; what they share in `api.cli_common`.

Exit codes: 0 ok, 1 invalid input, a conflict or a failed check, 2 usage, 3 backend unavailable.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# The modules register their verbs on import, in this order (the order of `casegraph --help`).
# isort: off
from api import (  # noqa: F401
    cli_engines,
    cli_query,
    cli_view,
    cli_documents,
    cli_export,
    cli_analyze,
)

# isort: on
from api.cli_common import (
    EXIT_BACKEND,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    app,
    err,
    exit_code,
    handled,
    settings,
)

if TYPE_CHECKING:
    from api.settings import Settings

GRACEFUL_SHUTDOWN_S = 3
"""After SIGTERM, requests in flight get this long before they are cancelled; then the
lifespan closes everything within `api.app.SHUTDOWN_BUDGET_S` (10 s in all, issue 15)."""


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Print the JSON Schema of the case-file format."""
    from loaders.case_model import CaseFile

    text = json.dumps(CaseFile.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def default_cases_dir(current: Settings) -> Path:
    """The case files `serve` loads into an empty store: settings, else the shipped data/cases
    (in an installed wheel, `ontology/cases`; in a checkout, the repository's `data/cases`)."""
    import api as api_package
    import ontology

    if current.cases_dir is not None:
        return current.cases_dir
    packaged = Path(ontology.__file__).resolve().parent / "cases"
    if packaged.is_dir():
        return packaged
    return Path(api_package.__file__).resolve().parents[1] / "data" / "cases"


def first_start(current: Settings) -> int:
    """Load the curated cases into an empty store; the number of documents loaded."""
    from graph import ingest
    from graph.workspace import Workspace
    from loaders.registry import collect_paths

    workspace = Workspace.open(current.data_dir)
    try:
        if any(doc.kind == "doc" for doc in workspace.store.documents()):
            return 0
        cases = default_cases_dir(current)
        if not cases.is_dir() or not collect_paths([cases]):
            return 0
        result = ingest.load(workspace, [cases], validate=current.validate_shacl)
        return sum(1 for change in result.changes if not change.unchanged)
    finally:
        workspace.close()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes. Oxigraph allows one writer process, so with more than one "
            "every worker opens the store read-only and writes are refused (503).",
        ),
    ] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Serve the REST API, SPARQL, Cypher and Linked Data; load the curated cases on first start."""
    import os

    import uvicorn

    current = settings()
    with handled():
        loaded = first_start(current)
    if loaded:
        err.print(f"first start: loaded {loaded} documents from {default_cases_dir(current)}")
    if workers > 1:
        # Each worker imports the app factory and reads its settings from the environment.
        os.environ["CASEGRAPH_READ_ONLY"] = "true"
        err.print(f"{workers} workers: the store is opened read-only; writes are refused")
    err.print(f"serving on http://{host}:{port} (docs at /docs)")
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


def main() -> None:  # pragma: no cover - console entry
    app()


__all__ = [
    "EXIT_BACKEND",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "app",
    "default_cases_dir",
    "exit_code",
    "first_start",
    "main",
]
