"""Which loader reads which file: the formats casegraph knows, finding the files of a folder,
and making a loader by name. Format detection itself is `loaders.detect`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from loaders.base import Loader
from loaders.detect import RDF_SUFFIXES, YAML_SUFFIXES, detect_format
from ontology.errors import LoadError

FORMATS = ("case-yaml", "rdf", "wikidata", "ucdp-ged", "acled", "cdc-vsrr")
"""Every loader name (`casegraph load --format`)."""

KNOWN_SUFFIXES = frozenset({*YAML_SUFFIXES, *RDF_SUFFIXES, ".json", ".csv"})
"""Files a folder given to `load` contributes."""

BULK_FORMATS = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
}
"""RDF files that `--no-validate` loads straight into the store with Oxigraph's bulk loader."""

CURATED_LOADERS = frozenset({"case-yaml", "rdf"})
"""Loaders of curated documents, whose entities dataset records are linked to."""


def collect_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the loadable files under each folder (sorted, recursive)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in KNOWN_SUFFIXES)
            )
        elif path.exists():
            out.append(path)
        else:
            raise LoadError("no such file or folder", file=str(path))
    return out


def format_of(path: Path, given: str | None = None) -> str:
    """The loader name for a file: the one given (checked), else detected."""
    if given is None:
        return detect_format(path)
    if given not in FORMATS:
        raise LoadError(f"unknown format {given!r}; known: {', '.join(FORMATS)}", file=str(path))
    return given


def make_loader(name: str, *, skip_bad_rows: bool = False) -> Loader:
    """The loader for a format name (not `case-yaml`, which needs the id resolver)."""
    if name == "rdf":
        from loaders.rdf import RDFLoader

        return RDFLoader()
    if name == "wikidata":
        from loaders.wikidata import WikidataLoader

        return WikidataLoader()
    if name == "ucdp-ged":
        from loaders.ucdp_ged import UcdpGedLoader

        return UcdpGedLoader(skip_bad_rows=skip_bad_rows)
    if name == "acled":
        from loaders.acled import AcledLoader

        return AcledLoader(skip_bad_rows=skip_bad_rows)
    if name == "cdc-vsrr":
        from loaders.cdc_vsrr import CdcVsrrLoader

        return CdcVsrrLoader(skip_bad_rows=skip_bad_rows)
    raise LoadError(f"unknown format {name!r}; known: {', '.join(FORMATS)}")


__all__ = [
    "BULK_FORMATS",
    "CURATED_LOADERS",
    "FORMATS",
    "KNOWN_SUFFIXES",
    "collect_paths",
    "format_of",
    "make_loader",
]
