"""`casegraph check --temporal`: the causal claims and link steps whose cause begins after its
effect ends; exit 1 when one certainly does.

On the curated cases (data/cases) the casebook's LNK-14 is certain (the $880B instruction of
February 2025 is said to put at risk a 2023 coverage figure) and LNK-15 is possible (the July
2025 brief and the op-ed's approximate August 2025 date); the same data without LNK-14 passes.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "data" / "cases"
runner = CliRunner()

pytestmark = pytest.mark.timeout(600)


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def load(cases: Path, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEGRAPH_DATA_DIR", str(data))
    monkeypatch.setenv("CASEGRAPH_SYNC_BACKENDS", "[]")
    code, output = cli("load", str(cases))
    assert code == 0, output


def test_curated_cases_fail_on_lnk_14(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load(CASES, tmp_path / "data", monkeypatch)
    code, output = cli("check", "--temporal")
    assert code == 1, output
    lines = output.splitlines()
    assert re.match(
        r"temporal: \d+ claims and link steps checked, 1 inconsistent, 1 possibly", lines[0]
    )
    assert lines[1].startswith("inconsistent: lnk-14/step-1 (riskTo) ph-2025-11 -> ph-2025-13:")
    assert "2025-02-25" in lines[1] and "2023-12-31" in lines[1]
    assert lines[2].startswith("possibly-inconsistent: lnk-15/step-1 (citedBy) us-2025-14 -> s00")
    code, output = cli("check", "--temporal", "--json")
    assert code == 1
    body = json.loads(output)
    assert body["inconsistent"] == 1 and body["possibly_inconsistent"] == 1
    assert body["checked"] > 60
    assert [(i["id"], i["verdict"], i["link"]) for i in body["items"]] == [
        ("lnk-14/step-1", "inconsistent", "lnk-14"),
        ("lnk-15/step-1", "possibly-inconsistent", "lnk-15"),
    ]


def test_without_lnk_14_only_the_possible_one_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = tmp_path / "cases"
    shutil.copytree(CASES, cases)
    claims = cases / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    start, end = text.index("  - id: lnk-14\n"), text.index("  - id: lnk-15\n")
    claims.write_text(text[:start] + text[end:], encoding="utf-8")
    load(cases, tmp_path / "data", monkeypatch)
    code, output = cli("check", "--temporal")
    assert code == 0, output
    assert ", 0 inconsistent, 1 possibly inconsistent" in output.splitlines()[0]
    assert "lnk-14" not in output and "lnk-15/step-1" in output
