"""FalkorDB's bulk path: `GRAPH.BULK` calls built from streams of node and relationship records.

The protocol, as the `falkordb-bulk-loader` package encodes it and FalkorDB's
`src/bulk_insert/bulk_insert.c` decodes it:

    GRAPH.BULK <key> [BEGIN] <nodes in this call> <relationships in this call>
               <node tokens> <relationship tokens> <token> ...

`BEGIN` marks the first call, which creates the key (it must not exist). A token is one binary
string: a header (the labels joined with `:`, NUL-terminated; a uint32 property count; the
property names, each NUL-terminated) and then its entities. A node is one value per header
property; a relationship is two uint64 internal node ids (source, target) and then its values.
A value is one type byte and its payload: 0 null (skipped), 1 bool (1 byte), 2 double (8 bytes),
3 string (NUL-terminated UTF-8), 4 long (8 bytes), 5 array (uint64 length, then values). All
little-endian (native on the engines FalkorDB ships for), unaligned.

The engine gives the nodes of a fresh graph the internal ids 0, 1, 2, ... in the order it reads
them (node tokens before relationship tokens, tokens in argument order), and relationships the
same; `falkordb-bulk-loader` relies on it to address relationship endpoints, and so does this
module. The protocol has no date type: a date goes as its ISO string, and `BulkLoad.node_dates`
and `.relationship_dates` list the id ranges and property names to turn into dates afterwards
(`statements.falkordb_node_dates`).

Records are grouped into tokens by signature (labels, property names, which are dates), so each
header is written once per group and call. Memory is bounded by `max_call_bytes` (the tokens
waiting to be sent) plus the map of node ids to internal ids that relationships need.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from graph.cypher import statements as st
from graph.records import NodeRecord, PropertyValue, RelRecord

DEFAULT_CALL_BYTES: Final = 32_000_000
"""Bytes of tokens per GRAPH.BULK call (falkordb-bulk-loader's default is 64 MB)."""
MAX_TOKEN_BYTES: Final = 512_000_000
"""Redis refuses a single argument larger than this (`proto-max-bulk-len`)."""

_NULL, _BOOL, _DOUBLE, _STRING, _LONG, _ARRAY = 0, 1, 2, 3, 4, 5
_TRUE: Final = bytes((_BOOL, 1))
_FALSE: Final = bytes((_BOOL, 0))
_PACK_DOUBLE = struct.Struct("<Bd").pack
_PACK_LONG = struct.Struct("<Bq").pack
_PACK_ARRAY = struct.Struct("<Bq").pack
_PACK_ENDS = struct.Struct("<QQ").pack
_PACK_COUNT = struct.Struct("<I").pack

type Send = Callable[..., Any]
"""`execute_command` of a redis client: `send("GRAPH.BULK", key, *args)`."""

type Signature = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]
"""(labels or type, property names, date property names, date-list property names)."""


@dataclass(frozen=True, slots=True)
class DateRange:
    """Entities with internal ids in [low, high) whose named properties are ISO dates."""

    low: int
    high: int
    dates: tuple[str, ...]
    date_lists: tuple[str, ...]
    rel_type: str = ""


@dataclass(slots=True)
class BulkLoad:
    """What a bulk load created, and the dates still to convert."""

    nodes: int = 0
    relationships: int = 0
    skipped_relationships: int = 0
    calls: int = 0
    node_dates: list[DateRange] = field(default_factory=list)
    relationship_dates: list[DateRange] = field(default_factory=list)


def encode_value(value: PropertyValue) -> bytes:
    """One property value in the bulk binary format (dates as ISO strings)."""
    if isinstance(value, str):
        data = value.encode()
        if b"\0" in data:
            raise ValueError(f"GRAPH.BULK cannot carry a NUL character: {value!r}")
        return b"\x03" + data + b"\0"
    if isinstance(value, bool):
        return _TRUE if value else _FALSE
    if isinstance(value, int):
        try:
            return _PACK_LONG(_LONG, value)
        except struct.error as e:
            raise ValueError(f"integer {value} does not fit in 64 bits") from e
    if isinstance(value, float):
        return _PACK_DOUBLE(_DOUBLE, value)
    if isinstance(value, dt.datetime):
        raise ValueError("datetimes are not supported, only dates")
    if isinstance(value, dt.date):
        return b"\x03" + value.isoformat().encode() + b"\0"
    if isinstance(value, list | tuple):
        return _PACK_ARRAY(_ARRAY, len(value)) + b"".join(encode_value(v) for v in value)
    raise TypeError(f"unsupported property value {value!r}")


