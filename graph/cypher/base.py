"""What every property-graph backend offers, and the engine-independent parts of writing.

`CypherBackend` is the interface `graph.sync`, the API and the CLI use. Subclasses supply how a
statement runs (`_write`, `query`) and the schema; this module turns a `Projection` into batched
`UNWIND $rows` statements (`statements.py`) and makes result values JSON-safe.

Errors: a backend that cannot be reached raises `BackendUnavailable`; an engine error
(syntax, a write in a read-only query) raises `QueryError` with the engine's message, a query
that ran past `timeout_s` `QueryTimeout`, and one with more than `max_rows` rows
`ResultTooLarge`; a label or relationship type outside the allow-lists raises `ValueError`
before anything runs.
"""

from __future__ import annotations

import datetime as dt
import math
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, ClassVar, NamedTuple, Self

from graph.cypher import statements as st
from graph.errors import ResultTooLarge
from graph.records import NodeRecord, Projection, PropertyValue, RelRecord

type RelKey = tuple[str, str, str, str]
"""(type, source id, target id, key)."""

type Row = dict[str, Any]

DEFAULT_BATCH_SIZE = 5000
CLEAR_BATCH_SIZE = 10_000


class Counts(NamedTuple):
    """Nodes per label and relationships per type (unpacks as a pair)."""

    labels: dict[str, int]
    types: dict[str, int]


class QueryResult(NamedTuple):
    """Column names and rows of JSON-safe values (unpacks as a pair)."""

    columns: list[str]
    rows: list[list[Any]]


class WriteSummary(NamedTuple):
    nodes: int
    relationships: int


