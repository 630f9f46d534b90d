"""The OpenAPI description of `/sparql` (`api.routes.sparql`): parameters, bodies, responses.

A query or an update is a string whose `format` (`sparql-query`, `sparql-update`) says what it
holds; dataset and USING parameters are absolute IRIs; a form holds a query or an update, not
both."""

from __future__ import annotations

from typing import Any

from api.negotiation import GRAPH_TYPES, RESULT_TYPES
from api.problems import problem_responses

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
VERSIONS = ("1.1", "1.2")

_EXAMPLE = (
    "PREFIX cg: <https://w3id.org/casegraph/ontology#>\n"
    "SELECT ?event ?label ?start WHERE {\n"
    "  ?event a cg:Event ; rdfs:label ?label ; cg:earliest ?start .\n"
    "} ORDER BY ?start LIMIT 10"
)
_IRI_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "iri",
    "pattern": '^[A-Za-z][A-Za-z0-9+.-]*:[^<>"{}|^`\\\\ \\x00-\\x20]*$',
}
"""An absolute IRI: a scheme, then no character an IRI cannot hold."""
_IRIS: dict[str, Any] = {"type": "array", "items": _IRI_SCHEMA}
_QUERY_SCHEMA: dict[str, Any] = {"type": "string", "format": "sparql-query", "minLength": 1}
"""A SPARQL query (the `format` tells schema-driven clients what the string holds)."""
_UPDATE_SCHEMA: dict[str, Any] = {"type": "string", "format": "sparql-update", "minLength": 1}
_VERSION_SCHEMA: dict[str, Any] = {"type": "string", "enum": list(VERSIONS)}
REQUEST_BODIES: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            FORM: {
                "schema": {
                    "oneOf": [
                        {
                            "type": "object",
                            "title": "query",
                            "properties": {
                                "query": _QUERY_SCHEMA,
                                "default-graph-uri": _IRIS,
                                "named-graph-uri": _IRIS,
                                "version": _VERSION_SCHEMA,
                                "update": False,
                            },
                            "required": ["query"],
                        },
                        {
                            "type": "object",
                            "title": "update (with the write token)",
                            "properties": {
                                "update": _UPDATE_SCHEMA,
                                "using-graph-uri": _IRIS,
                                "using-named-graph-uri": _IRIS,
                                "version": _VERSION_SCHEMA,
                                "query": False,
                            },
                            "required": ["update"],
                        },
                    ]
                },
                "example": {"query": _EXAMPLE},
            },
            QUERY_TYPE: {"schema": _QUERY_SCHEMA, "example": _EXAMPLE},
            UPDATE_TYPE: {
                "schema": _UPDATE_SCHEMA,
                "example": "INSERT DATA { GRAPH <https://example.org/notes> { "
                '<https://example.org/x> rdfs:label "X" } }',
            },
        },
    },
    "parameters": [
        {
            "name": name,
            "in": "query",
            "schema": _IRIS,
            "description": "With a direct POST body (`application/sparql-query` or "
            "`-update`); a form carries them in the body.",
        }
        for name in (
            "default-graph-uri",
            "named-graph-uri",
            "using-graph-uri",
            "using-named-graph-uri",
        )
    ],
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Results (SELECT/ASK) or a graph (CONSTRUCT/DESCRIBE), as negotiated",
        "content": {
            **{media: {} for media in RESULT_TYPES},
            **{media: {} for media in GRAPH_TYPES},
        },
    },
    **problem_responses(400, 401, 403, 406, 409, 415, 503),
}
GET_PARAMETERS: dict[str, Any] = {
    "parameters": [
        {"name": "query", "in": "query", "schema": _QUERY_SCHEMA, "example": _EXAMPLE},
        {"name": "default-graph-uri", "in": "query", "schema": _IRIS},
        {"name": "named-graph-uri", "in": "query", "schema": _IRIS},
        {"name": "version", "in": "query", "schema": _VERSION_SCHEMA},
    ]
}


__all__ = [
    "FORM",
    "GET_PARAMETERS",
    "QUERY_TYPE",
    "REQUEST_BODIES",
    "RESPONSES",
    "UPDATE_TYPE",
    "VERSIONS",
]
