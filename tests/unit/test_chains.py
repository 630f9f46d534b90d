"""The causal model users see (`graph.chains`): steps asserted by claims and casebook links,
each with its kind, asserters and sources; chains over both; a link's confidence by its status.

The graph is a small case file loaded through the case-file loader and projected, as the API
does, without a store.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.chains import (
    LINK_CONFIDENCE,
    ClaimRef,
    LinkRef,
    causal_chains,
    causal_subgraph,
    step_score,
)
from graph.projection import project_graph
from graph.records import Projection
from graph.views.build import chain_view
from graph.views.index import GraphIndex
from loaders.base import LoadReport
from loaders.case_yaml import CaseYAMLLoader, parse_case_file

CASE = """\
casegraph: 1
sources:
  - {id: doc-a, label: A news article}
  - {id: doc-b, label: A report}
agents:
  - {id: analyst, label: An analyst, type: Person}
  - {id: official, label: An official, type: Person}
phenomena:
  - {id: revenue, label: Revenue of the group}
events:
  - {id: order, label: An order is signed, date: "2025-01-20"}
  - {id: listing, label: The groups are listed, date: "2025-02-20"}
  - {id: directive, label: A directive on force, date: "2025-08"}
  - {id: strikes, label: Strikes on labs, date: "2017-11/2018-12"}
  - {id: protest, label: A protest, date: "2018-02"}
claims:
  - id: cl-order
    cause: order
    relation: causes
    effect: listing
    asserted_by: [analyst]
    confidence: 0.6
    status: REPORTED(S00)
    note: The order led to the listing.
    sources: [doc-a]
  - id: cl-no-effect
    cause: strikes
    relation: has-no-material-effect-on
    effect: revenue
    asserted_by: [analyst]
    confidence: 0.9
    note: The strikes did not cut the revenue.
    sources: [doc-b]
  - id: cl-disputes
    cause: strikes
    relation: has-no-material-effect-on
    effect: revenue
    asserted_by: [official]
    stance: disputes
    confidence: 0.9
    note: The official says they did.
    sources: [doc-a]
links:
  - id: lnk-enables
    relation: enables
    chain: [order, listing, directive]
    basis: [doc-a, doc-b]
    status: VERIFIED
    sources: [doc-a, doc-b]
  - id: lnk-claimed
    relation: precedes
    chain: [listing, directive]
    basis: [cl-order]
    status: UNVERIFIED
    sources: [doc-a]
  - id: lnk-response
    relation: responds-to
    chain: [protest, strikes]
    status: VERIFIED
    sources: [doc-b]
"""


@pytest.fixture(scope="module")
def projection(tmp_path_factory: pytest.TempPathFactory) -> Projection:
    path: Path = tmp_path_factory.mktemp("chains") / "case.yaml"
    path.write_text(CASE, encoding="utf-8")
    return project_graph(list(CaseYAMLLoader().triples(parse_case_file(path), LoadReport())))


def test_link_steps_are_causal_steps_with_asserters_and_sources(projection: Projection) -> None:
    graph = causal_subgraph(projection)
    first = graph.edges["order", "listing"]
    assert [c.id for c in first["claims"]] == ["cl-order"]
    (step,) = first["link_steps"]
    assert isinstance(step, LinkRef)
    assert (step.id, step.step, step.relation) == ("lnk-enables", "lnk-enables/step-1", "enables")
    # A link resting on documents is asserted by them; its confidence comes from its status.
    assert step.asserted_by == ("doc-a", "doc-b")
    assert step.sources == ("doc-a", "doc-b")
    assert step.confidence == LINK_CONFIDENCE["VERIFIED"] == 0.9
    assert graph.edges["order", "listing"]["relation"] == "enables"  # the most confident
    # A link resting on a claim is asserted by the claim's asserters.
    claimed = graph.edges["listing", "directive"]["link_steps"]
    assert [(s.id, s.asserted_by, s.confidence) for s in claimed] == [
        ("lnk-claimed", ("analyst",), 0.3),
        ("lnk-enables", ("doc-a", "doc-b"), 0.9),
    ]
    assert sorted(graph.edges["listing", "directive"]["relations"]) == ["enables", "precedes"]


def test_responds_to_links_point_from_the_stimulus(projection: Projection) -> None:
    graph = causal_subgraph(projection)
    assert graph.has_edge("strikes", "protest") and not graph.has_edge("protest", "strikes")
    assert graph.edges["strikes", "protest"]["relation"] == "respondsTo"


def test_chains_follow_links_and_claims(projection: Projection) -> None:
    (chain,) = causal_chains(causal_subgraph(projection), "order", "directive")
    assert chain.nodes == ("order", "listing", "directive")
    first, second = chain.steps
    assert [a.id for a in first.claims] == ["cl-order"]
    assert [a.step for a in first.links] == ["lnk-enables/step-1"]
    assert [a.step for a in second.links] == ["lnk-claimed/step-1", "lnk-enables/step-2"]
    assert chain.score == pytest.approx(0.9 * 0.9)
    # Below the links' confidence only the claim is left, and the second step breaks.
    assert (
        causal_chains(causal_subgraph(projection), "order", "directive", min_confidence=0.95) == []
    )


def test_a_step_nobody_supports_is_kept_with_score_zero(projection: Projection) -> None:
    (chain,) = causal_chains(causal_subgraph(projection), "strikes", "revenue")
    (step,) = chain.steps
    assert chain.score == 0.0 and step.support == 0.0 and step.against == pytest.approx(0.9)
    assert {(a.id, a.stance) for a in step.claims} == {
        ("cl-no-effect", "supports"),
        ("cl-disputes", "disputes"),
    }


def test_step_score_mixes_claims_and_links() -> None:
    claim = ClaimRef("c", "causes", "supports", 0.6, ("a",), ("s",))
    against = ClaimRef("d", "causes", "disputes", 0.5, ("b",), ("s",))
    link = LinkRef("l", "l/step-1", "enables", 0.9, ("s",), ("s",))
    score, support, counter, counted = step_score([claim, against, link])
    assert (support, counter) == (0.9, 0.5) and score == pytest.approx(0.45)
    assert counted == (claim, against, link)


def test_chain_view_draws_link_steps(projection: Projection) -> None:
    view = chain_view(GraphIndex(projection), "order", "directive")
    assert {n.id for n in view.projection.nodes} == {"order", "listing", "directive"}
    kinds = {(r.source, r.target, r.type) for r in view.projection.relationships}
    assert kinds == {
        ("order", "listing", "CAUSES"),
        ("order", "listing", "ENABLES"),
        ("listing", "directive", "ENABLES"),
        ("listing", "directive", "PRECEDES"),
    }
    assert {"cl-order", "lnk-enables/step-1", "lnk-claimed/step-1"} <= set(view.items)
    # The edge panels say who asserts a link step, as the REST API does.
    assert view.items["lnk-enables/step-1"].asserted_by == ("A news article", "A report")
    assert view.items["lnk-claimed/step-1"].asserted_by == ("An analyst",)
    assert "over claims and casebook links" in view.subtitle
    empty = chain_view(GraphIndex(projection), "strikes", "revenue")
    assert empty.notes and "nothing supports" in empty.notes[0]
