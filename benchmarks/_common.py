"""Shared helpers for the benchmark scripts: timing, peak memory, result files."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
WORK = ROOT / "var" / "bench"


def machine() -> dict[str, Any]:
    import psutil

    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def run_child(script: Path, *args: str) -> dict[str, Any]:
    """Run one measurement in a fresh process (so peak memory is its own); parse its JSON."""
    result = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed:\n{result.stderr}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), **payload}
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


# -- an httpx load generator (asyncio, keep-alive), for benchmarks that need no wrk ------------


async def _client(
    client: Any, url: str, params: dict[str, str], stop: float, out: list[float]
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
    """`clients` keep-alive clients calling `url` for `seconds`: requests/s, p50, p99, errors."""
    import asyncio
    import statistics

    import httpx

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for _ in range(20):  # warm up caches and connections
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
