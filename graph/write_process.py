"""Writes in a process of their own, so that a large write never slows the readers down.

A write is Python work for most of its time (checking literals, grouping facts, updating the
read model), and a thread doing it in the server holds the interpreter's lock two thirds of the
time: readers on the event loop waited for it (a 150,000-triple PUT made REST reads wait up to
2 s). `casegraph serve` therefore hands every write to one child process, which owns the
primary store (the one writer) for the server's life:

    server                                   writer process
    ──────                                   ──────────────
    run(client_writes.write_graph, iri, …) ─▶ write_graph(workspace, iri, …)
                                         ◀── (result, version)  or the exception
    publish(version): readers move to it

The server opens the data directory read-only (snapshots and the read model). The function
named in a request must be one of `OPERATIONS`; its arguments and its result travel pickled
(a list of triples as N-Triples: pickling pyoxigraph terms one by one is 50 times slower).
An exception travels too, as itself when it pickles (LoadError keeps its file, line and
field), else as the nearest `CasegraphError` class with the same message.

If the writer dies (a crash, a kill), the request in flight fails with `BackendUnavailable`
and a new writer is started: opening the store undoes the interrupted write and repairs the
read model (`graph.workspace`), as a restart would. The writer exits within a fraction of a
second of the server's death, however the server died (it watches its parent process).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Final

import pyoxigraph as ox

from ontology import errors
from ontology.errors import BackendUnavailable, CasegraphError, StoreLocked

log = logging.getLogger("casegraph.store")

OPERATIONS: Final = frozenset(
    {
        "graph.client_writes.write_graph",
        "graph.client_writes.delete_graph",
        "graph.client_writes.create_graph",
        "graph.client_writes.apply_update",
        "graph.ingest.load",
        "graph.ingest.drop",
    }
)
"""The functions a writer runs: `f(workspace, *args, **kwargs)`."""

NICE: Final = 5
"""The writer's niceness: on a busy machine the readers get the processor first (a write
takes longer; a read does not wait behind it)."""

START_TIMEOUT_S: Final = 600.0
LOCK_WAIT_S: Final = 5.0
WATCH_S: Final = 0.2
"""How often the writer looks whether the server is still there."""
"""Opening may repair the read model after a crash (minutes on a large store)."""


class WriteProcess:
    """The server's writer (see the module doc). One write at a time: `run` is serialised."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.version = 0
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(str(self.data_dir), child, os.getpid()),
            name="casegraph-writer",
            daemon=True,
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent
        if not parent.poll(START_TIMEOUT_S):
            self._stop(kill=True)
            raise BackendUnavailable(f"the writer did not open {self.data_dir} in time")
        try:
            kind, value = parent.recv()
        except (EOFError, OSError):
            self._stop(kill=True)
            raise BackendUnavailable(
                f"the writer could not open {self.data_dir} (exit code {process.exitcode})"
            ) from None
        if kind == "error":
            self._stop(kill=True)
            raise _exception(value)
        self.version = int(value)

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
        """`fn(workspace, *args, **kwargs)` in the writer: (its result, the version after it)."""
        name = f"{fn.__module__}.{fn.__qualname__}"
        if name not in OPERATIONS:
            raise ValueError(f"{name} is not a write operation")
        with self._lock:
            conn = self._conn
            if conn is None or not self._process.is_alive():
                self._stop(kill=True)
                self._start()
                conn = self._conn
                assert conn is not None
            try:
                conn.send((name, _packed(args), kwargs))
                kind, value, version = conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                code = self._process.exitcode if self._process is not None else None
                self._stop(kill=True)
                with contextlib.suppress(CasegraphError):
                    self._start()  # undoes the interrupted write; a failure shows on the next
                raise BackendUnavailable(
                    f"the writer process ended during the write (exit code {code}); "
                    "the store is back at its last published version"
                ) from None
            self.version = int(version)
            if kind == "error":
                raise _exception(value)
            return value, self.version

    def _stop(self, *, kill: bool = False, timeout_s: float = 10.0) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            if not kill:
                with contextlib.suppress(OSError):
                    conn.send(None)
            conn.close()
        if process is not None:
            process.join(0 if kill else timeout_s)
            if process.is_alive():
                process.kill()
                process.join(5)

    def close(self, timeout_s: float = 10.0) -> None:
        """Let the writer finish the write in hand (up to `timeout_s`) and close the store."""
        if self._lock.acquire(timeout=timeout_s):
            try:
                self._stop(timeout_s=timeout_s)
            finally:
                self._lock.release()
        else:
            self._stop(kill=True)


