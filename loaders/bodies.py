"""RDF documents received in a request, parsed where the write runs.

The server reads a body and checks what it can without parsing (its media type, its size);
the parse itself, the loaders' checks included, happens in the writer process
(`graph.write_process`), so that a large body does not hold the server's interpreter while
readers wait (a 150,000-triple N-Triples body takes about 0.8 s to parse into terms).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyoxigraph as ox

from loaders.nesting import check_nesting
from loaders.rdf import parse_rdf_bytes, rdf_format
from ontology.errors import LoadError


@dataclass(frozen=True, slots=True)
class Part:
    """One RDF document: its bytes, its media type and the name errors give it."""

    data: bytes
    content_type: str
    name: str


@dataclass(frozen=True, slots=True)
class RdfBody:
    """A request's RDF documents (one, or the parts of a multipart body) and their base IRI."""

    parts: tuple[Part, ...]
    base: str | None

    def triples(self) -> list[ox.Triple]:
        """Every part's triples, parsed with the loaders' checks; each triple once."""
        if len(self.parts) == 1:
            return _parse(self.parts[0], self.base)
        triples: list[ox.Triple] = []
        for part in self.parts:
            triples.extend(_parse(part, self.base))
        return list(dict.fromkeys(triples))


def _parse(part: Part, base: str | None) -> list[ox.Triple]:
    # The loaders' checks apply: UTF-8, no remote JSON-LD contexts, no nested XML entities,
    # and no JSON-LD or RDF/XML nested deep enough to crash the parser.
    fmt = rdf_format(part.content_type)
    check_nesting(part.data, fmt, part.name)
    if fmt == ox.RdfFormat.JSON_LD:
        _check_json_ld_top(part.data, part.name)
    return parse_rdf_bytes(part.data, part.content_type, part.name, base_iri=base)


def _check_json_ld_top(data: bytes, name: str) -> None:
    """A JSON-LD document is a JSON object or array (JSON-LD 1.1, section 9)."""
    try:
        top = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise LoadError(f"{name}: not JSON: {e}", field="body") from e
    if not isinstance(top, dict | list) or (
        isinstance(top, list) and not all(isinstance(item, dict) for item in top)
    ):
        raise LoadError(
            f"{name}: a JSON-LD document is an object or an array of objects", field="body"
        )


__all__ = ["Part", "RdfBody"]
