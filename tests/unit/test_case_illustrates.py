"""A link's `illustrates` (cg:illustrates): the general claims a concrete sequence exemplifies."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.validate import validate_triples
from loaders.base import LoadReport
from loaders.case_yaml import CaseYAMLLoader, parse_case_file
from ontology.errors import LoadError
from ontology.namespaces import CG, CGID

CASE = """\
casegraph: 1
sources:
  - {id: src, label: A source}
agents:
  - {id: pundit, label: A pundit, type: Person}
phenomena:
  - {id: decapitation, label: Removing cartel leaders}
  - {id: infighting, label: Infighting among successors}
events:
  - {id: arrest, label: A leader is arrested, date: "2024-07-25"}
  - {id: war, label: Factions fight, date: "2024-07-25/.."}
claims:
  - id: general
    cause: decapitation
    relation: causes
    effect: infighting
    asserted_by: [pundit]
    confidence: 0.9
    note: Removing a leader sets off a fight over the succession.
    sources: [src]
links:
  - id: sequence
    relation: triggers
    chain: [arrest, war]
    illustrates: [{target}]
    sources: [src]
"""


def _triples(tmp_path: Path, target: str) -> list[object]:
    path = tmp_path / "case.yaml"
    path.write_text(CASE.replace("{target}", target), encoding="utf-8")
    return list(CaseYAMLLoader().triples(parse_case_file(path), LoadReport()))


def test_a_link_illustrates_a_claim(tmp_path: Path) -> None:
    triples = _triples(tmp_path, "general")
    found = {
        (t.subject.value, t.object.value)  # type: ignore[attr-defined]
        for t in triples
        if t.predicate.value == f"{CG}illustrates"  # type: ignore[attr-defined]
    }
    assert found == {(f"{CGID}link/sequence", f"{CGID}claim/general")}
    assert validate_triples(triples) == []  # type: ignore[arg-type]


def test_only_claims_can_be_illustrated(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as raised:
        _triples(tmp_path, "arrest")
    error = raised.value
    assert "'arrest' is a event; expected a claim" in error.message
    assert error.field == "links.0.illustrates.0"
    assert error.line == 25


def test_an_unknown_claim_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="reference to undefined id 'nowhere'"):
        _triples(tmp_path, "nowhere")
