"""Schemathesis against `/openapi.json` of a real `casegraph serve`, with every check.

No 5xx, no status, content type, header or body outside what the document says, schema-valid
requests accepted and invalid ones refused, auth enforced where declared. The configuration is
`tests/integration/schemathesis/schemathesis.toml` (fixed seed, so a run is reproducible);
failures already known are recorded in `baseline.json` beside it, each with the request that
shows it and whose part of the code it is in: the run fails on any failure not recorded there.
Drop an entry when its cause is fixed (`--baseline-prune` does it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.server import TOKEN, running

pytestmark = [pytest.mark.timeout(900), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "integration" / "schemathesis" / "schemathesis.toml"


def test_openapi_holds_under_schemathesis(tmp_path: Path) -> None:
    executable = Path(sys.executable).parent / "schemathesis"
    assert executable.is_file(), "schemathesis is a dev dependency: run scripts/bootstrap"
    with running(tmp_path / "server") as server:
        result = subprocess.run(
            [
                str(executable),
                "--config-file",
                str(CONFIG),
                "run",
                f"{server.url}/openapi.json",
                "--no-color",
                "--header",
                f"Authorization: Bearer {TOKEN}",
                "--report",
                "junit",
                "--report-dir",
                str(tmp_path / "report"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=840,
            check=False,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20_000:]
    assert "Tested: 29" in output or "Tested:" in output
