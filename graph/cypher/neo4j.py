"""Neo4j through the official driver: one driver per backend, one session per call.

Reads run in `execute_read` on a session opened with `READ_ACCESS`, so Neo4j itself refuses a
write clause in a read-only query. The query timeout is the transaction timeout, set with
`neo4j.unit_of_work(timeout=...)` on the transaction function (a `neo4j.Query` timeout only
applies to auto-commit `session.run`). Writes run batch by batch, each in `execute_write`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ClassVar

import neo4j
from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import (
    AuthError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)
from neo4j.graph import Node, Path, Relationship

from graph.cypher import neo4j_bulk
from graph.cypher import statements as st
from graph.cypher.base import (
    CLEAR_BATCH_SIZE,
    DEFAULT_BATCH_SIZE,
    CypherBackend,
    QueryResult,
    WriteSummary,
    json_value,
    node_json,
    rel_json,
    too_many_rows,
)
from graph.errors import BackendUnavailable, QueryError, QueryTimeout
from graph.records import NodeRecord, Projection, RelRecord

CONNECTION_TIMEOUT_S = 10.0
DEFAULT_BULK_BATCH = neo4j_bulk.DEFAULT_BATCH_SIZE
DEFAULT_BULK_WORKERS = 2


class Neo4jBackend(CypherBackend):
    """A Neo4j 5 database reached over Bolt (`bolt://` or `neo4j://`)."""

    name: ClassVar[str] = "neo4j"

    def __init__(
        self,
        uri: str,
        user: str,
        password: str,
        database: str = "neo4j",
        *,
        connection_timeout_s: float = CONNECTION_TIMEOUT_S,
        labels: Collection[str] | None = None,
        rel_types: Collection[str] | None = None,
    ) -> None:
        super().__init__(labels=labels, rel_types=rel_types)
        self.uri = uri
        self.database = database
        try:
            self._driver = GraphDatabase.driver(
                uri,
                auth=(user, password),
                connection_timeout=connection_timeout_s,
                # The server's hints ("label does not exist" before the first sync) would
                # otherwise be logged as warnings on every query that meets an empty graph.
                notifications_min_severity="OFF",
            )
        except (DriverError, ValueError) as e:
            raise BackendUnavailable(f"Neo4j at {uri}: {e}") from e
        try:
            self._driver.verify_connectivity()
        except (ServiceUnavailable, SessionExpired, AuthError, OSError) as e:
            self._driver.close()
            raise BackendUnavailable(f"Neo4j at {uri}: {_message(e)}") from e
        except (Neo4jError, DriverError) as e:
            self._driver.close()
            raise BackendUnavailable(f"Neo4j at {uri}: {_message(e)}") from e

    def ensure_schema(self) -> None:
        for statement in st.NEO4J_SCHEMA:
            self._write(statement, {})
        self._write(st.NEO4J_AWAIT_INDEXES, {})

    def _write(self, statement: str, params: Mapping[str, Any]) -> list[list[Any]]:
        def work(tx: ManagedTransaction) -> list[list[Any]]:
            return [list(values) for values in tx.run(statement, dict(params)).values()]

        return self._session_call(work, read_only=False)

    def query(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        *,
        read_only: bool = True,
        timeout_s: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        @neo4j.unit_of_work(timeout=timeout_s)
        def work(tx: ManagedTransaction) -> QueryResult:
            result = tx.run(cypher, dict(params or {}))
            columns = list(result.keys())
            rows: list[list[Any]] = []
            for record in result:
                if max_rows is not None and len(rows) >= max_rows:
                    raise too_many_rows(max_rows)  # stop reading: the rest is never fetched
                rows.append(list(record.values()))
            ids = _NodeIds()
            for row in rows:
                for value in row:
                    ids.scan(value)
            ids.resolve(tx)
            return QueryResult(columns, [[ids.convert(v) for v in row] for row in rows])

        return self._session_call(work, read_only=read_only)

    def write(self, projection: Projection, batch_size: int = DEFAULT_BATCH_SIZE) -> WriteSummary:
        """Upsert the nodes, then the relationships, in batches of `batch_size` rows.

        Two statements whatever the labels and types (Neo4j 5.26's dynamic labels and types),
        so a first incremental sync plans two queries, not one per label set and type; values
        travel native (dates as dates), as in the bulk path. Every label and type is checked
        before anything runs.
        """
        node_rows = neo4j_bulk.upsert_node_rows(projection.nodes, self.labels)
        rel_rows = neo4j_bulk.upsert_relationship_rows(projection.relationships, self.rel_types)
        for statement, rows in (
            (st.NEO4J_UPSERT_NODES, node_rows),
            (st.NEO4J_UPSERT_RELATIONSHIPS, rel_rows),
        ):
            for start in range(0, len(rows), batch_size):
                self._write(statement, {"rows": rows[start : start + batch_size]})
        return WriteSummary(len(node_rows), len(rel_rows))

    def replace_all(
        self,
        nodes: Iterable[NodeRecord],
        relationships: Iterable[RelRecord],
        *,
        batch_size: int = DEFAULT_BULK_BATCH,
        workers: int = DEFAULT_BULK_WORKERS,
    ) -> WriteSummary:
        """Replace the database's graph: CREATE the records in `UNWIND` batches (no MERGE)
        while the old graph is deleted beside them.

        The schema is dropped first and built again at the end, once, over the whole graph
        (an index kept up to date through every delete and create costs more). Without the
        uniqueness constraint the new nodes can be written while the old ones, listed by
        internal id before the first write, are deleted in a thread of their own: the two
        touch no node in common, and Neo4j reuses an id only once its node is deleted. Node
        batches return the new nodes' internal ids, and relationship batches find their
        endpoints by them. Nodes are all written before the first relationship batch starts;
        within each phase `workers` transactions run at once (a deadlock between two
        relationship batches is a transient error, which `execute_write` retries).

        Not atomic (Neo4j Community has one user database): a crash part-way leaves part of
        the old and new graphs, perhaps without the constraint, which the sync's state
        handling turns into a full sync next time.
        """
        for statement in st.NEO4J_DROP_SCHEMA:
            self._write(statement, {})
        old: list[int] = self._write(st.NODE_INTERNAL_IDS, {})[0][0]
        with ThreadPoolExecutor(1, thread_name_prefix="casegraph-neo4j-clear") as clearing:
            cleared = clearing.submit(self._delete_internal, old)
            internal: dict[str, int] = {}
            node_work = neo4j_bulk.node_batches(nodes, self.labels, batch_size)
            for rows, created in self._pipelined(node_work, self._create_nodes, workers):
                neo4j_bulk.remember(rows, created, internal)
            rel_work = neo4j_bulk.relationship_batches(
                relationships, self.rel_types, internal, batch_size
            )
            created_rels = sum(n for _, n in self._pipelined(rel_work, self._create_rels, workers))
            cleared.result()
        self.ensure_schema()
        return WriteSummary(len(internal), created_rels)

    def _delete_internal(self, ids: list[int]) -> None:
        for start in range(0, len(ids), CLEAR_BATCH_SIZE):
            self._write(st.DELETE_BY_INTERNAL_ID, {"ids": ids[start : start + CLEAR_BATCH_SIZE]})

    def _pipelined[R](
        self,
        work: Iterable[tuple[str, list[Any]]],
        run: Callable[[str, list[Any]], R],
        workers: int,
    ) -> Iterator[tuple[list[Any], R]]:
        """(rows, `run`'s result) of each batch, in order, `workers` batches in flight at once
        (at most `workers` waiting), so the driver encodes one batch while the server writes
        another."""
        if workers <= 1:
            for statement, rows in work:
                yield rows, run(statement, rows)
            return
        with ThreadPoolExecutor(workers, thread_name_prefix="casegraph-neo4j-bulk") as pool:
            running: deque[tuple[list[Any], Future[R]]] = deque()
            for statement, rows in work:
                running.append((rows, pool.submit(run, statement, rows)))
                if len(running) >= workers:
                    done, future = running.popleft()
                    yield done, future.result()
            while running:
                done, future = running.popleft()
                yield done, future.result()

    def _create_nodes(self, statement: str, rows: list[Any]) -> list[int]:
        def work(tx: ManagedTransaction) -> list[int]:
            ids: list[int] = tx.run(statement, {"rows": rows}).single(strict=True)[0]
            return ids

        return self._session_call(work, read_only=False)

    def _create_rels(self, statement: str, rows: list[Any]) -> int:
        def work(tx: ManagedTransaction) -> int:
            return int(tx.run(statement, {"rows": rows}).consume().counters.relationships_created)

        return self._session_call(work, read_only=False)

    def _session_call[T](self, work: Callable[[ManagedTransaction], T], *, read_only: bool) -> T:
        mode = neo4j.READ_ACCESS if read_only else neo4j.WRITE_ACCESS
        try:
            with self._driver.session(database=self.database, default_access_mode=mode) as s:
                result: T = s.execute_read(work) if read_only else s.execute_write(work)
                return result
        except (ServiceUnavailable, SessionExpired, AuthError) as e:
            raise BackendUnavailable(f"Neo4j at {self.uri}: {_message(e)}") from e
        except Neo4jError as e:
            if "TransactionTimedOut" in (e.code or ""):
                raise QueryTimeout(f"Neo4j: {_message(e)}") from e
            raise QueryError(f"Neo4j: {_message(e)}") from e
        except DriverError as e:
            raise QueryError(f"Neo4j: {_message(e)}") from e
        except ValueError as e:  # the driver cannot encode these parameters (or this text)
            raise QueryError(f"Neo4j: cannot send the query: {e}") from e

    def close(self) -> None:
        self._driver.close()


def _message(e: Exception) -> str:
    if isinstance(e, Neo4jError):
        code = e.code or ""
        return f"{e.message} ({code})" if code else str(e.message or e)
    return str(e) or type(e).__name__


class _NodeIds:
    """Maps element ids of relationship endpoints to casegraph ids."""

    def __init__(self) -> None:
        self.known: dict[str, Any] = {}
        self.wanted: set[str] = set()

    def scan(self, value: Any) -> None:
        if isinstance(value, Node):
            if "id" in value:
                self.known[value.element_id] = value["id"]
        elif isinstance(value, Relationship):
            for node in (value.start_node, value.end_node):
                if node is not None:
                    self.scan(node)
                    self.wanted.add(node.element_id)
        elif isinstance(value, Path):
            for item in (*value.nodes, *value.relationships):
                self.scan(item)
        elif isinstance(value, list):
            for item in value:
                self.scan(item)
        elif isinstance(value, dict):
            for item in value.values():
                self.scan(item)

    def resolve(self, tx: ManagedTransaction) -> None:
        missing = sorted(self.wanted - set(self.known))
        if missing:
            for record in tx.run(st.NODE_IDS_BY_ELEMENT_ID, {"ids": missing}):
                self.known[record["internal"]] = record["id"]

    def _id(self, node: Node | None) -> Any:
        return None if node is None else self.known.get(node.element_id)

    def convert(self, value: Any) -> Any:
        if isinstance(value, Node):
            props = dict(value.items())
            return node_json(props.get("id"), value.labels, props)
        if isinstance(value, Relationship):
            return rel_json(
                value.type, self._id(value.start_node), self._id(value.end_node), dict(value)
            )
        if isinstance(value, Path):
            return {
                "nodes": [self.convert(n) for n in value.nodes],
                "relationships": [self.convert(r) for r in value.relationships],
            }
        if isinstance(value, list):
            return [self.convert(v) for v in value]
        if isinstance(value, dict):
            return {str(k): self.convert(v) for k, v in value.items()}
        return json_value(value)


__all__ = ["Neo4jBackend"]
