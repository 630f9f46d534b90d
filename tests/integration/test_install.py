"""The Dockerfile's install command works as written: wheels only, runtime dependencies only.

No Docker engine runs here, so the test runs the same `uv sync` into a fresh environment
(`UV_PROJECT_ENVIRONMENT`) and starts `casegraph` from it. `--no-build` makes uv refuse any
source distribution, so a dependency that would need a compiler fails the test.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()

IMPORT_EVERY_MODULE = """
import importlib, pkgutil
for package in ("ontology", "loaders", "graph", "api"):
    root = importlib.import_module(package)
    for module in pkgutil.walk_packages(root.__path__, package + "."):
        importlib.import_module(module.name)
from graph.cypher.falkordb import binaries
print(*binaries())
"""


def install_command() -> list[str]:
    """The Dockerfile's last `uv sync` (the one that installs the project too)."""
    commands = re.findall(r"^RUN (uv sync[^\n]*)$", DOCKERFILE, re.M)
    assert commands, "the Dockerfile installs with uv sync"
    for command in commands:
        assert "--frozen" in command and "--no-dev" in command and "--no-build" in command
    return shlex.split(commands[-1])


@pytest.mark.timeout(900)
def test_dockerfile_install_runs_from_wheels_into_a_fresh_environment(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEGRAPH_", "VIRTUAL_"))}
    env.update(UV_PROJECT_ENVIRONMENT=str(venv), UV_PYTHON_DOWNLOADS="never")
    sync = subprocess.run(
        install_command(), cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert sync.returncode == 0, sync.stderr
    env["CASEGRAPH_DATA_DIR"] = str(tmp_path / "data")

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )

    help_ = run(str(venv / "bin" / "casegraph"), "--help")
    assert help_.returncode == 0, help_.stderr
    assert "serve" in help_.stdout and "query" in help_.stdout
    # Every module of the four packages imports with the runtime dependencies alone, and the
    # embedded engine's binaries came with them.
    imported = run(str(venv / "bin" / "python"), "-c", IMPORT_EVERY_MODULE)
    assert imported.returncode == 0, imported.stderr
    server, module = imported.stdout.split()
    assert Path(server).name == "redis-server" and Path(module).is_file()
    # No test tools at run time.
    for dev_only in ("pytest", "mypy", "ruff", "hypothesis", "playwright", "httpx"):
        found = run(str(venv / "bin" / "python"), "-c", f"import {dev_only}")
        assert found.returncode != 0, f"{dev_only} is installed by the runtime install"
    # A load (YAML, SHACL, derivation) and a query work with them.
    case = str(ROOT / "tests" / "data" / "good" / "small-case.yaml")
    load = run(str(venv / "bin" / "casegraph"), "load", "--no-sync", case)
    assert load.returncode == 0, load.stderr
    ask = run(str(venv / "bin" / "casegraph"), "query", "sparql", "ASK { ?s ?p ?o }")
    assert (ask.returncode, ask.stdout.strip()) == (0, "true"), ask.stderr
