"""`casegraph --help` and a SPARQL query import none of the heavy packages they do not use.

Each command runs in a fresh interpreter; afterwards we list which heavy packages are in
`sys.modules`. (How long the commands take is measured by benchmarks/cli.py, not here.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "pyshacl",
    "rdflib",
    "networkx",
    "igraph",
    "jinja2",
    "falkordb",
    "redis",
    "neo4j",
    "fastapi",
    "starlette",
    "uvicorn",
    "yaml",
)

RUN_AND_LIST = """
import json, sys
from api.cli import app
heavy = json.loads(sys.argv[2])
sys.argv = ["casegraph", *json.loads(sys.argv[1])]
try:
    app()
except SystemExit as e:
    code = e.code
else:
    code = 0
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(heavy))
print("\\nIMPORTED " + json.dumps([code, loaded]))
"""


def imported(args: list[str], env: dict[str, str]) -> tuple[int, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, json.dumps(args), json.dumps(HEAVY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    marker = [line for line in result.stdout.splitlines() if line.startswith("IMPORTED ")]
    assert marker, result.stderr
    code, loaded = json.loads(marker[-1].removeprefix("IMPORTED "))
    return int(code or 0), list(loaded)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("cli-imports") / "data"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
    environment["CASEGRAPH_DATA_DIR"] = str(data)
    case = ROOT / "tests" / "data" / "good" / "small-case.yaml"
    code, _ = imported(["load", "--no-sync", str(case)], environment)
    assert code == 0
    return environment


def test_help_imports_nothing_heavy(env: dict[str, str]) -> None:
    code, loaded = imported(["--help"], env)
    assert code == 0
    assert loaded == []
    code, loaded = imported(["view", "--help"], env)
    assert (code, loaded) == (0, [])


def test_sparql_query_imports_nothing_heavy(env: dict[str, str]) -> None:
    code, loaded = imported(["query", "sparql", "ASK { ?s ?p ?o }"], env)
    assert code == 0
    assert loaded == []


def test_the_verbs_that_need_them_still_get_them(env: dict[str, str], tmp_path: Path) -> None:
    # A first load reads YAML and runs pySHACL: the lazy imports still happen.
    fresh = {**env, "CASEGRAPH_DATA_DIR": str(tmp_path / "data")}
    case = ROOT / "tests" / "data" / "good" / "small-case.yaml"
    code, loaded = imported(["load", "--no-sync", str(case)], fresh)
    assert code == 0
    assert {"pyshacl", "rdflib", "yaml"} <= set(loaded)
