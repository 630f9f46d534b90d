"""What routes receive: the app's state, handed out by dependencies.

Reads take no lock. REST, views and Linked Data read the read model (SQLite, one read
transaction per request: the last committed version); SPARQL reads the last published
snapshot of the store, in worker processes. A write (SPARQL Update, Graph Store, `POST
/api/load`, `DELETE /api/graphs/...`) holds the one write lock while it runs — in the writer
process (`graph.write_process`), so readers go on answering from the previous version until it
publishes.
"""

from __future__ import annotations

import hmac
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Header, Request

from api.problems import Forbidden, Unauthorized
from api.settings import Settings
from graph.store import Dataset
from graph.workspace import Workspace
from ontology.errors import StoreLocked

type Answer = tuple[tuple[tuple[bytes, bytes], ...], bytes]
"""A whole 200 answer: its headers (Content-Length aside) and its body."""


def answer_key(path: str, query: str, accept: str) -> str:
    """The cache key of a GET's answer: its path, query string and Accept header, as sent
    (`api.http` serves a repeat from the cache before any routing)."""
    return f"answer:{path}?{query}\x00{accept}"


def _size(data: bytes | Answer) -> int:
    return len(data) if isinstance(data, bytes) else len(data[1]) + 64 * len(data[0])


class ResponseCache:
    """Encoded responses of the current version, least recently used dropped past a byte cap.

    Values are bytes (a part a route reuses) or an `Answer` under `answer_key`."""

    def __init__(self, max_bytes: int = 64 << 20) -> None:
        self.max_bytes = max_bytes
        self.version: int | None = None
        self._items: OrderedDict[str, bytes | Answer] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, version: int | None, key: str) -> Any:
        with self._lock:
            if version != self.version:
                return None
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def put(self, version: int | None, key: str, data: bytes | Answer) -> None:
        with self._lock:
            if version != self.version:
                self._items.clear()
                self._size = 0
                self.version = version
            size = _size(data)
            if size > self.max_bytes // 8:
                return
            previous = self._items.pop(key, None)
            self._size -= _size(previous) if previous is not None else 0
            self._items[key] = data
            self._size += size
            while self._size > self.max_bytes and self._items:
                _key, dropped = self._items.popitem(last=False)
                self._size -= _size(dropped)


RESTARTING = "restarting"
"""An engine's state while `api.cypher_runs` restarts it (a query hung it)."""


@dataclass(slots=True)
class EngineState:
    """What `/api/health` says of one property-graph engine."""

    name: str
    state: str = "starting"
    """`starting`, `syncing`, `ok`, `restarting` (a query hung it: `api.cypher_runs`),
    `failed` or `unavailable`."""
    reason: str | None = None
    version: int | None = None


@dataclass(slots=True)
class AppState:
    """Everything the lifespan opens; one per app."""

    settings: Settings
    workspace: Workspace
    snapshot: Dataset
    """The last published version of the store (read-only): what SPARQL-side reads use."""
    version: int
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    cache: ResponseCache = field(default_factory=ResponseCache)
    writer: Any = None
    """The writer process (`graph.write_process.WriteProcess`), or None: writes run on a
    thread of this process, on `workspace` (then opened for writing)."""
    queries: Any = None
    """The SPARQL worker pool (`graph.query_workers.QueryWorkers`), or None."""
    cypher: Any = None
    """The configured `graph.cypher` backend, or None when it could not be opened."""
    cypher_error: str | None = None
    sync_backends: list[Any] = field(default_factory=list)
    engines: dict[str, EngineState] = field(default_factory=dict)
    store_error: str | None = None
    engines_thread: threading.Thread | None = None
    engines_opened: threading.Event = field(default_factory=threading.Event)
    """Set once the start-up thread has opened (or failed to open) the Cypher engines."""
    memo: dict[tuple[str, int | None], Any] = field(default_factory=dict)
    """Small values computed once per version (`/api/health`'s triple count); a route replaces
    the dict when the version moves on."""
    derived: dict[str, Any] = field(default_factory=dict)
    """Values computed once per version (the views' causal graph), keyed with the version."""
    synced: threading.Condition = field(default_factory=threading.Condition)
    """Notified whenever an engine's sync ends (`api.writes.sync_engines`)."""

    def wait_for_engine(self, name: str, timeout_s: float) -> EngineState:
        """The engine's state once it holds the published version, or when `timeout_s` ends
        or its sync failed (the caller looks at `version` and `state`)."""
        engine = self.engines.setdefault(name, EngineState(name))

        def ready() -> bool:
            return engine.version == self.version or engine.state in ("failed", "unavailable")

        with self.synced:
            self.synced.wait_for(ready, timeout=timeout_s)
        return engine

    def publish(self, version: int) -> None:
        """A write published `version`: readers move to it."""
        if version == self.version:
            return
        self.snapshot = self.workspace.store.snapshot()
        self.version = version


async def get_state(request: Request) -> AppState:
    state = request.app.state.casegraph
    assert isinstance(state, AppState)
    return state


State = Annotated[AppState, Depends(get_state)]
Reading = State
"""Reads take no lock; the name stays for the routes that say what they do."""


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
    if state.writer is None and state.workspace.store.read_only:
        raise StoreLocked(
            "this server opened the store read-only (several workers); "
            "run one worker to accept writes"
        )


def require_write_token(
    state: State,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    """The dependency form of `check_write_token` (runs before the body is read)."""
    check_write_token(state, authorization)


WriteAllowed = Annotated[None, Depends(require_write_token)]


__all__ = [
    "RESTARTING",
    "Answer",
    "AppState",
    "EngineState",
    "Reading",
    "ResponseCache",
    "State",
    "WriteAllowed",
    "answer_key",
    "check_write_token",
    "get_state",
    "require_write_token",
]
