"""`casegraph sync`, `check` and `link`: the property-graph engines and entity links."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli_common import (
    EXIT_INVALID,
    app,
    err,
    handled,
    open_engine,
    open_workspace,
    out,
    settings,
)
from api.cli_query import BackendOption, compact

if TYPE_CHECKING:
    from graph.workspace import Workspace


def sync_after_write(workspace: Workspace, as_json: bool) -> None:
    """Bring the configured engines up to date (what `casegraph sync` does, incrementally)."""
    from graph.sync import sync as sync_engine

    for name in settings().engines():
        with open_engine(name) as engine:
            report = sync_engine(workspace.model, engine)
        if report.changed and not as_json:
            err.print(
                f"{name}: {'full sync' if report.full else 'synced'} to version "
                f"{report.version}, {report.nodes_written} nodes and "
                f"{report.relationships_written} relationships written, "
                f"{report.nodes_deleted + report.relationships_deleted} removed"
            )


@app.command()
def sync(
    backend: BackendOption = None,
    full: Annotated[bool, typer.Option("--full", help="Clear the engine and rebuild it.")] = False,
) -> None:
    """Bring a Cypher engine up to the read model's version (incrementally unless --full)."""
    from graph.sync import sync as sync_engine

    with handled(), open_workspace() as workspace, open_engine(backend) as engine:
        report = sync_engine(workspace.model, engine, full=full)
        out.print(
            f"{report.backend}: {'full rebuild' if report.full else 'incremental'} to version "
            f"{report.version}; {report.nodes_written} nodes and {report.relationships_written} "
            f"relationships written, {report.nodes_deleted} nodes and "
            f"{report.relationships_deleted} relationships deleted in {report.seconds:.2f} s"
        )


@app.command()
def check(
    backend: BackendOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    references: Annotated[
        bool, typer.Option("--references/--no-references", help="Report dangling references.")
    ] = True,
    temporal: Annotated[
        bool,
        typer.Option(
            "--temporal",
            help="Only check the dates of causal claims and link steps: list those whose cause "
            "begins after its effect ends (certainly or possibly); exit 1 when one certainly does.",
        ),
    ] = False,
) -> None:
    """Compare each engine with the read model, and look for dangling references; exit 1 on
    any difference. With --temporal, check the dates of causal claims and links instead."""
    from graph.checks import dangling
    from graph.sync import check as check_engine

    if temporal:
        check_temporal(as_json)
        return
    names = [backend] if backend else settings().engines()
    failed = False
    with handled(), open_workspace(read_only=True) as workspace:
        reports = []
        for name in names:
            with open_engine(name) as engine:
                reports.append(check_engine(workspace.model, engine))
        with workspace.model.read() as conn:
            refs = dangling(conn) if references else []
        failed = bool(refs) or any(not r.ok for r in reports)
        if as_json:
            out.print_json(
                json.dumps(
                    {
                        "engines": [
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
                        ],
                        "dangling": [{"subject": s, "target": t, "graph": g} for s, t, g in refs],
                    }
                )
            )
        else:
            from rich.table import Table

            for report in reports:
                status = "ok" if report.ok else f"{len(report.drift)} differences"
                out.print(
                    f"{report.backend}: {status} ({report.nodes} nodes, "
                    f"{report.relationships} relationships, {report.sampled} sampled)"
                )
                if report.drift:
                    table = Table("what", "name", "expected", "actual")
                    for drift in report.drift:
                        table.add_row(
                            drift.what, drift.name, str(drift.expected), str(drift.actual)
                        )
                    out.print(table)
            if references:
                out.print(f"references: {'ok' if not refs else f'{len(refs)} dangling'}")
                for subject, target, graph in refs[:50]:
                    out.print(f"  {compact(subject)} -> {compact(target)} ({graph})")
    if failed:
        raise typer.Exit(EXIT_INVALID)


def check_temporal(as_json: bool) -> None:
    """`casegraph check --temporal`: the flagged claims and link steps; exit 1 when one is
    certainly inconsistent (a possible inconsistency is reported, not failed)."""
    from graph.consistency import flagged
    from graph.readmodel.consistency import findings

    with handled(), open_workspace(read_only=True) as workspace:
        with workspace.model.read() as conn:
            found = findings(conn)
        bad = flagged(found)
        certain = sum(1 for f in bad if f.verdict == "inconsistent")
        if as_json:
            out.print_json(
                json.dumps(
                    {
                        "checked": len(found),
                        "inconsistent": certain,
                        "possibly_inconsistent": len(bad) - certain,
                        "items": [
                            {
                                "id": f.edge.id,
                                "kind": f.edge.kind,
                                "link": f.edge.link,
                                "relation": f.edge.relation,
                                "cause": f.edge.cause.id,
                                "effect": f.edge.effect.id,
                                "verdict": f.verdict,
                                "reason": f.reason,
                            }
                            for f in bad
                        ],
                    }
                )
            )
        else:
            out.print(
                f"temporal: {len(found)} claims and link steps checked, {certain} inconsistent, "
                f"{len(bad) - certain} possibly inconsistent"
            )
            for f in bad:
                edge = f.edge
                out.print(
                    f"{f.verdict}: {edge.id} ({edge.relation}) {edge.cause.id} -> "
                    f"{edge.effect.id}: {f.reason}",
                    soft_wrap=True,
                    highlight=False,
                )
    if certain:
        raise typer.Exit(EXIT_INVALID)


@app.command()
def link(
    report: Annotated[
        bool, typer.Option("--report", help="List every link and ambiguity.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Link records loaded from datasets to the curated entities (Wikidata id, then label)."""
    from graph import pipeline
    from graph.relink import relink

    with handled(), open_workspace() as workspace:
        with pipeline.session(workspace, "link") as session:
            result = relink(session)
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
            from rich.table import Table

            table = Table("record", "linked to", "evidence")
            for item in result.links:
                table.add_row(compact(item.source), compact(item.target), item.evidence)
            out.print(table)
            if result.ambiguous:
                amb = Table("record", "candidates (left unmerged)", "evidence")
                for entry in result.ambiguous:
                    amb.add_row(
                        compact(entry.iri),
                        ", ".join(map(compact, entry.candidates)),
                        entry.evidence,
                    )
                out.print(amb)
        out.print(
            f"{len(result.links)} linked, {len(result.ambiguous)} ambiguous, "
            f"{len(result.unlinked)} unlinked"
        )


__all__ = ["check", "check_temporal", "link", "sync", "sync_after_write"]
