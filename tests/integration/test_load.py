"""Loading through the `casegraph` command against a real on-disk Oxigraph store.

Covers the bad-input corpus (every file fails with exit 1, names file and line or field, and
leaves the dataset byte-for-byte unchanged), idempotence, replacement, provenance and drops.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from graph.store import Store

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "bad"
GOOD = ROOT / "tests" / "data" / "good" / "small-case.yaml"
EXPECTED: dict[str, dict[str, object]] = yaml.safe_load((BAD / "EXPECTED.yaml").read_text())

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CASEGRAPH_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def fingerprint(data_dir: Path) -> str:
    store = Store(data_dir / "oxigraph", read_only=True)
    try:
        return store.fingerprint()
    finally:
        store.close()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_corpus_has_at_least_thirty_cases() -> None:
    files = {p.name for p in BAD.iterdir() if p.name != "EXPECTED.yaml"}
    assert files == set(EXPECTED)
    assert len(files) + 1 >= 30  # + the generated 50 MB file


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input(name: str, data_dir: Path) -> None:
    code, _ = cli("load", str(GOOD))
    assert code == 0
    before = fingerprint(data_dir)
    expected = EXPECTED[name]
    code, output = cli("load", str(BAD / name))
    assert code == 1, output
    assert "Traceback" not in output
    assert name in output
    assert str(expected["error"]) in output
    if "line" in expected:
        assert f"{name}:{expected['line']}" in output
    if "field" in expected:
        assert f"field {expected['field']}" in output
    if "record" in expected:
        assert f"record {expected['record']}" in output
    assert fingerprint(data_dir) == before


def test_fifty_megabyte_file(data_dir: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("w") as handle:
        handle.write("casegraph: 1\nevents:\n")
        line = "  - {id: e%d, label: padding padding padding padding padding padding}\n"
        size, index = 0, 0
        while size < 50 * 1024 * 1024:
            text = line % index
            handle.write(text)
            size += len(text)
            index += 1
    cli("load", str(GOOD))
    before = fingerprint(data_dir)
    code, output = cli("load", str(big))
    assert code == 1
    assert "big.yaml" in output and "limited to 10 MB" in output
    assert fingerprint(data_dir) == before


def test_bad_file_in_a_folder_loads_nothing(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a-good.yaml")
    shutil.copy(BAD / "undefined-reference.yaml", folder / "b-bad.yaml")
    code, output = cli("load", str(folder))
    assert code == 1
    assert "b-bad.yaml" in output
    store = Store(data_dir / "oxigraph", read_only=True)
    try:
        assert [d.name for d in store.documents()] == []
    finally:
        store.close()


def test_cause_after_effect_is_a_warning(data_dir: Path, tmp_path: Path) -> None:
    text = (
        GOOD.read_text()
        .replace('date: "2012-06~"', 'date: "2016-06"')
        .replace('date: "2012-07/.."', 'date: "2013"')
    )
    text = text.replace(
        "effect: test-fragmentation\n    relation: causes\n    asserted_by: [test-analyst]",
        "effect: test-war\n    relation: causes\n    asserted_by: [test-analyst]",
    )
    late = tmp_path / "late.yaml"
    late.write_text(text)
    code, output = cli("load", str(late))
    assert code == 0, output
    assert "warning" in output and "is dated after its effect" in output


def test_load_is_idempotent_and_replaces(data_dir: Path, tmp_path: Path) -> None:
    code, output = cli("load", str(GOOD))
    assert code == 0, output
    first = fingerprint(data_dir)
    code, output = cli("load", str(GOOD))
    assert code == 0
    assert "unchanged" in output
    assert fingerprint(data_dir) == first

    changed = tmp_path / GOOD.name
    changed.write_text(GOOD.read_text().replace("Operation Test", "Operation Renamed"))
    code, output = cli("load", str(changed))
    assert code == 0, output
    assert "replaced" in output
    code, output = cli(
        "query",
        "sparql",
        "--format",
        "csv",
        "SELECT ?l WHERE { event:test-offensive rdfs:label ?l }",
    )
    assert code == 0, output
    assert "Operation Renamed" in output and "Operation Test" not in output


def test_provenance_per_document(data_dir: Path) -> None:
    assert cli("load", str(GOOD))[0] == 0
    query = """
        SELECT ?loader ?hash ?from WHERE {
          ?g a cg:SourceGraph ; cg:documentName "small-case.yaml" ; cg:loader ?loader ;
             cg:contentHash ?hash ; prov:wasDerivedFrom ?from ; prov:generatedAtTime ?at .
        }"""
    code, output = cli("query", "sparql", "--format", "csv", query)
    assert code == 0, output
    assert "case-yaml" in output and GOOD.as_uri() in output


def test_drop_and_export(data_dir: Path, tmp_path: Path) -> None:
    assert cli("load", str(GOOD))[0] == 0
    target = tmp_path / "out.trig"
    code, _ = cli("export", "--format", "trig", "-o", str(target))
    assert code == 0
    assert "test-offensive" in target.read_text()
    code, output = cli("drop", "small-case.yaml")
    assert code == 0, output
    code, output = cli("query", "sparql", "--format", "csv", "ASK { event:test-offensive ?p ?o }")
    assert output.strip() == "false"
    code, output = cli("drop", "small-case.yaml")
    assert code == 1 and "no graph named" in output


def test_validate_writes_nothing(data_dir: Path) -> None:
    code, output = cli("validate", str(GOOD))
    assert code == 0, output
    assert not (data_dir / "oxigraph").exists()


def test_usage_error_exit_code(data_dir: Path) -> None:
    code, _ = cli("export", "--format", "docx")
    assert code == 2


def test_real_process_prints_no_traceback(data_dir: Path) -> None:
    exe = Path(sys.executable).parent / "casegraph"
    env = {**os.environ, "CASEGRAPH_DATA_DIR": str(data_dir)}
    result = subprocess.run(
        [str(exe), "load", str(BAD / "binary-garbage.yaml")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "binary-garbage.yaml" in result.stderr


def test_reload_keeps_one_registration(data_dir: Path, tmp_path: Path) -> None:
    assert cli("load", str(GOOD))[0] == 0
    changed = tmp_path / GOOD.name
    changed.write_text(GOOD.read_text().replace("Operation Test", "Operation Renamed"))
    assert cli("load", str(changed))[0] == 0
    assert cli("load", str(GOOD))[0] == 0
    store = Store(data_dir / "oxigraph", read_only=True)
    try:
        names = [doc.name for doc in store.documents()]
    finally:
        store.close()
    assert names.count("small-case.yaml") == 1
    assert names.count("derived:small-case.yaml") == 1
