"""Which loader reads a file: from its extension, then from its first bytes.

`detect_format` returns a loader name (`case-yaml`, `rdf`, `wikidata`, `ucdp-ged`, `acled`,
`cdc-vsrr`) or raises `LoadError` saying what it saw.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from ontology.errors import LoadError

RDF_SUFFIXES = frozenset({".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf", ".owl", ".xml"})
YAML_SUFFIXES = frozenset({".yaml", ".yml"})
GED_COLUMNS = frozenset(
    {"id", "relid", "type_of_violence", "conflict_new_id", "dyad_new_id", "where_coordinates"}
    | {"date_start", "date_end", "best"}
)
_HEAD_BYTES = 65536
_WIKIDATA_LINE = re.compile(r'^\[?\s*\{\s*"(type|id)"\s*:\s*"(item|Q\d+|P\d+|property)"')


def detect_format(path: Path) -> str:
    """The loader name for `path`; `LoadError` when the file fits none."""
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return "case-yaml"
    if suffix in RDF_SUFFIXES:
        return "rdf"
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as e:
        raise LoadError(f"cannot read the file: {e.strerror}", file=str(path)) from e
    text = head.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        if _is_wikidata(stripped):
            return "wikidata"
        raise LoadError(
            'JSON, but not Wikidata entity JSON (no "entities" object or dump line)',
            file=str(path),
            line=1,
        )
    first_line = text.splitlines()[0] if text.strip() else ""
    for delimiter in (",", ";", "\t"):
        columns = {c.strip() for c in next(csv.reader([first_line], delimiter=delimiter), [])}
        found = _csv_format(columns)
        if found is not None:
            return found
    raise LoadError(
        "cannot tell the format: not YAML or RDF by extension, not Wikidata JSON, and the first "
        "line is not a UCDP GED, ACLED or CDC VSRR header",
        file=str(path),
        line=1,
    )


def _is_wikidata(text: str) -> bool:
    if text.startswith("{") and re.match(r'^\{\s*"entities"\s*:', text):
        return True
    lines = [line.strip() for line in text.splitlines()[:3] if line.strip()]
    if lines and lines[0] == "[" and len(lines) > 1:
        return bool(_WIKIDATA_LINE.match(lines[1]))
    return bool(lines) and bool(_WIKIDATA_LINE.match(lines[0]))


def _csv_format(columns: set[str]) -> str | None:
    if columns >= GED_COLUMNS:
        return "ucdp-ged"
    if "event_id_cnty" in columns:
        return "acled"
    if {"Indicator", "Data Value"} <= columns:
        return "cdc-vsrr"
    return None
