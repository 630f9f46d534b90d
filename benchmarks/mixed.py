"""Reads under a large write (issue 15): 32 connections of reads while a Graph Store PUT runs.

A `casegraph serve` (the test fixtures, the embedded FalkorDB) holds a generated graph of
`--old-triples` in one named graph. `wrk` (one thread, 32 keep-alive connections; C, so the
load generator leaves the machine to the server) cycles through the reads users make —
`GET /api/entities/{id}`, `GET /api/health` (which counts the store's triples), a one-subject
`/sparql` lookup and an `/id` page — in windows of `--window` seconds, before and during a PUT
that replaces the named graph with a generated graph of `--new-triples` (its claims add derived
statements). Each window reports 208 quantiles of its latencies (by halves to 99%, then by
tenths); the requests of all windows are pooled from them, so the p99 is one over every request
(to a tenth of a percentile), not an average of windows' p99s. The windows before the PUT are
the anchor (the same reads, the same server, no write).

Beside it, one probe connection (Python) checks consistency for the whole run: a SPARQL
`SELECT (COUNT(*) ...)` over every graph and `/api/health`'s triple count must each read the
old total or the new one, never a mix. The probe's latency is reported apart (a full-store
count is a scan, slow by nature).

Reported: every status (no 5xx is the target), the counts seen, read latency before and during
the PUT and the engine sync that follows it (the issue's target: p99 under 100 ms during the
write), the PUT's duration and the load
average. A benchmark: nothing is asserted; the figures go to benchmarks/results/mixed.json.

    uv run python benchmarks/mixed.py [--window 5] [--old-triples 20000] [--new-triples 150000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

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


ENTITY_IRI = "https://w3id.org/casegraph/id/event/fx-michoacan-operation"
LOOKUP = f"SELECT ?p ?o WHERE {{ <{ENTITY_IRI}> ?p ?o }}"
SPARQL_JSON = {"Accept": "application/sparql-results+json"}
TIMEOUT_S = 10
"""wrk's request timeout: a read slower than this counts as an error (and its histogram has
one bucket per microsecond up to it)."""

READS = [
    (f"/api/entities/{ENTITY}", "application/json"),
    ("/api/health", "application/json"),
    ("/sparql?" + urlencode({"query": LOOKUP}), SPARQL_JSON["Accept"]),
    ("/id/event/fx-michoacan-operation", "text/html"),
]

LUA = """
local reads = {%s}
local i = 0
request = function()
  i = i + 1
  local r = reads[(i %% #reads) + 1]
  return wrk.format("GET", r[1], {["Accept"] = r[2]})
end
done = function(summary, latency, requests)
  local f = io.open("%s", "w")
  local e = summary.errors
  f:write(string.format('{"requests":%%d,"non_2xx":%%d,"socket_errors":%%d,"quantiles":[',
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
  local steps = {}
  for k = 1, 198 do steps[#steps + 1] = k / 2 end
  for k = 991, 1000 do steps[#steps + 1] = k / 10 end
  for k, p in ipairs(steps) do
    if k > 1 then f:write(",") end
    f:write(string.format("[%%.1f,%%d]", p, latency:percentile(p)))
  end
  f:write("]}")
  f:close()
end
"""


@dataclass(frozen=True, slots=True)
class Window:
    began: float
    ended: float
    requests: int
    non_2xx: int
    socket_errors: int
    quantiles: list[tuple[float, int]]
    """(percentile, microseconds): 0.5 to 99 by halves, then 99.1 to 100 by tenths."""


@dataclass(frozen=True, slots=True)
class Probe:
    what: str
    began: float
    seconds: float
    status: int
    count: int | None


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


def sparql_count(client: httpx.Client) -> tuple[int, int | None]:
    response = client.get("/sparql", params={"query": COUNT}, headers=SPARQL_JSON)
    if response.status_code != 200:
        return response.status_code, None
    return 200, int(response.json()["results"]["bindings"][0]["n"]["value"])


def health_count(client: httpx.Client) -> tuple[int, int | None]:
    response = client.get("/api/health")
    if response.status_code != 200:
        return response.status_code, None
    return 200, int(response.json()["triples"])


def engines_ok(url: str, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        health = httpx.get(f"{url}/api/health", timeout=30).json()
        engines = health["engines"].values()
        if engines and all(e["state"] == "ok" for e in engines):
            return
        time.sleep(0.5)
    raise RuntimeError("the Cypher engine did not catch up")


def engines_synced(url: str) -> bool:
    """Whether every Cypher engine is `ok` at the version readers see."""
    health = httpx.get(f"{url}/api/health", timeout=30).json()
    engines = health["engines"].values()
    return bool(engines) and all(
        e["state"] == "ok" and e["version"] == health["version"] for e in engines
    )


def wrk_window(url: str, seconds: float, connections: int, folder: Path) -> Window:
    """One `wrk` run over the read mix; its latency histogram from the Lua `done` hook."""
    out = folder / "window.json"
    script = folder / "reads.lua"
    reads = ", ".join(f'{{"{path}", "{accept}"}}' for path, accept in READS)
    script.write_text(LUA % (reads, out), encoding="utf-8")
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
        "--timeout", f"{TIMEOUT_S}s", "-s", str(script), url,
    ]  # fmt: skip
    began = time.monotonic()
    subprocess.run(command, capture_output=True, text=True, check=True)
    ended = time.monotonic()
    data = json.loads(out.read_text(encoding="utf-8"))
    quantiles = [(float(p), int(us)) for p, us in data["quantiles"]]
    return Window(began, ended, data["requests"], data["non_2xx"], data["socket_errors"], quantiles)


def latency(windows: list[Window]) -> dict[str, Any]:
    """Percentiles over every request of the windows: each window's quantiles weighted by its
    requests (a request between two quantiles counts at the upper one), then merged."""
    merged: Counter[int] = Counter()
    for w in windows:
        previous = 0.0
        for p, us in w.quantiles:
            merged[us] += (p - previous) / 100 * w.requests
            previous = p
    total = sum(merged.values())
    if not total:
        return {}

    def at(q: float) -> float:
        rank, seen = q * total, 0.0
        for us in sorted(merged):
            seen += merged[us]
            if seen >= rank - 1e-9:
                return round(us / 1000, 1)
        return round(max(merged) / 1000, 1)

    mean = sum(us * n for us, n in merged.items()) / total
    return {
        "n": round(total),
        "p50_ms": at(0.50),
        "p99_ms": at(0.99),
        "max_ms": round(max(merged) / 1000, 1),
        "mean_ms": round(mean / 1000, 1),
        "rps": round(total / sum(w.ended - w.began for w in windows), 1),
        "non_2xx": sum(w.non_2xx for w in windows),
        "socket_errors": sum(w.socket_errors for w in windows),
    }


def probe(url: str, stop: threading.Event, out: list[Probe]) -> None:
    """Consistency, on one connection: the SPARQL count and /api/health's count, in turn."""
    with httpx.Client(base_url=url, timeout=120) as client:
        n = 0
        while not stop.is_set():
            n += 1
            what, read = ("sparql-count", sparql_count) if n % 2 else ("health", health_count)
            began = time.monotonic()
            try:
                status, value = read(client)
            except httpx.HTTPError:
                status, value = 599, None
            out.append(Probe(what, began, time.monotonic() - began, status, value))


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
    parser.add_argument("--window", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--anchor-windows", type=int, default=3, help="wrk runs before the PUT")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--old-triples", type=int, default=20_000)
    parser.add_argument("--new-triples", type=int, default=150_000)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")

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
            for path, accept in READS:
                answer = httpx.get(f"{server.url}{path}", headers={"Accept": accept}, timeout=60)
                answer.raise_for_status()
            with httpx.Client(base_url=server.url, timeout=120) as client:
                old = {"sparql-count": sparql_count(client)[1], "health": health_count(client)[1]}
            load_before = os.getloadavg()
            probes: list[Probe] = []
            stop = threading.Event()
            prober = threading.Thread(target=probe, args=(server.url, stop, probes), daemon=True)
            prober.start()
            anchor = [
                wrk_window(server.url, args.window, args.connections, root)
                for _ in range(args.anchor_windows)
            ]
            write_result: dict[str, Any] = {}
            done = threading.Event()

            def writer() -> None:
                write_result["began"] = time.monotonic()
                write_result["status"], write_result["seconds"] = put(server.url, new_file)
                write_result["ended"] = time.monotonic()
                done.set()

            thread = threading.Thread(target=writer, daemon=True)
            thread.start()
            windows: list[Window] = []
            # The write ends when the Cypher engine has the new version too (it syncs on a
            # background thread after the PUT's answer): reads go on until then.
            while not (done.is_set() and engines_synced(server.url)):
                windows.append(wrk_window(server.url, args.window, args.connections, root))
            synced_after_s = time.monotonic() - write_result["ended"]
            thread.join()
            stop.set()
            prober.join()
            load_after = os.getloadavg()
            engines_ok(server.url)
            with httpx.Client(base_url=server.url, timeout=120) as client:
                new = {"sparql-count": sparql_count(client)[1], "health": health_count(client)[1]}

    during = [w for w in windows if w.ended <= write_result["ended"]]
    statuses = Counter(p.status for p in probes)
    seen = {
        what: Counter(p.count for p in probes if p.what == what and p.count is not None)
        for what in old
    }
    result = {
        "command": "uv run python benchmarks/mixed.py " + " ".join(sys.argv[1:]),
        "load_generator": f"wrk -t1 -c{args.connections} in {args.window:g} s windows, "
        f"--timeout {TIMEOUT_S}s; reads: " + ", ".join(path for path, _ in READS),
        "old_graph_triples": old_n,
        "new_graph_triples": new_n,
        "put": {
            "status": write_result["status"],
            "seconds": round(write_result["seconds"], 1),
            # An upper bound: windows are whole, and the last one ends after the engine synced.
            "engine_synced_within_s_after_put": round(synced_after_s, 1),
        },
        "windows": {"anchor": len(anchor), "during_put": len(during), "all": len(windows)},
        "reads_before_put": latency(anchor),
        "reads_during_put": latency(during) if during else None,
        # Every window from the PUT's start until the engine has synced the new version: the
        # whole write as readers live it. The target is judged on these.
        "reads_during_write": latency(windows),
        "reads_during_write_p99_vs_before": round(
            latency(windows)["p99_ms"] / latency(anchor)["p99_ms"], 2
        ),
        "target_p99_ms": 100,
        "met": latency(windows)["p99_ms"] < 100,
        "probe_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "non_2xx": sum(w.non_2xx for w in [*anchor, *windows])
        + sum(v for k, v in statuses.items() if k >= 500),
        "counts": {
            what: {
                "old": old[what],
                "new": new[what],
                "seen": {str(k): v for k, v in sorted(seen[what].items())},
                "every_count_old_or_new": set(seen[what]) <= {old[what], new[what]},
            }
            for what in old
        },
        "probe_latency": {
            what: percentiles([p.seconds for p in probes if p.what == what]) for what in old
        },
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
    }
    path = write_results("mixed", result)
    print(json.dumps(result, indent=2))
    print(f"written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
