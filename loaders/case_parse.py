"""Reading a case file in three checked steps, each failing with the file, the line and the field:
bytes (size, encoding, binary content), YAML syntax (safe, no aliases, dates left as text), then
the models of `loaders.case_model` (types, unknown fields, EDTF dates).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
import yaml

from loaders.case_model import RECORD_KINDS, CaseFile, Record
from ontology.errors import LoadError

MAX_BYTES = 10 * 1024 * 1024
"""Case files are written by hand; anything larger is almost surely the wrong file."""


class _Loader(yaml.SafeLoader):
    """Safe YAML without timestamp conversion: dates stay the strings their EDTF text is."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class ParsedCaseFile:
    """A validated document and where each of its parts sits in the file."""

    path: Path
    document: CaseFile
    lines: Mapping[tuple[str | int, ...], int]

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The line of the deepest known node on the path `loc`."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None

    def records(self) -> Iterator[tuple[str, str, int, Record]]:
        """(top-level key, kind, index, record) for every record."""
        for key, kind in RECORD_KINDS.items():
            for index, record in enumerate(getattr(self.document, key)):
                yield key, kind, index, record


def _node_lines(
    node: yaml.Node, path: tuple[str | int, ...], out: dict[Any, int], walked: set[int]
) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.CollectionNode):
        if id(node) in walked:
            # An alias: refused, since a few nested aliases stand for millions of nodes.
            raise LoadError(
                "YAML aliases (*name) are not allowed in case files",
                line=node.start_mark.line + 1,
                field=".".join(map(str, path)) or None,
            )
        walked.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise LoadError(
                    "a key must be a plain value, not a list or a mapping",
                    line=key_node.start_mark.line + 1,
                    field=".".join(map(str, path)) or None,
                )
            key = key_node.value
            if key in seen:
                raise LoadError(
                    f"duplicate key {key!r}",
                    line=key_node.start_mark.line + 1,
                    field=".".join(map(str, (*path, key))),
                )
            seen.add(key)
            _node_lines(value_node, (*path, key), out, walked)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _node_lines(item, (*path, index), out, walked)


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError as e:
        raise LoadError(f"cannot read: {e.strerror}", file=str(path)) from e
    if size > MAX_BYTES:
        raise LoadError(
            f"file is {size / 1e6:.1f} MB; case files are limited to {MAX_BYTES // 1_000_000} MB",
            file=str(path),
        )
    data = path.read_bytes()
    if not data.strip():
        raise LoadError("empty document", file=str(path), line=1)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise LoadError(
            "binary content (NUL byte); not a YAML text file", file=str(path), line=line
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise LoadError(
            f"not UTF-8: byte 0x{data[e.start]:02x} at offset {e.start}", file=str(path), line=line
        ) from e


def parse_case_file(path: Path) -> ParsedCaseFile:
    """Read and validate one case file; raise `LoadError` naming file, line and field."""
    text = _read_text(path)
    name = str(path)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise LoadError(
            f"YAML syntax error: {e.problem or e.context}",
            file=name,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from e
    except yaml.YAMLError as e:
        raise LoadError(f"YAML error: {e}", file=name) from e
    except RecursionError as e:
        raise LoadError("YAML nested too deeply", file=name) from e
    if node is None:
        raise LoadError("empty document", file=name, line=1)
    lines: dict[Any, int] = {}
    try:
        _node_lines(node, (), lines, set())
    except LoadError as e:
        raise LoadError(e.message, file=name, line=e.line, field=e.field) from e
    except RecursionError as e:
        raise LoadError("YAML nested too deeply", file=name) from e
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise LoadError(
            f"YAML error: {e.problem or e.context}",
            file=name,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from e
    except Exception as e:
        # PyYAML's safe constructors fail with ValueError, IndexError, AttributeError... on
        # an explicit tag over a value it does not fit (`!!float abc`, `!!timestamp ''`).
        raise LoadError(f"YAML error: {type(e).__name__}: {e}", file=name) from e
    if not isinstance(data, dict):
        raise LoadError(
            f"a case file is a mapping with 'casegraph: 1' at the top, not a {type(data).__name__}",
            file=name,
            line=1,
        )
    try:
        document = CaseFile.model_validate(data)
    except pydantic.ValidationError as e:
        error = e.errors()[0]
        loc = tuple(error["loc"])
        parsed = ParsedCaseFile(path, CaseFile(casegraph=1), lines)
        record = _record_id(data, loc)
        more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
        raise LoadError(
            f"{error['msg']}{more}",
            file=name,
            line=parsed.line_of(loc),
            record=record,
            field=".".join(map(str, loc)),
        ) from e
    return ParsedCaseFile(path, document, lines)


def _record_id(data: Mapping[str, Any], loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and isinstance(loc[1], int):
        items = data.get(str(loc[0]))
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            value = items[loc[1]].get("id")
            return str(value) if value is not None else None
    return None
