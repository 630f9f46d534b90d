"""What every loader shares: the document it reads, the report it fills, the interface it offers.

A loader turns one source document into RDF triples about `cgid:` entities. It streams: triples
come out while the input is read, so memory stays flat. It never writes to a store; the store
puts the triples of one document into one named graph and commits them only if the whole
document was read without error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pyoxigraph import Triple


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row left out under `--skip-bad-rows`, with why."""

    line: int
    reason: str
    raw: str


@dataclass(slots=True)
class LoadReport:
    """Filled by a loader while it reads: counts, warnings and rejected rows."""

    rows: int = 0
    warnings: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


class Loader(Protocol):
    """One source format."""

    name: str
    """Short format name used on the command line (`case-yaml`, `rdf`, `ucdp-ged`, ...)."""

    def read(self, path: Path, report: LoadReport) -> Iterator[Triple]:
        """Yield the document's triples; raise `LoadError` (file, line, field) on bad input."""
        ...


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
