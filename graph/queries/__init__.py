"""The SPARQL the graph package runs, one `.rq` file per query, read once and bound by
substitution (never by formatting text)."""

from __future__ import annotations

import functools
from importlib import resources


@functools.cache
def sparql(name: str) -> str:
    """The text of `graph/queries/<name>.rq`."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")


__all__ = ["sparql"]
