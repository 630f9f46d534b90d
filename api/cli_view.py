"""`casegraph view ...`: write a graph view or a timeline as one HTML file a student can open from
disk. The store is opened read-only; the file is written to a temporary name beside the target
and renamed over it, so a reader never sees half a page.

Links: without `--link-base` the pages carry no Linked-Data or re-centre links (there is no server
behind a file); with `--link-base https://casegraph.example.org` they point at that server.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from api import cli_common
from api.cli_common import app
from graph.views.build import (
    GraphInput,
    TimelineInput,
    case_view,
    chain_view,
    entity_view,
    render_view,
    timeline_for_case,
)

view_app = typer.Typer(
    help="Write a graph view or a timeline as a self-contained HTML file.", no_args_is_help=True
)

Output = Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")]
LinkBase = Annotated[
    str | None,
    typer.Option(
        "--link-base",
        help="Absolute http(s) URL of a casegraph server for the pages' links (default: none).",
    ),
]


@contextlib.contextmanager
def _index() -> Iterator[Any]:
    """The read model as the views' index (the last published version, read-only)."""
    from graph.readmodel.view_index import StoredIndex

    with cli_common.open_workspace(read_only=True) as workspace, workspace.model.read() as conn:
        yield StoredIndex(conn)


def _check(output: Path, link_base: str | None) -> str | None:
    """Refuse a directory, a missing parent folder or a relative link base (usage errors)."""
    if output.is_dir():
        cli_common.err.print(
            f"{output} is a directory; give a file name, e.g. {output / 'view.html'}"
        )
        raise typer.Exit(cli_common.EXIT_USAGE)
    if not output.parent.is_dir():
        cli_common.err.print(f"{output.parent} does not exist")
        raise typer.Exit(cli_common.EXIT_USAGE)
    if link_base is None:
        return None
    parts = urlsplit(link_base)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        cli_common.err.print(f"--link-base must be an absolute http(s) URL, not {link_base!r}")
        raise typer.Exit(cli_common.EXIT_USAGE)
    return link_base.rstrip("/")


def write_atomically(output: Path, text: str) -> None:
    """Write `text` to a temporary file in `output`'s folder, then rename it over `output`."""
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, output)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _export(view: GraphInput | TimelineInput, output: Path, link_base: str | None) -> None:
    write_atomically(output, render_view(view, link_base=link_base, export=True))
    cli_common.err.print(f"wrote {output}")


@view_app.command("case")
def view_case(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case's id.")],
    output: Output,
    link_base: LinkBase = None,
) -> None:
    """The graph of a case."""
    base = _check(output, link_base)
    with cli_common.handled(), _index() as index:
        _export(case_view(index, case_id), output, base)


@view_app.command("entity")
def view_entity(
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="The entity's id.")],
    output: Output,
    depth: Annotated[int, typer.Option(min=0, max=4, help="Relationships to follow.")] = 1,
    link_base: LinkBase = None,
) -> None:
    """An entity and everything within DEPTH relationships of it."""
    base = _check(output, link_base)
    with cli_common.handled(), _index() as index:
        _export(entity_view(index, entity_id, depth), output, base)


@view_app.command("chain")
def view_chain(
    from_id: Annotated[str, typer.Argument(metavar="FROM", help="The cause's id.")],
    to_id: Annotated[str, typer.Argument(metavar="TO", help="The effect's id.")],
    output: Output,
    max_depth: Annotated[int, typer.Option(min=1, max=8, help="At most this many steps.")] = 4,
    link_base: LinkBase = None,
) -> None:
    """Every causal chain from FROM to TO."""
    base = _check(output, link_base)
    with cli_common.handled(), _index() as index:
        _export(chain_view(index, from_id, to_id, max_depth), output, base)


@view_app.command("timeline")
def view_timeline(
    case_id: Annotated[str, typer.Argument(metavar="CASE", help="The case's id.")],
    output: Output,
    series: Annotated[
        list[str] | None, typer.Option("--series", help="A measure id to draw (repeatable).")
    ] = None,
    by_case: Annotated[
        bool, typer.Option("--by-case", help="One lane for the case instead of one per actor.")
    ] = False,
    link_base: LinkBase = None,
) -> None:
    """The timeline of a case: its events in lanes, and its observation series."""
    base = _check(output, link_base)
    with cli_common.handled(), _index() as index:
        view = timeline_for_case(
            index, case_id, series=series or (), group="case" if by_case else "actor"
        )
        _export(view, output, base)


app.add_typer(view_app, name="view")

__all__ = ["view_app", "write_atomically"]
