"""kill -9 of `casegraph sync` part-way, on each engine: the next `casegraph sync` repairs.

Real `casegraph` processes on a real store (a generated document of about 20k triples, loaded
without syncing), real engines (embedded FalkorDB; the Neo4j test server). For each engine:

- a full sync (`sync --full`, after loading a second document) killed once its engine writes
  have begun: on FalkorDB the old graph is still there, whole (the bulk graph is built under
  another key and renamed over it only at the end);
- an incremental sync (after loading a second document) killed while it writes.

In both cases `casegraph sync` (no flag) then repairs the engine (a full sync after a full
one, which left the engine marked dirty; a replay after an incremental one, whose version was
not advanced) and `casegraph check` passes. Where the kill lands is decided by watching, not by
sleeping: the read model marks the engine dirty just before a full sync's first write, and the
engine's counts show the writes going on.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from benchmarks.generate import write
from graph.cypher import FalkorDBBackend, Neo4jBackend

CASEGRAPH = Path(sys.executable).parent / "casegraph"
BASE_TRIPLES = 20_000
EXTRA_TRIPLES = 15_000
BULK_KEY = "casegraph__bulk"

pytestmark = pytest.mark.timeout(600)


def environment(data: Path, engine: str) -> dict[str, str]:
    return {
        **os.environ,
        "CASEGRAPH_DATA_DIR": str(data),
        "CASEGRAPH_CYPHER_BACKEND": engine,
        "CASEGRAPH_SYNC_BACKENDS": f'["{engine}"]',
    }


def casegraph(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CASEGRAPH), *args], env=env, capture_output=True, text=True, timeout=400, check=False
    )


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 300
    while not condition():
        assert process.poll() is None, f"the sync ended (code {process.returncode}) before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def children(pid: int) -> set[int]:
    """The child processes of `pid` (of any of its threads): its redis-server."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (OSError, IndexError):
        return True
    return state == "Z"


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the sync, then wait until its redis-server (stopped by its death signal) exits."""
    assert process.poll() is None, "the sync ended before the kill"
    servers = children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait(60)
    deadline = time.monotonic() + 60
    while not all(gone(pid) for pid in servers):
        assert time.monotonic() < deadline, "the redis-server outlived the killed sync"
        time.sleep(0.05)


def generated(folder: Path, name: str, triples: int, prefix: str) -> Path:
    """A generated document whose entity slugs start with `prefix` (`c0-e1` -> `x0-e1`)."""
    raw = folder / f"raw-{name}"
    write(raw, triples)
    text = raw.read_text(encoding="utf-8")
    path = folder / name
    path.write_text(re.sub(r"(/id/[a-z]+/)c(\d)", rf"\g<1>{prefix}\2", text), encoding="utf-8")
    return path


class Engine:
    """Reads an engine's node count while `casegraph` (another process) writes to it."""

    def __init__(self, name: str, data: Path, neo4j: Neo4jBackend | None) -> None:
        self.name = name
        self.data = data
        self.neo4j = neo4j

    def _redis(self) -> redis.Redis:
        socket = self.data / "falkordb" / "redis.sock"
        assert socket.exists(), "the FalkorDB socket is not in the data folder"
        return redis.Redis(unix_socket_path=str(socket), socket_timeout=30)

    def nodes(self) -> int | None:
        """Nodes in the engine now (None while the FalkorDB server is not up)."""
        if self.neo4j is not None:
            return int(self.neo4j.query("MATCH (n) RETURN count(n)").rows[0][0])
        try:
            client = self._redis()
            try:
                if not client.exists("casegraph"):
                    return 0
                reply = client.execute_command(
                    "GRAPH.RO_QUERY", "casegraph", "MATCH (n) RETURN count(n)"
                )
                return int(reply[1][0][0])
            finally:
                client.close()
        except (redis.RedisError, AssertionError):
            return None

    def nodes_at_rest(self) -> int:
        """Nodes in the engine while no `casegraph` runs (FalkorDB: opened here)."""
        if self.neo4j is not None:
            return int(self.neo4j.query("MATCH (n) RETURN count(n)").rows[0][0])
        with FalkorDBBackend(self.data / "falkordb") as falkordb:
            return falkordb.counts().labels.get("Entity", 0)


