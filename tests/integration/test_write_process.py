"""The server's writer process (`graph.write_process`) and the SPARQL answers kept per version.

Writes run in a child process that owns the store, so that a large write does not slow the
readers down (issue 15; benchmarks/mixed.py measures it). These tests check what a user sees:
writes land and readers move to them; a repeated SPARQL GET is answered again after a write;
the writer killed while idle or in the middle of a write costs at most that write, and the
store, the derived statements and the read model still agree (`casegraph check`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.server import TOKEN, Server, running

pytestmark = pytest.mark.timeout(300)

CG = "https://w3id.org/casegraph/ontology#"
NOTE = "https://w3id.org/casegraph/id/phenomenon/writer-note"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{CG}Phenomenon> }}"
SPARQL_JSON = {"Accept": "application/sparql-results+json"}
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def phenomena(server: Server) -> int:
    response = httpx.get(
        f"{server.url}/sparql", params={"query": COUNT}, headers=SPARQL_JSON, timeout=60
    )
    response.raise_for_status()
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def put_note(server: Server, number: int) -> httpx.Response:
    body = (
        f"<{NOTE}-{number}> a <{CG}Phenomenon> ;\n"
        f'  <http://www.w3.org/2000/01/rdf-schema#label> "Writer note {number}" .\n'
    )
    return httpx.put(
        f"{server.url}/graph-store",
        params={"graph": f"https://example.org/writer/{number}"},
        content=body,
        headers={"Content-Type": "text/turtle", **AUTH},
        timeout=120,
    )


def writers(server: Server) -> list[int]:
    """The server's children named `casegraph-write` (the name the writer gives itself)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if comm == "casegraph-write" and ppid == server.process.pid:
            found.append(int(entry.name))
    return found


def check(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
    env["CASEGRAPH_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import app; app()", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="finds the writer through /proc"
)


def test_a_repeated_sparql_get_is_answered_again_after_a_write(tmp_path: Path) -> None:
    with running(tmp_path) as server:
        before = phenomena(server)
        assert phenomena(server) == before  # the same query string: the kept answer
        assert put_note(server, 1).status_code == 201
        assert phenomena(server) == before + 1
        assert put_note(server, 2).status_code == 201
        assert phenomena(server) == before + 2


@linux_only
def test_the_writer_is_a_child_of_the_server_and_dies_with_it(tmp_path: Path) -> None:
    with running(tmp_path) as server:
        found = writers(server)
        assert len(found) == 1, found
        writer = found[0]
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=30)
        for _ in range(100):
            if not Path(f"/proc/{writer}").exists():
                break
            state = Path(f"/proc/{writer}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state == "Z":  # dead, waiting to be reaped by init
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the writer outlived the server")


@linux_only
def test_a_writer_killed_between_writes_is_replaced(tmp_path: Path) -> None:
    with running(tmp_path) as server:
        before = phenomena(server)
        (writer,) = writers(server)
        os.kill(writer, signal.SIGKILL)
        assert put_note(server, 1).status_code == 201
        assert phenomena(server) == before + 1
        assert writers(server) != [writer]
        data_dir = server.data_dir
    done = check(data_dir)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_writer_killed_in_a_write_costs_that_write_alone(tmp_path: Path) -> None:
    env = {"CASEGRAPH_KILL_WRITER_AT": "store-written"}
    with running(tmp_path, env=env) as server:
        before = phenomena(server)
        answer = put_note(server, 1)
        assert answer.status_code == 503, answer.text
        assert "writer" in answer.json()["detail"]
        assert phenomena(server) == before
        health = httpx.get(f"{server.url}/api/health", timeout=30)
        assert health.status_code == 200
        data_dir = server.data_dir
    done = check(data_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    with running(tmp_path) as server:  # the same data, no fault: writes land again
        assert put_note(server, 2).status_code == 201
        assert phenomena(server) == before + 1


@linux_only
def test_a_body_the_writer_cannot_parse_is_400_naming_its_line(tmp_path: Path) -> None:
    """Graph Store bodies are parsed by the writer (the server only reads them): a syntax
    error on line 3 comes back as 400 naming that line, nothing is written, and the same
    writer takes the next write."""
    with running(tmp_path) as server:
        before = phenomena(server)
        (writer,) = writers(server)
        body = (
            f"<{NOTE}-bad> a <{CG}Phenomenon> .\n"
            f'<{NOTE}-bad> <http://www.w3.org/2000/01/rdf-schema#label> "fine" .\n'
            f"<{NOTE}-bad> <{CG}p> <unclosed .\n"
        )
        refused = httpx.put(
            f"{server.url}/graph-store",
            params={"graph": "https://example.org/writer/bad"},
            content=body,
            headers={"Content-Type": "text/turtle", **AUTH},
            timeout=120,
        )
        assert refused.status_code == 400, refused.text
        problem = refused.json()
        assert problem["detail"].startswith("request body:3:"), problem
        assert problem.get("line") == 3, problem
        assert phenomena(server) == before
        missing = httpx.get(
            f"{server.url}/graph-store",
            params={"graph": "https://example.org/writer/bad"},
            timeout=60,
        )
        assert missing.status_code == 404
        assert put_note(server, 1).status_code == 201
        assert phenomena(server) == before + 1
        assert writers(server) == [writer]
