"""Schemathesis against `/openapi.json` of a real `casegraph serve`, with every check.

No 5xx, no status, content type, header or body outside what the document says, schema-valid
requests accepted and invalid ones refused, auth enforced where declared. The configuration is
`tests/integration/schemathesis/schemathesis.toml` (fixed seed, so a run is reproducible);
`baseline.json` beside it records accepted failures and is empty: any failure fails the run.
The hooks generate valid queries and RDF for the schema's `format`s; the config says which
documented 4xx are expected for schema-valid data that JSON Schema cannot rule out, and why.
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
