"""FalkorDB embedded: the `casegraph` graph on a `redis-server` child (`falkordb_server.py`).

Queries run with `GRAPH.QUERY` / `GRAPH.RO_QUERY` through the falkordb client; the engine's
per-query bounds (memory, default and maximum deadline) are the `EngineLimits` the server was
started with. `restart()` replaces a stuck server (see `EmbeddedFalkorDB.restart`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import redis
from falkordb import FalkorDB
from falkordb.edge import Edge
from falkordb.node import Node
from falkordb.path import Path as FalkorPath

from graph.cypher import statements as st
from graph.cypher.base import (
    CypherBackend,
    QueryResult,
    WriteSummary,
    json_value,
    node_json,
    rel_json,
    too_many_rows,
)
from graph.cypher.falkordb_bulk import DEFAULT_CALL_BYTES, bulk_load, date_statements
from graph.cypher.falkordb_server import (
    SAVE_TIMEOUT_S,
    STOP_TIMEOUT_S,
    EmbeddedFalkorDB,
    EngineLimits,
    binaries,
    no_retry,
)
from graph.errors import BackendUnavailable, QueryError, QueryTimeout
from graph.records import NodeRecord, RelRecord

log = logging.getLogger("casegraph.cypher")

GRAPH_NAME = "casegraph"
BULK_SUFFIX = "__bulk"
"""A full sync builds `<graph>__bulk` and renames it over `<graph>`."""
SOCKET_TIMEOUT_S = 600.0
"""Client socket timeout: far above redis-py's usual few seconds, which break large batches."""
TIMED_OUT = "Query timed out"
"""FalkorDB's message when a query passes its TIMEOUT."""
SCHEMA_TIMEOUT_S = 60.0
"""How long a schema statement may take. Index and constraint creation answer at once (FalkorDB
fills them in the background), so a statement unanswered this long has met a stuck engine: a
fresh server that did not answer its first `CREATE INDEX` once kept a CI run waiting for its
600 s timeout. On start-up the server is then restarted and the schema tried again."""


