"""What a sync reads and writes to: the property graph streamed out of the read model (`node`,
`rel`), in batches, and what a Cypher backend must offer (`SyncTarget`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Protocol

from graph.readmodel.pg import decode_node, decode_rel
from graph.records import NodeRecord, Projection, RelRecord

BATCH: Final = 10_000


class SyncTarget(Protocol):
    """What sync and check need from a Cypher backend (see `graph.cypher.base`)."""

    def ensure_schema(self) -> None: ...

    def write(self, projection: Projection) -> Any: ...

    def delete_nodes(self, ids: Sequence[str]) -> Any: ...

    def delete_relationships(self, rels: Sequence[RelRecord]) -> Any: ...

    def clear(self) -> Any: ...

    def counts(self) -> Any: ...

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> Any: ...


def backend_name(backend: object) -> str:
    """`falkordb`, `neo4j`, ...: the backend's `name`, else its class name in lower case."""
    name = getattr(backend, "name", None)
    if isinstance(name, str) and name:
        return name
    return type(backend).__name__.lower().removesuffix("backend")


def iter_nodes(conn: sqlite3.Connection, ids: Iterable[str] | None = None) -> Iterator[NodeRecord]:
    """Every node (or those of `ids`), streamed."""
    if ids is None:
        for (record,) in conn.execute("SELECT record FROM node WHERE record != x'' ORDER BY id"):
            yield decode_node(record)
        return
    items = sorted(set(ids))
    for start in range(0, len(items), 500):
        chunk = items[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for (record,) in conn.execute(
            f"SELECT record FROM node WHERE id IN ({marks}) AND record != x''", chunk
        ):
            yield decode_node(record)


def iter_relationships(conn: sqlite3.Connection) -> Iterator[RelRecord]:
    """Every relationship whose two ends are nodes, streamed."""
    for (record,) in conn.execute("SELECT record FROM rel ORDER BY type, src, dst, key"):
        yield decode_rel(record)


def projection(conn: sqlite3.Connection) -> Projection:
    """The whole property graph in memory (small graphs: tests, views)."""
    return Projection(tuple(iter_nodes(conn)), tuple(iter_relationships(conn)))


def batches[T](items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
