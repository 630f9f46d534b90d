"""HTTP throughput and latency of the API on loopback: requests/s, p50 and p99.

Starts `casegraph serve` (one worker, fresh data folder, the curated cases of data/cases loaded
on first start, access log off) and drives it with 1, 4 and 16 concurrent keep-alive clients
(httpx, asyncio) for a fixed time per endpoint:

- `GET /api/entities/{id}` (an event with relations, claims and sources),
- `GET /api/events?from=&to=` (a two-year window),
- a SPARQL SELECT (`GET /sparql`, JSON results: events with label and start in a window).

    uv run python benchmarks/api.py [--seconds 5] [--clients 1,4,16] [--cases data/cases]

Prints a table and writes benchmarks/results/api.json. The load generator shares the machine's
cores with the server, so on a 2-core machine the numbers at 16 clients are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import write_results  # noqa: E402
from tests.integration.server import start_server  # noqa: E402

SPARQL = """
SELECT ?e ?label ?start WHERE {
  ?e cg:earliest ?start ; rdfs:label ?label .
  FILTER(?start >= "2017-01-01"^^xsd:date && ?start <= "2018-12-31"^^xsd:date)
} ORDER BY ?start LIMIT 50
"""


async def _client(
    client: httpx.AsyncClient, url: str, params: dict[str, str], stop: float, out: list[float]
) -> int:
    errors = 0
    while time.perf_counter() < stop:
        started = time.perf_counter()
        response = await client.get(url, params=params)
        out.append(time.perf_counter() - started)
        if response.status_code != 200:
            errors += 1
    return errors


async def measure(
    base: str, url: str, params: dict[str, str], clients: int, seconds: float
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for _ in range(20):  # warm up (catalog, networkx graphs, connections)
            await client.get(url, params=params)
        latencies: list[float] = []
        started = time.perf_counter()
        stop = started + seconds
        errors = await asyncio.gather(
            *(_client(client, url, params, stop, latencies) for _ in range(clients))
        )
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": sum(errors),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 2),
    }


def pick_event(base: str) -> str:
    """An event with the most relations (a realistic detail page)."""
    events = httpx.get(f"{base}/api/events", params={"limit": 1000}, timeout=30).json()["items"]
    best, size = events[0]["id"], -1
    for event in events[:200]:
        body = httpx.get(f"{base}/api/entities/{event['id']}", timeout=30).json()
        if len(body["relations"]) > size:
            best, size = event["id"], len(body["relations"])
    return str(best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--cases", type=Path, default=ROOT / "data" / "cases")
    args = parser.parse_args()
    cases = sorted(args.cases.glob("*.yaml"))
    concurrency = [int(c) for c in args.clients.split(",")]
    with tempfile.TemporaryDirectory(prefix="casegraph-bench-") as tmp:
        server = start_server(
            Path(tmp), cases=cases, token=None, env={"CASEGRAPH_ACCESS_LOG": "false"}
        )
        try:
            base = server.url
            health = httpx.get(f"{base}/api/health", timeout=30).json()
            event = pick_event(base)
            endpoints = [
                (f"GET /api/entities/{event}", f"/api/entities/{event}", {}),
                (
                    "GET /api/events?from=2017&to=2018",
                    "/api/events",
                    {"from": "2017", "to": "2018"},
                ),
                ("GET /sparql (SELECT, JSON)", "/sparql", {"query": SPARQL}),
            ]
            rows = []
            for name, url, params in endpoints:
                for clients in concurrency:
                    result = asyncio.run(measure(base, url, params, clients, args.seconds))
                    rows.append({"endpoint": name, **result})
                    print(
                        f"{name:38} {clients:3} clients  {result['rps']:8.1f} req/s  "
                        f"p50 {result['p50_ms']:7.2f} ms  p99 {result['p99_ms']:7.2f} ms  "
                        f"errors {result['errors']}",
                        flush=True,
                    )
        finally:
            server.stop()
    path = write_results(
        "api",
        {
            "triples": health["triples"],
            "cases": [c.name for c in cases],
            "seconds_per_run": args.seconds,
            "server": "casegraph serve, 1 worker, uvicorn[standard], access log off",
            "results": rows,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
