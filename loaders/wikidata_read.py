"""Reading Wikidata entity JSON files whatever their shape: the EntityData object, a dump (a JSON
array, one entity per line) or JSON lines, entity by entity with its line number, so that memory
stays flat and a fault points at its line.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from loaders.base import LoadReport
from loaders.tabular import Emitted
from loaders.wikidata_values import EntityFault, kind_and_classes
from ontology.errors import LoadError


class ReadState:
    """What one read remembers: kinds of items seen, stub records already emitted."""

    def __init__(self, report: LoadReport) -> None:
        self.report = report
        self.kinds: dict[str, str] = {}
        self.stubs = Emitted()


def read_entities(path: Path, state: ReadState) -> Iterator[tuple[int | None, Any]]:
    """`(line, entity)` for each entity in the file, whatever its shape."""
    file = str(path)
    try:
        with path.open("r", encoding="utf-8-sig") as handle:
            first_line, first = _first_line(handle)
            if first is None:
                raise LoadError("the file is empty (no Wikidata entities)", file=file, line=1)
            if first == "[" or first.startswith("[{"):
                rest = first[1:].strip()
                if rest:
                    yield first_line, _parse_line(rest, file, first_line, 2)
                yield from _lines(handle, file, first_line)
                return
            if first.startswith("{"):
                try:
                    head = json.loads(first.rstrip(","))
                except json.JSONDecodeError:
                    head = None
                if isinstance(head, dict) and "entities" not in head:
                    yield first_line, head
                    yield from _lines(handle, file, first_line)
                    return
                handle.seek(0)
                yield from _entity_data(handle, file, state)
                return
            raise LoadError(
                'not Wikidata entity JSON (expected {"entities": …}, a dump array or JSON lines)',
                file=file,
                line=first_line,
                column=1,
            )
    except UnicodeDecodeError as e:
        raise LoadError(f"the file is not UTF-8 text ({e.reason})", file=file) from e


def _first_line(handle: TextIO) -> tuple[int, str | None]:
    for number, line in enumerate(handle, start=1):
        if line.strip():
            return number, line.strip()
    return 0, None


def _lines(handle: TextIO, file: str, offset: int) -> Iterator[tuple[int | None, Any]]:
    for number, line in enumerate(handle, start=offset + 1):
        text = line.strip()
        if text in {"", "]", "],"}:
            continue
        yield number, _parse_line(text.rstrip(","), file, number, 1)


def _parse_line(text: str, file: str, line: int, column_offset: int) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise LoadError(
            f"invalid JSON: {e.msg}", file=file, line=line, column=e.colno + column_offset - 1
        ) from e
    except RecursionError as e:
        raise LoadError("JSON nested too deeply", file=file, line=line) from e


def _entity_data(handle: TextIO, file: str, state: ReadState) -> Iterator[tuple[int | None, Any]]:
    try:
        document = json.load(handle)
    except json.JSONDecodeError as e:
        raise LoadError(f"invalid JSON: {e.msg}", file=file, line=e.lineno, column=e.colno) from e
    except RecursionError as e:
        raise LoadError("JSON nested too deeply", file=file) from e
    entities = document.get("entities") if isinstance(document, dict) else None
    if not isinstance(entities, dict):
        raise LoadError('expected an object with "entities" (Special:EntityData)', file=file)
    for item in entities.values():
        if isinstance(item, dict):
            qid, kind = item.get("id"), None
            with contextlib.suppress(EntityFault):
                kind = kind_and_classes(item)[0]
            if isinstance(qid, str) and kind is not None:
                state.kinds[qid] = kind
    for item in entities.values():
        yield None, item
