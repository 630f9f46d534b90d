"""The causal model users see: steps between two nodes asserted by claims and casebook links.

Causes live in two kinds of record. A causal claim (`CL-*`) says that its cause <relation> its
effect, who asserts it, on which sources, with a stance and a confidence. A casebook link
(`LNK-*`) is a chain of steps (`A -> B -> C`) under one relation: a causal one (causes,
enables, triggers, ...) or a sequence (precedes, escalates to, superseded by, cited by, ...).
A *step* from one node to the next carries every claim (`ClaimRef`) and every link step
(`LinkRef`) between the two, each with its relation (the kind of step), asserters and sources;
chains, causes and effects follow both.

A link has no asserters or confidence of its own. Its asserters are those of the claims it
rests on (`cg:basis`) and, when it rests on documents, those documents (the source is what
asserts the step). Its confidence follows the curation rule of the claims (data/README.md:
the confidence that the attribution is right, from the record's status: 0.9 VERIFIED,
0.6 REPORTED(S00), 0.3 UNVERIFIED).

How a chain is scored. Each step has assertions; only those with a confidence of at least
`min_confidence` count. An assertion *supports* the step when its stance is `supports` and
its relation is not `hasNoMaterialEffectOn`; it *counts against* the step otherwise. The step's
score is `max(supporting confidence) * (1 - max(confidence against))` (no assertion against:
factor 1), and 0 when nothing supports it (a step whose claims all say there was no material
effect is still a step of the chain, scored 0). A step with no counted assertion breaks the
chain. A chain's score is the product of its steps' scores, so long chains and contested steps
rank lower.

`causal_subgraph` materialises a projection's causal claims and link steps as a plain
`DiGraph`; `causal_chains` walks it. `graph.readmodel.causal` walks the read model the same way
without materialising anything.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final

from graph.records import NodeRecord, Projection, PropertyValue, RelRecord
from ontology.vocab import CAUSAL_RELATIONS, upper_snake

NO_EFFECT: Final = "hasNoMaterialEffectOn"
RESPONDS_TO: Final = "respondsTo"

CAUSAL_TYPES: Final[frozenset[str]] = frozenset(upper_snake(r) for r in CAUSAL_RELATIONS)
"""Relationship types of a claim's direct edge (`CAUSES`, `CONTRIBUTES_TO`, ...)."""

LINK_PLUMBING: Final[frozenset[str]] = frozenset({"STEP", "FROM", "TO"})
"""The relationships that make a link step: `(link)-[:STEP]->(step)`, `FROM` and `TO`."""

LINK_CONFIDENCE: Final[Mapping[str, float]] = {
    "VERIFIED": 0.9,
    "REPORTED(S00)": 0.6,
    "UNVERIFIED": 0.3,
}
"""A link's confidence by its status: the curation rule of the claims (data/README.md)."""

if TYPE_CHECKING:  # networkx takes half a second to import: only where used
    import networkx as nx


@dataclass(frozen=True, slots=True)
class ClaimRef:
    """One claim on a causal step."""

    kind: ClassVar[str] = "claim"

    id: str
    relation: str
    stance: str
    confidence: float | None
    asserted_by: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def supports(self) -> bool:
        return self.stance != "disputes" and self.relation != NO_EFFECT


@dataclass(frozen=True, slots=True)
class LinkRef:
    """One step of a casebook link on a causal step: `id` is the link (`lnk-07`), `step` the
    step (`lnk-07/step-1`); `asserted_by` and `confidence` as the module doc says."""

    kind: ClassVar[str] = "link"

    id: str
    step: str
    relation: str
    confidence: float | None
    asserted_by: tuple[str, ...]
    sources: tuple[str, ...]
    casebook_ids: tuple[str, ...] = ()
    status: str | None = None
    stance: str = "supports"

    @property
    def supports(self) -> bool:
        return self.stance != "disputes" and self.relation != NO_EFFECT


type Assertion = ClaimRef | LinkRef
"""What a causal step carries: a claim or a link step."""


@dataclass(frozen=True, slots=True)
class Step:
    """One hop of a chain, with the assertions that were counted for it."""

    source: str
    target: str
    score: float
    support: float
    against: float
    assertions: tuple[Assertion, ...]

    @property
    def claims(self) -> tuple[ClaimRef, ...]:
        return tuple(a for a in self.assertions if isinstance(a, ClaimRef))

    @property
    def links(self) -> tuple[LinkRef, ...]:
        return tuple(a for a in self.assertions if isinstance(a, LinkRef))


@dataclass(frozen=True, slots=True)
class Chain:
    """A simple causal path from a cause to an effect, with its score."""

    nodes: tuple[str, ...]
    steps: tuple[Step, ...]
    score: float


