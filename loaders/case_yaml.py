"""The case-file loader: YAML in the format of `loaders.case_model`, out as RDF triples.

Reading (`loaders.case_parse`) goes in three checked steps, each failing with the file, the line
and the field: bytes (size, encoding, binary content), YAML syntax, then the models (types,
unknown fields, EDTF dates). The triples come from `loaders.case_emit`: references between
records are resolved against the document itself and against the ids the caller already knows
(other documents of the same load, and the store).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import Triple

from loaders.base import LoadReport
from loaders.case_emit import CAUSAL_PROPERTY, Emitter, Resolver
from loaders.case_parse import MAX_BYTES, ParsedCaseFile, parse_case_file
from ontology.errors import LoadError


class CaseYAMLLoader:
    """Turns a case file into triples. `resolve` knows the ids defined outside the file."""

    name = "case-yaml"

    def __init__(self, resolve: Resolver | None = None) -> None:
        self._resolve = resolve or (lambda _id: None)

    def read(self, path: Path, report: LoadReport) -> Iterator[Triple]:
        parsed = parse_case_file(path)
        return iter(list(self.triples(parsed, report)))

    def triples(self, parsed: ParsedCaseFile, report: LoadReport) -> Iterator[Triple]:
        """Check ids and references, then emit the triples of every record."""
        own = _own_ids(parsed)
        emitter = Emitter(parsed, own, self._resolve, report)
        for key, kind, index, record in parsed.records():
            report.rows += 1
            yield from emitter.record(key, kind, index, record)
        emitter.check_causal_order()


def _own_ids(parsed: ParsedCaseFile) -> dict[str, str]:
    own: dict[str, str] = {}
    for key, kind, index, record in parsed.records():
        if record.id in own:
            raise LoadError(
                f"duplicate id {record.id!r} (already used by a {own[record.id]} in this file)",
                file=str(parsed.path),
                line=parsed.line_of((key, index, "id")),
                record=record.id,
                field=f"{key}.{index}.id",
            )
        own[record.id] = kind
    return own


__all__ = ["CAUSAL_PROPERTY", "MAX_BYTES", "CaseYAMLLoader", "ParsedCaseFile", "parse_case_file"]
