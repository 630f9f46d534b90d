"""RDF in request bodies: Turtle, N-Triples, RDF/XML or JSON-LD by Content-Type, or several
documents as `multipart/form-data` (each part by its own Content-Type), with the loaders' checks
(`loaders.bodies`: the writer parses them).

Used by the Graph Store (`api.routes.graph_store`). A blank body or part is refused as the
loaders refuse an empty document; a JSON-LD document must be an object or an array of objects.
"""

from __future__ import annotations

from fastapi import Request

from api.problems import BadRequest, UnsupportedMediaType
from loaders.bodies import Part, RdfBody

BODY_TYPES: tuple[str, ...] = (
    "text/turtle",
    "application/x-turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
)
"""The media types a body may have; the writer parses each (`loaders.bodies`)."""
MULTIPART = "multipart/form-data"


def _media(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_body(request: Request, base: str | None, *, multipart: bool) -> RdfBody:
    """The request's RDF documents with `base` as their base IRI, read but not parsed (the
    writer parses them: `loaders.bodies`)."""
    content_type = _media(request)
    if multipart and content_type == MULTIPART:
        return RdfBody(await _multipart(request), base)
    if content_type not in BODY_TYPES:
        accepted = [*BODY_TYPES, *([MULTIPART] if multipart else [])]
        raise UnsupportedMediaType(
            f"unsupported Content-Type {content_type or '(none)'!r}; "
            f"use one of {', '.join(accepted)}"
        )
    return RdfBody((Part(await request.body(), content_type, "request body"),), base)


async def _multipart(request: Request) -> tuple[Part, ...]:
    """Every part of a multipart/form-data body, each with its own Content-Type."""
    limit = request.app.state.settings.upload_max_body_bytes
    form = await request.form(max_files=100, max_fields=100, max_part_size=limit)
    parts: list[Part] = []
    try:
        for field, item in form.multi_items():
            if isinstance(item, str):
                # A part without a filename reaches us without its Content-Type: Turtle.
                parts.append(Part(item.encode(), "text/turtle", f"part {field!r}"))
                continue
            name = f"part {item.filename or field!r}"
            content_type = (item.content_type or "").split(";")[0].strip().lower()
            if content_type not in BODY_TYPES:
                raise UnsupportedMediaType(
                    f"{name}: unsupported Content-Type {content_type or '(none)'!r}; "
                    f"use one of {', '.join(BODY_TYPES)}"
                )
            parts.append(Part(await item.read(), content_type, name))
        if not parts:
            raise BadRequest("the multipart body holds no part")
    finally:
        await form.close()
    return tuple(parts)


__all__ = ["BODY_TYPES", "MULTIPART", "read_body"]
