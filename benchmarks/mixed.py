"""Reads under a large write (issue 15): 32 connections of reads while a Graph Store PUT runs.

A `casegraph serve` (the test fixtures, the embedded FalkorDB) holds a generated graph of
`--old-triples` in one named graph. Readers on 32 keep-alive connections (httpx, asyncio)
alternate REST (`GET /api/entities/{id}`) and SPARQL (`SELECT (COUNT(*) ...)` over every
graph) for `--seconds` (and `--tail` seconds past the PUT's end); after `--lead` seconds a
PUT replaces the named graph with a generated graph of `--new-triples` (its claims add derived
statements). Reported: every status (no 5xx
is the target; 599 stands for a request that failed in the client, named in `client_errors`),
whether every COUNT is the old total or the new one (never a mix), latency percentiles
overall, per surface and for the reads made while the PUT ran (the issue's target: p99 under
100 ms), the PUT's duration and the load average. A benchmark: nothing is
asserted; the figures go to benchmarks/results/mixed.json.

    uv run python benchmarks/mixed.py [--seconds 30] [--old-triples 20000] [--new-triples 150000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import write_results  # noqa: E402
from benchmarks.generate import write  # noqa: E402
from tests.integration.server import TOKEN, running  # noqa: E402

GRAPH = "https://example.org/bench/mixed"
ENTITY = "fx-michoacan-operation"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SPARQL_JSON = {"Accept": "application/sparql-results+json"}


@dataclass(frozen=True, slots=True)
class Read:
    surface: str
    began: float
    seconds: float
    status: int
    count: int | None
    error: str | None = None


def put(url: str, path: Path) -> tuple[int, float]:
    began = time.perf_counter()
    response = httpx.put(
        f"{url}/graph-store",
        params={"graph": GRAPH},
        content=path.read_bytes(),
        headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"},
        timeout=1800,
    )
    return response.status_code, time.perf_counter() - began


def count(url: str) -> int:
    response = httpx.get(f"{url}/sparql", params={"query": COUNT}, headers=SPARQL_JSON, timeout=60)
    response.raise_for_status()
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def engines_ok(url: str, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        health = httpx.get(f"{url}/api/health", timeout=30).json()
        engines = health["engines"].values()
        if engines and all(
            e["state"] == "ok" and e["version"] == health["version"] for e in engines
        ):
            return
        time.sleep(0.5)
    raise RuntimeError("the Cypher engine did not catch up")


async def readers(
    url: str, connections: int, until: threading.Event, floor: float, tail: float
) -> list[Read]:
    """Read on `connections` connections until `until` is set, `tail` seconds have passed
    since, and `floor` (monotonic) has passed."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    out: list[Read] = []
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        ended: list[float] = []

        def finished() -> bool:
            if not until.is_set():
                return False
            if not ended:
                ended.append(time.monotonic())
            return time.monotonic() > max(floor, ended[0] + tail)

        async def one(index: int) -> None:
            n = index
            while not finished():
                n += 1
                surface = "sparql-count" if n % 2 else "rest"
                began = time.monotonic()
                try:
                    if surface == "rest":
                        response = await client.get(f"/api/entities/{ENTITY}")
                    else:
                        response = await client.get(
                            "/sparql", params={"query": COUNT}, headers=SPARQL_JSON
                        )
                    status = response.status_code
                    error = None
                except httpx.HTTPError as e:
                    status, error = 599, type(e).__name__
                seconds = time.monotonic() - began
                value = None
                if surface == "sparql-count" and status == 200:
                    value = int(response.json()["results"]["bindings"][0]["n"]["value"])
                out.append(Read(surface, began, seconds, status, value, error))

        await asyncio.gather(*(one(i) for i in range(connections)))
    return out


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {
        "n": len(ordered),
        "p50_ms": at(0.50),
        "p99_ms": at(0.99),
        "max_ms": round(ordered[-1] * 1000, 1),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--lead", type=float, default=3.0, help="reads before the PUT starts")
    parser.add_argument("--tail", type=float, default=3.0, help="reads after the PUT ends")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--old-triples", type=int, default=20_000)
    parser.add_argument("--new-triples", type=int, default=150_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="casegraph-mixed-") as tmp:
        root = Path(tmp)
        old_file, new_file = root / "old.nt", root / "new.nt"
        old_n = write(old_file, args.old_triples, seed=1)
        new_n = write(new_file, args.new_triples, seed=2)
        env = {
            "CASEGRAPH_ACCESS_LOG": "false",
            "CASEGRAPH_UPLOAD_MAX_BODY_BYTES": str(2_000_000_000),
            "CASEGRAPH_VALIDATE_SHACL": "false",
        }
        with running(root / "server", env=env) as server:
            status, seconds = put(server.url, old_file)
            print(f"first PUT ({old_n} triples): {status} in {seconds:.1f} s", file=sys.stderr)
            engines_ok(server.url)
            old_count = count(server.url)
            load_before = os.getloadavg()
            done = threading.Event()
            write_result: dict[str, Any] = {}
            began = time.monotonic()

            def writer() -> None:
                time.sleep(args.lead)
                write_result["began"] = time.monotonic()
                write_result["status"], write_result["seconds"] = put(server.url, new_file)
                write_result["ended"] = time.monotonic()
                done.set()

            thread = threading.Thread(target=writer, daemon=True)
            thread.start()
            floor = began + args.seconds
            reads = asyncio.run(readers(server.url, args.connections, done, floor, args.tail))
            thread.join()
            load_after = os.getloadavg()
            new_count = count(server.url)

    statuses = Counter(r.status for r in reads)
    counts = Counter(r.count for r in reads if r.count is not None)
    during = [r for r in reads if write_result["began"] <= r.began <= write_result["ended"]]
    result = {
        "command": "uv run python benchmarks/mixed.py " + " ".join(sys.argv[1:]),
        "connections": args.connections,
        "seconds": round(time.monotonic() - began, 1),
        "old_graph_triples": old_n,
        "new_graph_triples": new_n,
        "put": {
            "status": write_result["status"],
            "seconds": round(write_result["seconds"], 1),
        },
        "reads": len(reads),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": sum(v for k, v in statuses.items() if 500 <= k < 599),
        "client_errors": dict(Counter(r.error for r in reads if r.error)),
        "count_old": old_count,
        "count_new": new_count,
        "counts_seen": {str(k): v for k, v in sorted(counts.items())},
        "every_count_old_or_new": set(counts) <= {old_count, new_count},
        "latency_all": percentiles([r.seconds for r in reads]),
        "latency_during_put": percentiles([r.seconds for r in during]),
        "latency_during_put_by_surface": {
            s: percentiles([r.seconds for r in during if r.surface == s])
            for s in ("rest", "sparql-count")
        },
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
    }
    path = write_results("mixed", result)
    import json

    print(json.dumps(result, indent=2))
    print(f"written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