@pytest.fixture(params=["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    neo4j: Neo4jBackend | None = None
    if request.param == "neo4j":
        neo4j = request.getfixturevalue("neo4j_backend")  # emptied; fails in CI when missing
    return Engine(request.param, tmp_path / "data", neo4j)


@pytest.fixture
def base(tmp_path: Path, engine: Engine) -> dict[str, str]:
    """A store with the base document, synced into the engine; the environment for it."""
    env = environment(engine.data, engine.name)
    document = generated(tmp_path, "base.nt", BASE_TRIPLES, "c")
    loaded = casegraph(env, "load", "--no-validate", "--no-sync", str(document))
    assert loaded.returncode == 0, loaded.stderr
    synced = casegraph(env, "sync")
    assert synced.returncode == 0, synced.stderr
    assert "full rebuild" in synced.stdout
    return env


def engine_state(engine: Engine) -> str | None:
    """The engine's row in the read model (`dirty` while a full sync writes), read apart."""
    path = engine.data / "readmodel.sqlite3"
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        row = conn.execute("SELECT state FROM engine WHERE name=?", (engine.name,)).fetchone()
        return str(row[0]) if row else None
    finally:
        conn.close()


def repaired(env: dict[str, str], engine: Engine, mode: str) -> None:
    again = casegraph(env, "sync")
    assert again.returncode == 0, again.stderr
    assert mode in again.stdout, again.stdout
    checked = casegraph(env, "check", "--backend", engine.name)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"{engine.name}: ok" in checked.stdout
    after = casegraph(env, "sync")
    assert "incremental" in after.stdout and " 0 nodes and 0 relationships written" in after.stdout


def test_kill_during_full_sync(base: dict[str, str], engine: Engine, tmp_path: Path) -> None:
    assert engine_state(engine) == "clean"
    before = engine.nodes_at_rest()
    assert before
    extra = generated(tmp_path, "extra.nt", EXTRA_TRIPLES, "x")  # the rebuild differs
    loaded = casegraph(base, "load", "--no-validate", "--no-sync", str(extra))
    assert loaded.returncode == 0, loaded.stderr
    with subprocess.Popen(
        [str(CASEGRAPH), "sync", "--full"], env=base, stdout=subprocess.DEVNULL
    ) as process:
        try:
            wait_for(lambda: engine_state(engine) == "dirty", process, "the full sync began")
            if engine.neo4j is not None:
                wait_for(lambda: engine.nodes() != before, process, "the rebuild changed Neo4j")
            kill(process)
        finally:
            process.kill()
    if engine.neo4j is None:
        # The old graph is whole; the half-built one, if the kill came after the first
        # GRAPH.BULK call, is under its own key.
        assert engine.nodes_at_rest() == before
    else:
        assert engine.nodes() != before  # Neo4j was left half rebuilt
    assert engine_state(engine) == "dirty"
    repaired(base, engine, "full rebuild")
    if engine.neo4j is None:
        with FalkorDBBackend(engine.data / "falkordb") as falkordb:
            assert not falkordb._db.connection.exists(BULK_KEY)


def test_kill_during_incremental_sync(base: dict[str, str], engine: Engine, tmp_path: Path) -> None:
    extra = generated(tmp_path, "extra.nt", EXTRA_TRIPLES, "x")
    loaded = casegraph(base, "load", "--no-validate", "--no-sync", str(extra))
    assert loaded.returncode == 0, loaded.stderr
    before = engine.nodes_at_rest()
    with subprocess.Popen([str(CASEGRAPH), "sync"], env=base, stdout=subprocess.DEVNULL) as process:
        try:
            if engine.neo4j is not None:
                wait_for(lambda: (engine.nodes() or 0) > before, process, "nodes written")
            else:
                first = None

                def grew() -> bool:
                    nonlocal first
                    count = engine.nodes()
                    if count is None:
                        return False
                    first = count if first is None else first
                    return count > first

                wait_for(grew, process, "nodes written")
            kill(process)
        finally:
            process.kill()
    repaired(base, engine, "incremental")
