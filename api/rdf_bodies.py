"""RDF in request bodies: Turtle, N-Triples, RDF/XML or JSON-LD by Content-Type, or several
documents as `multipart/form-data` (each part by its own Content-Type), with the loaders' checks.

Used by the Graph Store (`api.routes.graph_store`). A blank body or part is refused as the
loaders refuse an empty document; a JSON-LD document must be an object or an array of objects.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
from fastapi import Request

from api.problems import BadRequest, UnsupportedMediaType
from loaders.nesting import check_nesting
from loaders.rdf import parse_rdf_bytes
from ontology.errors import LoadError

BODY_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
MULTIPART = "multipart/form-data"


def _media(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_body(request: Request, base: str | None, *, multipart: bool) -> list[ox.Triple]:
    """The triples of the request's body, parsed with `base` as base IRI."""
    content_type = _media(request)
    if multipart and content_type == MULTIPART:
        return await _multipart(request, base)
    rdf_format = BODY_TYPES.get(content_type)
    if rdf_format is None:
        accepted = [*BODY_TYPES, *([MULTIPART] if multipart else [])]
        raise UnsupportedMediaType(
            f"unsupported Content-Type {content_type or '(none)'!r}; "
            f"use one of {', '.join(accepted)}"
        )
    return _parse(await request.body(), content_type, rdf_format, "request body", base)


def _parse(
    data: bytes, content_type: str, rdf_format: ox.RdfFormat, name: str, base: str | None
) -> list[ox.Triple]:
    # The loaders' checks apply: UTF-8, no remote JSON-LD contexts, no nested XML entities,
    # and no JSON-LD or RDF/XML nested deep enough to crash the parser.
    check_nesting(data, rdf_format, name)
    if rdf_format == ox.RdfFormat.JSON_LD:
        _check_json_ld_top(data, name)
    return parse_rdf_bytes(data, content_type, name, base_iri=base)


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


async def _multipart(request: Request, base: str | None) -> list[ox.Triple]:
    """Every part of a multipart/form-data body, each parsed by its own Content-Type."""
    limit = request.app.state.settings.upload_max_body_bytes
    form = await request.form(max_files=100, max_fields=100, max_part_size=limit)
    triples: list[ox.Triple] = []
    try:
        parts = 0
        for field, item in form.multi_items():
            parts += 1
            if isinstance(item, str):
                # A part without a filename reaches us without its Content-Type: Turtle.
                name = f"part {field!r}"
                triples.extend(
                    _parse(item.encode(), "text/turtle", ox.RdfFormat.TURTLE, name, base)
                )
                continue
            name = f"part {item.filename or field!r}"
            content_type = (item.content_type or "").split(";")[0].strip().lower()
            rdf_format = BODY_TYPES.get(content_type)
            if rdf_format is None:
                raise UnsupportedMediaType(
                    f"{name}: unsupported Content-Type {content_type or '(none)'!r}; "
                    f"use one of {', '.join(BODY_TYPES)}"
                )
            triples.extend(_parse(await item.read(), content_type, rdf_format, name, base))
        if not parts:
            raise BadRequest("the multipart body holds no part")
    finally:
        await form.close()
    return list(dict.fromkeys(triples))


__all__ = ["BODY_TYPES", "MULTIPART", "read_body"]
