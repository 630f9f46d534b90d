"""Streaming CSV reading shared by the dataset loaders, with errors that say where.

`read_rows` checks the header against the columns a format documents as required (a missing or
renamed column names the closest header column), recognises a file written with the wrong
delimiter, and yields one `Row` per record with its starting line. Structural faults (a record
with too few or too many fields, a truncated last line, an unterminated quote, undecodable bytes)
and field faults (`Row.int`, `Row.decimal`, `Row.date`) raise `RowError`; `run_rows` turns them
into `LoadError` (file, line, column, field) or, with `skip_bad_rows`, into `report.rejected`.

Memory stays flat: one record is held at a time, plus whatever small key sets a loader keeps of
entities it has already emitted (`Emitted`).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pyoxigraph import Triple

from loaders.base import LoadReport, Rejected
from ontology.errors import LoadError

_INT = re.compile(r"^[+-]?\d+$")


_GROUPED_INT = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+$")


_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")


_GROUPED_DECIMAL = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")


_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")


_RAW_LIMIT = 500


class RowError(ValueError):
    """A fault in one record: which column (if any) and why."""

    def __init__(self, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True, slots=True)
class Row:
    """One CSV record: its first physical line, the header, and its fields by column name."""

    line: int
    header: tuple[str, ...]
    fields: tuple[str, ...]

    def raw(self) -> str:
        return ",".join(self.fields)[:_RAW_LIMIT]

    def column_number(self, name: str) -> int | None:
        """1-based position of a column in the header."""
        try:
            return self.header.index(name) + 1
        except ValueError:
            return None

    def get(self, name: str) -> str:
        """The stripped text of a column; empty when the column is absent (optional columns)."""
        index = self._index(name)
        return "" if index is None else self.fields[index].strip()

    def text(self, name: str) -> str:
        """A column that must not be empty."""
        value = self.get(name)
        if not value:
            raise RowError("is empty (a value is required)", name)
        return value

    def integer(self, name: str, *, grouped: bool = False) -> int:
        """A required integer; `grouped` also accepts thousands separators (`110,037`)."""
        value = self.maybe_integer(name, grouped=grouped)
        if value is None:
            raise RowError("is empty (an integer is required)", name)
        return value

    def maybe_integer(self, name: str, *, grouped: bool = False) -> int | None:
        """An integer, or None when the field is empty."""
        value = self.get(name)
        if not value:
            return None
        if _INT.match(value) or (grouped and _GROUPED_INT.match(value)):
            return int(value.replace(",", ""))
        raise RowError(f"{value!r} is not an integer", name)

    def decimal(self, name: str, *, grouped: bool = False) -> Decimal:
        """A required finite decimal number (no exponent, no NaN)."""
        value = self.maybe_decimal(name, grouped=grouped)
        if value is None:
            raise RowError("is empty (a number is required)", name)
        return value

    def maybe_decimal(self, name: str, *, grouped: bool = False) -> Decimal | None:
        """A decimal number, or None when the field is empty."""
        value = self.get(name)
        if not value:
            return None
        if _DECIMAL.match(value) or (grouped and _GROUPED_DECIMAL.match(value)):
            try:
                return Decimal(value.replace(",", ""))
            except InvalidOperation as e:  # pragma: no cover - the pattern rules this out
                raise RowError(f"{value!r} is not a number", name) from e
        raise RowError(f"{value!r} is not a number", name)

    def date(self, name: str) -> dt.date:
        """A `YYYY-MM-DD` date (a midnight time suffix, as some exports add, is accepted)."""
        value = self.get(name)
        if not value:
            raise RowError("is empty (a date YYYY-MM-DD is required)", name)
        match = _DATE.match(value)
        if match is None:
            raise RowError(f"{value!r} is not a date in the form YYYY-MM-DD", name)
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as e:
            raise RowError(f"{value!r} is not a possible date ({e})", name) from e

    def _index(self, name: str) -> int | None:
        try:
            return self.header.index(name)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class CsvSpec:
    """What a format promises about its header."""

    format_name: str
    required: tuple[str, ...]


class Emitted:
    """Keys of records already emitted in this document; a row's new keys count only if it loads."""

    __slots__ = ("_done", "_pending")

    def __init__(self) -> None:
        self._done: set[str] = set()
        self._pending: set[str] = set()

    def first(self, key: str) -> bool:
        """True the first time `key` is seen (in this row or any row already loaded)."""
        if key in self._done or key in self._pending:
            return False
        self._pending.add(key)
        return True

    def commit(self) -> None:
        self._done |= self._pending
        self._pending.clear()

    def rollback(self) -> None:
        self._pending.clear()


