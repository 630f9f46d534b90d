"""SPARQL queries in supervised worker processes: a deadline that really ends the work.

pyoxigraph cannot cancel a query, and some inputs make it crash. So queries run in a few
worker processes, each with its own read-only snapshot of the store (reopened when a write
publishes a newer version). The server hands a worker the query and a deadline; a worker
that has not answered by then is killed (SIGKILL) and replaced, and the client gets a
timeout. A worker that dies (a crash in the engine) is replaced too; the server never does.

A worker serialises results itself (pyoxigraph's own serialisers, into bytes), and sends them
in one message when they are small, or as a stream of chunks, so a large result never sits in
memory whole. A result over `max_bytes` ends the query with `ResultTooLarge`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ontology.errors import BackendUnavailable, QueryError, QueryTimeout, ResultTooLarge

INLINE_BYTES = 1 << 20
"""Results up to this size come back in one message."""
CHUNK_BYTES = 1 << 18


class WorkerCrashed(QueryError):
    """The worker running the query died (the engine crashed on it)."""


@dataclass(frozen=True, slots=True)
class Job:
    """One SPARQL query for a worker."""

    query: str
    result_format: str
    """A `pyoxigraph.QueryResultsFormat` or `RdfFormat` attribute name, e.g. "JSON", "TURTLE"."""
    graph_format: str
    base_iri: str | None = None
    default_graphs: tuple[str, ...] | None = None
    """None: the union of every graph; else these graphs ("" is the store's default graph)."""
    named_graphs: tuple[str, ...] | None = None
    union: bool = True
    """With no graphs given: the union of every graph as the default graph (else the query's
    own `FROM`)."""
    max_bytes: int = 0
    """0: no cap."""


@dataclass(frozen=True, slots=True)
class Answer:
    """The start of a worker's answer: the result kind and its first bytes."""

    kind: str
    """`solutions`, `boolean` or `triples`."""
    data: bytes
    complete: bool


# -- the worker process ---------------------------------------------------------------------------


def _worker(conn: Connection, snapshots_dir: str) -> None:  # pragma: no cover - in a child
    import pyoxigraph as ox

    from graph.snapshots import Layout, open_snapshot
    from ontology.namespaces import PREFIXES

    layout = Layout(Path(snapshots_dir).parent / "oxigraph")
    version: int | None = None
    store: Any = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        wanted, job = message
        try:
            if store is None or wanted != version:
                store = None
                version, store = open_snapshot(layout, wanted)
            _run(ox, store, job, conn, PREFIXES)
        except Exception as e:
            kind = type(e).__name__
            text = str(e)
            if isinstance(e, SyntaxError):
                kind = "SyntaxError"
            conn.send(("error", kind, text))


def _run(ox: Any, store: Any, job: Job, conn: Connection, prefixes: dict[str, str]) -> None:
    kwargs: dict[str, Any] = {"prefixes": prefixes, "base_iri": job.base_iri}
    if job.default_graphs is None and job.named_graphs is None:
        kwargs["use_default_graph_as_union"] = job.union
    else:
        kwargs["default_graph"] = [
            ox.NamedNode(g) if g else ox.DefaultGraph() for g in job.default_graphs or ()
        ]
        if job.named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    result = store.query(job.query, **kwargs)
    if isinstance(result, ox.QueryTriples):
        kind, fmt = "triples", getattr(ox.RdfFormat, job.graph_format)
    elif isinstance(result, ox.QueryBoolean):
        conn.send(
            (
                "done",
                "boolean",
                result.serialize(format=getattr(ox.QueryResultsFormat, job.result_format)),
            )
        )
        return
    else:
        kind, fmt = "solutions", getattr(ox.QueryResultsFormat, job.result_format)
    writer = _Writer(conn, kind, job.max_bytes)
    if kind == "triples":
        ox.serialize(
            result, writer, fmt, prefixes=prefixes if job.graph_format == "TURTLE" else None
        )
    else:
        result.serialize(writer, fmt)
    writer.close()


class _Writer:  # pragma: no cover - in a child
    """Sends what pyoxigraph writes: whole when small, else as chunks (see the module doc)."""

    def __init__(self, conn: Connection, kind: str, cap: int) -> None:
        self.conn, self.kind, self.cap = conn, kind, cap
        self.buffer = bytearray()
        self.total = 0
        self.streaming = False

    def write(self, data: bytes) -> int:
        self.total += len(data)
        if self.cap and self.total > self.cap:
            raise ResultTooLarge(f"the result is larger than {self.cap:,} bytes")
        self.buffer += data
        limit = CHUNK_BYTES if self.streaming else INLINE_BYTES
        if len(self.buffer) >= limit:
            self.conn.send(("chunk", self.kind, bytes(self.buffer)))
            self.buffer.clear()
            self.streaming = True
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self.conn.send(("done", self.kind, bytes(self.buffer)))


# -- the supervisor ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Slot:
    process: Any
    conn: Connection
    busy: bool = False
    started: float = field(default_factory=time.monotonic)


class QueryWorkers:
    """A pool of SPARQL worker processes for one data directory (see the module doc)."""

    def __init__(self, data_dir: Path, workers: int = 2) -> None:
        self.snapshots_dir = str(data_dir / "snapshots")
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.SimpleQueue[_Slot] = queue.SimpleQueue()
        self._slots: list[_Slot] = []
        self._lock = threading.Lock()
        self._closed = False
        self.killed = 0
        self.crashed = 0
        for _ in range(workers):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Slot:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker, args=(child, self.snapshots_dir), daemon=True, name="casegraph-sparql"
        )
        process.start()
        child.close()
        slot = _Slot(process, parent)
        with self._lock:
            self._slots.append(slot)
        return slot

    def _retire(self, slot: _Slot, *, kill: bool) -> None:
        with self._lock:
            if slot in self._slots:
                self._slots.remove(slot)
        if kill and slot.process.is_alive():
            slot.process.kill()
        with contextlib.suppress(Exception):
            slot.process.join(timeout=5)
        with contextlib.suppress(Exception):
            slot.conn.close()
        if not self._closed:
            self._idle.put(self._spawn())

    def run(self, job: Job, version: int, deadline: float) -> tuple[Answer, Iterator[bytes]]:
        """Start `job` on a worker; the first part of the answer, and an iterator of the rest.

        Raises `QueryTimeout` at the deadline (the worker is killed), `QueryError` for a bad
        query, `ResultTooLarge`, or `WorkerCrashed` — from here or, once the answer streams,
        from the iterator (so a result cut short never looks whole). Iterate the rest to the
        end (or close it) so the worker returns to the pool.
        """
        if self._closed:
            raise BackendUnavailable("the SPARQL workers are shut down")
        try:
            slot = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryTimeout("every SPARQL worker is busy; try again") from None
        try:
            slot.conn.send((version, job))
            first = self._receive(slot, deadline)
        except BaseException:
            raise
        if first[0] == "done":
            self._idle.put(slot)
            return Answer(first[1], first[2], True), iter(())
        return Answer(first[1], first[2], False), self._rest(slot, deadline)

    def _receive(self, slot: _Slot, deadline: float) -> tuple[Any, ...]:
        remaining = deadline - time.monotonic()
        try:
            ready = remaining > 0 and slot.conn.poll(remaining)
        except (EOFError, OSError):
            ready = True
        if not ready:
            self.killed += 1
            self._retire(slot, kill=True)
            raise QueryTimeout("the query did not finish in time and was stopped")
        try:
            message = slot.conn.recv()
        except (EOFError, OSError):
            self.crashed += 1
            self._retire(slot, kill=True)
            raise WorkerCrashed(
                "the query engine crashed on this query (it was stopped; the server is fine)"
            ) from None
        if message[0] == "error":
            self._idle.put(slot)
            _kind, name, text = message
            if name == "ResultTooLarge":
                raise ResultTooLarge(text)
            if name == "SyntaxError":
                raise QueryError(f"SPARQL syntax error: {text}")
            raise QueryError(f"SPARQL query failed: {text}")
        return tuple(message)

    def _rest(self, slot: _Slot, deadline: float) -> Iterator[bytes]:
        finished = False
        try:
            while True:
                message = self._receive(slot, deadline)
                yield message[2]
                if message[0] == "done":
                    finished = True
                    self._idle.put(slot)
                    return
        except QueryError:
            finished = True  # `_receive` has put the worker back or replaced it
            raise  # the caller must not mistake a cut result for a whole one
        finally:
            if not finished:
                # Abandoned mid-stream: the worker may still be writing; replace it.
                self._retire(slot, kill=True)

    def processes(self) -> list[int]:
        with self._lock:
            return [slot.process.pid for slot in self._slots]

    def close(self, timeout_s: float = 2.0) -> None:
        """Ask every worker to stop; kill those still running (a query) after `timeout_s`."""
        self._closed = True
        with self._lock:
            slots = list(self._slots)
        for slot in slots:
            with contextlib.suppress(Exception):
                slot.conn.send(None)
        deadline = time.monotonic() + timeout_s
        for slot in slots:
            slot.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(timeout=2)


def cpu_count() -> int:
    return max(1, min(4, os.cpu_count() or 1))


__all__ = [
    "Answer",
    "Job",
    "QueryTimeout",
    "QueryWorkers",
    "ResultTooLarge",
    "WorkerCrashed",
]
