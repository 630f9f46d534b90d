"""Temporal consistency of causal claims and links: does a cause begin after its effect ends?"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from graph.consistency import (
    CausalEdge,
    bounds_of,
    check,
    edges_from_projection,
    flagged,
    verdict,
)
from graph.records import NodeRecord, Projection, RelRecord
from graph.temporal import Bounds
from loaders.edtf import parse_edtf

D = dt.date


def judge(cause: str, effect: str) -> tuple[str, str]:
    return verdict(dated("c", cause), dated("e", effect), effect_open=parse_edtf(effect).open_end)


def dated(id_: str, text: str) -> Bounds:
    value = parse_edtf(text)
    return Bounds(
        id=id_,
        earliest=value.earliest,
        start_latest=value.start_latest,
        end_earliest=value.end_earliest,
        latest=value.latest,
        uncertain=value.uncertain,
    )


@pytest.mark.parametrize(
    ("cause", "effect", "expected"),
    [
        # exact days
        ("2006-12-01", "2006-12-11", "consistent"),
        ("2006-12-11", "2006-12-11", "consistent"),  # same day: not after
        ("2006-12-12", "2006-12-11", "inconsistent"),  # the day after
        ("2025-02-25", "2023", "inconsistent"),
        # a cause that starts within a long effect is fine
        ("2014-05-01", "2012-12/2018-09", "consistent"),
        # imprecise dates that may put the cause after the effect
        ("2019", "2019-03-01", "possibly-inconsistent"),
        ("2019-03", "2019-03-15", "possibly-inconsistent"),
        ("2019-03-15", "2019-03", "possibly-inconsistent"),
        ("2025-07-02", "2025-08~", "possibly-inconsistent"),  # about August: from 1 July
        ("2025-07-02", "2025-09", "consistent"),
        # EDTF uncertain (?): what would be certain is only possible
        ("2019-10-18?", "2019-10-17", "possibly-inconsistent"),
        ("2019-10-18", "2019-10-17?", "possibly-inconsistent"),
        ("2019-10-16?", "2019-10-17", "consistent"),
        # approximate (~) widens the bounds
        ("2007~", "2006", "possibly-inconsistent"),  # about 2007: from 2006
        ("2008~", "2006", "inconsistent"),  # about 2008: from 2007
        # open ends
        ("2025-01-01", "2024-07-25/..", "consistent"),  # the effect is still going on
        ("2030-01-01", "2024-07-25/..", "consistent"),
        ("2025-01-01", "2024-07-25/", "possibly-inconsistent"),  # its end is unknown
        ("2024-07-25/..", "2024-07-25", "consistent"),  # begins the day the effect ends
        ("2024-07-26/..", "2024-07-25", "inconsistent"),
        ("../2025-08-08", "2025-01-01", "possibly-inconsistent"),  # on or before 8 August
        ("../2024-12-31", "2025-01-01", "consistent"),
    ],
)
def test_verdicts(cause: str, effect: str, expected: str) -> None:
    found, reason = judge(cause, effect)
    assert found == expected, reason
    assert reason


def test_undated_ends_are_not_checked() -> None:
    phenomenon = Bounds("cartel-fragmentation")
    event = dated("mx-2012-03", "2012-12/2018-09")
    assert verdict(event, phenomenon) == ("undated", "the effect has no date")
    assert verdict(phenomenon, event) == ("undated", "the cause has no date")
    assert verdict(phenomenon, phenomenon)[0] == "undated"


def test_contradictory_bounds_are_not_judged() -> None:
    broken = Bounds("x", earliest=D(2020, 1, 1), start_latest=D(2019, 1, 1), latest=D(2021, 1, 1))
    assert verdict(broken, dated("e", "2010"))[0] == "undated"


def test_reason_names_the_days() -> None:
    found, reason = verdict(dated("c", "2025-02-25"), dated("e", "2023"))
    assert found == "inconsistent"
    assert "2025-02-25" in reason and "2023-12-31" in reason


def test_check_keeps_order_and_flagged_sorts_by_verdict() -> None:
    edges = [
        CausalEdge("b", "claim", dated("c", "2019"), dated("e", "2019-03-01")),
        CausalEdge("c", "link", dated("c", "2006-12-01"), dated("e", "2006-12-11")),
        CausalEdge("a", "claim", dated("c", "2020"), dated("e", "2019")),
    ]
    findings = check(edges)
    assert [f.edge.id for f in findings] == ["b", "c", "a"]
    assert [f.verdict for f in findings] == ["possibly-inconsistent", "consistent", "inconsistent"]
    assert [f.edge.id for f in flagged(findings)] == ["a", "b"]
    assert findings[1].flagged is False


def _node(node_id: str, labels: tuple[str, ...], **props: Any) -> NodeRecord:
    return NodeRecord(node_id, ("Entity", *labels), {"id": node_id, **props})


def test_edges_from_projection_reads_claims_and_link_steps() -> None:
    nodes = (
        _node("late", ("Event",), earliest=D(2025, 2, 25), latest=D(2025, 2, 25)),
        _node("early", ("Event",), earliest=D(2023, 1, 1), latest=D(2023, 12, 31)),
        _node(
            "war", ("Event",), earliest=D(2024, 7, 25), start_latest=D(2024, 7, 25), open_end=True
        ),
        _node("trend", ("Phenomenon",)),
        _node("lnk", ("Link",), relation="riskTo"),
        _node("lnk/step-1", ("LinkStep",)),
        _node("resp", ("Link",), relation="respondsTo"),
        _node("resp/step-1", ("LinkStep",)),
    )
    rels = (
        RelRecord("CAUSES", "late", "trend", "cl-1", {"claim_ids": ["cl-1"], "relation": "causes"}),
        RelRecord(
            "RESPONDS_TO",
            "late",
            "early",
            "cl-2",
            {"claim_ids": ["cl-2"], "relation": "respondsTo"},
        ),
        RelRecord("TRIGGERS", "late", "war", "cl-3", {"claim_ids": "cl-3"}),
        RelRecord("STEP", "lnk", "lnk/step-1"),
        RelRecord("FROM", "lnk/step-1", "late"),
        RelRecord("TO", "lnk/step-1", "early"),
        RelRecord("STEP", "resp", "resp/step-1"),
        RelRecord("FROM", "resp/step-1", "late"),
        RelRecord("TO", "resp/step-1", "early"),
    )
    edges = {e.id: e for e in edges_from_projection(Projection(nodes, rels))}
    assert set(edges) == {"cl-1", "cl-2", "cl-3", "lnk/step-1", "resp/step-1"}
    assert edges["cl-3"].effect_open is True
    assert edges["lnk/step-1"].link == "lnk"
    assert edges["lnk/step-1"].kind == "link"
    # "responds to" points from the response to what it answers: the answer is the cause
    assert (edges["cl-2"].cause.id, edges["cl-2"].effect.id) == ("early", "late")
    assert (edges["resp/step-1"].cause.id, edges["resp/step-1"].effect.id) == ("early", "late")
    verdicts = {f.edge.id: f.verdict for f in check(edges.values())}
    assert verdicts == {
        "cl-1": "undated",
        "cl-2": "consistent",
        "cl-3": "consistent",
        "lnk/step-1": "inconsistent",
        "resp/step-1": "consistent",
    }


def test_bounds_of_reads_iso_strings_too() -> None:
    node = _node("x", ("Event",), earliest="2020-01-01", latest=D(2020, 1, 31), uncertain=True)
    assert bounds_of(node) == Bounds("x", D(2020, 1, 1), None, None, D(2020, 1, 31), True)
