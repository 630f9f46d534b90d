"""`casegraph query sparql|cypher`: a query and its rows as a table, JSON or CSV.

SPARQL runs on the last published version of the store (no lock: it works while a server or a
load holds the store), Cypher on the configured engine, read-only. Both texts are checked first
as on the server (`graph.query_guard`): no `SERVICE`, `LOAD CSV` or off-list `CALL`, nothing too
long or too deeply nested for the engine's parser.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli_common import (
    EXIT_USAGE,
    err,
    handled,
    open_engine,
    open_store,
    out,
    query_app,
    settings,
)
from graph import query_guard

BackendOption = Annotated[
    str | None,
    typer.Option("--backend", "-b", help="falkordb or neo4j (default: the configured one)."),
]


def query_text(query: str | None, file: Path | None) -> str:
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
    """Run a SPARQL query over the whole dataset (the union of every graph)."""
    text = query_text(query, file)
    with handled():
        query_guard.check_sparql_query(text, max_chars=settings().sparql_max_chars)
    with handled(), open_store(read_only=True) as store:
        result = store.query(text)
        print_sparql(result, format)


def _term(term: Any, *, compact: bool = False) -> str:
    if term is None:
        return ""
    text = str(term.value) if hasattr(term, "value") else str(term)
    if compact and type(term).__name__ == "NamedNode":
        from ontology.namespaces import PREFIXES

        for prefix, namespace in PREFIXES.items():
            if text.startswith(namespace) and prefix not in {"cgg"}:
                return f"{prefix}:{text[len(namespace) :]}"
    return text


def compact(iri: str) -> str:
    import pyoxigraph as ox

    return _term(ox.NamedNode(iri), compact=True)


def print_sparql(result: Any, format: str) -> None:
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        out.print(json.dumps(bool(result)) if format == "json" else str(bool(result)).lower())
        return
    if isinstance(result, ox.QueryTriples):
        data = ox.serialize(result, format=ox.RdfFormat.TURTLE)
        sys.stdout.write((data or b"").decode("utf-8"))
        return
    names = [v.value for v in result.variables]
    small = format == "table"
    rows = [[_term(row[name], compact=small) for name in names] for row in result]
    print_rows(names, rows, format)


def print_rows(columns: list[str], rows: list[list[Any]], format: str) -> None:
    """Query results as JSON (values as they are), CSV or a table (values as text)."""
    if format == "json":
        out.print_json(json.dumps({"columns": columns, "rows": rows}, default=str))
        return
    cells = [[c if isinstance(c, str) else json.dumps(c, default=str) for c in row] for row in rows]
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(cells)
        sys.stdout.write(buffer.getvalue())
    else:
        from rich.table import Table

        table = Table(*columns)
        for row in cells:
            table.add_row(*row)
        out.print(table)


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
    text = query_text(query, file)
    with handled():
        query_guard.check_cypher(text, max_chars=settings().cypher_max_chars)
    params: dict[str, Any] = {}
    for item in param or []:
        name, _, value = item.partition("=")
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError:
            params[name] = value
    with handled(), open_engine(backend) as engine:
        result = engine.query(text, params, read_only=True, timeout_s=settings().query_timeout_s)
        print_rows(list(result.columns), [list(row) for row in result.rows], format)


__all__ = ["BackendOption", "compact", "print_rows", "print_sparql", "query_text"]
