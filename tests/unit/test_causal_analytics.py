"""Centrality in the causal subgraph and case comparison by outcomes (pure functions)."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graph.analytics import causal_centrality
from graph.outcomes import compare_cases
from graph.records import NodeRecord, RelRecord


def node(node_id: str, *labels: str, **props: object) -> NodeRecord:
    kind = {"Agent": "agent", "Phenomenon": "phenomenon", "Case": "case", "Link": "link"}
    first = next((kind[label] for label in labels if label in kind), "event")
    return NodeRecord(node_id, ("Entity", *labels), {"kind": first, **props})  # type: ignore[dict-item]


def claim(
    cause: str,
    effect: str,
    claim_id: str,
    *,
    relation: str = "causes",
    stance: str = "supports",
    confidence: float = 0.9,
) -> RelRecord:
    rel_type = {
        "causes": "CAUSES",
        "contributesTo": "CONTRIBUTES_TO",
        "respondsTo": "RESPONDS_TO",
        "hasNoMaterialEffectOn": "HAS_NO_MATERIAL_EFFECT_ON",
    }[relation]
    return RelRecord(
        rel_type,
        cause,
        effect,
        claim_id,
        {
            "claim_ids": [claim_id],
            "relation": relation,
            "stance": stance,
            "confidence": confidence,
            "source_ids": ["s1"],
            "asserted_by": ["someone"],
        },
    )


NODES = [
    node("a", "Event", label="A"),
    node("b", "Event", label="B"),
    node("c", "Phenomenon", label="C"),
    node("d", "Phenomenon", label="D"),
    node("e", "Event", label="E"),
    node("gov", "Agent", label="Government"),
    node("idle", "Agent", label="Idle"),
]
RELS = [
    claim("a", "b", "cl-1"),
    claim("a", "b", "cl-1b", confidence=0.5),  # a parallel claim: one edge
    claim("b", "c", "cl-2"),
    claim("c", "d", "cl-3", stance="disputes"),  # against: no influence
    claim("e", "d", "cl-4", relation="hasNoMaterialEffectOn"),  # no influence either
    claim("e", "c", "cl-5", relation="respondsTo"),  # e responded to c: c -> e
    RelRecord("PARTICIPANT", "a", "gov"),
    RelRecord("PARTICIPANT", "d", "idle"),  # d is not in the causal graph
]


def test_centrality_on_a_small_graph() -> None:
    ranked = {c.id: c for c in causal_centrality(iter(NODES), iter(RELS))}
    assert set(ranked) == {"a", "b", "c", "e", "gov"}  # d only has claims against it
    # The chains are gov -> a -> b -> c -> e: b and c mediate the most.
    assert ranked["b"].betweenness > ranked["a"].betweenness > 0
    assert ranked["gov"].betweenness == 0.0
    assert (ranked["a"].causes, ranked["a"].effects) == (0, 1)
    assert (ranked["c"].causes, ranked["c"].effects) == (1, 1)
    assert ranked["a"].reach == 3  # b, c, e
    assert (ranked["gov"].reach, ranked["gov"].events) == (3, 1)
    assert ranked["c"].label == "C" and ranked["c"].kind == "phenomenon"
    assert sum(c.pagerank for c in ranked.values()) == pytest.approx(1.0)
    order = [c.id for c in causal_centrality(NODES, RELS)]
    assert order[:2] == ["b", "c"]
    assert [c.id for c in causal_centrality(NODES, RELS, kinds={"agent"})] == ["gov"]
    assert [c.id for c in causal_centrality(NODES, RELS, top=2, by="reach")] == ["a", "gov"]
    with pytest.raises(ValueError, match="order"):
        causal_centrality(NODES, RELS, by="degree")


def test_centrality_agrees_with_networkx() -> None:
    rng = random.Random(7)
    ids = [f"n{i}" for i in range(60)]
    nodes = [node(i, "Event") for i in ids]
    rels = [claim(a, b, f"cl-{a}-{b}") for a in ids for b in ids if a != b and rng.random() < 0.05]
    reference = nx.DiGraph()
    reference.add_edges_from((r.source, r.target) for r in rels)
    between = nx.betweenness_centrality(reference, normalized=True)
    rank = _pagerank(reference)
    for c in causal_centrality(nodes, rels):
        assert c.betweenness == pytest.approx(between[c.id], abs=1e-9)
        assert c.pagerank == pytest.approx(rank[c.id], abs=1e-4)
        assert c.effects == reference.out_degree(c.id)


def _pagerank(graph: nx.DiGraph, damping: float = 0.85) -> dict[str, float]:
    """Plain power iteration; a node with no out-edge spreads its rank over every node."""
    nodes = list(graph)
    rank = {n: 1 / len(nodes) for n in nodes}
    for _ in range(200):
        dangling = sum(rank[n] for n in nodes if graph.out_degree(n) == 0)
        rank = {
            n: (1 - damping) / len(nodes)
            + damping * dangling / len(nodes)
            + damping * sum(rank[p] / graph.out_degree(p) for p in graph.predecessors(n))
            for n in nodes
        }
    return rank


def test_centrality_of_nothing() -> None:
    assert causal_centrality([], []) == []
    assert causal_centrality(NODES[:2], []) == []


CASE_NODES = [
    *NODES,
    node("case-1", "Case", label="Case one"),
    node("case-2", "Case", label="Case two"),
    node("lnk", "Link", relation="causes"),
    node("lnk/step-1", "LinkStep"),
    node("lnk-other", "Link", relation="precedes"),
    node("lnk-other/step-1", "LinkStep"),
]
CASE_RELS = [
    *RELS,
    RelRecord("IN_CASE", "a", "case-1"),
    RelRecord("IN_CASE", "e", "case-2"),
    RelRecord("STEP", "lnk", "lnk/step-1"),
    RelRecord("FROM", "lnk/step-1", "e"),
    RelRecord("TO", "lnk/step-1", "c"),
    RelRecord("STEP", "lnk-other", "lnk-other/step-1"),  # not causal: not followed
    RelRecord("FROM", "lnk-other/step-1", "a"),
    RelRecord("TO", "lnk-other/step-1", "d"),
]


def test_case_outcomes() -> None:
    result = compare_cases(iter(CASE_NODES), iter(CASE_RELS))
    one, two = result.cases
    assert (one.case, one.label, one.members) == ("case-1", "Case one", 1)
    by_id = {o.id: o for o in one.outcomes}
    assert set(by_id) == {"c", "d"}
    c = by_id["c"]
    assert (c.steps, c.reached_from) == (2, ("a",))
    assert c.score == pytest.approx(0.81)  # 0.9 (best of cl-1, cl-1b) x 0.9
    assert [x.id for x in c.claims] == ["cl-1", "cl-1b", "cl-2"]
    d = by_id["d"]
    assert d.steps == 3
    assert d.score == 0.0  # the last step is only disputed
    assert "cl-3" in [x.id for x in d.claims]
    assert [o.id for o in one.outcomes] == ["c", "d"]  # best score first
    # Case two reaches c through the causal link, then d.
    two_by_id = {o.id: o for o in two.outcomes}
    assert two_by_id["c"].links == ("lnk",)
    assert two_by_id["c"].score == 0.0  # a link carries no claim to score
    assert set(two_by_id) == {"c", "d"}
    assert result.shared == {"c": ("case-1", "case-2"), "d": ("case-1", "case-2")}


def test_compare_chosen_cases_and_depth() -> None:
    result = compare_cases(CASE_NODES, CASE_RELS, ["case-1", "nope"], max_depth=2)
    one, nope = result.cases
    assert [o.id for o in one.outcomes] == ["c"]
    assert (nope.members, nope.outcomes) == (0, ())
    assert result.shared == {}
