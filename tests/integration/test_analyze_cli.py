"""`casegraph analyze centrality` and `analyze outcomes` on the curated cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.ingest import load
from graph.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("analyze") / "data"
    workspace = Workspace.open(folder)
    load(workspace, [ROOT / "data" / "cases"])
    workspace.close()
    return folder


def run(data: Path, *args: str) -> object:
    result = runner.invoke(app, ["analyze", *args], env={"CASEGRAPH_DATA_DIR": str(data)})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_centrality(data: Path) -> None:
    ranked = run(data, "centrality", "--json", "--top", "50")
    assert isinstance(ranked, list)
    by_id = {row["id"]: row for row in ranked}
    # The kingpin strategy mediates the chain to the homicide rise through fragmentation.
    assert by_id["cartel-fragmentation"]["betweenness"] > 0
    assert by_id["mexico-homicide-rise"]["causes"] == 2  # fragmentation and mx-2006-01
    assert by_id["mexico-homicide-rise"]["effects"] == 0
    order = sorted(ranked, key=lambda r: (-r["betweenness"], -r["pagerank"], -r["reach"], r["id"]))
    assert ranked == order
    actors = run(data, "centrality", "--json", "--kind", "agent", "--by", "reach")
    assert isinstance(actors, list) and actors
    assert {row["kind"] for row in actors} == {"agent"}
    assert all(row["events"] >= 1 for row in actors)
    table = runner.invoke(
        app, ["analyze", "centrality", "--top", "3"], env={"CASEGRAPH_DATA_DIR": str(data)}
    )
    assert table.exit_code == 0 and "label" in table.stdout
    bad = runner.invoke(app, ["analyze", "centrality", "--by", "degree"])
    assert bad.exit_code == 2


def test_outcomes(data: Path) -> None:
    result = run(data, "outcomes", "--json", "mexico-drug-war", "afghanistan-iron-tempest")
    assert isinstance(result, dict)
    mexico, afghanistan = result["cases"]
    outcomes = {o["id"]: o for o in mexico["outcomes"]}
    assert set(outcomes) == {"cartel-fragmentation", "mexico-homicide-rise"}
    rise = outcomes["mexico-homicide-rise"]
    assert rise["reached_from"] == ["mx-2006-01", "mx-2012-03"]
    assert "lnk-04" in rise["links"]
    assert {"cl-02-mwi", "cl-04-s00"} <= {c["id"] for c in rise["claims"]}
    revenue = {o["id"]: o for o in afghanistan["outcomes"]}["taliban-drug-revenue"]
    assert revenue["score"] == 0.0  # claims of no material effect, one of them disputed
    stances = {c["id"]: c["stance"] for c in revenue["claims"]}
    assert stances["cl-05-usfor-a"] == "disputes"
