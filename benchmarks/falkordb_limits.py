"""How the embedded FalkorDB behaves on hostile queries, under the limits casegraph sets.

For each query: wall time, the redis-server's peak resident memory while it ran, and how it
ended (a result, "Query timed out", the memory cap, or still running when we gave up and
restarted the engine). Queries: expressions nested N levels deep (parentheses, unary minus
around parentheses, function calls, brackets) and `reduce` doubling a string 30 times.
Every query gets a 1 s timeout (`timeout_s=1`); the client waits at most `--give-up` seconds,
then `restart()` ends it. Writes benchmarks/results/falkordb_limits.json.

    uv run --frozen python -m benchmarks.falkordb_limits [--depths 10,15,20,25] [--give-up 120]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks._common import write_results
from graph.cypher.falkordb import EngineLimits, FalkorDBBackend, binaries

REDUCE = "RETURN size(reduce(s='x', i IN range(1,30) | s + s))"


def nested(kind: str, depth: int) -> str:
    if kind == "parentheses":
        return "RETURN " + "(" * depth + "1" + ")" * depth
    if kind == "minus-parentheses":  # -( counts twice: depth/2 pairs
        return "RETURN " + "-(" * (depth // 2) + "1" + ")" * (depth // 2)
    if kind == "function-calls":
        return "RETURN " + "abs(" * depth + "1" + ")" * depth
    if kind == "lists":
        return "RETURN " + "[" * depth + "1" + "]" * depth
    raise ValueError(kind)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(backend: FalkorDBBackend, text: str, give_up_s: float) -> dict[str, Any]:
    pid = backend.server.pid
    assert pid is not None
    outcome: dict[str, Any] = {}
    peak = [rss_mb(pid)]

    def run() -> None:
        try:
            result = backend.query(text, timeout_s=1)
            outcome["ended"] = f"result {result.rows}"[:80]
        except Exception as e:
            outcome["ended"] = f"{type(e).__name__}: {e}"[:160]

    start = time.perf_counter()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    while thread.is_alive() and time.perf_counter() - start < give_up_s:
        peak.append(rss_mb(pid))
        thread.join(0.05)
    seconds = time.perf_counter() - start
    row: dict[str, Any] = {"seconds": round(seconds, 2), "peak_rss_mb": round(max(peak))}
    if thread.is_alive():
        row["ended"] = f"still running after {give_up_s:.0f} s"
        restart_start = time.perf_counter()
        row["restart_saved_graph"] = backend.restart()
        row["restart_seconds"] = round(time.perf_counter() - restart_start, 2)
        thread.join(30)
    else:
        row["ended"] = outcome["ended"]
        row["rss_after_mb"] = round(rss_mb(pid))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", default="10,12,15,20,25")
    parser.add_argument("--kinds", default="parentheses,minus-parentheses,function-calls,lists")
    parser.add_argument("--give-up", type=float, default=120.0)
    args = parser.parse_args()
    depths = [int(d) for d in args.depths.split(",")]
    limits = EngineLimits()
    results: dict[str, Any] = {
        "engine": {"binaries": [str(p) for p in binaries()], "limits": limits.module_args()},
        "timeout_s": 1,
        "nesting": {},
    }
    with tempfile.TemporaryDirectory() as tmp, FalkorDBBackend(Path(tmp), limits=limits) as fk:
        modules = fk._db.connection.execute_command("MODULE", "LIST")
        results["engine"]["modules"] = [[str(v) for v in module] for module in modules]
        for kind in args.kinds.split(","):
            for depth in depths:
                row = measure(fk, nested(kind, depth), args.give_up)
                results["nesting"][f"{kind} {depth}"] = row
                print(f"{kind:18} {depth:3}  {row}", file=sys.stderr, flush=True)
                if row["ended"].startswith("still running"):
                    break  # deeper is slower still
        row = measure(fk, REDUCE, args.give_up)
        results["reduce_30_doublings"] = row
        print(f"reduce: {row}", file=sys.stderr, flush=True)
        without_cap = EngineLimits(query_memory_mb=0)
    with tempfile.TemporaryDirectory() as tmp, FalkorDBBackend(Path(tmp), limits=without_cap) as fk:
        row = measure(fk, REDUCE, args.give_up)
        results["reduce_30_doublings_without_memory_cap"] = row
        print(f"reduce without memory cap: {row}", file=sys.stderr, flush=True)
    print(write_results("falkordb_limits", results))


if __name__ == "__main__":
    main()
