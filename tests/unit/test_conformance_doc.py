"""docs/conformance.md stays true: every test it names exists, and every test of the
per-section modules (`tests/integration/test_spec_*.py`) and of the W3C manifest module is
named there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "conformance.md"
NAMED = re.compile(r"`((?:tests/unit/)?test_\w+\.py)::(test_\w+)`")
DEFINED = re.compile(r"^def (test_\w+)\(", re.MULTILINE)


def module(name: str) -> Path:
    return ROOT / name if name.startswith("tests/") else ROOT / "tests" / "integration" / name


def named() -> set[tuple[str, str]]:
    return set(NAMED.findall(DOC.read_text(encoding="utf-8")))


def test_every_test_the_document_names_exists() -> None:
    missing = sorted(
        f"{file}::{test}"
        for file, test in named()
        if not module(file).is_file()
        or test not in DEFINED.findall(module(file).read_text(encoding="utf-8"))
    )
    assert not missing


def test_every_spec_and_manifest_test_is_in_the_document() -> None:
    files = sorted((ROOT / "tests" / "integration").glob("test_spec_*.py"))
    files.append(ROOT / "tests" / "integration" / "test_w3c_protocol.py")
    assert len(files) >= 8
    listed = named()
    absent = sorted(
        f"{path.name}::{test}"
        for path in files
        for test in DEFINED.findall(path.read_text(encoding="utf-8"))
        if (path.name, test) not in listed
    )
    assert not absent