# -- assertions ---------------------------------------------------------------------------------


def claim_ref(rel: RelRecord, relation: str) -> ClaimRef:
    """The `ClaimRef` of a claim's direct causal relationship (one with `claim_ids`)."""
    props = rel.properties
    claim_ids = strings(props.get("claim_ids"))
    confidence = props.get("confidence")
    return ClaimRef(
        id=claim_ids[0] if claim_ids else rel.key,
        relation=relation,
        stance=text(props.get("stance")) or "supports",
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
        asserted_by=tuple(strings(props.get("asserted_by"))),
        sources=tuple(strings(props.get("source_ids"))),
    )


def link_ref(
    link: NodeRecord,
    step: str,
    *,
    sources: Iterable[str],
    basis_asserters: Iterable[str],
    basis_documents: Iterable[str],
) -> LinkRef:
    """The `LinkRef` of one step of `link`: asserted by who asserts the claims it rests on and
    by the documents it rests on; its confidence from its status (`LINK_CONFIDENCE`)."""
    props = link.properties
    status = text(props.get("status")) or None
    return LinkRef(
        id=link.id,
        step=step,
        relation=text(props.get("relation")),
        confidence=LINK_CONFIDENCE.get(status or ""),
        asserted_by=tuple(sorted({*basis_asserters, *basis_documents})),
        sources=tuple(sorted(set(sources))),
        casebook_ids=tuple(strings(props.get("casebook_ids"))),
        status=status,
    )


def oriented(relation: str, source: str, target: str) -> tuple[str, str]:
    """(antecedent, consequent): `X respondsTo Y` ("X was a reaction to Y") is the step Y -> X."""
    return (target, source) if relation == RESPONDS_TO else (source, target)


def link_steps(
    nodes: Mapping[str, NodeRecord], relationships: Iterable[RelRecord]
) -> list[tuple[str, str, LinkRef]]:
    """Every link step of a projection as (antecedent, consequent, `LinkRef`).

    Needs the `Link` nodes, their `STEP`, `SOURCE` and `BASIS` relationships, the steps'
    `FROM` and `TO`, and the `ASSERTED_BY` of the claims a link rests on.
    """
    steps: dict[str, str] = {}
    ends: dict[str, dict[str, str]] = defaultdict(dict)
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for rel in relationships:
        if rel.type == "STEP":
            steps[rel.target] = rel.source
        elif rel.type in {"FROM", "TO"}:
            ends[rel.source][rel.type] = rel.target
        elif rel.type in {"SOURCE", "BASIS", "ASSERTED_BY"}:
            out[rel.source][rel.type].append(rel.target)
    found: list[tuple[str, str, LinkRef]] = []
    for step, link_id in sorted(steps.items()):
        link, pair = nodes.get(link_id), ends.get(step, {})
        if link is None or "FROM" not in pair or "TO" not in pair:
            continue
        basis = out[link_id]["BASIS"]
        ref = link_ref(
            link,
            step,
            sources=out[link_id]["SOURCE"],
            basis_asserters=(
                a for b in basis if _is(nodes, b, "Claim") for a in out[b]["ASSERTED_BY"]
            ),
            basis_documents=(b for b in basis if _is(nodes, b, "Source")),
        )
        found.append((*oriented(ref.relation, pair["FROM"], pair["TO"]), ref))
    return found


def _is(nodes: Mapping[str, NodeRecord], node_id: str, label: str) -> bool:
    node = nodes.get(node_id)
    return node is not None and label in node.labels


# -- the causal graph ---------------------------------------------------------------------------


def causal_subgraph(projection: Projection) -> nx.DiGraph:
    """The causal claims and link steps as a `DiGraph`, everything between two nodes merged
    onto one edge.

    Edge attributes: `claims` (`ClaimRef`s by id), `link_steps` (`LinkRef`s by link and step),
    `relations` (sorted relation names) and `relation` (the relation of the most confident
    supporting assertion, else the first one). A causal triple asserted without a claim gives
    an edge with no claims. Edges run from antecedent to consequent (see `oriented`).
    """
    import networkx as nx

    graph = nx.DiGraph()
    nodes = {node.id: node for node in projection.nodes}
    for node in projection.nodes:
        graph.add_node(node.id, label=node.properties.get("label", node.id), labels=node.labels)

    def edge(cause: str, effect: str, relation: str) -> dict[str, Any]:
        if not graph.has_edge(cause, effect):
            graph.add_edge(cause, effect, claims=[], link_steps=[], relations=[])
        data: dict[str, Any] = graph.edges[cause, effect]
        if relation not in data["relations"]:
            data["relations"] = sorted([*data["relations"], relation])
        return data

    for rel in projection.relationships:
        if rel.type not in CAUSAL_TYPES or rel.source not in nodes or rel.target not in nodes:
            continue
        relation = text(rel.properties.get("relation")) or relation_of(rel.type)
        data = edge(*oriented(relation, rel.source, rel.target), relation)
        if "claim_ids" in rel.properties:
            data["claims"].append(claim_ref(rel, relation))
    for cause, effect, ref in link_steps(nodes, projection.relationships):
        if cause in nodes and effect in nodes:
            edge(cause, effect, ref.relation)["link_steps"].append(ref)
    for _u, _v, data in graph.edges(data=True):
        data["claims"].sort(key=lambda c: c.id)
        data["link_steps"].sort(key=lambda s: (s.id, s.step))
        data["relation"] = main_relation([*data["claims"], *data["link_steps"]], data["relations"])
    return graph


