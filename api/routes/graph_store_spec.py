"""The OpenAPI description of the Graph Store routes (`api.routes.graph_store`): the
`graph`/`default` pair as one exclusive parameter, the direct path, bodies and responses."""

from __future__ import annotations

from typing import Any

from api.negotiation import GRAPH_TYPES
from api.problems import problem_responses
from api.rdf_bodies import MULTIPART

DIRECT_PATTERN = r"^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$"
_IRI_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "iri",
    "pattern": '^[A-Za-z][A-Za-z0-9+.-]*:[^<>"{}|^`\\\\ \\x00-\\x20]*$',
}
_GRAPH = {
    "type": "object",
    "title": "graph",
    "properties": {"graph": _IRI_SCHEMA},
    "required": ["graph"],
    "additionalProperties": False,
}
_DEFAULT = {
    "type": "object",
    "title": "default",
    "properties": {"default": {"type": "string", "description": "Its value is not read."}},
    "required": ["default"],
    "additionalProperties": False,
}
_STORE = {
    "type": "object",
    "title": "the store itself",
    "additionalProperties": False,
}


def _target_parameter(*, store: bool) -> dict[str, Any]:
    """The `graph` / `default` pair as one exploded object, so that "exactly one of them" (or,
    for POST, neither: the store itself) is in the schema."""
    branches = [_GRAPH, _DEFAULT, *([_STORE] if store else [])]
    return {
        "name": "target",
        "in": "query",
        "style": "form",
        "explode": True,
        "required": not store,
        "description": "`graph=<IRI>` (a named graph) or `default` (the store's default graph)"
        + ("; neither: the store itself (a new graph is created)." if store else "."),
        "schema": {"oneOf": branches},
        "examples": {
            "graph": {"value": {"graph": "https://example.org/g1"}},
            "default": {"value": {"default": ""}},
        },
    }


_TURTLE_EXAMPLE = '<https://example.org/a> <https://example.org/b> "c" .'
GET_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The graph", "content": {media: {} for media in GRAPH_TYPES}},
    **problem_responses(400, 404, 406),
}
_LOCATION = {
    "Location": {
        "description": "Where the new graph is read: its IRI (direct identification) or "
        "`/graph-store?graph=<IRI>`",
        "schema": {"type": "string", "format": "uri"},
    }
}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Created: the graph did not exist", "headers": _LOCATION},
    204: {"description": "Done"},
    **problem_responses(400, 401, 403, 404, 409, 415, 503),
}
DELETE_RESPONSES: dict[int | str, dict[str, Any]] = {
    204: {"description": "Deleted"},
    **problem_responses(400, 401, 403, 404, 409, 503),
}
CREATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **WRITE_RESPONSES,
    201: {
        "description": "Created (POST to the store): `Location` is the new graph's IRI",
        "headers": _LOCATION,
    },
}


def _rdf_content() -> dict[str, Any]:
    content: dict[str, Any] = {
        media: {
            "schema": {"type": "string", "format": "turtle", "minLength": 1},
            "example": _TURTLE_EXAMPLE,
        }
        for media in ("text/turtle", "application/x-turtle")
    }
    content["application/n-triples"] = {
        "schema": {"type": "string", "format": "n-triples", "minLength": 1},
        "example": _TURTLE_EXAMPLE,
    }
    content["application/ld+json"] = {
        "schema": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]},
        "example": {"@id": "https://example.org/a", "https://example.org/b": "c"},
    }
    return content


def _body_spec(*, multipart: bool) -> dict[str, Any]:
    content = _rdf_content()
    if multipart:
        content[MULTIPART] = {
            "schema": {
                "type": "object",
                "properties": {"graph": {"type": "string", "format": "turtle", "minLength": 1}},
                "additionalProperties": {"type": "string", "format": "turtle", "minLength": 1},
                "required": ["graph"],
                "description": "Each part one RDF document, parsed by its Content-Type "
                "(a part without a filename: Turtle); all of them are merged.",
            },
            "encoding": {"graph": {"contentType": "text/turtle"}},
        }
    return {
        "requestBody": {
            "required": True,
            "description": "The graph as Turtle, N-Triples or JSON-LD (RDF/XML, "
            "`application/rdf+xml`, is taken too)"
            + ("; or several as `multipart/form-data`." if multipart else "."),
            "content": content,
        }
    }


def indirect(*, store: bool = False, body: bool = False, multipart: bool = False) -> Any:
    extra: dict[str, Any] = {"parameters": [_target_parameter(store=store)]}
    if body:
        extra |= _body_spec(multipart=multipart)
    return extra


def direct_spec(*, body: bool = False, multipart: bool = False) -> Any:
    path = {
        "name": "path",
        "in": "path",
        "required": True,
        "description": "The rest of the graph's IRI under `<base>/graph-store/`.",
        "schema": {"type": "string", "pattern": DIRECT_PATTERN},
        "example": "person/1.ttl",
    }
    extra: dict[str, Any] = {"parameters": [path]}
    if body:
        extra |= _body_spec(multipart=multipart)
    return extra


__all__ = [
    "CREATE_RESPONSES",
    "DELETE_RESPONSES",
    "DIRECT_PATTERN",
    "GET_RESPONSES",
    "WRITE_RESPONSES",
    "direct_spec",
    "indirect",
]
