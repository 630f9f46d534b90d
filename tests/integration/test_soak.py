"""A bounded load test and pathological queries against a real `casegraph serve` on loopback.

- `test_soak`: the curated cases (data/cases) served by one worker, hammered for
  CASEGRAPH_SOAK_SECONDS (default 60) by 32 concurrent keep-alive connections over a mix of
  endpoints (health, search, an entity, an events window, SPARQL SELECT, Cypher, Linked Data
  Turtle). Every response must be 2xx; requests/s and latency percentiles are printed (run
  with `-s` to see them), never asserted.
- Pathological queries, each on its own small server with a 2 s query timeout: a cartesian
  SPARQL product and an unbounded variable-length Cypher pattern stop at the timeout with a
  problem+json error, while health checks and an entity page keep being answered.

    CASEGRAPH_SOAK_SECONDS=10 uv run pytest tests/integration/test_soak.py -q -s
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from tests.integration.server import REPO, Server, running

SOAK_SECONDS = float(os.environ.get("CASEGRAPH_SOAK_SECONDS", "60"))
CONNECTIONS = 32
QUERY_TIMEOUT_S = 2.0
CURATED = sorted((REPO / "data" / "cases").glob("*.yaml"))

pytestmark = pytest.mark.timeout(int(SOAK_SECONDS) + 400)

SPARQL_SELECT = """
SELECT ?e ?label ?start WHERE {
  ?e a cg:Event ; rdfs:label ?label ; cg:earliest ?start .
  FILTER(?start >= "2010-01-01"^^xsd:date && ?start < "2020-01-01"^^xsd:date)
} ORDER BY ?start LIMIT 50
"""
CYPHER = (
    "MATCH (e:Event) WHERE e.earliest >= date($from) "
    "RETURN e.id AS id, e.label AS label ORDER BY e.earliest LIMIT 20"
)
CARTESIAN = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
VAR_LENGTH = "MATCH p=(a)-[*]-(b) RETURN count(p)"
FIXTURE_ENTITY = "/api/entities/fx-michoacan-operation"


# -- the soak test -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory.mktemp("soak"), cases=CURATED, token=None) as srv:
        yield srv


def _requests(base: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, method + path, options) for the mix, with ids taken from the served data."""
    with httpx.Client(base_url=base, timeout=60) as client:
        events = client.get("/api/events", params={"limit": 200}).raise_for_status().json()
        items = events["items"]
        assert items, "the curated cases have no events"
        rng = random.Random(7)
        picked = rng.sample(items, min(8, len(items)))
        words = sorted({w for e in picked for w in e["label"].split() if len(w) > 4}) or ["the"]
        years = sorted(int(e["start"][:4]) for e in items if e.get("start"))
        middle = years[len(years) // 2]
    mix: list[tuple[str, str, dict[str, Any]]] = [("health", "GET /api/health", {})]
    for word in words[:4]:
        mix.append(("search", "GET /api/entities", {"params": {"q": word}}))
    for event in picked:
        mix.append(("entity", f"GET /api/entities/{event['id']}", {}))
        kind_slug = event["iri"].split("/id/", 1)[1]
        mix.append(("turtle", f"GET /id/{kind_slug}", {"headers": {"Accept": "text/turtle"}}))
    mix.append(
        ("events", "GET /api/events", {"params": {"from": str(middle - 1), "to": str(middle)}})
    )
    mix.append(("sparql", "GET /sparql", {"params": {"query": SPARQL_SELECT}}))
    mix.append(
        (
            "cypher",
            "POST /cypher",
            {"json": {"query": CYPHER, "parameters": {"from": "2005-01-01"}}},
        )
    )
    return mix


async def _hammer(
    base: str, mix: list[tuple[str, str, dict[str, Any]]], seconds: float
) -> tuple[dict[str, list[float]], list[str], float]:
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        for _name, call, options in mix:  # warm up every request once
            method, path = call.split(" ", 1)
            (await client.request(method, path, **options)).raise_for_status()
        started = time.perf_counter()
        stop = started + seconds

        async def worker(index: int) -> None:
            rng = random.Random(index)
            while time.perf_counter() < stop:
                name, call, options = rng.choice(mix)
                method, path = call.split(" ", 1)
                began = time.perf_counter()
                try:
                    response = await client.request(method, path, **options)
                except httpx.HTTPError as e:
                    errors.append(f"{call}: {type(e).__name__}: {e}")
                    continue
                latencies.setdefault(name, []).append(time.perf_counter() - began)
                if not 200 <= response.status_code < 300:
                    errors.append(f"{call}: {response.status_code} {response.text[:200]}")

        await asyncio.gather(*(worker(i) for i in range(CONNECTIONS)))
        elapsed = time.perf_counter() - started
    return latencies, errors, elapsed


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def test_soak(curated: Server) -> None:
    mix = _requests(curated.url)
    load_before = os.getloadavg()
    latencies, errors, elapsed = asyncio.run(_hammer(curated.url, mix, SOAK_SECONDS))
    every = [t for values in latencies.values() for t in values]
    total = len(every)
    print(
        f"\nsoak: {total} requests in {elapsed:.1f} s over {CONNECTIONS} connections = "
        f"{total / elapsed:.1f} req/s; p50 {statistics.median(every) * 1000:.1f} ms, "
        f"p99 {_pct(every, 0.99):.1f} ms, max {max(every) * 1000:.1f} ms; errors {len(errors)}; "
        f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}"
    )
    for name, values in sorted(latencies.items()):
        print(
            f"  {name:7} {len(values):6} requests  p50 {statistics.median(values) * 1000:7.1f} ms"
            f"  p99 {_pct(values, 0.99):7.1f} ms"
        )
    assert not errors, f"{len(errors)} errors, first: {Counter(errors).most_common(5)}"
    assert total > 0
    assert curated.process.poll() is None, "the server died during the soak"


