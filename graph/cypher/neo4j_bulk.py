"""Neo4j's bulk path over Bolt: `UNWIND $rows ... CREATE` batches into an empty database.

A full sync needs no MERGE: the database was just emptied, so every node and relationship is
new. Rows carry native values (the driver sends `datetime.date` as a Neo4j date and a list of
dates as a list of dates), so no `date()` call runs per row. Records are grouped by label set
(nodes) or type (relationships) into batches of `batch_size` rows; at most `batch_size` times a
small factor rows wait in memory, whatever the size of the streams.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from typing import Any, Final

from graph.cypher import statements as st
from graph.records import NodeRecord, PropertyValue, RelRecord

DEFAULT_BATCH_SIZE: Final = 10_000
_PENDING_FACTOR: Final = 4
"""Flush every group once this many batches' worth of rows wait in all groups together."""

type Row = dict[str, Any] | list[Any]


def _native(props: Iterable[tuple[str, PropertyValue]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in props:
        if isinstance(value, dt.datetime):
            raise ValueError(f"property {name!r}: datetimes are not supported, only dates")
        out[name] = list(value) if isinstance(value, tuple) else value
    return out


def _grouped[K](items: Iterable[tuple[K, Row]], batch_size: int) -> Iterator[tuple[K, list[Row]]]:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    groups: dict[K, list[Row]] = defaultdict(list)
    pending = 0
    for key, row in items:
        rows = groups[key]
        rows.append(row)
        pending += 1
        if len(rows) >= batch_size:
            yield key, rows
            pending -= len(rows)
            groups[key] = []
        elif pending >= batch_size * _PENDING_FACTOR:
            for other, waiting in groups.items():
                if waiting:
                    yield other, waiting
            groups = defaultdict(list)
            pending = 0
    for key, rows in groups.items():
        if rows:
            yield key, rows


def node_batches(
    nodes: Iterable[NodeRecord], allowed: Collection[str], batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[tuple[str, list[Row]]]:
    """(CREATE statement, rows) for the nodes, grouped by label set."""
    statements: dict[tuple[str, ...], str] = {}

    def keyed() -> Iterator[tuple[tuple[str, ...], Row]]:
        for node in nodes:
            row = _native(node.properties.items())
            row["id"] = node.id
            yield node.labels, row

    for labels, rows in _grouped(keyed(), batch_size):
        statement = statements.get(labels)
        if statement is None:
            full = tuple(dict.fromkeys((st.ROOT_LABEL, *labels)))
            statement = statements[labels] = st.create_nodes(full, {st.ROOT_LABEL, *allowed})
        yield statement, rows


def relationship_batches(
    rels: Iterable[RelRecord], allowed: Collection[str], batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[tuple[str, list[Row]]]:
    """(CREATE statement, rows `[source, target, key, props]`) for the relationships, by type."""
    statements: dict[str, str] = {}

    def keyed() -> Iterator[tuple[str, Row]]:
        for rel in rels:
            props = _native((k, v) for k, v in rel.properties.items() if k != "key")
            yield rel.type, [rel.source, rel.target, rel.key, props]

    for rel_type, rows in _grouped(keyed(), batch_size):
        statement = statements.get(rel_type)
        if statement is None:
            statement = statements[rel_type] = st.create_relationships(rel_type, allowed)
        yield statement, rows


__all__ = ["DEFAULT_BATCH_SIZE", "node_batches", "relationship_batches"]
