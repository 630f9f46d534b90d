"""Issue 10's targets at scale: start-up, a reload, a full derivation, the events window.

Two data folders, kept in var/bench/ between runs (rebuilt when missing or with `--fresh`):
`curated` holds data/cases; `big` holds data/cases plus `--triples` generated statements
(benchmarks/generate.py, seed 42) loaded with `casegraph load --no-validate` (the bulk path).

1. load: wall time and peak memory of that `casegraph load` process (`os.wait4`);
2. derive: `casegraph derive --full` on `big`, the same figures. Targets: its time at most the
   load's, its peak memory at most 1.5x the load's;
3. start-up: `casegraph serve` until `/api/health` answers 200, on `curated` and `big`
   alternately, `--rounds` each. Target: under 3 s on `big`;
4. reload: a changed copy of data/cases/halt-act.yaml (its case description gains a few words)
   and the original, loaded one after the other `--rounds` times into each folder, in one
   process per folder (`graph.ingest.load`, imports excluded). Target: the median on `big` at
   most 2x the median on `curated`;
5. events: on `big`, a server with the response cache off answers
   `GET /api/events?from=2017-01-01&to=2018-12-31` 200 times, one after the other: median and
   p99 (the target, under 100 ms, is stated for 10M statements: `--triples 10000000`).

The machine is shared: the load average is recorded before each step.

    uv run python benchmarks/scale.py                       # 1M generated statements
    uv run python benchmarks/scale.py --triples 10000000 --only load,events

Writes benchmarks/results/scale-<triples>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import WORK, write_results  # noqa: E402
from tests.integration.server import free_port  # noqa: E402

CASES = ROOT / "data" / "cases"
HALT = CASES / "halt-act.yaml"
CLI = [sys.executable, "-c", "from api.cli import app; app()"]
STEPS = ("load", "derive", "startup", "reload", "events")


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def environment(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEGRAPH_", "NEO4J"))}
    # Without NEO4J_URI the configured engine is unavailable: nothing syncs in the background.
    env |= {"CASEGRAPH_DATA_DIR": str(data), "CASEGRAPH_CYPHER_BACKEND": "neo4j", **extra}
    return env


def measured(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a command; its wall seconds and peak resident memory (MB), from `wait4`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command[3:])} failed: {process.stderr.read()!r}")  # type: ignore[union-attr]
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def generated(triples: int) -> Path:
    from benchmarks.generate import write

    path = WORK / f"synthetic-{triples}.nt"
    if not path.exists():
        partial = path.with_suffix(".part")
        write(partial, triples)
        partial.rename(path)
    return path


def build(folder: Path, triples: int | None, fresh: bool) -> dict[str, Any]:
    """The data folder: the curated cases, then (for `big`) the generated statements."""
    done = folder / "complete.json"
    if done.exists() and not fresh:
        return dict(json.loads(done.read_text()))
    shutil.rmtree(folder, ignore_errors=True)
    env = environment(folder)
    info: dict[str, Any] = {"cases": measured([*CLI, "load", "--no-sync", str(CASES)], env)}
    if triples:
        path = generated(triples)
        info["loadavg_before_load"] = loadavg()
        info["load"] = measured([*CLI, "load", "--no-sync", "--no-validate", str(path)], env)
        info["file"] = {"name": path.name, "mb": round(path.stat().st_size / 2**20, 1)}
    done.write_text(json.dumps(info))
    return info


def derive_full(folder: Path, load: dict[str, Any]) -> dict[str, Any]:
    """`casegraph derive --full` on `folder`, its time and memory also as ratios to `load`."""
    derive = measured([*CLI, "derive", "--full"], environment(folder))
    return derive | {
        "time_ratio_to_load": round(derive["seconds"] / load["seconds"], 2),
        "memory_ratio_to_load": round(derive["peak_rss_mb"] / load["peak_rss_mb"], 2),
    }


@contextlib.contextmanager
def serve(data: Path, **extra: str) -> Iterator[tuple[str, float]]:
    """`casegraph serve` on `data`; (its URL, seconds until /api/health answered 200)."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        cwd=ROOT,
        env=environment(data, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server on {data} exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                    break
            if time.perf_counter() - started > 300:
                raise RuntimeError("the server was not healthy within 300 s")
            time.sleep(0.01)
        yield url, time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=30)


