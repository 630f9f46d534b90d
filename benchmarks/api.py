"""REST throughput and latency against the ceiling of the same app: requests/s, p50, p99.

Issue 10's targets, at 32 connections on one worker:

- `GET /api/entities/{id}` at least 0.5x the throughput of a minimal route of the same app that
  returns pre-encoded bytes (the ceiling: `GET /bench/ceiling`, added by this script's app
  factory, so it passes the same middleware), with p99 under 50 ms;
- `GET /api/events` (a two-year window) and `GET /api/causal-chains` at least 0.4x.

The server is `uvicorn --factory benchmarks.api:app_with_ceiling` (uvloop, httptools, access log
off) over a data folder holding the curated cases (loaded by `casegraph load` first); no Cypher
engine is configured, so nothing syncs in the background. The load generator is `wrk` (one
thread, keep-alive; `apt-get install wrk`), which leaves the other core to the server. Rounds
alternate the endpoints in a rotating order; each endpoint's ratio is taken against the ceiling
measured in the same round, and the median of the rounds is reported, with the load average
before each round.

    uv run python benchmarks/api.py [--rounds 5] [--seconds 5] [--connections 32]

Writes benchmarks/results/api.json.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import write_results  # noqa: E402
from tests.integration.server import free_port  # noqa: E402

CEILING_BODY = b'{"ceiling":true}'
# A two-hop causal chain in the curated cases (mx-2012-03 -> cartel fragmentation -> homicides).
CHAIN = {"from": "mx-2012-03", "to": "mexico-homicide-rise"}
ENTITY = "af-2017-01"
EVENTS = {"from": "2017-01-01", "to": "2018-12-31"}


def app_with_ceiling() -> Any:
    """casegraph's app plus `GET /bench/ceiling`, an async route returning fixed bytes."""
    from fastapi import Response

    from api.app import create_app

    app = create_app()

    @app.get("/bench/ceiling", include_in_schema=False)
    async def ceiling() -> Response:
        return Response(CEILING_BODY, media_type="application/json")

    return app


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


@contextlib.contextmanager
def serve(data: Path, log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """The benchmark app on `data`; yields its base URL once `/api/health` answers 200."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CASEGRAPH_", "NEO4J"))}
    environment |= {
        "CASEGRAPH_DATA_DIR": str(data),
        "CASEGRAPH_ACCESS_LOG": "false",
        "CASEGRAPH_CYPHER_BACKEND": "neo4j",  # without NEO4J_URI: no engine, nothing syncs
        **(env or {}),
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "benchmarks.api:app_with_ceiling"]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    with log.open("wb") as handle:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=handle, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 600
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the server exited:\n{log.read_text()}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not become healthy in 600 s")
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(
    url: str,
    connections: int,
    seconds: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> dict[str, Any]:
    """One `wrk` run: requests/s, p50 and p99 in ms, non-2xx answers and socket errors."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "60s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"\n\s+50%\s+(\S+)", out)
    p99 = re.search(r"\n\s+99%\s+(\S+)", out)
    if not (rps and p50 and p99):
        raise RuntimeError(f"unreadable wrk output:\n{out}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": float(rps.group(1)),
        "p50_ms": round(_ms(p50.group(1)), 2),
        "p99_ms": round(_ms(p99.group(1)), 2),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(0) if errors else None,
    }


def endpoints(base: str) -> dict[str, str]:
    query = httpx.QueryParams
    return {
        "ceiling": f"{base}/bench/ceiling",
        "entity": f"{base}/api/entities/{ENTITY}",
        "events": f"{base}/api/events?{query(EVENTS)}",
        "causal-chains": f"{base}/api/causal-chains?{query(CHAIN)}",
    }


def check(urls: dict[str, str]) -> dict[str, int]:
    """Each endpoint answers 200 with a body (bytes per answer, for the record)."""
    sizes = {}
    for name, url in urls.items():
        response = httpx.get(url, timeout=30)
        response.raise_for_status()
        sizes[name] = len(response.content)
    return sizes


TARGETS = {"entity": 0.5, "events": 0.4, "causal-chains": 0.4}


VARIANTS = {
    "response cache on (default)": {},
    "response cache off": {"CASEGRAPH_RESPONSE_CACHE_MB": "0"},
}


def run_rounds(
    urls: dict[str, str], rounds: int, connections: int, seconds: int, label: str
) -> list[dict[str, Any]]:
    names = list(urls)
    rows: list[dict[str, Any]] = []
    for index in range(rounds):
        shift = index % len(names)
        order = names[shift:] + names[:shift]
        row: dict[str, Any] = {"loadavg": loadavg()}
        for name in order:
            row[name] = wrk(urls[name], connections, seconds)
        rows.append(row)
        print(
            f"{label}, round {index + 1}: load {row['loadavg']:5.2f}  "
            + "  ".join(f"{n} {row[n]['rps']:7.0f}/s p99 {row[n]['p99_ms']:6.1f}" for n in names),
            flush=True,
        )
    return rows


def summarise(rows: list[dict[str, Any]], sizes: dict[str, int]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for name in sizes:
        ratios = [r[name]["rps"] / r["ceiling"]["rps"] for r in rows]
        summary[name] = {
            "rps_median": round(statistics.median(r[name]["rps"] for r in rows), 1),
            "p99_ms_median": round(statistics.median(r[name]["p99_ms"] for r in rows), 2),
            "ratio_to_ceiling_median": round(statistics.median(ratios), 3),
            "bytes": sizes[name],
            "non_2xx": sum(r[name]["non_2xx"] for r in rows),
        }
        if name in TARGETS:
            met = summary[name]["ratio_to_ceiling_median"] >= TARGETS[name]
            if name == "entity":
                met = met and summary[name]["p99_ms_median"] < 50
            summary[name] |= {"target_ratio": TARGETS[name], "met": met}
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--cases", type=Path, default=ROOT / "data" / "cases")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="casegraph-bench-api-") as tmp:
        loaded = Path(tmp) / "loaded"
        env = {**os.environ, "CASEGRAPH_DATA_DIR": str(loaded)}
        env["CASEGRAPH_CYPHER_BACKEND"] = "neo4j"
        command = [sys.executable, "-c", "from api.cli import app; app()", "load", "--no-sync"]
        subprocess.run([*command, str(args.cases)], cwd=ROOT, env=env, check=True)
        for label, variant in VARIANTS.items():
            data = Path(tmp) / f"data-{len(results)}"
            shutil.copytree(loaded, data)
            with serve(data, Path(tmp) / f"server-{len(results)}.log", variant) as base:
                urls = endpoints(base)
                sizes = check(urls)
                for url in urls.values():  # warm up: caches, connections
                    wrk(url, args.connections, 1)
                rows = run_rounds(urls, args.rounds, args.connections, args.seconds, label)
            summary = summarise(rows, sizes)
            for name, row in summary.items():
                print(f"{label}: {name:14} {row}")
            results[label] = {"environment": variant, "rounds": rows, "summary": summary}
    path = write_results(
        "api",
        {
            "server": "uvicorn --factory benchmarks.api:app_with_ceiling, 1 worker, uvloop, "
            "httptools, access log off",
            "load_generator": f"wrk -t1 -c{args.connections} -d{args.seconds}s --latency",
            "cases": str(args.cases),
            "endpoints": {name: url.split("/", 3)[3] for name, url in urls.items()},
            "variants": results,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
