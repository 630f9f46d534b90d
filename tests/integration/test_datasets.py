"""Dataset samples through the whole load path: store, entity linking, CLI options.

The samples sit in data/samples (their README says which rows are real and which are
synthetic in the published layout).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph import ingest
from graph.store import Store
from graph.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    workspace = Workspace.open(tmp_path_factory.mktemp("datasets"))
    ingest.load(workspace, [ROOT / "data" / "cases"])
    result = ingest.load(workspace, [SAMPLES])
    assert {c.name for c in result.changes} >= {
        "wikidata-sample.json",
        "ucdp-ged-sample.csv",
        "acled-sample.csv",
        "cdc-vsrr-sample.csv",
    }
    assert result.linking is not None
    yield workspace.store
    workspace.close()


def same_as(store: Store) -> dict[str, str]:
    rows = store.select("SELECT ?a ?b WHERE { ?a owl:sameAs ?b }")
    return {
        row["a"].value.removeprefix("https://w3id.org/casegraph/id/"): row["b"].value.removeprefix(
            "https://w3id.org/casegraph/id/"
        )
        for row in rows
    }


def test_curated_entities_with_verified_qids_are_linked(store: Store) -> None:
    links = same_as(store)
    assert links["agent/wd-q22686"] == "agent/donald-trump"
    assert links["agent/wd-q318508"] == "agent/amlo"
    assert links["agent/wd-q583725"] == "agent/cdc"
    assert links["agent/wd-q622899"] == "agent/dea"
    assert links["place/wd-q96"] == "place/mexico"
    assert links["place/wd-q889"] == "place/afghanistan"
    assert links["place/wd-q30"] == "place/united-states"


def test_ucdp_event_lands_on_country_and_actor(store: Store) -> None:
    query = """
        SELECT ?event ?country ?actor WHERE {
          ?event cg:eventType ?type ; cg:place ?place ; cg:participant ?side .
          ?place cg:locatedIn+ ?country .
          ?side owl:sameAs ?actor .
          FILTER(STRSTARTS(STR(?event), "https://w3id.org/casegraph/id/event/ucdp-ged-"))
        }"""
    rows = list(store.select(query))
    assert rows, "no UCDP event with a linked actor"
    countries = {row["country"].value for row in rows}
    actors = {row["actor"].value for row in rows}
    assert "https://w3id.org/casegraph/id/place/mexico" in countries
    assert "https://w3id.org/casegraph/id/agent/sinaloa-cartel" in actors


def test_cdc_observations_are_queryable(store: Store) -> None:
    query = """SELECT ?value WHERE {
        ?o a cg:Observation ; cg:refPlace place:united-states ; cg:value ?value ;
           cg:source source:cdc-vsrr }"""
    values = {float(row["value"].value) for row in store.select(query)}
    assert 80391.0 in values


def test_skip_bad_rows_writes_rejects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEGRAPH_DATA_DIR", str(tmp_path / "data"))
    lines = (SAMPLES / "acled-sample.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    bad = lines[1].split(",")
    bad[header.index("fatalities")] = "many"
    path = tmp_path / "acled-bad.csv"
    path.write_text("\n".join([lines[0], ",".join(bad), *lines[2:]]) + "\n", encoding="utf-8")

    result = runner.invoke(app, ["load", "--no-sync", str(path)])
    assert result.exit_code == 1
    assert "acled-bad.csv:2" in result.output and "fatalities" in result.output

    result = runner.invoke(app, ["load", "--no-sync", "--skip-bad-rows", str(path)])
    assert result.exit_code == 0, result.output
    rejects = (tmp_path / "acled-bad.csv.rejected.csv").read_text(encoding="utf-8")
    assert "fatalities" in rejects and rejects.count("\n") == 2


def test_format_is_guessed_and_can_be_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEGRAPH_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(
        app, ["load", "--no-sync", "--format", "acled", str(SAMPLES / "ucdp-ged-sample.csv")]
    )
    assert result.exit_code == 1
    assert "ucdp-ged-sample.csv" in result.output
    result = runner.invoke(app, ["load", "--no-sync", str(SAMPLES / "ucdp-ged-sample.csv")])
    assert result.exit_code == 0, result.output
