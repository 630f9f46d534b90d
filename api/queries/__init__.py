"""The SPARQL the REST API runs, one `.rq` file per query, read once and bound by substitution."""

from __future__ import annotations

import functools
from importlib import resources


@functools.cache
def sparql(name: str) -> str:
    """The text of `api/queries/<name>.rq`."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")


__all__ = ["sparql"]
