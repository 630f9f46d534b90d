"""The property graph as CSV files for `neo4j-admin database import full`, written as it streams.

A folder of `nodes-NNNN.csv` and `relationships-NNNN.csv` files, each with its own header line,
and `neo4j-admin-import.args`, the import's arguments (one per line, for neo4j-admin's
`@file` syntax; paths relative to the folder):

    cd PATH && neo4j-admin database import full neo4j @neo4j-admin-import.args

Headers follow the import tool's format: nodes `id:ID,:LABEL,<name>:<type>,...`, relationships
`:START_ID,:END_ID,:TYPE,key:string,<name>:<type>,...`, with the types `string`, `long`,
`double`, `boolean`, `date` and their arrays (`string[]`, ...). A column has one type, so
records are split into files by the names and types of their properties (their signature);
the labels go in the `:LABEL` column (joined by the array delimiter). Values:

- strings are always quoted (`"` doubled inside), so `""` is the empty string and an empty,
  unquoted field is a missing property;
- array elements are joined by U+001F (the unit separator, `--array-delimiter=U+001F`), which
  no text of the model holds (a string that does is refused with `ValueError`);
- dates are ISO dates; doubles are written so that Java parses back the same value;
- an empty list is a `string[]` holding no element.

`--multiline-fields=true` is added only when some string has a line break. At most
`MAX_OPEN_FILES` files are open at once; the others are reopened to append.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final

from graph.cypher import statements as st
from graph.records import NodeRecord, PropertyValue, RelRecord, Scalar

ARGS_FILE: Final = "neo4j-admin-import.args"
_REL_FIXED: Final = (":START_ID", ":END_ID", ":TYPE", "key:string")
ARRAY_DELIMITER: Final = "\x1f"
MAX_OPEN_FILES: Final = 64

type Column = tuple[str, str]
"""(property name, import type)."""


@dataclass(slots=True)
class CsvExport:
    """What `write_neo4j_csv` wrote."""

    folder: Path
    nodes: int = 0
    relationships: int = 0
    node_files: list[str] = field(default_factory=list)
    relationship_files: list[str] = field(default_factory=list)
    multiline: bool = False

    def arguments(self) -> list[str]:
        """The import tool's arguments (besides the database name)."""
        args = [f"--nodes={name}" for name in self.node_files]
        args += [f"--relationships={name}" for name in self.relationship_files]
        args.append("--array-delimiter=U+001F")
        if self.multiline:
            args.append("--multiline-fields=true")
        return args


def _scalar_type(value: Scalar) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, dt.datetime):
        raise ValueError("datetimes are not supported, only dates")
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, str):
        return "string"
    raise TypeError(f"unsupported property value {value!r}")


def column_type(name: str, value: PropertyValue) -> str:
    """The import type of a property value (`ValueError` for a list of mixed types)."""
    if isinstance(value, str | bool | int | float | dt.date):
        return _scalar_type(value)
    types = {_scalar_type(v) for v in value}
    if len(types) > 1:
        raise ValueError(f"property {name!r}: Neo4j cannot store a list of mixed types")
    return f"{types.pop() if types else 'string'}[]"