def _closest(name: str, header: Sequence[str]) -> str | None:
    lowered = {h.strip().lower(): h for h in header}
    if name.lower() in lowered:
        return lowered[name.lower()]
    matches = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[matches[0]] if matches else None


def check_header(header: Sequence[str], spec: CsvSpec, file: str) -> None:
    """Raise `LoadError` unless every required column is present (exact, case-sensitive)."""
    if len(header) == 1:
        only = header[0]
        for sep, name in ((";", "semicolon"), ("\t", "tab")):
            if sep in only:
                raise LoadError(
                    f"the header is one column containing a {name}: this {spec.format_name} file "
                    f"looks {name}-separated, but the format is comma-separated",
                    file=file,
                    line=1,
                    column=1,
                )
    present = set(header)
    for column in spec.required:
        if column in present:
            continue
        close = _closest(column, [h for h in header if h not in spec.required])
        hint = f" (closest header column: {close!r})" if close else ""
        raise LoadError(
            f"required column {column!r} is missing from the header{hint}",
            file=file,
            line=1,
            field=column,
        )


def _records(path: Path) -> Iterator[tuple[int, list[str] | RowError]]:
    """`(first line, fields)` per record; a structural fault comes out as a `RowError`."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        last = 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield last + 1, RowError(f"malformed CSV ({e}); an unterminated quote?")
                return
            except UnicodeDecodeError as e:
                yield last + 1, RowError(f"the file is not UTF-8 text ({e.reason})")
                return
            start, last = last + 1, reader.line_num
            yield start, fields


def read_rows(path: Path, spec: CsvSpec) -> Iterator[Row | tuple[int, RowError, str]]:
    """The header is checked (raising `LoadError`); then each record as a `Row`, or
    `(line, error, raw)` for a record that is structurally broken."""
    file = str(path)
    records = _records(path)
    header_fields: list[str] | None = None
    for line, item in records:
        if isinstance(item, RowError):
            raise LoadError(f"cannot read the header: {item.message}", file=file, line=line)
        if item and any(f.strip() for f in item):
            header_fields = item
            break
    if header_fields is None:
        raise LoadError("the file is empty (no header row)", file=file, line=1)
    header = tuple(h.strip() for h in header_fields)
    check_header(header, spec, file)
    width = len(header)
    pending: tuple[int, list[str]] | None = None
    for line, item in records:
        if isinstance(item, RowError):
            if pending is not None:
                yield _row_or_fault(pending, header, width, last=False)
                pending = None
            yield line, item, ""
            return
        if not item or (len(item) == 1 and not item[0].strip()):
            continue
        if pending is not None:
            yield _row_or_fault(pending, header, width, last=False)
        pending = (line, item)
    if pending is not None:
        yield _row_or_fault(pending, header, width, last=True)


def _row_or_fault(
    record: tuple[int, list[str]], header: tuple[str, ...], width: int, *, last: bool
) -> Row | tuple[int, RowError, str]:
    line, fields = record
    raw = ",".join(fields)[:_RAW_LIMIT]
    if len(fields) < width:
        what = "the last line is truncated" if last else "the record is short"
        missing = header[len(fields)]
        return (
            line,
            RowError(f"{what}: {len(fields)} fields where the header has {width}", missing),
            raw,
        )
    if len(fields) > width:
        return line, RowError(f"{len(fields)} fields where the header has {width}"), raw
    return Row(line, header, tuple(fields))


def run_rows(
    path: Path,
    spec: CsvSpec,
    report: LoadReport,
    skip_bad_rows: bool,
    convert: Callable[[Row], Iterable[Triple]],
    emitted: Sequence[Emitted] = (),
) -> Iterator[Triple]:
    """Drive `convert` over every row; turn faults into `LoadError` or rejected rows."""
    file = str(path)
    for item in read_rows(path, spec):
        if isinstance(item, Row):
            try:
                triples = list(convert(item))
            except RowError as e:
                for seen in emitted:
                    seen.rollback()
                _fault(file, item.line, e, item.raw(), item.column_number, report, skip_bad_rows)
                continue
            for seen in emitted:
                seen.commit()
            report.rows += 1
            yield from triples
        else:
            line, error, raw = item
            _fault(file, line, error, raw, None, report, skip_bad_rows)


def _fault(
    file: str,
    line: int,
    error: RowError,
    raw: str,
    column_of: Callable[[str], int | None] | None,
    report: LoadReport,
    skip_bad_rows: bool,
) -> None:
    column = column_of(error.column) if (column_of and error.column) else None
    if not skip_bad_rows:
        raise LoadError(error.message, file=file, line=line, column=column, field=error.column)
    where = f"field {error.column}: " if error.column else ""
    report.rejected.append(Rejected(line=line, reason=f"{where}{error.message}", raw=raw))