class CypherBackend(ABC):
    """A property-graph engine written from `Projection`s and queried with Cypher."""

    name: ClassVar[str]

    def __init__(
        self,
        *,
        labels: Collection[str] | None = None,
        rel_types: Collection[str] | None = None,
    ) -> None:
        self.labels: Collection[str] = labels if labels is not None else st.ontology_labels()
        self.rel_types: Collection[str] = (
            rel_types if rel_types is not None else st.ontology_rel_types()
        )

    # -- what an engine supplies ----------------------------------------------------------------

    @abstractmethod
    def ensure_schema(self) -> None:
        """Create the indexes and constraints (idempotent)."""

    @abstractmethod
    def query(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        *,
        read_only: bool = True,
        timeout_s: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run one statement; read-only unless told otherwise; values come back JSON-safe.

        More than `max_rows` rows raise `ResultTooLarge` (an engine that streams stops reading
        at the row past the cap)."""

    @abstractmethod
    def _write(self, statement: str, params: Mapping[str, Any]) -> list[list[Any]]:
        """Run one write statement in its own transaction; the raw rows."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection (and stop an embedded server)."""

    # -- shared ---------------------------------------------------------------------------------

    def write(self, projection: Projection, batch_size: int = DEFAULT_BATCH_SIZE) -> WriteSummary:
        """Upsert the nodes, then the relationships, in batches of `batch_size` rows."""
        node_work = list(node_batches(projection.nodes, self.labels, batch_size))
        rel_work = list(rel_batches(projection.relationships, self.rel_types, batch_size))
        for statement, rows in node_work:
            self._write(statement, {"rows": rows})
        for statement, rows in rel_work:
            self._write(statement, {"rows": rows})
        return WriteSummary(len(projection.nodes), len(projection.relationships))

    def replace_all(
        self, nodes: Iterable[NodeRecord], relationships: Iterable[RelRecord]
    ) -> WriteSummary:
        """Make the graph exactly these records, by the engine's fastest path (a full sync).

        This default clears the graph and writes the records with `write`; the engines override
        it with their bulk paths (FalkorDB: GRAPH.BULK into a new key swapped in at the end;
        Neo4j: CREATE batches into the emptied database).
        """
        self.clear()
        self.ensure_schema()
        return self.write(Projection(tuple(nodes), tuple(relationships)))

    def delete_nodes(self, ids: Iterable[str], batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """DETACH DELETE the nodes with these ids; how many existed."""
        deleted = 0
        for chunk in _chunks(list(dict.fromkeys(ids)), batch_size):
            deleted += _first_int(self._write(st.DELETE_NODES, {"ids": chunk}))
        return deleted

    def delete_relationships(
        self, rels: Iterable[RelRecord | RelKey], batch_size: int = DEFAULT_BATCH_SIZE
    ) -> int:
        """Delete relationships by (type, source, target, key); how many existed."""
        by_type: dict[str, list[Row]] = defaultdict(list)
        for rel in rels:
            t, source, target, key = (
                (rel.type, rel.source, rel.target, rel.key) if isinstance(rel, RelRecord) else rel
            )
            by_type[t].append({"source": source, "target": target, "key": key})
        work = [
            (st.delete_relationships(t, self.rel_types), rows)
            for t, rows in sorted(by_type.items())
        ]
        deleted = 0
        for statement, rows in work:
            for chunk in _chunks(rows, batch_size):
                deleted += _first_int(self._write(statement, {"rows": chunk}))
        return deleted

    def clear(self) -> None:
        """Delete every node and relationship (schema stays), in bounded transactions."""
        while _first_int(self._write(st.CLEAR_BATCH, {"limit": CLEAR_BATCH_SIZE})):
            pass

    def counts(self) -> Counts:
        """Nodes per label and relationships per type (the sync marker left out)."""
        labels = self.query(st.COUNT_LABELS).rows
        types = self.query(st.COUNT_TYPES).rows
        return Counts(
            {str(label): int(n) for label, n in labels if label != st.SYNC_LABEL},
            {str(t): int(n) for t, n in types},
        )

    # -- which version of the store the engine holds ----------------------------------------------

    def sync_marker(self) -> tuple[int, str, str] | None:
        """(store version, `clean` or `dirty`, store id) as last recorded in the engine."""
        rows = self.query(st.SYNC_MARKER_READ, {"key": "casegraph"}).rows
        if not rows or rows[0][0] is None:
            return None
        version, state, store = rows[0]
        return int(version), str(state), str(store)

    def set_sync_marker(self, version: int, state: str, store: str) -> None:
        """Record in the engine itself which version it holds (kept with its data)."""
        self._write(
            st.SYNC_MARKER_WRITE,
            {"key": "casegraph", "version": version, "state": state, "store": store},
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# -- batches --------------------------------------------------------------------------------------


def split_properties(
    props: Mapping[str, PropertyValue],
) -> tuple[dict[str, Any], dict[str, Any], tuple[str, ...], tuple[str, ...]]:
    """(plain properties, ISO dates by name, names of date properties, names of date lists)."""
    plain: dict[str, Any] = {}
    dates: dict[str, Any] = {}
    single: list[str] = []
    lists: list[str] = []
    for name, value in props.items():
        if isinstance(value, dt.datetime):
            raise ValueError(f"property {name!r}: datetimes are not supported, only dates")
        if isinstance(value, dt.date):
            dates[name] = value.isoformat()
            single.append(name)
        elif isinstance(value, str | bytes):
            plain[name] = value
        elif isinstance(value, Sequence):
            items = list(value)
            if items and all(isinstance(v, dt.date) for v in items):
                dates[name] = [v.isoformat() for v in items if isinstance(v, dt.date)]
                lists.append(name)
            else:
                plain[name] = items
        else:
            plain[name] = value
    return plain, dates, tuple(sorted(single)), tuple(sorted(lists))


def node_batches(
    nodes: Iterable[NodeRecord], allowed: Collection[str], batch_size: int
) -> Iterator[tuple[str, list[Row]]]:
    """(statement, rows) per group of nodes with the same labels and date properties."""
    groups: dict[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], list[Row]] = defaultdict(
        list
    )
    for node in nodes:
        plain, dates, single, lists = split_properties(node.properties)
        plain["id"] = node.id
        labels = tuple(dict.fromkeys((st.ROOT_LABEL, *node.labels)))
        groups[(labels, single, lists)].append({"id": node.id, "props": plain, "dates": dates})
    for (labels, single, lists), rows in groups.items():
        statement = st.upsert_nodes(labels, allowed, single, lists)
        for chunk in _chunks(rows, batch_size):
            yield statement, chunk


def rel_batches(
    rels: Iterable[RelRecord], allowed: Collection[str], batch_size: int
) -> Iterator[tuple[str, list[Row]]]:
    """(statement, rows) per group of relationships with the same type and date properties."""
    groups: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[Row]] = defaultdict(list)
    for rel in rels:
        plain, dates, single, lists = split_properties(rel.properties)
        groups[(rel.type, single, lists)].append(
            {
                "source": rel.source,
                "target": rel.target,
                "key": rel.key,
                "props": plain,
                "dates": dates,
            }
        )
    for (rel_type, single, lists), rows in groups.items():
        statement = st.upsert_relationships(rel_type, allowed, single, lists)
        for chunk in _chunks(rows, batch_size):
            yield statement, chunk


def too_many_rows(max_rows: int) -> ResultTooLarge:
    return ResultTooLarge(f"the result has more than {max_rows} rows")


def _chunks[T](items: Sequence[T], size: int) -> Iterator[list[T]]:
    if size < 1:
        raise ValueError("batch_size must be at least 1")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _first_int(rows: list[list[Any]]) -> int:
    return int(rows[0][0]) if rows and rows[0] else 0


# -- JSON-safe values -----------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    """Plain values made JSON-safe: dates as ISO strings, maps and lists converted inside.

    Engine objects (nodes, relationships, paths) are converted by the engine modules first.
    Non-finite floats become the strings `NaN`, `Infinity`, `-Infinity`.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    iso = getattr(value, "iso_format", None)
    if callable(iso):
        return str(iso())
    return str(value)


def node_json(node_id: Any, labels: Iterable[str], properties: Mapping[str, Any]) -> Row:
    return {
        "id": json_value(node_id),
        "labels": sorted(labels),
        "properties": {str(k): json_value(v) for k, v in sorted(properties.items())},
    }


def rel_json(rel_type: str, start: Any, end: Any, properties: Mapping[str, Any]) -> Row:
    return {
        "type": rel_type,
        "start": json_value(start),
        "end": json_value(end),
        "properties": {str(k): json_value(v) for k, v in sorted(properties.items())},
    }


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Counts",
    "CypherBackend",
    "QueryResult",
    "RelKey",
    "WriteSummary",
    "json_value",
    "node_batches",
    "node_json",
    "rel_batches",
    "rel_json",
    "split_properties",
    "too_many_rows",
]