class _Writer:
    """Quoting and the multiline flag, shared by node and relationship rows."""

    def __init__(self) -> None:
        self.multiline = False

    def text(self, value: str) -> str:
        if "\n" in value or "\r" in value:
            self.multiline = True
        if '"' in value:
            value = value.replace('"', '""')
        return f'"{value}"'

    def scalar(self, value: Scalar) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if math.isnan(value):
                return "NaN"
            if math.isinf(value):
                return "Infinity" if value > 0 else "-Infinity"
            return repr(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return self.text(value)

    def value(self, value: PropertyValue) -> str:
        if isinstance(value, str | bool | int | float | dt.date):
            return self.scalar(value)
        items = []
        for item in value:
            text = item.isoformat() if isinstance(item, dt.date) else str(item)
            if isinstance(item, bool):
                text = "true" if item else "false"
            elif isinstance(item, float):
                text = self.scalar(item)
            if ARRAY_DELIMITER in text:
                raise ValueError(f"a list element holds U+001F, the array delimiter: {text!r}")
            items.append(text)
        return self.text(ARRAY_DELIMITER.join(items))


class _Files:
    """One CSV file per signature, at most `MAX_OPEN_FILES` open at a time."""

    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder = folder
        self.prefix = prefix
        self.names: dict[tuple[Column, ...], str] = {}
        self.open: OrderedDict[str, IO[str]] = OrderedDict()
        self._last: tuple[str, IO[str]] | None = None

    def handle(self, signature: tuple[Column, ...], fixed: Sequence[str]) -> IO[str]:
        name = self.names.get(signature)
        if name is None:
            name = self.names[signature] = f"{self.prefix}-{len(self.names) + 1:04}.csv"
            handle = self._open(name, "w")
            handle.write(_header(fixed, signature))
            return handle
        if self._last is not None and self._last[0] == name:
            return self._last[1]
        handle = self.open.get(name) or self._open(name, "a")
        self.open.move_to_end(name)
        self._last = (name, handle)
        return handle

    def _open(self, name: str, mode: str) -> IO[str]:
        while len(self.open) >= MAX_OPEN_FILES:
            _, oldest = self.open.popitem(last=False)
            oldest.close()
        self._last = None
        handle = (self.folder / name).open(mode, encoding="utf-8", newline="")
        self.open[name] = handle
        return handle

    def close(self) -> list[str]:
        for handle in self.open.values():
            handle.close()
        self.open.clear()
        return list(self.names.values())


def _header(fixed: Sequence[str], columns: Sequence[Column]) -> str:
    names = [f"{st.check_property(name)}:{kind}" for name, kind in columns]
    return ",".join([*fixed, *names]) + "\n"


def write_neo4j_csv(
    nodes: Iterable[NodeRecord], relationships: Iterable[RelRecord], folder: Path
) -> CsvExport:
    """Write the records as import CSV files into `folder` (created; files there replaced)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("nodes-*.csv"), *folder.glob("relationships-*.csv")]:
        old.unlink()
    out = CsvExport(folder)
    writer = _Writer()
    labels_allowed = {st.ROOT_LABEL, *st.ontology_labels()}
    rel_types = st.ontology_rel_types()
    node_files = _Files(folder, "nodes")
    try:
        for node in nodes:
            props = {k: v for k, v in node.properties.items() if k != "id"}
            columns = tuple((name, column_type(name, value)) for name, value in props.items())
            handle = node_files.handle(columns, ("id:ID", ":LABEL"))
            labels = st.check_labels(dict.fromkeys((st.ROOT_LABEL, *node.labels)), labels_allowed)
            cells = [writer.text(node.id), ARRAY_DELIMITER.join(labels)]
            cells += [writer.value(value) for value in props.values()]
            handle.write(",".join(cells) + "\n")
            out.nodes += 1
    finally:
        out.node_files = node_files.close()
    rel_files = _Files(folder, "relationships")
    try:
        for rel in relationships:
            props = {k: v for k, v in rel.properties.items() if k != "key"}
            columns = tuple((name, column_type(name, value)) for name, value in props.items())
            handle = rel_files.handle(columns, _REL_FIXED)
            cells = [
                writer.text(rel.source),
                writer.text(rel.target),
                st.check_rel_type(rel.type, rel_types),
                writer.text(rel.key),
            ]
            cells += [writer.value(value) for value in props.values()]
            handle.write(",".join(cells) + "\n")
            out.relationships += 1
    finally:
        out.relationship_files = rel_files.close()
    out.multiline = writer.multiline
    (folder / ARGS_FILE).write_text("\n".join(out.arguments()) + "\n", encoding="utf-8")
    return out


__all__ = ["ARGS_FILE", "ARRAY_DELIMITER", "CsvExport", "column_type", "write_neo4j_csv"]
