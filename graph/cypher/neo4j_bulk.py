"""Neo4j's bulk path over Bolt: `UNWIND $rows ... CREATE` batches into an empty database.

A full sync needs no MERGE: the database was just emptied, so every node and relationship is
new. Node batches return the new nodes' internal ids (`remember` keeps them by casegraph id),
and relationship rows name their endpoints by those ids, so no index is needed while loading
(the map holds every node id: about 100 bytes a node). Rows carry native values (the driver
sends `datetime.date` as a Neo4j date and a list of dates as a list of dates), so no `date()`
call runs per row. Records are grouped by label set (nodes) or type (relationships) into
batches of `batch_size` rows; besides the id map, at most `batch_size` times a small factor
rows wait in memory, whatever the size of the streams.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any, Final

from graph.cypher import statements as st
from graph.records import NodeRecord, PropertyValue, RelRecord

DEFAULT_BATCH_SIZE: Final = 25_000
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


def remember(rows: list[Row], created: list[int], internal: dict[str, int]) -> None:
    """Record the internal ids a node batch returned (in row order) by casegraph id."""
    if len(created) != len(rows):
        raise RuntimeError(f"Neo4j returned {len(created)} ids for {len(rows)} new nodes")
    for row, node in zip(rows, created, strict=True):
        assert isinstance(row, dict)
        node_id = row["id"]
        if node_id in internal:
            raise ValueError(f"node id {node_id!r} is given twice")
        internal[node_id] = node


def relationship_batches(
    rels: Iterable[RelRecord],
    allowed: Collection[str],
    internal: Mapping[str, int],
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Iterator[tuple[str, list[Row]]]:
    """(CREATE statement, rows `[source, target, key, props]`) for the relationships, by type,
    the endpoints as the internal ids in `internal`; a relationship with an endpoint that is
    not there is left out (as the MERGE path leaves it out)."""
    statements: dict[str, str] = {}

    def keyed() -> Iterator[tuple[str, Row]]:
        for rel in rels:
            if rel.type not in statements:  # refuse a bad type even on a row left out
                statements[rel.type] = st.create_relationships(rel.type, allowed)
            source = internal.get(rel.source)
            target = internal.get(rel.target)
            if source is None or target is None:
                continue
            props = _native((k, v) for k, v in rel.properties.items() if k != "key")
            yield rel.type, [source, target, rel.key, props]

    for rel_type, rows in _grouped(keyed(), batch_size):
        yield statements[rel_type], rows


def upsert_node_rows(nodes: Iterable[NodeRecord], allowed: Collection[str]) -> list[Row]:
    """Rows for `NEO4J_UPSERT_NODES` (the incremental path), labels checked."""
    checked = {st.ROOT_LABEL, *allowed}
    rows: list[Row] = []
    for node in nodes:
        labels = list(st.check_labels(dict.fromkeys((st.ROOT_LABEL, *node.labels)), checked))
        props = _native(node.properties.items())
        props["id"] = node.id
        rows.append([node.id, labels, props])
    return rows


def upsert_relationship_rows(rels: Iterable[RelRecord], allowed: Collection[str]) -> list[Row]:
    """Rows for `NEO4J_UPSERT_RELATIONSHIPS` (the incremental path), types checked."""
    return [
        [
            rel.source,
            rel.target,
            st.check_rel_type(rel.type, allowed),
            rel.key,
            _native((k, v) for k, v in rel.properties.items() if k != "key"),
        ]
        for rel in rels
    ]


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "node_batches",
    "relationship_batches",
    "remember",
    "upsert_node_rows",
    "upsert_relationship_rows",
]
