"""Cypher queries for `/cypher` under a deadline, and a hung engine restarted in the background.

FalkorDB checks a query's timeout only between records: one record's expression (a deeply
nested text, a `reduce` over nested ranges) runs on past any deadline and holds the engine's
read lock, which the engine's own sync writes then wait on. So each query runs on its own
daemon thread (it never keeps the interpreter from exiting), the request answers 503 at the
deadline, and a watcher gives the engine `OVERRUN_GRACE_S` more to stop the query itself. If
the query is still running then, the engine is restarted (`FalkorDBBackend.restart()`), and
brought back to the published version by a sync; `/api/health` shows the engine as
`restarting`, then `syncing`, then `ok`. Meanwhile `/cypher` answers 503 at once. Engines
with no `restart` (Neo4j: its transaction timeout ends the query server-side) are left alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from api.deps import RESTARTING, AppState, EngineState
from ontology.errors import BackendUnavailable, QueryTimeout

log = logging.getLogger("casegraph.api")

OVERRUN_GRACE_S = 2.0
"""How long past the deadline an engine may take to stop a query before it is restarted."""
_restart_lock = threading.Lock()


async def run_query[T](
    state: AppState, name: str, backend: object, call: Callable[[], T], timeout_s: float
) -> T:
    """`call()` on a daemon thread; QueryTimeout (503) after `timeout_s`, and a watcher that
    restarts the engine if the query outlives the grace period (see the module doc)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    # Settled after the request gave up: retrieve the outcome so asyncio does not log it.
    future.add_done_callback(lambda f: f.cancelled() or f.exception())
    finished = threading.Event()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def work() -> None:
        value: Any = None
        error: BaseException | None = None
        try:
            value = call()
        except BaseException as e:  # handed to the request
            error = e
        finally:
            finished.set()
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody is waiting
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=work, name="casegraph-cypher", daemon=True).start()
    try:
        return await asyncio.wait_for(asyncio.shield(future), timeout_s)
    except TimeoutError:
        watch(state, name, backend, finished)
        raise QueryTimeout(
            f"the query did not finish within {timeout_s:g} s (CASEGRAPH_QUERY_TIMEOUT_S)"
        ) from None


def watch(state: AppState, name: str, backend: object, finished: threading.Event) -> None:
    """Restart the engine unless the overrunning query ends within the grace period."""

    def wait() -> None:
        if not finished.wait(OVERRUN_GRACE_S):
            restart_engine(state, name, backend)

    threading.Thread(target=wait, name="casegraph-cypher-watch", daemon=True).start()


def refuse_while_restarting(state: AppState, name: str) -> None:
    """503 at once while the engine restarts (a query would only wait on a dead socket)."""
    engine = state.engines.get(name)
    if engine is not None and engine.state == RESTARTING:
        raise BackendUnavailable(
            f"the Cypher engine {name} is restarting after a query overran its deadline; "
            "retry shortly"
        )


def restart_engine(state: AppState, name: str, backend: object) -> bool:
    """Restart a hung engine and sync it to the published version; False when it has no
    `restart` or a restart is already under way."""
    restart = getattr(backend, "restart", None)
    if not callable(restart):
        return False
    with _restart_lock:
        engine = state.engines.setdefault(name, EngineState(name))
        if engine.state == RESTARTING:
            return False
        engine.state, engine.reason = RESTARTING, "a query overran its deadline"
    log.warning("Cypher engine %s: a query overran its deadline; restarting the engine", name)
    try:
        saved = restart()
    except Exception as e:
        engine.state, engine.reason = "failed", f"the restart failed: {e}"
        log.warning("restarting %s failed: %s", name, e)
        _notify(state)
        return True
    if not saved:
        # Writes since the last save are gone: /cypher waits for the sync (`_in_step`).
        engine.version = None
        log.warning("Cypher engine %s restarted from its last save; syncing it", name)
    if any(synced is backend for synced in state.sync_backends):
        from api.writes import sync_engines

        engine.state = "syncing"
        sync_engines(state)  # a plain sync repairs a restart from an older save too
    else:
        engine.state, engine.reason = "ok", None
        _notify(state)
    return True


def _notify(state: AppState) -> None:
    with state.synced:
        state.synced.notify_all()


__all__ = [
    "OVERRUN_GRACE_S",
    "RESTARTING",
    "refuse_while_restarting",
    "restart_engine",
    "run_query",
]