def _dates(props: dict[str, PropertyValue]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names of the date properties and of the date-list properties."""
    single: list[str] = []
    lists: list[str] = []
    for name, value in props.items():
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            single.append(name)
        elif (
            isinstance(value, list | tuple)
            and value
            and all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in value)
        ):
            lists.append(name)
    return tuple(single), tuple(lists)


def _cstring(text: str) -> bytes:
    data = text.encode()
    if b"\0" in data:
        raise ValueError(f"a name with a NUL character cannot go through GRAPH.BULK: {text!r}")
    return data + b"\0"


@dataclass(slots=True)
class _Token:
    signature: Signature
    name: str
    header: bytes
    parts: list[bytes] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    size: int = 0

    def payload(self) -> bytes:
        return self.header + b"".join(self.parts)


class BulkWriter:
    """Streams records into GRAPH.BULK calls on one new graph key.

    Add every node first (`add_node`), then every relationship (`add_relationship`), then
    `close()`. Relationships to ids that were not added as nodes are skipped (counted), as the
    MERGE path skips them.
    """

    def __init__(
        self,
        send: Send,
        key: str,
        *,
        labels: Collection[str],
        rel_types: Collection[str],
        max_call_bytes: int = DEFAULT_CALL_BYTES,
    ) -> None:
        self.send = send
        self.key = key
        self.labels = labels
        self.rel_types = rel_types
        self.max_call_bytes = min(max_call_bytes, MAX_TOKEN_BYTES)
        self.result = BulkLoad()
        self.internal: dict[str, int] = {}
        self._tokens: dict[Signature, _Token] = {}
        self._pending_ids: set[str] = set()
        self._pending = 0
        self._count = 0
        self._nodes_done = False
        self._next_node = 0
        self._next_rel = 0
        self._checked_labels: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._checked_types: set[str] = set()

    # -- nodes ----------------------------------------------------------------------------------

    def add_node(self, node: NodeRecord) -> None:
        if self._nodes_done:
            raise RuntimeError("add every node before the first relationship")
        labels = self._checked_labels.get(node.labels)
        if labels is None:
            labels = st.check_labels(
                dict.fromkeys((st.ROOT_LABEL, *node.labels)), {st.ROOT_LABEL, *self.labels}
            )
            self._checked_labels[node.labels] = labels
        props: dict[str, PropertyValue] = {"id": node.id}
        props.update(node.properties)
        props["id"] = node.id
        dates, date_lists = _dates(props)
        names = tuple(props)
        signature = (labels, names, dates, date_lists)
        data = b"".join([encode_value(v) for v in props.values()])
        token = self._token(signature, ":".join(labels))
        if node.id in self.internal or node.id in self._pending_ids:
            raise ValueError(f"node id {node.id!r} given twice")
        self._append(token, data, node.id)

    # -- relationships --------------------------------------------------------------------------

    def add_relationship(self, rel: RelRecord) -> None:
        if not self._nodes_done:
            self._finish_nodes()
        if rel.type not in self._checked_types:
            self._checked_types.add(st.check_rel_type(rel.type, self.rel_types))
        source = self.internal.get(rel.source)
        target = self.internal.get(rel.target)
        if source is None or target is None:
            self.result.skipped_relationships += 1
            return
        props: dict[str, PropertyValue] = {"key": rel.key}
        props.update(rel.properties)
        props["key"] = rel.key
        dates, date_lists = _dates(props)
        signature = ((rel.type,), tuple(props), dates, date_lists)
        token = self._token(signature, rel.type)
        data = _PACK_ENDS(source, target) + b"".join([encode_value(v) for v in props.values()])
        self._append(token, data, None)

    def close(self) -> BulkLoad:
        """Send what is left; the totals."""
        if not self._nodes_done:
            self._finish_nodes()
        self._flush()
        return self.result

    # -- buffering ------------------------------------------------------------------------------

    def _token(self, signature: Signature, name: str) -> _Token:
        token = self._tokens.get(signature)
        if token is None:
            names = signature[1]
            header = _cstring(name) + _PACK_COUNT(len(names)) + b"".join(map(_cstring, names))
            token = self._tokens[signature] = _Token(signature, name, header, size=len(header))
            self._pending += len(header)
        return token

    def _append(self, token: _Token, data: bytes, node_id: str | None) -> None:
        if self._pending + len(data) > self.max_call_bytes and self._count:
            self._flush()
            token = self._token(token.signature, token.name)
        token.parts.append(data)
        token.size += len(data)
        self._pending += len(data)
        self._count += 1
        if node_id is not None:
            token.ids.append(node_id)
            self._pending_ids.add(node_id)

    def _finish_nodes(self) -> None:
        self._flush()
        self._nodes_done = True

    def _flush(self) -> None:
        tokens = [t for t in self._tokens.values() if t.parts]
        self._tokens = {}
        self._pending_ids = set()
        self._pending = 0
        self._count = 0
        if not tokens:
            return
        nodes = 0 if self._nodes_done else sum(len(t.parts) for t in tokens)
        rels = sum(len(t.parts) for t in tokens) if self._nodes_done else 0
        for token in tokens:
            self._assign(token)
        head: list[Any] = ["BEGIN"] if self.result.calls == 0 else []
        args = [
            *head,
            nodes,
            rels,
            0 if self._nodes_done else len(tokens),
            len(tokens) if self._nodes_done else 0,
        ]
        reply = self.send("GRAPH.BULK", self.key, *args, *(t.payload() for t in tokens))
        created_nodes, created_rels = _created(reply)
        if (created_nodes, created_rels) != (nodes, rels):
            raise RuntimeError(
                f"GRAPH.BULK created {created_nodes} nodes and {created_rels} relationships, "
                f"expected {nodes} and {rels}"
            )
        self.result.calls += 1
        self.result.nodes += nodes
        self.result.relationships += rels

    def _assign(self, token: _Token) -> None:
        """Record the internal ids the engine gives this token's entities (in order)."""
        _, _, dates, date_lists = token.signature
        count = len(token.parts)
        if not self._nodes_done:
            low = self._next_node
            for offset, node_id in enumerate(token.ids):
                self.internal[node_id] = low + offset
            self._next_node += count
            ranges, rel_type = self.result.node_dates, ""
        else:
            low = self._next_rel
            self._next_rel += count
            ranges, rel_type = self.result.relationship_dates, token.signature[0][0]
        if dates or date_lists:
            last = ranges[-1] if ranges else None
            if (
                last is not None
                and last.high == low
                and (last.dates, last.date_lists, last.rel_type) == (dates, date_lists, rel_type)
            ):
                ranges[-1] = DateRange(last.low, low + count, dates, date_lists, rel_type)
            else:
                ranges.append(DateRange(low, low + count, dates, date_lists, rel_type))


def _created(reply: Any) -> tuple[int, int]:
    """(nodes, relationships) from a reply like `2 nodes created, 1 edges created`."""
    text = reply.decode() if isinstance(reply, bytes) else str(reply)
    parts = [p.strip() for p in text.split(",")]
    try:
        return int(parts[0].split()[0]), int(parts[1].split()[0])
    except (IndexError, ValueError) as e:
        raise RuntimeError(f"unexpected GRAPH.BULK reply {text!r}") from e


def bulk_load(
    send: Send,
    key: str,
    nodes: Iterable[NodeRecord],
    relationships: Iterable[RelRecord],
    *,
    labels: Collection[str],
    rel_types: Collection[str],
    max_call_bytes: int = DEFAULT_CALL_BYTES,
) -> BulkLoad:
    """Create the graph `key` (which must not exist) from the records, in GRAPH.BULK calls."""
    writer = BulkWriter(
        send, key, labels=labels, rel_types=rel_types, max_call_bytes=max_call_bytes
    )
    for node in nodes:
        writer.add_node(node)
    for rel in relationships:
        writer.add_relationship(rel)
    return writer.close()


def date_statements(load: BulkLoad, rel_types: Collection[str]) -> list[tuple[str, dict[str, int]]]:
    """The statements (with their params) that turn the loaded ISO strings into dates."""
    work: list[tuple[str, dict[str, int]]] = []
    for r in load.node_dates:
        work.append((st.falkordb_node_dates(r.dates, r.date_lists), {"low": r.low, "high": r.high}))
    for r in load.relationship_dates:
        work.append(
            (
                st.falkordb_relationship_dates(r.rel_type, rel_types, r.dates, r.date_lists),
                {"low": r.low, "high": r.high},
            )
        )
    return work


__all__ = [
    "DEFAULT_CALL_BYTES",
    "BulkLoad",
    "BulkWriter",
    "DateRange",
    "bulk_load",
    "date_statements",
    "encode_value",
]
