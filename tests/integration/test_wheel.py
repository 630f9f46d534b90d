"""The wheel carries the curated cases, and `casegraph serve`'s first start finds and loads them
when casegraph is installed from that wheel rather than run from a checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "data" / "cases").glob("*.yaml"))

FIRST_START = """
import json
import api
from api.cli import default_cases_dir, first_start
from api.settings import Settings
settings = Settings()
cases = default_cases_dir(settings)
print(json.dumps([api.__file__, str(cases), first_start(settings)]))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        ["uv", "build", "--wheel", "--out-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    (built,) = out.glob("casegraph-*.whl")
    return built


def test_the_wheel_contains_every_curated_case(wheel: Path) -> None:
    assert CASES
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for case in CASES:
            assert f"ontology/cases/{case.name}" in names
            assert archive.read(f"ontology/cases/{case.name}") == case.read_bytes()
        assert "ontology/casegraph.ttl" in names and "ontology/shapes.ttl" in names


@pytest.mark.timeout(600)
def test_first_start_from_the_installed_wheel_loads_the_cases(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    install = subprocess.run(
        ["uv", "pip", "install", "--no-deps", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
    # The wheel's packages come first on the path; the dependencies come from this environment.
    env.update(PYTHONPATH=str(site), CASEGRAPH_DATA_DIR=str(tmp_path / "data"))
    run = subprocess.run(
        [sys.executable, "-c", FIRST_START],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    api_file, cases, loaded = json.loads(run.stdout.strip().splitlines()[-1])
    assert Path(api_file).is_relative_to(site), "imported the checkout, not the wheel"
    assert Path(cases) == site / "ontology" / "cases"
    assert loaded == len(CASES)