def startup(folders: dict[str, Path], rounds: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {name: [] for name in folders}
    for _ in range(rounds):
        for name, folder in folders.items():
            with serve(folder) as (_url, seconds):
                times[name].append(round(seconds, 2))
    return {
        name: {"median_s": round(statistics.median(values), 2), "runs_s": values}
        for name, values in times.items()
    }


def reload_child(folder: Path, rounds: int) -> None:
    """In a child process: the halt-act reloads on one folder, as JSON on stdout."""
    import tempfile

    from graph import ingest
    from graph.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        changed = Path(tmp) / HALT.name
        text = HALT.read_text(encoding="utf-8")
        marker = "and the criticism it met."
        assert marker in text, "halt-act.yaml changed: update the benchmark's edit"
        changed.write_text(text.replace(marker, f"{marker} (Edited for a benchmark.)"), "utf-8")
        workspace = Workspace.open(folder)
        times = []
        try:
            for index in range(rounds * 2):
                path = changed if index % 2 == 0 else HALT
                started = time.perf_counter()
                ingest.load(workspace, [path])  # validated, as `casegraph load` does
                times.append(round(time.perf_counter() - started, 3))
        finally:
            workspace.close()
    print(json.dumps(times))


def reload(folders: dict[str, Path], rounds: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, folder in folders.items():
        done = subprocess.run(
            [sys.executable, __file__, "--reload-child", str(folder), "--rounds", str(rounds)],
            cwd=ROOT,
            env=environment(folder),
            capture_output=True,
            text=True,
            check=True,
        )
        times = json.loads(done.stdout.strip().splitlines()[-1])
        out[name] = {"median_s": statistics.median(times), "runs_s": times}
    return out


def events(folder: Path, requests: int = 200) -> dict[str, Any]:
    params = {"from": "2017-01-01", "to": "2018-12-31"}
    with serve(folder, CASEGRAPH_RESPONSE_CACHE_MB="0") as (url, _seconds):
        client = httpx.Client(base_url=url, timeout=60)
        first = client.get("/api/events", params=params)
        first.raise_for_status()
        body = first.json()
        latencies = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get("/api/events", params=params).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
        client.close()
    latencies.sort()
    return {
        "request": "GET /api/events?from=2017-01-01&to=2018-12-31 (response cache off)",
        "total_in_window": body.get("total"),
        "items_returned": len(body.get("items", [])),
        "median_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default=",".join(STEPS))
    parser.add_argument("--fresh", action="store_true", help="rebuild the data folders")
    parser.add_argument("--reload-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reload_child:
        reload_child(args.reload_child, args.rounds)
        return
    steps = set(args.only.split(","))
    folders = {"curated": WORK / "scale-curated", "big": WORK / f"scale-{args.triples}"}
    result: dict[str, Any] = {"triples_generated": args.triples, "loadavg_start": loadavg()}
    result["build"] = {
        "curated": build(folders["curated"], None, args.fresh),
        "big": build(folders["big"], args.triples, args.fresh),
    }
    load = result["build"]["big"]["load"]
    print(f"load: {load}", flush=True)
    if "derive" in steps:
        result["loadavg_before_derive"] = loadavg()
        result["derive"] = derive_full(folders["big"], load)
        print(f"derive --full: {result['derive']}", flush=True)
    if "startup" in steps:
        result["loadavg_before_startup"] = loadavg()
        result["startup"] = startup(folders, args.rounds)
        print(f"start-up: {result['startup']}", flush=True)
    if "reload" in steps:
        result["loadavg_before_reload"] = loadavg()
        reloads = reload(folders, args.rounds)
        reloads["ratio_big_to_curated"] = round(
            reloads["big"]["median_s"] / reloads["curated"]["median_s"], 2
        )
        result["reload"] = reloads
        print(f"reload halt-act.yaml: {reloads}", flush=True)
    if "events" in steps:
        result["loadavg_before_events"] = loadavg()
        result["events"] = events(folders["big"])
        print(f"events: {result['events']}", flush=True)
    result["loadavg_end"] = loadavg()
    path = write_results(f"scale-{args.triples}", result)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
