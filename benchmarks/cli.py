"""How quickly `casegraph` answers: `--help`, and a small SPARQL query on a loaded store.

Each command runs as a fresh process (the installed `casegraph` script, as a user types it), once
to warm the file cache and then `--reps` times; we report the median wall time and the median
CPU time (user + system) of the child. On a shared machine the wall time grows with the load
(recorded as `loadavg`); the CPU time much less. The store is the curated cases
(`data/cases`), loaded into a temporary data folder first. Writes benchmarks/results/cli.json.

    uv run --frozen python -m benchmarks.cli [--reps 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._common import ROOT, write_results

COMMANDS: dict[str, tuple[list[str], float]] = {
    "help": (["--help"], 0.5),
    "query_sparql_ask": (["query", "sparql", "ASK {}"], 1.0),
}


def casegraph() -> str:
    script = Path(sys.executable).with_name("casegraph")
    if not script.exists():
        raise SystemExit(f"{script} not found: run `uv sync` first")
    return str(script)


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    exe = casegraph()
    results: dict[str, Any] = {"reps": args.reps, "commands": {}}
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
        env["CASEGRAPH_DATA_DIR"] = str(Path(tmp) / "data")
        subprocess.run(
            [exe, "load", "--no-sync", "--json", str(ROOT / "data" / "cases")],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for name, (arguments, target) in COMMANDS.items():
            command = [exe, *arguments]
            run(command, env)  # warm-up
            loadavg = os.getloadavg()
            samples = [run(command, env) for _ in range(args.reps)]
            walls, cpus = [w for w, _ in samples], [c for _, c in samples]
            row = {
                "command": ["casegraph", *arguments],
                "median_wall_s": round(statistics.median(walls), 3),
                "median_cpu_s": round(statistics.median(cpus), 3),
                "wall_s": [round(w, 3) for w in walls],
                "cpu_s": [round(c, 3) for c in cpus],
                "target_wall_s": target,
                "loadavg_before": [round(x, 2) for x in loadavg],
            }
            results["commands"][name] = row
            print(f"{name}: {row}", file=sys.stderr, flush=True)
    print(write_results("cli", results))


if __name__ == "__main__":
    main()
