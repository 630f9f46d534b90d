"""`casegraph stats` and `export`: what the store holds, and the dataset (RDF, named graphs kept)
or the read model's property graph (GraphML, GEXF, node-link, Neo4j CSV) written out.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from api.cli_common import EXIT_USAGE, app, err, handled, open_store, open_workspace, out


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
