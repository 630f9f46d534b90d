"""The `casegraph` command. Each command is a few lines over a library function.

Exit codes: 0 ok, 1 invalid input or failed check, 2 usage, 3 backend unavailable.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from api import ingest
from api.cli_view import view_app
from api.settings import Settings
from graph.stats import class_counts
from graph.store import Store
from ontology.errors import (
    BackendUnavailable,
    CasegraphError,
    LoadError,
    NotFound,
    QueryError,
    StoreLocked,
)
from ontology.namespaces import PREFIXES

app = typer.Typer(
    name="casegraph",
    help="A knowledge graph of historical cases: load, query, check, view and serve it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
query_app = typer.Typer(help="Run a SPARQL or Cypher query.", no_args_is_help=True)
app.add_typer(query_app, name="query")
analyze_app = typer.Typer(help="Graph analytics on the property graph.", no_args_is_help=True)
app.add_typer(analyze_app, name="analyze")
app.add_typer(view_app, name="view")

# markup=False: data (labels, error messages with regexes) must never be read as rich markup.
out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_BACKEND = 0, 1, 2, 3


def exit_code(error: CasegraphError) -> int:
    """The one mapping from the error tree to exit codes."""
    if isinstance(error, BackendUnavailable | StoreLocked):
        return EXIT_BACKEND
    return EXIT_INVALID


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Turn casegraph errors into a one-line message and an exit code, never a traceback."""
    try:
        yield
    except CasegraphError as e:
        kind = {LoadError: "invalid input", QueryError: "query failed", NotFound: "not found"}
        label = next((v for k, v in kind.items() if isinstance(e, k)), "error")
        err.print(Text.assemble((f"{label}:", "red"), f" {e}"))
        raise typer.Exit(exit_code(e)) from None


@contextlib.contextmanager
def open_store(*, read_only: bool = False) -> Iterator[Store]:
    settings = Settings()
    store = Store(settings.store_path, read_only=read_only)
    try:
        yield store
    finally:
        store.close()


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to load.")],
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-F", help=f"One of {', '.join(ingest.FORMATS)} (default: guess)."
        ),
    ] = None,
    no_validate: Annotated[bool, typer.Option("--no-validate", help="Skip SHACL.")] = False,
    skip_bad_rows: Annotated[
        bool, typer.Option("--skip-bad-rows", help="Load good rows; write rejects to a file.")
    ] = False,
    no_sync: Annotated[
        bool, typer.Option("--no-sync", help="Do not update the Cypher engines afterwards.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Load case files, RDF files and datasets; each document becomes one named graph."""
    from rich.progress import Progress, TextColumn

    with handled(), open_store() as store:
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
                store,
                paths,
                format=format,
                validate=not no_validate,
                skip_bad_rows=skip_bad_rows,
                progress=tick,
            )
        _write_rejects(result)
        _print_changes(result, as_json)
        if not no_sync:
            _sync_after_load(store, as_json)


def _write_rejects(result: ingest.LoadResult) -> None:
    for name, report in result.rejected.items():
        path = Path(f"{name}.rejected.csv")
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["line", "reason", "row"])
            for row in report.rejected:
                writer.writerow([row.line, row.reason, row.raw])
        err.print(f"{name}: {len(report.rejected)} rows rejected; see {path}")


def _print_changes(result: ingest.LoadResult, as_json: bool) -> None:
    changes = [*result.changes, *([result.derived] if result.derived else [])]
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
            "warnings": result.warnings,
        }
        out.print_json(json.dumps(payload))
        return
    for warning in result.warnings:
        err.print(Text.assemble(("warning:", "yellow"), f" {warning}"))
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
    """Check documents as a load would, without writing anything."""
    with handled():
        store = Store(None)
        ingest.ensure_ontology(store)
        prepared = ingest.prepare(store, paths, format=format)
        for doc in prepared:
            for warning in doc.report.warnings:
                err.print(Text.assemble(("warning:", "yellow"), f" {warning}"))
            out.print(f"{doc.path}: ok ({len(doc.triples or [])} triples)")


