"""Running a write for an HTTP request: one at a time, off the event loop, then the engines.

The write itself is a `graph` function (`graph.client_writes`, `graph.ingest`), which commits
through every layer and publishes the new version. Here it runs under the app's one write lock
in the writer process (`graph.write_process`; the app state then moves readers to the version
it reports) or, without one, on a worker thread (readers move through `Workspace.listeners`); the
Cypher engines are then brought up to the new version on a background thread, so the write's
response does not wait for them (`/api/health` shows each engine's version and state).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

from api.deps import RESTARTING, AppState, EngineState
from graph import faults
from ontology.errors import BackendUnavailable

log = logging.getLogger("casegraph.api")

_sync_lock = threading.Lock()


async def run_write[T](
    state: AppState, write: Callable[..., T], *args: object, **kwargs: object
) -> T:
    """`write(workspace, *args, **kwargs)` under the write lock — in the writer process, or on a
    worker thread when the server has none — then publish and sync the engines."""

    def locked() -> T:
        if not state.write_lock.acquire(timeout=max(state.settings.query_timeout_s, 30.0)):
            raise BackendUnavailable("another write is under way; try again")
        try:
            if state.writer is None:
                return write(state.workspace, *args, **kwargs)
            result, version = state.writer.run(write, *args, **kwargs)
            state.publish(version)
            return result  # type: ignore[no-any-return]
        finally:
            state.write_lock.release()

    result = await run_in_threadpool(locked)
    if state.sync_backends:
        threading.Thread(
            target=sync_engines,
            args=(state,),
            kwargs={"after_write": True},
            name="casegraph-sync",
            daemon=True,
        ).start()
    return result


def sync_engines(state: AppState, *, after_write: bool = False) -> None:
    """Bring every configured property-graph engine up to the read model's version."""
    from graph.sync import backend_name, sync

    with _sync_lock:
        for backend in list(state.sync_backends):
            name = backend_name(backend)
            engine = state.engines.setdefault(name, EngineState(name))
            if engine.state == RESTARTING:
                continue  # the restart syncs it once the engine is back (`api.cypher_runs`)
            engine.state = "syncing"
            try:
                report = sync(state.workspace.model, backend)
            except Exception as e:
                if engine.state != RESTARTING:  # a restart killed it mid-sync: not a failure
                    engine.state, engine.reason = "failed", str(e)
                    log.warning("syncing %s failed: %s", name, e)
                with state.synced:
                    state.synced.notify_all()
                continue
            if engine.state == RESTARTING:
                continue
            engine.state, engine.reason, engine.version = "ok", None, report.version
            with state.synced:
                state.synced.notify_all()
    if after_write:
        faults.point("engines-synced")


def wait_for_sync(timeout_s: float) -> bool:
    """Wait for a running engine sync to finish (at shutdown, before the engines close)."""
    if _sync_lock.acquire(timeout=timeout_s):
        _sync_lock.release()
        return True
    return False


__all__ = ["run_write", "sync_engines", "wait_for_sync"]