class FalkorDBBackend(CypherBackend):
    """The embedded FalkorDB graph `casegraph` in `<data_dir>/falkordb`."""

    name: ClassVar[str] = "falkordb"

    def __init__(
        self,
        path: Path,
        *,
        graph: str = GRAPH_NAME,
        socket_timeout_s: float = SOCKET_TIMEOUT_S,
        schema_timeout_s: float = SCHEMA_TIMEOUT_S,
        labels: Collection[str] | None = None,
        rel_types: Collection[str] | None = None,
        limits: EngineLimits | None = None,
    ) -> None:
        super().__init__(labels=labels, rel_types=rel_types)
        self.server = EmbeddedFalkorDB(path, limits=limits)
        self.server.start()
        self.socket_timeout_s = socket_timeout_s
        self.schema_timeout_s = schema_timeout_s
        self._schema_db: FalkorDB | None = None
        """A second client whose socket timeout is `schema_timeout_s` (made on first use)."""
        self.graph_name = graph
        try:
            self._connect()
        except BaseException:
            self.server.stop()
            raise

    @property
    def limits(self) -> EngineLimits:
        return self.server.limits

    def _connect(self) -> None:
        self._db = self._client(self.socket_timeout_s)
        self._graph = self._db.select_graph(self.graph_name)
        if self._exists():
            return
        # Creating the schema creates the graph key (read-only queries fail without it).
        try:
            self.ensure_schema()
        except _SchemaTimeout as e:
            log.warning("FalkorDB: %s; restarting the server and trying again", e)
            self._close_clients()
            self.server.restart(save_timeout_s=5.0)  # an empty graph: nothing to lose
            self._db = self._client(self.socket_timeout_s)
            self._graph = self._db.select_graph(self.graph_name)
            self.ensure_schema()

    def _close_clients(self) -> None:
        self._db.connection.close()
        if self._schema_db is not None:
            self._schema_db.connection.close()
            self._schema_db = None

    def _client(self, socket_timeout_s: float) -> FalkorDB:
        assert self.server.socket_path is not None
        return FalkorDB(
            unix_socket_path=str(self.server.socket_path),
            socket_timeout=socket_timeout_s,
            socket_connect_timeout=10,
            retry=no_retry(),
        )

    def restart(self, *, save_timeout_s: float = SAVE_TIMEOUT_S) -> bool:
        """Kill the (possibly hung) server and start it again on the same folder; reconnect.

        True when the graph was saved first and is as it was; False when it restarted from
        the last save of `graph.rdb`, so writes since then may be lost and the engine must be
        rebuilt (`graph.sync.sync(model, backend, full=True)`; the sync marker, kept in the same
        Redis save, falls back with the data, so a plain sync repairs it too).
        """
        self._close_clients()
        saved = self.server.restart(save_timeout_s=save_timeout_s)
        self._connect()
        return saved

    def sync_marker(self) -> tuple[int, str, str] | None:
        """The marker lives in a Redis key beside the graph, saved in the same RDB file."""
        try:
            raw = self._db.connection.hgetall(f"casegraph:sync:{self._graph.name}")
        except redis.RedisError as e:
            raise BackendUnavailable(f"FalkorDB: {e}") from e
        if not raw:
            return None
        data = {
            (k.decode() if isinstance(k, bytes) else str(k)): (
                v.decode() if isinstance(v, bytes) else str(v)
            )
            for k, v in raw.items()
        }
        return int(data["version"]), data["state"], data["store"]

    def set_sync_marker(self, version: int, state: str, store: str) -> None:
        try:
            self._db.connection.hset(
                f"casegraph:sync:{self._graph.name}",
                mapping={"version": str(version), "state": state, "store": store},
            )
        except redis.RedisError as e:
            raise BackendUnavailable(f"FalkorDB: {e}") from e

    def _exists(self) -> bool:
        try:
            return bool(self._db.connection.exists(self._graph.name))
        except redis.RedisError as e:
            raise BackendUnavailable(f"FalkorDB: {e}") from e

    def ensure_schema(self) -> None:
        """Create the indexes and the unique constraint (what exists already is left), each
        statement bounded by `schema_timeout_s`."""
        self._ensure_schema_on(self._graph.name)

    def replace_all(
        self,
        nodes: Iterable[NodeRecord],
        relationships: Iterable[RelRecord],
        *,
        max_call_bytes: int = DEFAULT_CALL_BYTES,
    ) -> WriteSummary:
        """Build the graph anew with GRAPH.BULK under a new key, then swap it in with RENAME.

        The records stream into `<graph>__bulk` (dropped first if a crash left it); its ISO
        date strings become dates, the indexes and the constraint are created, and one RENAME
        replaces the old graph atomically. A crash before the RENAME leaves the old graph as
        it was.
        """
        temp = f"{self._graph.name}{BULK_SUFFIX}"
        connection = self._db.connection
        try:
            connection.delete(temp)
            load = bulk_load(
                connection.execute_command,
                temp,
                nodes,
                relationships,
                labels=self.labels,
                rel_types=self.rel_types,
                max_call_bytes=max_call_bytes,
            )
            graph = self._db.select_graph(temp)
            for statement, params in date_statements(load, self.rel_types):
                graph.query(statement, params)
            self._ensure_schema_on(temp)
            connection.rename(temp, self._graph.name)
            # The client caches label, type and property names by the graph's own ids; the new
            # graph numbers them afresh.
            self._graph = self._db.select_graph(self._graph.name)
        except redis.ResponseError as e:
            raise QueryError(f"FalkorDB: {e}") from e
        except redis.RedisError as e:
            raise BackendUnavailable(f"FalkorDB: {e}") from e
        return WriteSummary(load.nodes, load.relationships)

    def _ensure_schema_on(self, name: str) -> None:
        """`ensure_schema` on a graph key of this server (the bulk key before its rename)."""
        if self._schema_db is None:
            try:
                self._schema_db = self._client(self.schema_timeout_s)  # it asks the server INFO
            except redis.TimeoutError as e:
                raise _SchemaTimeout(f"no answer within {self.schema_timeout_s:g} s") from e
            except redis.RedisError as e:
                raise BackendUnavailable(f"FalkorDB: {e}") from e
        client = self._schema_db
        graph = client.select_graph(name)
        for statement in st.FALKORDB_INDEXES:
            self._schema(graph.query, statement)
        for label, prop in st.FALKORDB_UNIQUE:
            self._schema(
                client.connection.execute_command,
                *("GRAPH.CONSTRAINT", "CREATE", name, "UNIQUE", "NODE", label),
                *("PROPERTIES", 1, prop),
            )

    def _schema(self, run: Callable[..., object], *args: object) -> None:
        try:
            run(*args)
        except redis.ResponseError as e:
            if not any(text in str(e) for text in st.FALKORDB_ALREADY):
                raise QueryError(f"FalkorDB: {e}") from e
        except redis.TimeoutError as e:
            raise _SchemaTimeout(
                f"no answer to {' '.join(map(str, args))!r} within {self.schema_timeout_s:g} s"
            ) from e
        except redis.RedisError as e:
            raise BackendUnavailable(f"FalkorDB: {e}") from e

    def _run(
        self, cypher: str, params: Mapping[str, Any] | None, read_only: bool, timeout_ms: int | None
    ) -> Any:
        run = self._graph.ro_query if read_only else self._graph.query
        timeout_ms = self.limits.clamp_timeout_ms(timeout_ms)
        try:
            return run(cypher, dict(params or {}), timeout=timeout_ms)
        except redis.ResponseError as e:
            if TIMED_OUT in str(e):
                raise QueryTimeout(f"FalkorDB: {e} (after {timeout_ms} ms)") from e
            raise QueryError(f"FalkorDB: {e}") from e
        except redis.TimeoutError as e:
            raise QueryError(
                f"FalkorDB: no answer within the socket timeout ({self.socket_timeout_s} s)"
            ) from e
        except redis.RedisError as e:
            raise BackendUnavailable(f"FalkorDB: {e}") from e
        except ValueError as e:  # the client cannot write these parameters (or this text)
            raise QueryError(f"FalkorDB: cannot send the query: {e}") from e

    def _write(self, statement: str, params: Mapping[str, Any]) -> list[list[Any]]:
        return [list(row) for row in self._run(statement, params, False, None).result_set]

    def query(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        *,
        read_only: bool = True,
        timeout_s: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        timeout_ms = max(1, round(timeout_s * 1000)) if timeout_s is not None else None
        result = self._run(cypher, params, read_only, timeout_ms)
        if max_rows is not None and len(result.result_set) > max_rows:
            raise too_many_rows(max_rows)  # the reply is whole already: no conversion at least
        columns = [str(h[1]) for h in result.header]
        ids = _NodeIds(self)
        for row in result.result_set:
            for value in row:
                ids.scan(value)
        ids.resolve()
        return QueryResult(columns, [[ids.convert(v) for v in row] for row in result.result_set])

    def close(self, *, stop_timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Close the connection and stop the server (killed after `stop_timeout_s`)."""
        try:
            self._close_clients()
        finally:
            self.server.stop(stop_timeout_s)


class _NodeIds:
    """Maps FalkorDB's internal node ids (relationship endpoints) to casegraph ids."""

    def __init__(self, backend: FalkorDBBackend) -> None:
        self.backend = backend
        self.known: dict[int, Any] = {}
        self.wanted: set[int] = set()

    def scan(self, value: Any) -> None:
        if isinstance(value, Node):
            self.known[value.id] = (value.properties or {}).get("id")
        elif isinstance(value, Edge):
            self.wanted.update(_endpoint(e) for e in (value.src_node, value.dest_node))
        elif isinstance(value, FalkorPath):
            for item in (*value.nodes(), *value.edges()):
                self.scan(item)
        elif isinstance(value, list):
            for item in value:
                self.scan(item)
        elif isinstance(value, dict):
            for item in value.values():
                self.scan(item)

    def resolve(self) -> None:
        missing = sorted(self.wanted - set(self.known))
        if missing:
            result = self.backend._run(st.NODE_IDS_BY_INTERNAL_ID, {"ids": missing}, True, None)
            self.known.update({int(internal): cg_id for internal, cg_id in result.result_set})

    def convert(self, value: Any) -> Any:
        if isinstance(value, Node):
            props = value.properties or {}
            return node_json(props.get("id"), value.labels or [], props)
        if isinstance(value, Edge):
            return rel_json(
                str(value.relation),
                self.known.get(_endpoint(value.src_node)),
                self.known.get(_endpoint(value.dest_node)),
                value.properties or {},
            )
        if isinstance(value, FalkorPath):
            return {
                "nodes": [self.convert(n) for n in value.nodes()],
                "relationships": [self.convert(e) for e in value.edges()],
            }
        if isinstance(value, list):
            return [self.convert(v) for v in value]
        if isinstance(value, dict):
            return {str(k): self.convert(v) for k, v in value.items()}
        return json_value(value)


class _SchemaTimeout(BackendUnavailable):
    """A schema statement got no answer within the backend's `schema_timeout_s`."""


def _endpoint(node: Node | int) -> int:
    return int(node.id) if isinstance(node, Node) else int(node)


__all__ = ["GRAPH_NAME", "EmbeddedFalkorDB", "EngineLimits", "FalkorDBBackend", "binaries"]