class _Triples:
    """A list of triples on its way to the writer, as N-Triples."""

    def __init__(self, triples: Sequence[ox.Triple]) -> None:
        self.data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""

    def triples(self) -> list[ox.Triple]:
        return [q.triple for q in ox.parse(self.data, format=ox.RdfFormat.N_TRIPLES)]


def _packed(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        _Triples(a) if isinstance(a, list) and a and isinstance(a[0], ox.Triple) else a
        for a in args
    )


def _unpacked(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(a.triples() if isinstance(a, _Triples) else a for a in args)


def _portable(e: BaseException) -> BaseException:
    """`e` if it pickles, else the nearest `ontology.errors` class with the same message."""
    try:
        pickle.loads(pickle.dumps(e))  # noqa: S301 - our own bytes, from this process
        return e
    except Exception:
        for cls in type(e).__mro__:
            if cls.__module__ == errors.__name__ and issubclass(cls, CasegraphError):
                return cls(str(e))
        return CasegraphError(f"{type(e).__name__}: {e}")


def _exception(value: Any) -> BaseException:
    return value if isinstance(value, BaseException) else CasegraphError(str(value))


def _die_with_parent(parent: int) -> None:
    """Exit when the server is gone, and on Linux show as `casegraph-write` in `ps -o comm`.

    A watcher thread, not `PR_SET_PDEATHSIG`: that signal follows the *thread* that started
    the child, and the server starts its writer from a pool thread that may end any time."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").prctl(15, b"casegraph-write", 0, 0, 0)  # PR_SET_NAME

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_S)
        os._exit(1)  # the server died (however): an unfinished write is undone at next open

    threading.Thread(target=watch, name="casegraph-writer-watch", daemon=True).start()


def open_for_writing(data_dir: Path, wait_s: float = LOCK_WAIT_S) -> Any:
    """The workspace, opened for writing; a lock still held is waited for up to `wait_s`
    (the writer of a server that was just killed takes a moment to notice and exit)."""
    from graph.workspace import Workspace

    deadline = time.monotonic() + wait_s
    while True:
        try:
            return Workspace.open(data_dir)
        except StoreLocked:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _serve(data_dir: str, conn: Connection, parent: int) -> None:  # pragma: no cover - a child
    _die_with_parent(parent)
    with contextlib.suppress(OSError, AttributeError):
        os.nice(NICE)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops us, not the terminal
    from graph import faults

    faults.IN_WRITER = True
    try:
        workspace = open_for_writing(Path(data_dir))
    except BaseException as e:
        conn.send(("error", _portable(e)))
        return
    try:
        conn.send(("ready", workspace.store.version))
        while True:
            try:
                request = conn.recv()
            except EOFError:
                return
            if request is None:
                return
            name, args, kwargs = request
            module, _, function = name.rpartition(".")
            try:
                if name not in OPERATIONS:
                    raise ValueError(f"{name} is not a write operation")
                fn = getattr(importlib.import_module(module), function)
                result = fn(workspace, *_unpacked(args), **kwargs)
            except Exception as e:
                conn.send(("error", _portable(e), workspace.store.version))
            else:
                conn.send(("ok", result, workspace.store.version))
    finally:
        workspace.close()


__all__ = ["OPERATIONS", "WriteProcess", "open_for_writing"]
