"""What routes receive: the app's state and the resources in it, handed out by yield dependencies.

The store is shared by every request, guarded by a readers-writer lock: reads run concurrently
(Oxigraph reads are thread-safe and release the GIL), a write (SPARQL update, Graph Store
write) waits for the readers, then recomputes the derived graph, the catalog and the Cypher
projection while no reader can see a half-done state.
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request

from api.catalog import Catalog
from api.problems import Forbidden, Unauthorized
from api.settings import Settings
from graph.store import Store
from ontology.errors import BackendUnavailable, StoreLocked

T = TypeVar("T")


class RWLock:
    """Many readers or one writer; a waiting writer holds back new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    self._cond.notify_all()

    @contextlib.contextmanager
    def write(self, timeout_s: float) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            try:
                ok = self._cond.wait_for(
                    lambda: not self._writer and self._readers == 0, timeout=timeout_s
                )
            finally:
                self._waiting_writers -= 1
            if not ok:
                self._cond.notify_all()
                raise BackendUnavailable(
                    f"the store is busy: a write waited {timeout_s:g} s for running queries"
                )
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class QueryPool:
    """A few daemon threads that run SPARQL queries.

    pyoxigraph cannot cancel a query, so a request that times out abandons its query, which runs
    on to its end here. Daemon threads (unlike `ThreadPoolExecutor`'s, which the interpreter
    joins at exit) let the server stop even while such a query is still running.
    """

    def __init__(self, workers: int = 4) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            queue.SimpleQueue()
        )
        self._threads = [
            threading.Thread(target=self._work, name=f"sparql-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((future, functools.partial(fn, *args)))
        return future

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, call = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as e:
                future.set_exception(e)

    def shutdown(self) -> None:
        for _thread in self._threads:
            self._jobs.put(None)


@dataclass(slots=True)
class AppState:
    """Everything the lifespan opens; one per app."""

    settings: Settings
    store: Store
    catalog: Catalog
    lock: RWLock = field(default_factory=RWLock)
    sparql_pool: QueryPool = field(default_factory=QueryPool)
    visible: list[Any] = field(default_factory=list)
    """The graphs SPARQL queries see, as of the last completed write (ox.NamedNode)."""
    cypher: Any = None
    """The configured `graph.cypher` backend, or None when it could not be opened."""
    cypher_error: str | None = None
    sync_backends: list[Any] = field(default_factory=list)


def get_state(request: Request) -> AppState:
    state = request.app.state.casegraph
    assert isinstance(state, AppState)
    return state


State = Annotated[AppState, Depends(get_state)]


def reading(state: State) -> Iterator[AppState]:
    """The state, with the store held for reading until the response is built."""
    with state.lock.read():
        yield state


Reading = Annotated[AppState, Depends(reading)]


def check_write_token(state: AppState, authorization: str | None) -> None:
    """Writes need `Authorization: Bearer <CASEGRAPH_WRITE_TOKEN>`; none configured: no writes."""
    token = state.settings.write_token
    if authorization is None or not authorization.strip():
        raise Unauthorized("this operation writes: send Authorization: Bearer <token>")
    scheme, _, given = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorized("use the Bearer scheme: Authorization: Bearer <token>")
    if token is None or not token.get_secret_value():
        raise Forbidden("writes are disabled: the server has no CASEGRAPH_WRITE_TOKEN")
    if not hmac.compare_digest(given.strip().encode(), token.get_secret_value().encode()):
        raise Forbidden("the token is not valid for writes")
    if state.store.read_only:
        raise StoreLocked(
            "this server opened the store read-only (several workers); "
            "run one worker to accept writes"
        )


def require_write_token(
    state: State,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    """The dependency form of `check_write_token`."""
    check_write_token(state, authorization)


WriteAllowed = Annotated[None, Depends(require_write_token)]


__all__ = [
    "AppState",
    "QueryPool",
    "RWLock",
    "Reading",
    "State",
    "WriteAllowed",
    "check_write_token",
    "get_state",
    "reading",
    "require_write_token",
]
