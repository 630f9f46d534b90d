"""The casegraph exception tree. Every error casegraph raises on purpose is one of these.

    CasegraphError
    ├── LoadError            bad input: names the file, the line or record, and the field
    │   └── ValidationError  the input parsed but broke the SHACL shapes (carries the report)
    ├── QueryError           a SPARQL or Cypher query failed (syntax, read-only)
    │   ├── QueryTimeout     it ran past its deadline and was stopped
    │   └── ResultTooLarge   its result grew past the configured cap
    ├── NotFound             no entity, case, source or graph with that id
    ├── Conflict             the write would change what is not the writer's to change
    ├── StoreLocked          another process holds the store for writing
    └── BackendUnavailable   a store or engine cannot be reached or started

It lives in `ontology` because that is the one package every other imports.
"""

from __future__ import annotations


class CasegraphError(Exception):
    """Root of the tree."""


class LoadError(CasegraphError):
    """Bad input. `str()` reads `file:line:column: field: message` with what is known."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.record = record
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ":".join(
            str(part) for part in (self.file, self.line, self.column) if part is not None
        )
        parts = [where] if where else []
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.field is not None:
            parts.append(f"field {self.field}")
        parts.append(self.message)
        return ": ".join(parts)


class ValidationError(LoadError):
    """The document broke the shapes; `report` is the SHACL report text."""

    def __init__(self, message: str, *, report: str = "", **where: object) -> None:
        self.report = report
        super().__init__(message, **where)  # type: ignore[arg-type]


class QueryError(CasegraphError):
    """A query failed; the message carries the engine's own words."""


class QueryTimeout(QueryError):
    """The query ran past its deadline and was stopped."""


class ResultTooLarge(QueryError):
    """The result grew past the configured cap."""


class NotFound(CasegraphError):
    """No such entity, case, source or graph."""


class Conflict(CasegraphError):
    """The write would change one of casegraph's own graphs, or leave references dangling."""


class StoreLocked(CasegraphError):
    """Another process holds the store for writing."""


class BackendUnavailable(CasegraphError):
    """A store or engine cannot be reached or started."""
