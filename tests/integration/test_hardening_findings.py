"""Regression tests for issue 15, findings 3, 4, 5, 6, 9 and 10 (1, 2, 8, 11 and 12 are in
`test_hardening_guards.py`; 7, a kill -9 between the phases of a write, is
`test_faults.py::test_cli_write_killed_at_each_phase` and
`::test_server_write_killed_at_each_phase`),
and two points of the issue's Build list: SIGTERM stops the server within 10 s while a Cypher
query hangs the engine, and a Cypher query that overruns its deadline gets 503 while the
embedded FalkorDB is restarted in the background (`/api/health` shows it).

All over real HTTP against `casegraph serve` (tests/integration/server.py) or the real CLI.
The hanging Cypher query is one the guard lets through: a `reduce` over nested ranges
evaluates inside one record, where FalkorDB never looks at its timeout (measured: 20,000 x
20,000 ran 23 s under a 2 s timeout; `HANG` is 40,000 x 40,000, a minute or more).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psutil
import pytest

from api.cypher_runs import OVERRUN_GRACE_S
from benchmarks.generate import write
from tests.integration.server import FIXTURES, TOKEN, Server, running

pytestmark = pytest.mark.timeout(900)

REPO = Path(__file__).resolve().parents[2]
CASEGRAPH = Path(sys.executable).parent / "casegraph"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUERY_TIMEOUT_S = 3.0
MiB = 1 << 20
ENTITY = "fx-michoacan-operation"

NESTED_25 = "RETURN " + "(" * 25 + "1" + ")" * 25
DOUBLING = "RETURN size(reduce(s = 'x', i IN range(1, 30) | s + s)) AS n"
HANG = (
    "RETURN reduce(s = 0, i IN range(1, 40000) | "
    "s + reduce(t = 0, j IN range(1, 40000) | t + j)) AS n"
)
CROSS_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
"""The issue's three-way product took minutes on 80k triples; the fixture store is small
(three-way: 34 million rows, under 3 s on a quiet machine), so four ways."""
PATH_COUNT = (
    "PREFIX cg: <https://w3id.org/casegraph/ontology#>\n"
    "SELECT (COUNT(*) AS ?n) WHERE { ?s (cg:causes|!cg:causes)* ?o . "
    "?x (cg:causes|!cg:causes)* ?y . ?u (cg:causes|!cg:causes)* ?v }"
)
"""On the fixture store one closure has about 5,850 pairs: two multiply to 34 million rows,
counted in under 3 s; three do not finish."""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
BULK_GRAPH = "https://example.org/hardening/bulk"
NOTE = (
    "<https://w3id.org/casegraph/id/phenomenon/during-the-hang> a "
    "<https://w3id.org/casegraph/ontology#Phenomenon> ;\n"
    '  <http://www.w3.org/2000/01/rdf-schema#label> "written while Cypher hung" .\n'
)


# -- helpers --------------------------------------------------------------------------------------


def engines_ok(client: httpx.Client, timeout_s: float = 180) -> dict[str, Any]:
    """/api/health once every engine is `ok` and holds the published version."""
    deadline = time.monotonic() + timeout_s
    while True:
        health: dict[str, Any] = client.get("/api/health").json()
        engines = health["engines"]
        if engines and all(
            e["state"] == "ok" and e["version"] == health["version"] for e in engines.values()
        ):
            return health
        if time.monotonic() > deadline:
            pytest.fail(f"the Cypher engine is not ready: {health}")
        time.sleep(0.2)


def sparql_count(client: httpx.Client) -> int:
    response = client.get(
        "/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server and every child it has now."""
    total = 0.0
    for process in tree(pid):
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def put_graph(url: str, path: Path, timeout_s: float = 600) -> httpx.Response:
    with path.open("rb") as body:
        return httpx.put(
            f"{url}/graph-store",
            params={"graph": BULK_GRAPH},
            content=body.read(),
            headers={"Content-Type": "application/n-triples", **AUTH},
            timeout=timeout_s,
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("findings")
    env = {
        "CASEGRAPH_QUERY_TIMEOUT_S": str(QUERY_TIMEOUT_S),
        # Room for finding 5's large form: the cap (413) must not be what refuses it.
        "CASEGRAPH_SPARQL_MAX_BODY_BYTES": str(300 * MiB),
        "CASEGRAPH_UPLOAD_MAX_BODY_BYTES": str(200 * MiB),
        "CASEGRAPH_VALIDATE_SHACL": "false",
    }
    with running(root, env=env) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        engines_ok(c)
        yield c


# -- finding 5: auth before body ------------------------------------------------------------------


def _form_request(url: str, declared: int, first: bytes, authorization: str | None) -> bytes:
    parts = urlsplit(url)
    auth = f"Authorization: {authorization}\r\n" if authorization else ""
    head = (
        f"POST /sparql HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n{auth}"
        f"Content-Length: {declared}\r\n\r\n"
    )
    return head.encode() + first


def _status_line(sock: socket.socket) -> int:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed before a response: {data!r}"
        data += chunk
    return int(data.split(b"\r\n", 1)[0].split()[1])


@pytest.mark.parametrize(("authorization", "status"), [(None, 401), ("Bearer not-the-token", 403)])
def test_finding_5_a_form_update_is_refused_before_its_body_is_read(
    server: Server, client: httpx.Client, authorization: str | None, status: int
) -> None:
    """A 200 MB `update=` form is announced and only its first 64 KiB are sent: the answer
    comes without the rest (the server read the field's name, no more). Without the check the
    server waits for the whole body and the socket times out."""
    first = b"update=INSERT+DATA+%7B+%3Chttps%3A%2F%2Fexample.org%2Fs%3E+%3Chttps%3A%2F%2F"
    first += b"x" * (64 * 1024)
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(_form_request(server.url, 200_000_000, first, authorization))
        assert _status_line(sock) == status
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_finding_5_the_server_does_not_grow_by_the_body(
    server: Server, client: httpx.Client
) -> None:
    """The client sends a whole 200 MB `update=` form with no token: 401, and the server's
    memory does not grow by anything like the body's size (it was 1 GB before the fix)."""
    rss = psutil.Process(server.process.pid).memory_info().rss
    size = 200_000_000
    parts = urlsplit(server.url)
    chunk = b"x" * MiB
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        sock.sendall(_form_request(server.url, size, b"update=", None))

        def send_rest() -> None:
            sent = len(b"update=")
            try:
                while sent < size:
                    sock.sendall(chunk[: size - sent])
                    sent += len(chunk)
            except OSError:
                return  # the server closed the connection after answering

        sender = threading.Thread(target=send_rest, daemon=True)
        sender.start()
        began = time.monotonic()
        assert _status_line(sock) == 401
        answered = time.monotonic() - began
        sock.shutdown(socket.SHUT_RDWR)
        sender.join(timeout=60)
    grown = (psutil.Process(server.process.pid).memory_info().rss - rss) / MiB
    print(f"\n200 MB update form without a token: 401 after {answered:.2f} s, RSS +{grown:.0f} MB")
    assert grown < 50, f"the server grew {grown:.0f} MB"
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_a_form_query_still_needs_no_token(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        data={"query": "ASK { ?s ?p ?o }", "default-graph-uri": BULK_GRAPH},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    refused = client.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert refused.status_code == 401, refused.text


# -- finding 4: SPARQL queries end at their 503 ---------------------------------------------------


def test_finding_4_sparql_work_ends_with_its_503(server: Server, client: httpx.Client) -> None:
    """Four expensive queries (a four-way cross product and a product of three `(p|!p)*`
    closures, each counted): each is 503, then the server's processes go quiet and `/sparql`
    answers. Checked to fail without the workers: with CASEGRAPH_SPARQL_WORKERS=0 the query
    runs in the server with no deadline (no 503; the core stays busy)."""
    engines_ok(client)
    for query in (CROSS_COUNT, PATH_COUNT, CROSS_COUNT, PATH_COUNT):
        began = time.monotonic()
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 503, response.text[:300]
        assert time.monotonic() - began < QUERY_TIMEOUT_S + 10
    time.sleep(1.0)  # a killed worker is replaced (a fresh process imports pyoxigraph)
    before = cpu_seconds(server.process.pid)
    time.sleep(3.0)
    used = cpu_seconds(server.process.pid) - before
    print(f"\nafter four 503s: {used:.2f} CPU-seconds in 3 s across the server's processes")
    assert used < 1.5, f"the server kept {used / 3:.0%} of a core busy after the 503s"
    assert sparql_count(client) > 0


# -- findings 6 and 9: readers during a long write ------------------------------------------------


@dataclass
class Read:
    surface: str
    began: float
    ended: float
    status: int
    count: int | None = None


def _reader(
    url: str, surface: str, request: Callable[[httpx.Client], httpx.Response], stop: threading.Event
) -> list[Read]:
    out: list[Read] = []
    with httpx.Client(base_url=url, timeout=60) as c:
        while not stop.is_set():
            began = time.monotonic()
            response = request(c)
            count = None
            if surface == "sparql-count" and response.status_code == 200:
                count = int(response.json()["results"]["bindings"][0]["n"]["value"])
            out.append(Read(surface, began, time.monotonic(), response.status_code, count))
            time.sleep(0.02)
    return out


def test_findings_6_and_9_readers_during_a_graph_store_put(
    server: Server, client: httpx.Client, tmp_path: Path
) -> None:
    """A named graph is replaced by a Graph Store PUT of a larger generated graph (its claims
    add derived statements). Meanwhile readers on every surface keep going: every answer is
    200, every SPARQL COUNT is the old total or the new one (finding 6: never a mix), and each
    surface answers while the PUT is still running (finding 9: writes do not block reads)."""
    small, large = tmp_path / "small.nt", tmp_path / "large.nt"
    write(small, 5_000, seed=3)
    write(large, 60_000, seed=4)
    assert put_graph(server.url, small).status_code in {200, 201, 204}
    engines_ok(client)
    old = sparql_count(client)
    entity = client.get(f"/api/entities/{ENTITY}").raise_for_status().json()
    linked = "/id/" + entity["iri"].split("/id/", 1)[1]
    surfaces: dict[str, Callable[[httpx.Client], httpx.Response]] = {
        "sparql-count": lambda c: c.get(
            "/sparql",
            params={"query": COUNT},
            headers={"Accept": "application/sparql-results+json"},
        ),
        "rest": lambda c: c.get(f"/api/entities/{ENTITY}"),
        "id": lambda c: c.get(linked, headers={"Accept": "text/turtle"}),
        "view": lambda c: c.get(f"/view/entity/{ENTITY}"),
        "cypher": lambda c: c.post("/cypher", json={"query": "MATCH (n) RETURN count(n) AS n"}),
        "health": lambda c: c.get("/api/health"),
    }
    stop = threading.Event()
    results: dict[str, list[Read]] = {}
    threads = [
        threading.Thread(
            target=lambda s=s, r=r: results.__setitem__(s, _reader(server.url, s, r, stop))
        )
        for s, r in surfaces.items()
    ]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    put_began = time.monotonic()
    response = put_graph(server.url, large)
    put_ended = time.monotonic()
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    assert response.status_code in {200, 201, 204}, response.text
    new = sparql_count(client)
    assert new != old
    reads = [r for rs in results.values() for r in rs]
    bad = [r for r in reads if r.status != 200]
    assert not bad, bad[:5]
    counts = {r.count for r in reads if r.count is not None}
    assert counts <= {old, new}, f"a reader saw a mix: {sorted(counts)} (old {old}, new {new})"
    during = {r.surface for r in reads if r.began > put_began and r.ended < put_ended}
    print(
        f"\nPUT of 60k triples: {put_ended - put_began:.1f} s; {len(reads)} reads meanwhile; "
        f"counts seen {sorted(counts)}; surfaces answered during the PUT: {sorted(during)}"
    )
    assert during == set(surfaces), f"blocked during the write: {set(surfaces) - during}"


# -- finding 3 and Build 3: a Cypher query that hangs the engine ----------------------------------


def test_finding_3_nested_and_memory_growing_cypher_are_answered(client: httpx.Client) -> None:
    engines_ok(client)
    began = time.monotonic()
    nested = client.post("/cypher", json={"query": NESTED_25})
    assert nested.status_code == 400, nested.text
    assert time.monotonic() - began < 5
    began = time.monotonic()
    doubling = client.post("/cypher", json={"query": DOUBLING})
    assert doubling.status_code in {400, 422, 503}, doubling.text
    assert time.monotonic() - began < QUERY_TIMEOUT_S + 10
    # If the engine ran on past the grace period it is being restarted: wait for it.
    time.sleep(OVERRUN_GRACE_S + 1)
    engines_ok(client)
    assert client.post("/cypher", json={"query": "RETURN 1 AS one"}).json()["rows"] == [[1]]


def test_finding_3_a_hung_engine_is_restarted_and_blocks_nothing(
    server: Server, client: httpx.Client
) -> None:
    """`HANG` passes the guard and runs on in FalkorDB past its timeout. The request answers
    503 at the deadline; health checks and a write are answered meanwhile; `/api/health`
    shows the engine `restarting`, then `ok` at the published version (the write's included);
    then `/cypher` answers with the graph as it was. Checked to fail without the restart: the
    engine stays busy for minutes and never shows `restarting`."""
    health = engines_ok(client)
    before = client.post("/cypher", json={"query": "MATCH (n) RETURN count(n) AS n"}).json()
    engine_pid = next(
        p.pid for p in tree(server.process.pid) if "redis" in " ".join(p.cmdline()).lower()
    )
    began = time.monotonic()
    hung = client.post("/cypher", json={"query": HANG})
    assert hung.status_code == 503, hung.text
    assert "did not finish" in hung.json()["detail"]
    assert time.monotonic() - began < QUERY_TIMEOUT_S + 10
    states: list[str] = []
    write_began = time.monotonic()
    written = client.put(
        "/graph-store",
        params={"graph": "https://example.org/hardening/during-hang"},
        content=NOTE,
        headers={"Content-Type": "text/turtle", **AUTH},
    )
    assert written.status_code in {200, 201, 204}, written.text
    write_seconds = time.monotonic() - write_began
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        now = client.get("/api/health", timeout=5)
        assert now.status_code == 200
        engine = now.json()["engines"]["falkordb"]
        states.append(engine["state"])
        done = engine["state"] == "ok" and engine["version"] == now.json()["version"]
        if "restarting" in states and done:
            break
        time.sleep(0.1)
    print(f"\nhung Cypher: 503; write took {write_seconds:.2f} s; engine states {_runs(states)}")
    assert "restarting" in states, states
    assert states[-1] == "ok", states
    assert not psutil.pid_exists(engine_pid) or psutil.Process(engine_pid).status() == "zombie"
    after = client.post("/cypher", json={"query": "MATCH (n) RETURN count(n) AS n"})
    assert after.status_code == 200, after.text
    assert after.json()["rows"][0][0] == before["rows"][0][0] + 1  # the write's one node
    assert health["version"] < client.get("/api/health").json()["version"]


def _runs(states: list[str]) -> list[str]:
    return [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]


# -- Build 3: SIGTERM within 10 s while the engine hangs ------------------------------------------


def test_sigterm_stops_the_server_while_cypher_hangs_the_engine(tmp_path: Path) -> None:
    """A generous query timeout (60 s) keeps `HANG`'s request open in the server, and the
    engine busy in it; a write's engine sync waits behind it. SIGTERM then must end the
    process within 10 s (the issue's requirement, so the bound is the assertion itself: 3 s
    for requests in flight, 4 s for the shutdown, the rest margin). Before the shutdown budget
    it took over 10 s here (5 s for requests in flight, 5 s waiting for the sync, then the
    engine's stop); in the issue, 155 s."""
    env = {"CASEGRAPH_QUERY_TIMEOUT_S": "60", "CASEGRAPH_VALIDATE_SHACL": "false"}
    with (
        running(tmp_path, cases=FIXTURES, env=env) as srv,
        httpx.Client(base_url=srv.url, timeout=120) as c,
    ):
        engines_ok(c)
        engine = next(p for p in tree(srv.process.pid) if "redis" in " ".join(p.cmdline()))
        busy_from = sum(engine.cpu_times()[:2])
        outcome: list[object] = []

        def hang() -> None:
            try:
                outcome.append(httpx.post(f"{srv.url}/cypher", json={"query": HANG}, timeout=120))
            except httpx.HTTPError as e:
                outcome.append(e)

        thread = threading.Thread(target=hang, daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while sum(engine.cpu_times()[:2]) - busy_from < 1.0:
            assert time.monotonic() < deadline, "the query never reached the engine"
            time.sleep(0.05)
        assert thread.is_alive()
        # A write now: its engine sync waits behind the hung query (the engine's lock).
        written = c.put(
            "/graph-store",
            params={"graph": "https://example.org/hardening/before-sigterm"},
            content=NOTE,
            headers={"Content-Type": "text/turtle", **AUTH},
        )
        assert written.status_code in {200, 201, 204}, written.text
        deadline = time.monotonic() + 30
        while c.get("/api/health").json()["engines"]["falkordb"]["state"] != "syncing":
            assert time.monotonic() < deadline, "the write's engine sync did not start"
            time.sleep(0.1)
        began = time.monotonic()
        srv.process.send_signal(signal.SIGTERM)
        try:
            code = srv.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the server was still running 10 s after SIGTERM:\n{srv.output()[-2000:]}")
        stopped = time.monotonic() - began
        print(f"\nSIGTERM with a hung Cypher query: the server exited ({code}) in {stopped:.1f} s")
        thread.join(timeout=30)
        deadline = time.monotonic() + 10
        while engine.is_running() and engine.status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline, "the engine outlived the server"
            time.sleep(0.1)


# -- finding 10: a load that leaves references dangling -------------------------------------------


BASE_CASE = """\
casegraph: 1
sources:
  - id: dg-report
    type: Report
    label: A report
    date: "2011"
events:
  - id: dg-raid
    type: MilitaryOperation
    label: A raid
    date: "2010-03-01"
    sources: [dg-report]
  - id: dg-reprisal
    type: Event
    label: A reprisal
    date: "2010-04-01"
    sources: [dg-report]
"""
SHRUNK_CASE = BASE_CASE[: BASE_CASE.index("  - id: dg-reprisal")]
REFERRING_CASE = """\
casegraph: 1
agents:
  - id: dg-analyst
    type: Person
    label: An analyst
claims:
  - id: dg-claim
    cause: dg-raid
    effect: dg-reprisal
    relation: triggers
    asserted_by: [dg-analyst]
    sources: [dg-report]
    stance: supports
    confidence: 0.5
    note: The raid set off the reprisal.
"""


def casegraph(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
    return subprocess.run(
        [str(CASEGRAPH), *args],
        env={**env, "CASEGRAPH_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_finding_10_a_load_that_leaves_dangling_references(tmp_path: Path) -> None:
    """Replacing a document so that ids another document refers to disappear: refused with
    the list (exit 1, nothing changes); `--force` loads it; `check` then reports them."""
    data = tmp_path / "data"
    cases, changed = tmp_path / "cases", tmp_path / "changed"
    cases.mkdir()
    changed.mkdir()
    (cases / "dg-events.yaml").write_text(BASE_CASE, encoding="utf-8")
    (cases / "dg-claims.yaml").write_text(REFERRING_CASE, encoding="utf-8")
    (changed / "dg-events.yaml").write_text(SHRUNK_CASE, encoding="utf-8")
    loaded = casegraph(data, "load", "--no-sync", str(cases / "dg-events.yaml"))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    loaded = casegraph(data, "load", "--no-sync", str(cases / "dg-claims.yaml"))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    before = casegraph(data, "stats", "--json").stdout

    refused = casegraph(data, "load", "--no-sync", str(changed / "dg-events.yaml"))
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "dg-reprisal" in refused.stderr and "dg-claim" in refused.stderr, refused.stderr
    assert "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert casegraph(data, "stats", "--json").stdout == before

    forced = casegraph(data, "load", "--no-sync", "--force", str(changed / "dg-events.yaml"))
    assert forced.returncode == 0, forced.stdout + forced.stderr
    check = casegraph(data, "check")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "dangling" in check.stdout and "references: ok" not in check.stdout, check.stdout
