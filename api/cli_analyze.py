"""`casegraph analyze`: graph analytics on the read model's property graph (central nodes of the
causal subgraph, cases compared by their outcomes).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from api.cli_common import EXIT_USAGE, app, err, handled, open_workspace, out

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
