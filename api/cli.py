"""The `casegraph` command: documents in and out (load, validate, drop, derive, stats, export,
schema) and `serve`. Queries, engines and views are in `api.cli_query`, `api.cli_engines` and
`api.cli_view`; what they share in `api.cli_common`.

Exit codes: 0 ok, 1 invalid input, a conflict or a failed check, 2 usage, 3 backend unavailable.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api import cli_engines, cli_query, cli_view  # noqa: F401  (they register their verbs)
from api.cli_common import (
    EXIT_BACKEND,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    app,
    err,
    exit_code,
    handled,
    open_store,
    open_workspace,
    out,
    settings,
    warn,
)

if TYPE_CHECKING:
    from api.settings import Settings
    from graph.ingest import LoadResult

GRACEFUL_SHUTDOWN_S = 3
"""After SIGTERM, requests in flight get this long before they are cancelled; then the
lifespan closes everything within `api.app.SHUTDOWN_BUDGET_S` (10 s in all, issue 15)."""
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


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Counts per class, and the loaded graphs."""
    from graph.stats import class_counts

    with handled(), open_store(read_only=True) as store:
        counts = class_counts(store)
        documents = store.documents()
        triples = store.triple_count()
        if as_json:
            out.print_json(
                json.dumps(
                    {
                        "triples": triples,
                        "version": store.version,
                        "classes": counts,
                        "graphs": [
                            {
                                "name": d.name,
                                "graph": d.graph,
                                "kind": d.kind,
                                "loader": d.loader,
                                "triples": d.triples,
                                "revision": d.revision,
                                "loaded_at": d.loaded_at,
                            }
                            for d in documents
                        ],
                    }
                )
            )
            return
        from rich.table import Table

        table = Table("class", "instances")
        for name, count in counts.items():
            table.add_row(name, str(count))
        out.print(table)
        graphs = Table("graph", "kind", "loader", "triples", "loaded at")
        for doc in documents:
            graphs.add_row(doc.name, doc.kind, doc.loader, str(doc.triples), doc.loaded_at)
        out.print(graphs)
        out.print(f"{triples} triples (version {store.version})")


EXPORT_FORMATS = ("ttl", "trig", "nq", "nt", "jsonld")
GRAPH_EXPORT_FORMATS = ("graphml", "gexf", "nodelink", "neo4j-csv")


@app.command()
def export(
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="RDF: ttl, trig, nq, nt or jsonld. Property graph: graphml, gexf, nodelink or "
            "neo4j-csv (a folder for neo4j-admin database import).",
        ),
    ] = "trig",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout).")
    ] = None,
) -> None:
    """Write the dataset out (TriG and N-Quads keep the named graphs), or the property graph."""
    import pyoxigraph as ox

    if format in GRAPH_EXPORT_FORMATS:
        _export_graph(format, output)
        return

    formats = {
        "ttl": ox.RdfFormat.TURTLE,
        "trig": ox.RdfFormat.TRIG,
        "nq": ox.RdfFormat.N_QUADS,
        "nt": ox.RdfFormat.N_TRIPLES,
        "jsonld": ox.RdfFormat.JSON_LD,
    }
    if format not in formats:
        known = [*formats, *GRAPH_EXPORT_FORMATS]
        err.print(f"unknown format {format!r}; use one of {', '.join(known)}")
        raise typer.Exit(EXIT_USAGE)
    with handled(), open_store(read_only=True) as store:
        if output is None:
            store.dump(sys.stdout.buffer, formats[format])
        else:
            with output.open("wb") as handle:
                store.dump(handle, formats[format])
            err.print(f"wrote {output}")


def _export_graph(format: str, output: Path | None) -> None:
    """The read model's property graph as GraphML, GEXF, node-link or Neo4j CSV, streamed."""
    from graph.export import export_graph
    from graph.sync import iter_nodes, iter_relationships

    if format == "neo4j-csv" and output is None:
        err.print("neo4j-csv writes a folder: give -o PATH")
        raise typer.Exit(EXIT_USAGE)
    with handled(), open_workspace(read_only=True) as workspace, workspace.model.read() as conn:
        summary = export_graph(
            format, iter_nodes(conn), iter_relationships(conn), output, stdout=sys.stdout
        )
    if output is not None:
        err.print(
            f"wrote {output}: {summary.nodes} nodes, {summary.relationships} relationships"
            + (f" in {len(summary.files)} files" if summary.files else "")
        )


analyze_app = typer.Typer(help="Graph analytics on the property graph.", no_args_is_help=True)
app.add_typer(analyze_app, name="analyze")


@analyze_app.command("centrality")
def analyze_centrality(
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="How many to show.")] = 20,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", "-k", help="Only this kind (event, agent, phenomenon); repeatable."),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="betweenness, pagerank or reach.")] = (
        "betweenness"
    ),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Central actors, events and phenomena of the causal subgraph (igraph)."""
    import dataclasses

    from rich.table import Table

    from graph.analytics import CENTRALITY_ORDERS, causal_centrality
    from graph.sync import iter_nodes, iter_relationships

    if by not in CENTRALITY_ORDERS:
        err.print(f"unknown order {by!r}; use one of {', '.join(CENTRALITY_ORDERS)}")
        raise typer.Exit(EXIT_USAGE)
    with handled(), open_workspace(read_only=True) as workspace, workspace.model.read() as conn:
        ranked = causal_centrality(
            iter_nodes(conn),
            iter_relationships(conn),
            top=top,
            kinds=set(kind) if kind else None,
            by=by,
        )
    if as_json:
        out.print_json(json.dumps([dataclasses.asdict(c) for c in ranked], ensure_ascii=False))
        return
    table = Table(
        "id", "label", "kind", "betweenness", "pagerank", "causes", "effects", "reach", "events"
    )
    for c in ranked:
        table.add_row(
            c.id,
            c.label,
            c.kind,
            f"{c.betweenness:.4f}",
            f"{c.pagerank:.4f}",
            str(c.causes),
            str(c.effects),
            str(c.reach),
            str(c.events) if c.events else "",
        )
    out.print(table)


@analyze_app.command("outcomes")
def analyze_outcomes(
    cases: Annotated[list[str] | None, typer.Argument(help="Case ids (default: all).")] = None,
    depth: Annotated[int, typer.Option("--depth", min=1, max=8)] = 4,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Compare cases by outcomes: the phenomena their events lead to, with the claims."""
    import dataclasses

    from rich.table import Table

    from graph.outcomes import compare_cases
    from graph.sync import iter_nodes, iter_relationships

    with handled(), open_workspace(read_only=True) as workspace, workspace.model.read() as conn:
        result = compare_cases(iter_nodes(conn), iter_relationships(conn), cases, max_depth=depth)
    if as_json:
        out.print_json(json.dumps(dataclasses.asdict(result), ensure_ascii=False))
        return
    table = Table("case", "outcome", "steps", "score", "from", "claims", "links")
    for case in result.cases:
        for o in case.outcomes:
            table.add_row(
                case.case,
                o.label,
                str(o.steps),
                f"{o.score:.2f}",
                ", ".join(o.reached_from),
                ", ".join(c.id for c in o.claims),
                ", ".join(o.links),
            )
    out.print(table)
    for outcome, shared in result.shared.items():
        out.print(f"shared: {outcome} <- {', '.join(shared)}")


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
