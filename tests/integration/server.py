"""A real casegraph server for the integration tests: `casegraph serve` in a subprocess.

The server gets a fresh data folder and a cases folder holding the fixture case files, so its
first start loads them (the same path a fresh install takes); it listens on a free loopback
port. `start_server` waits until `/api/health` answers and `Server.stop` ends the process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "tests" / "data" / "good"
FIXTURES = (GOOD / "small-case.yaml", GOOD / "api-mexico.yaml")
TOKEN = "test-write-token-0123456789"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path
    log_handle: BinaryIO

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if not self.log_handle.closed:
            self.log_handle.close()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_server(
    root: Path,
    *,
    cases: Sequence[Path] = FIXTURES,
    token: str | None = TOKEN,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 180.0,
) -> Server:
    """Start `casegraph serve` with fresh data under `root`; return once it is healthy."""
    data_dir = root / "data"
    cases_dir = root / "cases"
    cases_dir.mkdir(parents=True, exist_ok=True)
    for case in cases:
        shutil.copy(case, cases_dir / case.name)
    port = free_port()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("CASEGRAPH_")
    }
    environment.update(
        {
            "CASEGRAPH_DATA_DIR": str(data_dir),
            "CASEGRAPH_CASES_DIR": str(cases_dir),
            "CASEGRAPH_QUERY_TIMEOUT_S": "20",
            **({"CASEGRAPH_WRITE_TOKEN": token} if token else {}),
            **(env or {}),
        }
    )
    log = root / "server.log"
    handle = log.open("wb")
    command = [
        sys.executable,
        "-c",
        "from api.cli import app; app()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(
        command, cwd=root, env=environment, stdout=handle, stderr=subprocess.STDOUT
    )
    server = Server(f"http://127.0.0.1:{port}", data_dir, process, log, handle)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}):\n{server.output()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/api/health", timeout=2).status_code == 200:
                return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the server did not become healthy in {timeout_s} s:\n{server.output()}")


@contextlib.contextmanager
def running(root: Path, **options: object) -> Iterator[Server]:
    server = start_server(root, **options)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


__all__ = ["FIXTURES", "TOKEN", "Server", "free_port", "running", "start_server"]
