"""The exception tree, re-exported for the graph package (defined in `ontology.errors`)."""

from ontology.errors import (
    BackendUnavailable,
    CasegraphError,
    Conflict,
    LoadError,
    NotFound,
    QueryError,
    StoreLocked,
    ValidationError,
)

__all__ = [
    "BackendUnavailable",
    "CasegraphError",
    "Conflict",
    "LoadError",
    "NotFound",
    "QueryError",
    "StoreLocked",
    "ValidationError",
]
