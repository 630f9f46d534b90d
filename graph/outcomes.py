"""Case comparison by outcomes: the phenomena each case's events lead to, with the claims.

A case's members are the entities with an `IN_CASE` relationship to it. From its members the
causal graph is walked forward, at most `max_depth` steps: the causal relationships as in
`analytics.causal_subgraph` (parallel claims on one edge, `respondsTo` drawn backwards) and
the casebook links whose relation is causal (a `Link` node, through the `FROM` and `TO` of its
steps). Every `Phenomenon` reached is an outcome of the case, with

- `steps`: the fewest steps from a member, and `reached_from`: the members it is reached from;
- `claims` and `links`: those on every edge of the simple paths of at most `max_depth` steps
  from a member to it (the evidence for, and against, the outcome);
- `score`: the best chain score (`analytics.causal_chains`: supporting confidence times one
  minus the strongest claim against, multiplied along the chain); 0 when no chain has a
  supporting claim at every step, as when the only claims say there was no material effect.

`compare_cases` gives each case's outcomes and the outcomes that several cases share. The
records are read once; only the causal, case, and link relationships are kept.
"""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import networkx as nx

from graph.analytics import (
    CAUSAL_TYPES,
    RESPONDS_TO,
    ClaimRef,
    causal_chains,
    claim_ref,
    relation_of,
)
from graph.records import NodeRecord, RelRecord
from ontology.vocab import CAUSAL_RELATIONS

DEFAULT_DEPTH: Final = 4
OUTCOME_LABEL: Final = "Phenomenon"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One phenomenon a case's members lead to."""

    id: str
    label: str
    steps: int
    score: float
    reached_from: tuple[str, ...]
    claims: tuple[ClaimRef, ...]
    links: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CaseOutcomes:
    """A case and its outcomes, best score first (then fewest steps, then id)."""

    case: str
    label: str
    members: int
    outcomes: tuple[Outcome, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """The outcomes of each case, and the outcome ids that more than one case reaches."""

    cases: tuple[CaseOutcomes, ...]
    shared: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(slots=True)
class _Graph:
    """What the comparison keeps of the records."""

    labels: dict[str, str] = field(default_factory=dict)
    phenomena: set[str] = field(default_factory=set)
    cases: dict[str, str] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    links: dict[str, str] = field(default_factory=dict)
    steps: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    step_from: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    step_to: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    causal: nx.DiGraph = field(default_factory=nx.DiGraph)


def _read(nodes: Iterable[NodeRecord], relationships: Iterable[RelRecord]) -> _Graph:
    g = _Graph()
    for node in nodes:
        label = node.properties.get("label")
        g.labels[node.id] = label if isinstance(label, str) else node.id
        if OUTCOME_LABEL in node.labels:
            g.phenomena.add(node.id)
        if "Case" in node.labels:
            g.cases[node.id] = g.labels[node.id]
        relation = node.properties.get("relation")
        if "Link" in node.labels and isinstance(relation, str) and relation in CAUSAL_RELATIONS:
            g.links[node.id] = relation
    claims: dict[tuple[str, str], list[ClaimRef]] = defaultdict(list)
    for rel in relationships:
        if rel.type in CAUSAL_TYPES:
            relation_value = rel.properties.get("relation")
            relation = relation_value if isinstance(relation_value, str) else ""
            relation = relation or relation_of(rel.type)
            pair = (rel.target, rel.source) if relation == RESPONDS_TO else (rel.source, rel.target)
            g.causal.add_edge(*pair)
            if "claim_ids" in rel.properties:
                claims[pair].append(claim_ref(rel, relation))
        elif rel.type == "IN_CASE":
            g.members[rel.target].add(rel.source)
        elif rel.type == "STEP":
            g.steps[rel.source].add(rel.target)
        elif rel.type == "FROM":
            g.step_from[rel.source].add(rel.target)
        elif rel.type == "TO":
            g.step_to[rel.source].add(rel.target)
    for link, relation in g.links.items():
        for step in g.steps.get(link, ()):
            for a in g.step_from.get(step, ()):
                for b in g.step_to.get(step, ()):
                    pair = (b, a) if relation == RESPONDS_TO else (a, b)
                    g.causal.add_edge(*pair)
                    data = g.causal.edges[pair]
                    data.setdefault("links", set()).add(link)
    for (u, v), refs in claims.items():
        g.causal.edges[u, v]["claims"] = sorted(refs, key=lambda c: c.id)
    for _u, _v, data in g.causal.edges(data=True):
        data.setdefault("claims", [])
        data["links"] = sorted(data.get("links", ()))
    return g


def _distances(
    graph: nx.DiGraph, starts: Iterable[str], depth: int, *, reverse: bool = False
) -> dict[str, int]:
    adjacent = graph.pred if reverse else graph.succ
    seen = {s: 0 for s in starts if s in graph}
    frontier = deque(seen)
    while frontier:
        node = frontier.popleft()
        hops = seen[node]
        if hops >= depth:
            continue
        for other in adjacent[node]:
            if other not in seen:
                seen[other] = hops + 1
                frontier.append(other)
    return seen


def _case_outcomes(g: _Graph, case: str, depth: int) -> CaseOutcomes:
    members = g.members.get(case, set())
    forward = _distances(g.causal, sorted(members), depth)
    outcomes: list[Outcome] = []
    for target in sorted(t for t, d in forward.items() if d >= 1 and t in g.phenomena):
        backward = _distances(g.causal, [target], depth, reverse=True)
        sources = sorted(m for m in members if m in backward and m != target)
        claims: dict[str, ClaimRef] = {}
        links: set[str] = set()
        for source in sources:
            for path in nx.all_simple_paths(g.causal, source, target, cutoff=depth):
                for u, v in itertools.pairwise(path):
                    data = g.causal.edges[u, v]
                    claims.update((c.id, c) for c in data["claims"])
                    links.update(data["links"])
        score = 0.0
        for source in sources:
            chains = causal_chains(g.causal, source, target, max_depth=depth)
            if chains:
                score = max(score, chains[0].score)
        outcomes.append(
            Outcome(
                id=target,
                label=g.labels.get(target, target),
                steps=forward[target],
                score=score,
                reached_from=tuple(sources),
                claims=tuple(claims[k] for k in sorted(claims)),
                links=tuple(sorted(links)),
            )
        )
    outcomes.sort(key=lambda o: (-o.score, o.steps, o.id))
    return CaseOutcomes(case, g.cases.get(case, case), len(members), tuple(outcomes))


def compare_cases(
    nodes: Iterable[NodeRecord],
    relationships: Iterable[RelRecord],
    cases: Sequence[str] | None = None,
    *,
    max_depth: int = DEFAULT_DEPTH,
) -> Comparison:
    """The outcomes of the given cases (default: every case, by id), and the shared ones.

    An unknown case id gives a `CaseOutcomes` with no members and no outcomes.
    """
    g = _read(nodes, relationships)
    chosen = list(cases) if cases is not None else sorted(g.cases)
    results = tuple(_case_outcomes(g, case, max_depth) for case in chosen)
    reached: dict[str, list[str]] = defaultdict(list)
    for result in results:
        for outcome in result.outcomes:
            reached[outcome.id].append(result.case)
    shared = {k: tuple(v) for k, v in sorted(reached.items()) if len(v) > 1}
    return Comparison(results, shared)


__all__ = [
    "DEFAULT_DEPTH",
    "CaseOutcomes",
    "Comparison",
    "Outcome",
    "compare_cases",
]