def main_relation(assertions: Sequence[Assertion], relations: Sequence[str]) -> str:
    """The relation of the most confident supporting assertion, else the first relation."""
    supporting = sorted(
        (a for a in assertions if a.supports), key=lambda a: (-(a.confidence or 0.0), a.id)
    )
    return supporting[0].relation if supporting else sorted(relations)[0]


def assertions_of(data: Mapping[str, object]) -> list[Assertion]:
    """The claims and link steps on one edge of `causal_subgraph` (claims first)."""
    claims: Any = data.get("claims", [])
    steps: Any = data.get("link_steps", [])
    return [*claims, *steps]


def step_score(
    assertions: Iterable[Assertion], *, min_confidence: float = 0.0
) -> tuple[float, float, float, tuple[Assertion, ...]]:
    """`(score, support, against, counted assertions)` of one step; score 0 without support."""
    counted = tuple(a for a in assertions if (a.confidence or 0.0) >= min_confidence)
    support = max((a.confidence or 0.0 for a in counted if a.supports), default=None)
    against = max((a.confidence or 0.0 for a in counted if not a.supports), default=0.0)
    if support is None:
        return 0.0, 0.0, against, counted
    return support * (1.0 - against), support, against, counted


def chain_of(
    path: Sequence[str],
    assertions: Callable[[str, str], Sequence[Assertion]],
    *,
    min_confidence: float,
) -> Chain | None:
    """The chain along `path` (`assertions(u, v)` gives a step's claims and link steps), its
    steps scored; None when a step has no counted assertion."""
    steps: list[Step] = []
    total = 1.0
    for u, v in itertools.pairwise(path):
        score, support, against, counted = step_score(
            assertions(u, v), min_confidence=min_confidence
        )
        if not counted:
            return None
        steps.append(Step(u, v, score, support, against, counted))
        total *= score
    return Chain(tuple(path), tuple(steps), total)


def rank(chains: Iterable[Chain]) -> list[Chain]:
    """Best score first, then fewer steps, then by node ids."""
    return sorted(chains, key=lambda c: (-c.score, len(c.nodes), c.nodes))


def causal_chains(
    digraph: nx.DiGraph,
    source: str,
    target: str,
    *,
    max_depth: int = 4,
    min_confidence: float = 0.0,
) -> list[Chain]:
    """Every simple causal path of at most `max_depth` steps, best score first (see module doc).

    Paths with a step that has no claim or link step at `min_confidence` are left out.
    """
    if source not in digraph or target not in digraph or source == target or max_depth < 1:
        return []

    def on_edge(u: str, v: str) -> list[Assertion]:
        return assertions_of(digraph.edges[u, v])

    import networkx as nx

    found = (
        chain_of(path, on_edge, min_confidence=min_confidence)
        for path in nx.all_simple_paths(digraph, source, target, cutoff=max_depth)
    )
    return rank(c for c in found if c is not None)


# -- values -------------------------------------------------------------------------------------


def relation_of(rel_type: str) -> str:
    """The causal relation a relationship type stands for (`CONTRIBUTES_TO` -> contributesTo)."""
    by_type = {upper_snake(r): r for r in CAUSAL_RELATIONS}
    return by_type.get(rel_type, rel_type)


def text(value: PropertyValue | None) -> str:
    return value if isinstance(value, str) else ""


def strings(value: PropertyValue | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


__all__ = [
    "CAUSAL_TYPES",
    "LINK_CONFIDENCE",
    "LINK_PLUMBING",
    "NO_EFFECT",
    "RESPONDS_TO",
    "Assertion",
    "Chain",
    "ClaimRef",
    "LinkRef",
    "Step",
    "assertions_of",
    "causal_chains",
    "causal_subgraph",
    "chain_of",
    "claim_ref",
    "link_ref",
    "link_steps",
    "main_relation",
    "oriented",
    "rank",
    "relation_of",
    "step_score",
]
