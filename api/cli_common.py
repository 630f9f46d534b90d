"""What every `casegraph` verb shares: the Typer app, the consoles, the one mapping from errors
to exit codes, and opening the data directory. The verbs live in `api.cli_*` modules, each a few
lines over a `graph` or `loaders` function; `api.cli` gathers them.

Exit codes: 0 ok, 1 invalid input, a conflict or a failed check, 2 usage, 3 backend unavailable.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.text import Text

from ontology.errors import (
    BackendUnavailable,
    CasegraphError,
    Conflict,
    LoadError,
    NotFound,
    QueryError,
    StoreLocked,
)

if TYPE_CHECKING:
    from api.settings import Settings
    from graph.store import Store
    from graph.workspace import Workspace

app = typer.Typer(
    name="casegraph",
    help="A knowledge graph of historical cases: load, query, check, view and serve it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
query_app = typer.Typer(help="Run a SPARQL or Cypher query.", no_args_is_help=True)
app.add_typer(query_app, name="query")

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
        kind = {
            LoadError: "invalid input",
            QueryError: "query failed",
            NotFound: "not found",
            Conflict: "refused",
        }
        label = next((v for k, v in kind.items() if isinstance(e, k)), "error")
        err.print(Text.assemble((f"{label}:", "red"), f" {e}"))
        raise typer.Exit(exit_code(e)) from None


def settings() -> Settings:
    from api.settings import Settings

    return Settings()


@contextlib.contextmanager
def open_workspace(*, read_only: bool = False) -> Iterator[Workspace]:
    """The data directory: for writing (the one writer), or its last published version."""
    from graph.workspace import Workspace

    workspace = Workspace.open(settings().data_dir, read_only=read_only)
    try:
        yield workspace
    finally:
        workspace.close()


@contextlib.contextmanager
def open_store(*, read_only: bool = False) -> Iterator[Store]:
    """The store alone (queries, exports): read-only opens the last published version."""
    from graph.store import Store

    store = Store(settings().store_path, read_only=read_only)
    try:
        yield store
    finally:
        store.close()


@contextlib.contextmanager
def open_engine(name: str | None) -> Iterator[Any]:
    """The configured Cypher engine (FalkorDB is started on demand and stopped after)."""
    from graph.cypher import open_backend

    current = settings()
    backend = name or current.cypher_backend
    if backend not in {"falkordb", "neo4j"}:
        err.print(f"unknown backend {backend!r}; use falkordb or neo4j")
        raise typer.Exit(EXIT_USAGE)
    engine = open_backend(backend, current)
    try:
        yield engine
    finally:
        engine.close()


def warn(message: str) -> None:
    err.print(Text.assemble(("warning:", "yellow"), f" {message}"))


__all__ = [
    "EXIT_BACKEND",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "app",
    "err",
    "exit_code",
    "handled",
    "open_engine",
    "open_store",
    "open_workspace",
    "out",
    "query_app",
    "settings",
    "warn",
]