# -- pathological queries ----------------------------------------------------------------------


@pytest.fixture
def short_timeout(tmp_path: Path) -> Iterator[Server]:
    """A small server (the test fixtures) whose queries give up after 2 s."""
    env = {"CASEGRAPH_QUERY_TIMEOUT_S": str(QUERY_TIMEOUT_S)}
    with running(tmp_path, token=None, env=env) as srv, MemoryGuard(srv):
        yield srv


class MemoryGuard:
    """Kill the server if it grows past 3 GiB (an abandoned query must not eat the machine)."""

    LIMIT = 3 * 2**30

    def __init__(self, server: Server) -> None:
        self.server = server
        self.killed = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> MemoryGuard:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        process = psutil.Process(self.server.process.pid)
        while not self._stop.wait(0.2):
            try:
                if process.memory_info().rss > self.LIMIT:
                    self.killed = True
                    self.server.process.kill()
                    return
            except psutil.Error:
                return


def _served_during(server: Server, slow: Any) -> tuple[httpx.Response, list[float]]:
    """Run `slow(client)` in a thread; meanwhile time health and entity requests until it ends."""
    out: dict[str, Any] = {}

    def run() -> None:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            began = time.perf_counter()
            out["response"] = slow(client)
            out["seconds"] = time.perf_counter() - began

    thread = threading.Thread(target=run)
    thread.start()
    times: list[float] = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        time.sleep(0.3)  # let the slow request start
        while thread.is_alive() or len(times) < 4:
            for path in ("/api/health", FIXTURE_ENTITY):
                began = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - began)
                assert response.status_code == 200, (path, response.status_code, response.text)
            time.sleep(0.05)
    thread.join(timeout=120)
    assert "response" in out, "the slow request did not finish"
    assert out["seconds"] < QUERY_TIMEOUT_S + 10, f"answered after {out['seconds']:.1f} s"
    return out["response"], times


def _problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail = str(response.json()["detail"])
    assert "time" in detail.lower(), detail
    return detail


def _cut_or_answered(client: httpx.Client, query: str) -> httpx.Response | str:
    """The response, or "cut" when a streamed result broke off (the server ended it at the
    deadline without its last chunk)."""
    try:
        with client.stream("GET", "/sparql", params={"query": query}) as response:
            response.read()
            return response
    except httpx.RemoteProtocolError:
        return "cut"


def test_cartesian_sparql_stops_at_the_timeout(short_timeout: Server) -> None:
    """503 when no row came before the deadline; when rows were already streaming (a small
    store yields its first megabyte quickly), the response is cut off: never a 200 that ends
    cleanly with part of the result."""
    outcome, times = _served_during(short_timeout, lambda c: _cut_or_answered(c, CARTESIAN))
    if outcome == "cut":
        detail = "the streamed result was cut off at the deadline"
    else:
        assert isinstance(outcome, httpx.Response)
        detail = _problem(outcome, 503)
    print(
        f"\ncartesian SPARQL: {detail}; {len(times)} other requests meanwhile, "
        f"max {max(times) * 1000:.0f} ms"
    )
    assert max(times) < 5.0, f"other requests waited up to {max(times):.1f} s"


def test_abandoned_sparql_query_does_not_grow(short_timeout: Server) -> None:
    process = psutil.Process(short_timeout.process.pid)
    with httpx.Client(base_url=short_timeout.url, timeout=60) as client:
        outcome = _cut_or_answered(client, CARTESIAN)
    assert outcome == "cut" or (isinstance(outcome, httpx.Response) and outcome.status_code == 503)
    before = process.memory_info().rss
    time.sleep(5)
    grown = (process.memory_info().rss - before) / 2**20
    print(f"\nserver RSS grew {grown:.0f} MB in the 5 s after the timeout")
    assert grown < 50, f"the server grew {grown:.0f} MB in the 5 s after the timeout"


def test_unbounded_cypher_stops_at_the_timeout(short_timeout: Server) -> None:
    response, times = _served_during(
        short_timeout, lambda c: c.post("/cypher", json={"query": VAR_LENGTH})
    )
    assert response.status_code in {400, 503}, response.text
    detail = _problem(response, response.status_code)
    print(
        f"\nunbounded Cypher: {response.status_code} ({detail}); {len(times)} other requests "
        f"meanwhile, max {max(times) * 1000:.0f} ms"
    )
    assert max(times) < 5.0, f"other requests waited up to {max(times):.1f} s"
    after = httpx.post(
        f"{short_timeout.url}/cypher",
        json={"query": "MATCH (n) RETURN count(n) AS n"},
        timeout=30,
    )
    assert after.status_code == 200, after.text  # the engine answers again