def _sparql_text(query: str | None, file: Path | None) -> str:
    if (query is None) == (file is None):
        err.print("give a QUERY or --file, not both")
        raise typer.Exit(EXIT_USAGE)
    return file.read_text(encoding="utf-8") if file is not None else str(query)


@query_app.command("sparql")
def query_sparql(
    query: Annotated[str | None, typer.Argument(help="The query text.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the query from a file.")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
) -> None:
    """Run a SPARQL query over the whole dataset (the union of the loaded graphs)."""
    text = _sparql_text(query, file)
    with handled(), open_store(read_only=True) as store:
        result = store.query(text)
        _print_sparql(result, format)


def _term(term: Any, *, compact: bool = False) -> str:
    if term is None:
        return ""
    text = str(term.value) if hasattr(term, "value") else str(term)
    if compact and isinstance(term, ox.NamedNode):
        for prefix, namespace in PREFIXES.items():
            if text.startswith(namespace) and prefix not in {"cgg"}:
                return f"{prefix}:{text[len(namespace) :]}"
    return text


def _print_sparql(result: Any, format: str) -> None:
    if isinstance(result, ox.QueryBoolean):
        out.print(json.dumps(bool(result)) if format == "json" else str(bool(result)).lower())
        return
    if isinstance(result, ox.QueryTriples):
        data = ox.serialize(result, format=ox.RdfFormat.TURTLE)
        sys.stdout.write((data or b"").decode("utf-8"))
        return
    names = [v.value for v in result.variables]
    compact = format == "table"
    rows = [[_term(row[name], compact=compact) for name in names] for row in result]
    _print_rows(names, rows, format)


def _print_rows(columns: list[str], rows: list[list[Any]], format: str) -> None:
    """Query results as JSON (values as they are), CSV or a table (values as text)."""
    if format == "json":
        out.print_json(json.dumps({"columns": columns, "rows": rows}))
        return
    cells = [[c if isinstance(c, str) else json.dumps(c) for c in row] for row in rows]
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(cells)
        sys.stdout.write(buffer.getvalue())
    else:
        table = Table(*columns)
        for row in cells:
            table.add_row(*row)
        out.print(table)


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Counts per class, and the loaded graphs."""
    with handled(), open_store(read_only=True) as store:
        counts = class_counts(store)
        documents = store.documents()
        if as_json:
            out.print_json(
                json.dumps(
                    {
                        "triples": store.triple_count(),
                        "classes": counts,
                        "graphs": [
                            {
                                "name": d.name,
                                "graph": d.graph,
                                "loader": d.loader,
                                "triples": d.triples,
                                "loaded_at": d.loaded_at,
                            }
                            for d in documents
                        ],
                    }
                )
            )
            return
        table = Table("class", "instances")
        for name, count in counts.items():
            table.add_row(name, str(count))
        out.print(table)
        graphs = Table("graph", "loader", "triples", "loaded at")
        for doc in documents:
            graphs.add_row(doc.name, doc.loader, str(doc.triples), doc.loaded_at)
        out.print(graphs)
        out.print(f"{store.triple_count()} triples")


EXPORT_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}


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
    if format in GRAPH_EXPORT_FORMATS:
        _export_graph(format, output)
        return
    if format not in EXPORT_FORMATS:
        known = [*EXPORT_FORMATS, *GRAPH_EXPORT_FORMATS]
        err.print(f"unknown format {format!r}; use one of {', '.join(known)}")
        raise typer.Exit(EXIT_USAGE)
    with handled(), open_store(read_only=True) as store:
        if output is None:
            store.dump(sys.stdout.buffer, EXPORT_FORMATS[format])
        else:
            with output.open("wb") as handle:
                store.dump(handle, EXPORT_FORMATS[format])
            err.print(f"wrote {output}")


def _export_graph(format: str, output: Path | None) -> None:
    """The property graph (projected from the store) as GraphML, GEXF, node-link or Neo4j CSV."""
    from graph.export import export_graph
    from graph.projection import project_store

    if format == "neo4j-csv" and output is None:
        err.print("neo4j-csv writes a folder: give -o PATH")
        raise typer.Exit(EXIT_USAGE)
    with handled(), open_store(read_only=True) as store:
        projection = project_store(store)
        summary = export_graph(
            format, projection.nodes, projection.relationships, output, stdout=sys.stdout
        )
    if output is not None:
        err.print(
            f"wrote {output}: {summary.nodes} nodes, {summary.relationships} relationships"
            + (f" in {len(summary.files)} files" if summary.files else "")
        )


@app.command()
def drop(graph: Annotated[str, typer.Argument(help="The document name (see `stats`).")]) -> None:
    """Remove one document's graph and what was derived from it."""
    with handled(), open_store() as store:
        result = ingest.drop(store, graph)
        _print_changes(result, as_json=False)


BackendOption = Annotated[
    str | None,
    typer.Option("--backend", "-b", help="falkordb or neo4j (default: the configured one)."),
]


@contextlib.contextmanager
def open_engine(name: str | None) -> Iterator[Any]:
    """The configured Cypher engine (FalkorDB is started on demand and stopped after)."""
    from graph.cypher import open_backend

    settings = Settings()
    backend = name or settings.cypher_backend
    if backend not in {"falkordb", "neo4j"}:
        err.print(f"unknown backend {backend!r}; use falkordb or neo4j")
        raise typer.Exit(EXIT_USAGE)
    engine = open_backend(backend, settings)
    try:
        yield engine
    finally:
        engine.close()


def _sync_after_load(store: Store, as_json: bool) -> None:
    """Bring the configured engines up to date (what `casegraph sync` does, incrementally)."""
    from graph.sync import sync as sync_engine

    for name in Settings().engines():
        with open_engine(name) as engine:
            report = sync_engine(store, engine)
        if report.changed and not as_json:
            err.print(
                f"{name}: synced {len(report.documents)} graph(s), "
                f"{report.nodes_written} nodes and {report.relationships_written} relationships "
                f"written, {report.nodes_deleted + report.relationships_deleted} removed"
            )


@app.command()
def sync(
    backend: BackendOption = None,
    full: Annotated[bool, typer.Option("--full", help="Clear the engine and rebuild it.")] = False,
) -> None:
    """Project the RDF dataset into a Cypher engine (incrementally unless --full)."""
    from graph.sync import sync as sync_engine

    with handled(), open_store() as store, open_engine(backend) as engine:
        report = sync_engine(store, engine, full=full)
        out.print(
            f"{report.backend}: {'full rebuild' if report.full else 'incremental'}; "
            f"{len(report.documents)} graph(s) synced, {len(report.removed_documents)} removed; "
            f"{report.nodes_written} nodes and {report.relationships_written} relationships "
            f"written, {report.nodes_deleted} nodes and {report.relationships_deleted} "
            f"relationships deleted in {report.seconds:.2f} s"
        )


@app.command()
def check(
    backend: BackendOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Compare the RDF dataset with each engine; exit 1 on drift."""
    from graph.sync import check as check_engine

    names = [backend] if backend else Settings().engines()
    failed = False
    with handled(), open_store(read_only=True) as store:
        reports = []
        for name in names:
            with open_engine(name) as engine:
                reports.append(check_engine(store, engine))
        for report in reports:
            failed = failed or not report.ok
            if as_json:
                continue
            status = "ok" if report.ok else f"{len(report.drift)} differences"
            out.print(
                f"{report.backend}: {status} ({report.nodes} nodes, "
                f"{report.relationships} relationships, {report.sampled} sampled)"
            )
            if report.drift:
                table = Table("what", "name", "expected", "actual")
                for drift in report.drift:
                    table.add_row(drift.what, drift.name, str(drift.expected), str(drift.actual))
                out.print(table)
        if as_json:
            out.print_json(
                json.dumps(
                    [
                        {
                            "backend": r.backend,
                            "ok": r.ok,
                            "drift": [
                                {
                                    "what": d.what,
                                    "name": d.name,
                                    "expected": str(d.expected),
                                    "actual": str(d.actual),
                                }
                                for d in r.drift
                            ],
                        }
                        for r in reports
                    ]
                )
            )
    if failed:
        raise typer.Exit(EXIT_INVALID)


@query_app.command("cypher")
def query_cypher(
    query: Annotated[str | None, typer.Argument(help="The query text.")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f")] = None,
    backend: BackendOption = None,
    format: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="NAME=JSON value, repeatable.")
    ] = None,
) -> None:
    """Run a read-only Cypher query on FalkorDB or Neo4j."""
    text = _sparql_text(query, file)
    params: dict[str, Any] = {}
    for item in param or []:
        name, _, value = item.partition("=")
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError:
            params[name] = value
    with handled(), open_engine(backend) as engine:
        result = engine.query(text, params, read_only=True, timeout_s=Settings().query_timeout_s)
        _print_rows(list(result.columns), [list(row) for row in result.rows], format)


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
    from graph.analytics import CENTRALITY_ORDERS, causal_centrality
    from graph.projection import project_store

    if by not in CENTRALITY_ORDERS:
        err.print(f"unknown order {by!r}; use one of {', '.join(CENTRALITY_ORDERS)}")
        raise typer.Exit(EXIT_USAGE)
    with handled(), open_store(read_only=True) as store:
        projection = project_store(store)
        ranked = causal_centrality(
            projection.nodes,
            projection.relationships,
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
    from graph.outcomes import compare_cases
    from graph.projection import project_store

    with handled(), open_store(read_only=True) as store:
        projection = project_store(store)
        result = compare_cases(projection.nodes, projection.relationships, cases, max_depth=depth)
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
def link(
    report: Annotated[
        bool, typer.Option("--report", help="List every link and ambiguity.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Link records loaded from datasets to the curated entities (Wikidata id, then label)."""
    from api.linking import relink

    with handled(), open_store() as store:
        result, _change = relink(store)
        if as_json:
            out.print_json(
                json.dumps(
                    {
                        "links": [
                            {"source": x.source, "target": x.target, "evidence": x.evidence}
                            for x in result.links
                        ],
                        "ambiguous": [
                            {"iri": x.iri, "candidates": list(x.candidates), "evidence": x.evidence}
                            for x in result.ambiguous
                        ],
                        "unlinked": len(result.unlinked),
                    }
                )
            )
            return
        if report:
            table = Table("record", "linked to", "evidence")
            for item in result.links:
                table.add_row(_compact(item.source), _compact(item.target), item.evidence)
            out.print(table)
            if result.ambiguous:
                amb = Table("record", "candidates (left unmerged)", "evidence")
                for entry in result.ambiguous:
                    amb.add_row(
                        _compact(entry.iri),
                        ", ".join(map(_compact, entry.candidates)),
                        entry.evidence,
                    )
                out.print(amb)
        out.print(
            f"{len(result.links)} linked, {len(result.ambiguous)} ambiguous, "
            f"{len(result.unlinked)} unlinked"
        )


def _compact(iri: str) -> str:
    return _term(ox.NamedNode(iri), compact=True)


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


def default_cases_dir(settings: Settings) -> Path:
    """The case files `serve` loads into an empty store: settings, else the shipped data/cases."""
    import api as api_package

    if settings.cases_dir is not None:
        return settings.cases_dir
    return Path(api_package.__file__).resolve().parents[1] / "data" / "cases"


def first_start(settings: Settings) -> int:
    """Load the curated cases into an empty store; the number of documents loaded."""
    store = Store(settings.store_path)
    try:
        if store.documents():
            return 0
        cases = default_cases_dir(settings)
        if not cases.is_dir() or not ingest.collect_paths([cases]):
            ingest.ensure_ontology(store)
            return 0
        result = ingest.load(store, [cases], validate=settings.validate_shacl)
        return sum(1 for change in result.changes if not change.unchanged)
    finally:
        store.close()


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

    settings = Settings()
    with handled():
        loaded = first_start(settings)
    if loaded:
        err.print(f"first start: loaded {loaded} documents from {default_cases_dir(settings)}")
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
    )


def main() -> None:  # pragma: no cover - console entry
    app()
