"""What an application reaches through REST on the curated cases (issue 13), over real HTTP.

The server loads data/cases and one test file of fictional events whose claims have dates out
of order (the curated claims have none; two curated links do). Each test names the addition of
issue 13 it covers: chains, causes and effects over claims and casebook links; search over ids,
casebook ids and descriptions, ranked, with observations collapsed into their measure; unknown
types; series; observation values; temporal relations in entity detail; events that start
within a window; the temporal-consistency report and its marks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.server import Server, running

pytestmark = pytest.mark.timeout(300)

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "data" / "cases").glob("*.yaml"))

DATES = """\
casegraph: 1
# Fictional test records: claims whose cause comes after its effect, certainly or possibly.
sources:
  - {id: test-dates-source, label: A test source}
agents:
  - {id: test-dates-analyst, label: A test analyst, type: Person}
events:
  - {id: test-late-cause, label: A test event of March 2021, date: "2021-03-01"}
  - {id: test-early-effect, label: A test event of 2019, date: "2019"}
  - {id: test-vague-cause, label: A test event some time in 2019, date: "2019"}
  - {id: test-day-effect, label: A test event of 1 March 2019, date: "2019-03-01"}
claims:
  - id: test-claim-late
    cause: test-late-cause
    relation: causes
    effect: test-early-effect
    asserted_by: [test-dates-analyst]
    confidence: 0.3
    note: A test claim whose cause certainly begins after its effect ends.
    sources: [test-dates-source]
  - id: test-claim-vague
    cause: test-vague-cause
    relation: causes
    effect: test-day-effect
    asserted_by: [test-dates-analyst]
    confidence: 0.3
    note: A test claim whose cause may begin after its effect ends.
    sources: [test-dates-source]
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("rest-reach")
    dates = root / "test-dates.yaml"
    dates.write_text(DATES, encoding="utf-8")
    with running(
        root / "server", cases=[*CASES, dates], env={"CASEGRAPH_SYNC_BACKENDS": "[]"}
    ) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def get(client: httpx.Client, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


# -- chains, causes and effects over claims and links ------------------------------------------


def test_chain_from_eo_14157_to_the_military_force_directive(client: httpx.Client) -> None:
    body = get(client, "/api/causal-chains", **{"from": "us-2025-01", "to": "us-2025-13"})
    chains = body["chains"]
    # EO 14157 -> each of the two designations -> the directive (LNK-07, basis S04 and S07).
    assert [
        [s["cause"]["id"] for s in c["steps"]] + [c["steps"][-1]["effect"]["id"]] for c in chains
    ] == [
        ["us-2025-01", "us-2025-02", "us-2025-13"],
        ["us-2025-01", "us-2025-03", "us-2025-13"],
    ]
    for chain in chains:
        assert chain["score"] == pytest.approx(0.9 * 0.9)
        for step in chain["steps"]:
            assert step["relation"] == "cg:enables" and step["kind"] == "enables"
            assert step["claims"] == []
            (link,) = step["links"]
            assert link["id"] == "lnk-07" and link["casebook_id"] == ["LNK-07"]
            assert re.fullmatch(r"lnk-07/step-[1-4]", link["step"])
            assert link["status"] == "VERIFIED" and link["confidence"] == 0.9
            assert link["consistency"] is None
            # Asserted by the documents the link rests on; sourced to them.
            assert step["asserted_by"] == link["asserted_by"] == ["s04", "s07"]
            assert step["sources"] == link["source"] == ["s04", "s07"]
    assert get(client, "/api/entities/s04")["label"] == (
        "Trump directs military to target foreign drug cartels"
    )


def test_chain_steps_of_claims_carry_their_asserters(client: httpx.Client) -> None:
    body = get(client, "/api/causal-chains", **{"from": "mx-2012-03", "to": "mexico-homicide-rise"})
    best = body["chains"][0]
    assert [s["effect"]["id"] for s in best["steps"]] == [
        "cartel-fragmentation",
        "mexico-homicide-rise",
    ]
    first, second = best["steps"]
    assert {c["id"] for c in first["claims"]} >= {"cl-01-bagley", "cl-01-mwi", "cl-01-s00"}
    assert {"bruce-bagley", "modern-war-institute"} <= set(first["asserted_by"])
    assert {"s17", "s18"} <= set(first["sources"])
    # LNK-04 rests on the CL-02 claims: the link is asserted by their asserters.
    (link,) = second["links"]
    assert link["id"] == "lnk-04"
    assert set(link["asserted_by"]) == {
        a for c in second["claims"] for a in c["asserted_by"] if c["id"].startswith("cl-02")
    }


def test_a_chain_of_no_effect_is_there_with_score_zero(client: httpx.Client) -> None:
    body = get(client, "/api/causal-chains", **{"from": "af-2017-01", "to": "taliban-drug-revenue"})
    (chain,) = body["chains"]
    assert chain["score"] == 0
    (step,) = chain["steps"]
    assert step["kind"] == "has no material effect on"
    stances = {c["id"]: c["stance"] for c in step["claims"]}
    assert stances["cl-05-mansfield"] == "supports" and stances["cl-05-usfor-a"] == "disputes"
    assert {"david-mansfield", "john-sopko", "usfor-a"} <= set(step["asserted_by"])


def test_causes_and_effects_follow_links(client: httpx.Client) -> None:
    effects = get(client, "/api/entities/us-2025-01/effects")["items"]
    by_id = {item["entity"]["id"]: item for item in effects}
    assert {"us-2025-02", "us-2025-03"} <= set(by_id)
    designation = by_id["us-2025-02"]
    assert designation["kind"] == "enables" and designation["relation"] == "cg:enables"
    assert [link["step"] for link in designation["links"]] == ["lnk-07/step-1"]
    assert designation["sources"] == ["s04", "s07"] and designation["asserted_by"]
    causes = get(client, "/api/entities/us-2025-13/causes")["items"]
    analogy = next(i for i in causes if i["entity"]["id"] == "af-2017-01")
    assert analogy["kind"] == "cited as analogy by"
    assert [link["id"] for link in analogy["links"]] == ["lnk-10"]
    # Two hops back reach the executive order through a designation.
    deeper = get(client, "/api/entities/us-2025-13/causes", depth=2)["items"]
    order = next(i for i in deeper if i["entity"]["id"] == "us-2025-01")
    assert order["depth"] == 2 and order["via"] in {"us-2025-02", "us-2025-03"}


# -- search --------------------------------------------------------------------------------------


def test_search_over_ids_casebook_ids_and_descriptions(client: httpx.Client) -> None:
    by_id = get(client, "/api/entities", q="mx-2006-02")
    assert ids(by_id["items"])[0] == "mx-2006-02"
    by_casebook_id = get(client, "/api/entities", q="MX-2006-02")
    assert ids(by_casebook_id["items"])[0] == "mx-2006-02"
    # The link whose label names the id comes after the record itself.
    assert "lnk-01" in ids(by_casebook_id["items"])[1:]
    # "Los Pinos" is only in Operation Michoacán's description, not its label or aliases.
    found = ids(get(client, "/api/entities", q="los pinos")["items"])
    assert found[0] == "los-pinos" and "mx-2006-02" in found
    assert found.index("los-pinos") < found.index("mx-2006-02")


def test_search_ranks_labels_and_collapses_observations(client: httpx.Client) -> None:
    items = get(client, "/api/entities", q="homicide", limit=100)["items"]
    types = [item["type"] for item in items]
    assert "Observation" not in types  # the 19 INEGI observations stand for their measures
    assert "homicide-rate-per-100k" in ids(items) and "mexico-homicide-rise" in ids(items)
    assert types[0] == "Measure"  # a label beginning with the word, first
    total = get(client, "/api/entities", q="homicide")["total"]
    assert total == len(items) < 30
    observations = get(client, "/api/entities", type="Observation", limit=1000)["items"]
    assert sum(1 for o in observations if "homicide" in o["label"].lower()) >= 19


def test_unknown_type_is_422_listing_the_known_ones(client: httpx.Client) -> None:
    response = client.get("/api/entities", params={"type": "Cartel"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    detail = response.json()["detail"]
    assert "unknown type 'Cartel'" in detail
    assert "CriminalOrganization" in detail and "MilitaryOperation" in detail
    assert client.get("/api/events", params={"type": "Cartel"}).status_code == 422


# -- series, values, temporal relations, events -------------------------------------------------


def test_series_of_a_measure_with_dated_values_and_sources(client: httpx.Client) -> None:
    body = get(client, "/api/series/homicide-rate-per-100k")
    points = body["points"]
    assert body["measure"]["id"] == "homicide-rate-per-100k" and body["total"] == len(points)
    assert len(points) >= 19
    starts = [p["start"] for p in points]
    assert starts == sorted(starts)
    by_year = {p["date_edtf"]: p["value"] for p in points}
    assert by_year["2007"] == 8  # INEGI's 2007 low (casebook MX-HOM-2007)
    assert all(p["sources"] for p in points) and points[0]["sources"][0]["id"] == "s21"
    assert client.get("/api/series/mx-2006-02").status_code == 404


def test_observation_values_in_summaries(client: httpx.Client) -> None:
    items = get(client, "/api/entities", type="Observation", limit=1000)["items"]
    assert items and all("value" in item for item in items)
    ratio = next(i for i in items if i["id"] == "mx-hom-ratio-2024")
    assert ratio["value"] == 3.2  # casebook CL-04: 25.6 / 8


def test_certain_and_possible_temporal_relations_in_entity_detail(client: httpx.Client) -> None:
    body = get(client, "/api/entities/af-2017-01")
    relations = body["temporal"]
    assert {r["certain"] for r in relations} == {True, False}
    for relation in relations:
        assert relation["relation"].startswith("time:")
        assert relation["direction"] in {"out", "in"} and relation["target"]["id"]


def test_events_that_start_within_the_window(client: httpx.Client) -> None:
    overlapping = ids(
        get(client, "/api/events", **{"from": "2019", "to": "2019"}, limit=1000)["items"]
    )
    starting = get(
        client, "/api/events", **{"from": "2019", "to": "2019"}, starts_within="true", limit=1000
    )["items"]
    assert "trump-first-term" in overlapping  # 2017/2021 overlaps 2019 ...
    assert "trump-first-term" not in ids(starting)  # ... but does not start in it
    assert starting and all("2019-01-01" <= e["start"] <= "2019-12-31" for e in starting)
    assert set(ids(starting)) < set(overlapping)


# -- temporal consistency -----------------------------------------------------------------------


def test_consistency_report(client: httpx.Client) -> None:
    body = get(client, "/api/consistency")
    found = [(i["id"], i["verdict"]) for i in body["items"]]
    assert found == [
        ("lnk-14/step-1", "inconsistent"),
        ("test-claim-late", "inconsistent"),
        ("lnk-15/step-1", "possibly-inconsistent"),
        ("test-claim-vague", "possibly-inconsistent"),
    ]
    assert body["inconsistent"] == 2 and body["possibly_inconsistent"] == 2
    assert body["checked"] > 70
    lnk14 = body["items"][0]
    assert lnk14["kind"] == "link" and lnk14["link"] == "lnk-14"
    assert lnk14["casebook_id"] == ["LNK-14"] and lnk14["relation"] == "cg:riskTo"
    assert (lnk14["cause"]["id"], lnk14["effect"]["id"]) == ("ph-2025-11", "ph-2025-13")
    assert "2025-02-25" in lnk14["reason"] and "2023-12-31" in lnk14["reason"]
    late = body["items"][1]
    assert late["kind"] == "claim" and late["link"] is None
    schema = get(client, "/openapi.json")
    operation = schema["paths"]["/api/consistency"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    model = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert model["examples"][0]["items"][0]["id"] == "lnk-14/step-1"


def test_claims_and_chain_items_carry_the_mark(client: httpx.Client) -> None:
    late = get(client, "/api/claims", about="test-late-cause")["items"]
    assert [(c["id"], c["consistency"]) for c in late] == [("test-claim-late", "inconsistent")]
    vague = get(client, "/api/claims", about="test-day-effect")["items"]
    assert [c["consistency"] for c in vague] == ["possibly-inconsistent"]
    curated = get(client, "/api/claims", limit=1000)["items"]
    assert {c["consistency"] for c in curated if not c["id"].startswith("test-")} == {None}
    detail = get(client, "/api/entities/test-early-effect")
    assert [c["consistency"] for c in detail["claims"]] == ["inconsistent"]
    effects = get(client, "/api/entities/ph-2025-11/effects")["items"]
    (risk,) = [i for i in effects if i["entity"]["id"] == "ph-2025-13"]
    assert risk["kind"] == "risk to"
    assert [(link["id"], link["consistency"]) for link in risk["links"]] == [
        ("lnk-14", "inconsistent")
    ]


def test_views_mark_the_edge(client: httpx.Client) -> None:
    response = client.get("/view/case/us-overdose-crisis")
    assert response.status_code == 200
    match = re.search(
        r'<script type="application/json" id="cg-data">(.*?)</script>', response.text, re.S
    )
    assert match is not None
    data = json.loads(match.group(1))
    marked = [e for e in data["edges"] if e.get("consistency")]
    assert [(e["from"], e["to"], e["consistency"]) for e in marked] == [
        ("ph-2025-11", "ph-2025-13", "inconsistent")
    ]
