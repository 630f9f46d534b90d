"""`casegraph load`, `validate`, `drop` and `derive`: documents into the store (and the engines
after), checked as a load would check them, removed, or derived again.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api import cli_engines
from api.cli_common import EXIT_USAGE, app, err, handled, open_workspace, out, settings, warn

if TYPE_CHECKING:
    from graph.ingest import LoadResult

FORMATS = ("case-yaml", "rdf", "wikidata", "ucdp-ged", "acled", "cdc-vsrr")


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to load.")],
    format: Annotated[
        str | None,
        typer.Option("--format", "-F", help=f"One of {', '.join(FORMATS)} (default: guess)."),
    ] = None,
    no_validate: Annotated[bool, typer.Option("--no-validate", help="Skip SHACL.")] = False,
    skip_bad_rows: Annotated[
        bool, typer.Option("--skip-bad-rows", help="Load good rows; write rejects to a file.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Load even if other documents would point at ids the load removes."
        ),
    ] = False,
    no_sync: Annotated[
        bool, typer.Option("--no-sync", help="Do not update the Cypher engines afterwards.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Load case files, RDF files and datasets; each document becomes one named graph."""
    from rich.progress import Progress, TextColumn

    from graph import ingest

    with handled(), open_workspace() as workspace:
        progress = Progress(
            *Progress.get_default_columns(),
            TextColumn("{task.fields[rows]} rows"),
            console=err,
            transient=True,
            disable=as_json or not err.is_terminal,
        )
        with progress:
            task = progress.add_task("loading", total=None, rows=0)

            def tick(name: str, rows: int) -> None:
                progress.update(task, description=name, rows=rows)

            result = ingest.load(
                workspace,
                paths,
                format=format,
                validate=not no_validate,
                skip_bad_rows=skip_bad_rows,
                force=force,
                progress=tick,
            )
        _write_rejects(result)
        _print_changes(result, as_json)
        if not no_sync:
            cli_engines.sync_after_write(workspace, as_json)


def _write_rejects(result: LoadResult) -> None:
    for name, report in result.rejected.items():
        path = Path(f"{name}.rejected.csv")
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["line", "reason", "row"])
            for row in report.rejected:
                writer.writerow([row.line, row.reason, row.raw])
        err.print(f"{name}: {len(report.rejected)} rows rejected; see {path}")


def _print_changes(result: LoadResult, as_json: bool) -> None:
    from rich.table import Table

    changes = result.changes
    if as_json:
        payload = {
            "graphs": [
                {
                    "name": c.name,
                    "graph": c.graph,
                    "added": c.added,
                    "removed": c.removed,
                    "unchanged": c.unchanged,
                }
                for c in changes
            ],
            "version": result.version,
            "warnings": result.warnings,
        }
        out.print_json(json.dumps(payload))
        return
    for warning in result.warnings:
        warn(warning)
    table = Table("graph", "added", "removed", "status", "rows", "rows/s")
    for change in changes:
        rows, seconds = result.rates.get(change.name, (0, 0.0))
        table.add_row(
            change.name,
            str(change.added),
            str(change.removed),
            "unchanged" if change.unchanged else "replaced" if change.removed else "loaded",
            str(rows) if rows else "",
            f"{rows / seconds:,.0f}" if rows and seconds else "",
        )
    out.print(table)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to check.")],
    format: Annotated[str | None, typer.Option("--format", "-F")] = None,
) -> None:
    """Check documents as a load would (references resolve against the store too), writing
    nothing."""
    from graph import ingest
    from graph.workspace import Workspace
    from ontology.errors import BackendUnavailable

    with handled():
        try:
            workspace = Workspace.open(settings().data_dir, read_only=True)
        except BackendUnavailable as e:
            warn(f"checking against the files alone ({e})")
            workspace = Workspace.open(None)
        try:
            prepared = ingest.prepare(workspace, paths, format=format)
        finally:
            workspace.close()
        for doc in prepared:
            for warning in doc.report.warnings:
                warn(warning)
            status = "unchanged" if doc.unchanged else f"{len(doc.triples or [])} triples"
            out.print(f"{doc.path}: ok ({status})")


@app.command()
def drop(
    graph: Annotated[str, typer.Argument(help="The document name (see `stats`).")],
    force: Annotated[
        bool, typer.Option("--force", help="Drop even if other documents point at its ids.")
    ] = False,
    no_sync: Annotated[bool, typer.Option("--no-sync")] = False,
) -> None:
    """Remove one document's graph and what was derived from it."""
    from graph import ingest

    with handled(), open_workspace() as workspace:
        result = ingest.drop(workspace, graph, force=force)
        _print_changes(result, as_json=False)
        if not no_sync:
            cli_engines.sync_after_write(workspace, as_json=False)


@app.command()
def derive(
    full: Annotated[
        bool, typer.Option("--full", help="Recompute every derived statement (repair).")
    ] = False,
) -> None:
    """Recompute derived statements and the temporal relations (loads derive incrementally)."""
    import time

    from graph import pipeline

    if not full:
        err.print("loads derive incrementally; use --full to recompute everything")
        raise typer.Exit(EXIT_USAGE)
    started = time.perf_counter()
    with handled(), open_workspace() as workspace:
        with pipeline.session(workspace, "derive --full") as session:
            pipeline.rederive_all(session)
            pipeline.rebuild_temporal(session)
        seconds = time.perf_counter() - started
        out.print(f"derived again in {seconds:.2f} s (version {workspace.store.version})")
