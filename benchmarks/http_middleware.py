"""What `api.http.HTTPMiddleware` costs: `GET /api/health` with and without it, alternating.

Three servers run side by side (uvicorn, one worker, uvloop + httptools, each with its own empty
data folder): the app without the middleware, with it and the access log off, with it and the
access log on (lines written to a file). Rounds alternate the three, in a rotating order, and
each measurement drives one server with `--clients` keep-alive clients (httpx, asyncio, the
harness in `benchmarks/_common.py`) for `--seconds`. Reported per variant: the median requests/s
and the server's CPU time per request (psutil, user + system), which does not depend on the
load generator, and the load average around each round.

    uv run python benchmarks/http_middleware.py [--rounds 5] [--seconds 3] [--clients 16]

Writes benchmarks/results/http_middleware.json. The load generator shares the machine's cores
with the server, so requests/s are a floor; compare CPU per request.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import measure, write_results  # noqa: E402
from tests.integration.server import free_port  # noqa: E402

VARIANTS = {
    "without middleware": ("benchmarks.http_middleware:app_without_middleware", "false"),
    "middleware, access log off": ("benchmarks.http_middleware:app_with_middleware", "false"),
    "middleware, access log on": ("benchmarks.http_middleware:app_with_middleware", "true"),
}


def app_with_middleware() -> Any:
    from api.app import create_app

    return create_app()


def app_without_middleware() -> Any:
    from api.app import create_app
    from api.http import without_middleware

    return without_middleware(create_app())


@contextlib.contextmanager
def serve(factory: str, access_log: str, folder: Path) -> Iterator[tuple[str, psutil.Process]]:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
    environment |= {
        "CASEGRAPH_DATA_DIR": str(folder / "data"),
        "CASEGRAPH_ACCESS_LOG": access_log,
    }
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "--factory", factory, "--port", str(port)),
            *("--log-level", "warning", "--no-access-log"),
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{factory} exited: {(folder / 'server.log').read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{factory} did not start")
        yield url, psutil.Process(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def middleware_alone(rounds: int, calls: int = 20_000) -> dict[str, float]:
    """µs per request of the middleware alone: a bare ASGI app called in process, with and
    without `HTTPMiddleware` (access log off, and on into a file), medians of `rounds`."""
    import logging

    from api.http import HTTPMiddleware, access_log
    from api.settings import Settings

    async def bare(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    class Router:
        routes: ClassVar[list[Any]] = []

    class App:
        router = Router()

    with tempfile.TemporaryDirectory() as tmp:
        handler = logging.FileHandler(Path(tmp) / "access.log")
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
        apps = {
            "without middleware": bare,
            "middleware, access log off": HTTPMiddleware(
                bare,
                settings=Settings(access_log=False),
                fastapi=App(),  # type: ignore[arg-type]
            ),
            "middleware, access log on": HTTPMiddleware(
                bare,
                settings=Settings(access_log=True),
                fastapi=App(),  # type: ignore[arg-type]
            ),
        }
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/api/health",
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"localhost"), (b"accept", b"*/*")],
        }

        async def receive() -> Any:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Any) -> None:
            pass

        async def loop(app: Any) -> float:
            started = time.perf_counter()
            for _ in range(calls):
                await app(scope, receive, send)
            return (time.perf_counter() - started) / calls * 1e6

        results: dict[str, list[float]] = {name: [] for name in apps}
        for _ in range(rounds):
            for name, app in apps.items():
                results[name].append(asyncio.run(loop(app)))
        access_log.removeHandler(handler)
        handler.close()
    return {name: round(statistics.median(values), 2) for name, values in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    names = list(VARIANTS)
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    loads: list[tuple[float, float, float]] = []
    with (
        tempfile.TemporaryDirectory(prefix="casegraph-bench-http-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        servers = {}
        for index, name in enumerate(names):
            factory, access_log = VARIANTS[name]
            folder = Path(tmp) / str(index)
            folder.mkdir()
            servers[name] = stack.enter_context(serve(factory, access_log, folder))
        for round_ in range(args.rounds):
            loads.append(os.getloadavg())
            order = names[round_ % len(names) :] + names[: round_ % len(names)]
            for name in order:
                url, process = servers[name]
                before = process.cpu_times()
                result = asyncio.run(measure(url, "/api/health", {}, args.clients, args.seconds))
                after = process.cpu_times()
                cpu = (after.user - before.user) + (after.system - before.system)
                # `measure` warms up with 20 requests before its timed window.
                result["cpu_us_per_request"] = round(cpu / (result["requests"] + 20) * 1e6, 1)
                samples[name].append(result)
                print(
                    f"round {round_ + 1}  {name:28} {result['rps']:8.1f} req/s  "
                    f"{result['cpu_us_per_request']:7.1f} µs CPU/request  "
                    f"p50 {result['p50_ms']:.2f} ms  errors {result['errors']}",
                    flush=True,
                )
        loads.append(os.getloadavg())
    summary = {
        name: {
            "median_rps": round(statistics.median(s["rps"] for s in runs), 1),
            "median_cpu_us_per_request": round(
                statistics.median(s["cpu_us_per_request"] for s in runs), 1
            ),
        }
        for name, runs in samples.items()
    }
    base = summary["without middleware"]
    for name, row in summary.items():
        row["rps_change_pct"] = round((row["median_rps"] / base["median_rps"] - 1) * 100, 1)
        row["cpu_change_pct"] = round(
            (row["median_cpu_us_per_request"] / base["median_cpu_us_per_request"] - 1) * 100, 1
        )
        print(
            f"{name:28} {row['median_rps']:8.1f} req/s ({row['rps_change_pct']:+.1f}%)  "
            f"{row['median_cpu_us_per_request']:7.1f} µs CPU/request "
            f"({row['cpu_change_pct']:+.1f}%)"
        )
    rounded = [tuple(round(x, 2) for x in load) for load in loads]
    print("load average (1, 5, 15 min) around the rounds:", rounded)
    in_process = middleware_alone(args.rounds)
    for name, micros in in_process.items():
        print(f"in process, around a bare ASGI app: {name:28} {micros:6.2f} µs/request")
    path = write_results(
        "http_middleware",
        {
            "endpoint": "GET /api/health",
            "clients": args.clients,
            "seconds_per_run": args.seconds,
            "rounds": args.rounds,
            "server": "uvicorn, 1 worker, uvloop + httptools, empty store",
            "load_average": loads,
            "summary": summary,
            "runs": samples,
            "in_process_us_per_request": in_process,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
