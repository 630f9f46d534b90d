"""Result-size caps for SPARQL and Cypher: at most so many rows and so many bytes per answer.

A result over its cap raises `ResultTooLarge` (422, `api.problems`): the client can ask for less
(`LIMIT`, a narrower pattern). The caps come from `Settings` (`CASEGRAPH_SPARQL_MAX_ROWS`,
`..._MAX_BYTES`, `CASEGRAPH_CYPHER_MAX_ROWS`, `..._MAX_BYTES`).

    cap = sparql_cap(settings)
    rows = cap.rows(solutions)            # yields, raises on row max_rows + 1
    out = cap.writer()                    # a file that raises once past max_bytes
    ox.serialize(cap.rows(triples), output=out, format=...)
    data = out.getvalue()
    cap.check_bytes(len(data))            # when the bytes were made some other way

The rows are counted as they are pulled, so a query is stopped at the row past the cap rather
than run to its end; the writer stops a serialiser at the byte past the cap.
"""

from __future__ import annotations

import io
from collections.abc import Buffer, Iterable, Iterator
from dataclasses import dataclass

from api.settings import Settings
from ontology.errors import ResultTooLarge


@dataclass(frozen=True, slots=True)
class ResultCap:
    """At most `max_rows` rows and `max_bytes` bytes in one `surface` result."""

    surface: str
    max_rows: int
    max_bytes: int

    def _env(self, what: str) -> str:
        return f"CASEGRAPH_{self.surface.upper()}_MAX_{what}"

    def too_many_rows(self) -> ResultTooLarge:
        return ResultTooLarge(
            f"the {self.surface} result has more than {self.max_rows} rows "
            f"({self._env('ROWS')}); add a LIMIT or narrow the query"
        )

    def too_many_bytes(self) -> ResultTooLarge:
        return ResultTooLarge(
            f"the {self.surface} result is over {self.max_bytes} bytes "
            f"({self._env('BYTES')}); add a LIMIT or return fewer values"
        )

    def check_rows(self, count: int) -> None:
        if count > self.max_rows:
            raise self.too_many_rows()

    def check_bytes(self, size: int) -> None:
        if size > self.max_bytes:
            raise self.too_many_bytes()

    def rows[T](self, rows: Iterable[T]) -> Iterator[T]:
        """The rows, raising `ResultTooLarge` when row `max_rows + 1` is pulled."""
        limit = self.max_rows
        for index, row in enumerate(rows):
            if index >= limit:
                raise self.too_many_rows()
            yield row

    def writer(self) -> CappedWriter:
        return CappedWriter(self)


class CappedWriter(io.BytesIO):
    """A `BytesIO` that raises `ResultTooLarge` once more than the cap's bytes are written."""

    def __init__(self, cap: ResultCap) -> None:
        super().__init__()
        self.cap = cap

    def write(self, data: Buffer, /) -> int:
        written = super().write(data)
        if self.tell() > self.cap.max_bytes:
            raise self.cap.too_many_bytes()
        return written


def sparql_cap(settings: Settings) -> ResultCap:
    return ResultCap("SPARQL", settings.sparql_max_rows, settings.sparql_max_bytes)


def cypher_cap(settings: Settings) -> ResultCap:
    return ResultCap("Cypher", settings.cypher_max_rows, settings.cypher_max_bytes)


__all__ = ["CappedWriter", "ResultCap", "cypher_cap", "sparql_cap"]
