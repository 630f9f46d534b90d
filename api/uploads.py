"""Documents sent to `POST /api/load`, saved as files for `graph.ingest.load`.

A multipart upload gives one file per part, named by its filename; a raw body is one document
named by `?graph=`. A name's extension tells the loader the format (as for `casegraph load`);
a name without a known one gets the extension of its Content-Type (`notes` sent as
`text/turtle` is the document `notes.ttl`). A raw body of a type no loader reads is 415.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Request

from api.problems import BadRequest, UnsupportedMediaType
from loaders.registry import KNOWN_SUFFIXES

UPLOAD_TYPES: dict[str, str] = {
    "application/yaml": ".yaml",
    "application/x-yaml": ".yaml",
    "text/yaml": ".yaml",
    "text/turtle": ".ttl",
    "application/n-triples": ".nt",
    "application/n-quads": ".nq",
    "application/trig": ".trig",
    "application/ld+json": ".jsonld",
    "application/rdf+xml": ".rdf",
    "text/csv": ".csv",
    "application/json": ".json",
}
"""The media types a load takes, and the extension each gives a name that has none."""
MULTIPART = "multipart/form-data"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def document_name(name: str, content_type: str) -> str:
    """A safe document name, with the extension of its Content-Type when it has none."""
    base = Path(name).name
    if not base or base in {".", ".."} or not set(base) <= _NAME_CHARS:
        raise BadRequest(
            f"not a usable document name: {name!r} (letters, digits, '.', '_' and '-' only)"
        )
    if Path(base).suffix.lower() not in KNOWN_SUFFIXES and content_type in UPLOAD_TYPES:
        base += UPLOAD_TYPES[content_type]
    return base


async def save_upload(
    request: Request, folder: Path, name: str | None, *, max_bytes: int
) -> list[Path]:
    """The request's documents written under `folder`, in the order given."""
    content_type = media_type(request.headers.get("content-type"))
    if content_type == MULTIPART:
        return await _save_parts(request, folder, max_bytes)
    if name is None:
        raise BadRequest("a raw body needs ?graph=<document name>, e.g. ?graph=notes.yaml")
    if content_type not in UPLOAD_TYPES:
        raise UnsupportedMediaType(
            f"unsupported Content-Type {content_type or '(none)'!r}; use {MULTIPART} or one of "
            f"{', '.join(UPLOAD_TYPES)}"
        )
    target = folder / document_name(name, content_type)
    target.write_bytes(await request.body())
    return [target]


async def _save_parts(request: Request, folder: Path, max_bytes: int) -> list[Path]:
    form = await request.form(max_files=100, max_fields=10, max_part_size=max_bytes)
    paths: list[Path] = []
    try:
        for field, item in form.multi_items():
            if isinstance(item, str):
                raise BadRequest(f"part {field!r} is not a file: send each document as a file")
            name = document_name(item.filename or field, media_type(item.content_type))
            target = folder / name
            if target.exists():
                raise BadRequest(f"two files named {name!r} in one upload")
            target.write_bytes(await item.read())
            paths.append(target)
    finally:
        await form.close()
    if not paths:
        raise BadRequest("the upload holds no file")
    return paths


__all__ = ["MULTIPART", "UPLOAD_TYPES", "document_name", "media_type", "save_upload"]
