"""Graph analytics over a projection: networkx graphs, causal chains and centrality.

`to_networkx` gives the whole property graph as a `MultiDiGraph` (for the views and the API's
graph objects); `causal_subgraph` materialises the causal relationships as a plain `DiGraph`,
which is what path and reachability questions should run on (see performance-notes.md: walking
a filtered view of the big graph costs milliseconds, the materialised one microseconds).
Centrality runs on igraph, which is orders of magnitude faster than networkx at scale.

How a causal chain is scored. Each step (one cause -> effect edge) has claims; only claims with
a confidence of at least `min_confidence` count. A claim *supports* the step when its stance is
`supports` and its relation is not `hasNoMaterialEffectOn`; it *counts against* the step when its
stance is `disputes`, or when it asserts `hasNoMaterialEffectOn`. The step's score is
`max(supporting confidence) * (1 - max(confidence against))` (no claim against: factor 1), and a
step without a supporting claim breaks the chain. A chain's score is the product of its steps'
scores, so long chains and contested steps rank lower.
"""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from graph.records import NodeRecord, Projection, PropertyValue, RelRecord
from ontology.vocab import CAUSAL_RELATIONS, upper_snake

if TYPE_CHECKING:  # networkx and igraph take half a second to import: only where used
    import networkx as nx

NO_EFFECT: Final = "hasNoMaterialEffectOn"
RESPONDS_TO: Final = "respondsTo"

CAUSAL_TYPES: Final[frozenset[str]] = frozenset(upper_snake(r) for r in CAUSAL_RELATIONS)
"""Relationship types that `causal_subgraph` keeps (`CAUSES`, `CONTRIBUTES_TO`, ...)."""


@dataclass(frozen=True, slots=True)
class ClaimRef:
    """One claim on a causal edge."""

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
class Step:
    """One hop of a chain, with the claims that were counted for it."""

    source: str
    target: str
    score: float
    support: float
    against: float
    claims: tuple[ClaimRef, ...]


@dataclass(frozen=True, slots=True)
class Chain:
    """A simple causal path from a cause to an effect, with its score."""

    nodes: tuple[str, ...]
    steps: tuple[Step, ...]
    score: float


def edge_key(rel: RelRecord) -> str:
    """The networkx edge key of a relationship: its type, and `:key` when it has one.

    The relationship key alone does not tell apart relationships of different types between
    the same two nodes (a `PARTICIPANT` and a `TARGET` both have key "").
    """
    return f"{rel.type}:{rel.key}" if rel.key else rel.type


def to_networkx(projection: Projection) -> nx.MultiDiGraph:
    """The projection as a `MultiDiGraph`: node attributes are the properties plus `labels`;
    edge attributes are `type`, `key` and the relationship's properties."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    graph.add_nodes_from(
        (node.id, {**node.properties, "labels": list(node.labels)}) for node in projection.nodes
    )
    graph.add_edges_from(
        (
            rel.source,
            rel.target,
            edge_key(rel),
            {**rel.properties, "type": rel.type, "key": rel.key},
        )
        for rel in projection.relationships
        if rel.source in graph and rel.target in graph
    )
    return graph


def causal_subgraph(projection: Projection) -> nx.DiGraph:
    """The causal relationships as a `DiGraph`, parallel claims merged onto one edge.

    Edge attributes: `claims` (a list of `ClaimRef`), `relations` (sorted relation names) and
    `relation` (the relation of the most confident supporting claim, else the first one).
    A causal triple asserted without a claim gives an edge with no claims. Edges run from
    antecedent to consequent: `X respondsTo Y` ("X was a reaction to Y") becomes the edge
    Y -> X, so that chains read forward in time.
    """
    import networkx as nx

    graph = nx.DiGraph()
    ids = {node.id for node in projection.nodes}
    for node in projection.nodes:
        graph.add_node(node.id, label=node.properties.get("label", node.id), labels=node.labels)
    for rel in projection.relationships:
        if rel.type not in CAUSAL_TYPES or rel.source not in ids or rel.target not in ids:
            continue
        relation = _text(rel.properties.get("relation")) or _relation_of(rel.type)
        cause, effect = (
            (rel.target, rel.source) if relation == RESPONDS_TO else (rel.source, rel.target)
        )
        if not graph.has_edge(cause, effect):
            graph.add_edge(cause, effect, claims=[], relations=[])
        data = graph.edges[cause, effect]
        if relation not in data["relations"]:
            data["relations"] = sorted([*data["relations"], relation])
        if "claim_ids" in rel.properties:
            data["claims"].append(_claim(rel, relation))
    for _u, _v, data in graph.edges(data=True):
        data["claims"].sort(key=lambda c: c.id)
        supporting = sorted(
            (c for c in data["claims"] if c.supports),
            key=lambda c: (-(c.confidence or 0.0), c.id),
        )
        data["relation"] = supporting[0].relation if supporting else data["relations"][0]
    return graph


def _claim(rel: RelRecord, relation: str) -> ClaimRef:
    props = rel.properties
    claim_ids = _strings(props.get("claim_ids"))
    confidence = props.get("confidence")
    return ClaimRef(
        id=claim_ids[0] if claim_ids else rel.key,
        relation=relation,
        stance=_text(props.get("stance")) or "supports",
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
        asserted_by=tuple(_strings(props.get("asserted_by"))),
        sources=tuple(_strings(props.get("source_ids"))),
    )


def claim_ref(rel: RelRecord, relation: str) -> ClaimRef:
    """The `ClaimRef` of a claim's direct causal relationship (one with `claim_ids`)."""
    return _claim(rel, relation)


def relation_of(rel_type: str) -> str:
    """The causal relation a relationship type stands for (`CONTRIBUTES_TO` -> contributesTo)."""
    return _relation_of(rel_type)


def _relation_of(rel_type: str) -> str:
    by_type = {upper_snake(r): r for r in CAUSAL_RELATIONS}
    return by_type.get(rel_type, rel_type)


def _text(value: PropertyValue | None) -> str:
    return value if isinstance(value, str) else ""


def _strings(value: PropertyValue | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def step_score(
    claims: Iterable[ClaimRef], *, min_confidence: float = 0.0
) -> tuple[float, float, float, tuple[ClaimRef, ...]]:
    """`(score, support, against, counted claims)` of one causal edge; score 0 without support."""
    counted = tuple(c for c in claims if (c.confidence or 0.0) >= min_confidence)
    support = max((c.confidence or 0.0 for c in counted if c.supports), default=None)
    against = max((c.confidence or 0.0 for c in counted if not c.supports), default=0.0)
    if support is None:
        return 0.0, 0.0, against, counted
    return support * (1.0 - against), support, against, counted


def causal_chains(
    digraph: nx.DiGraph,
    source: str,
    target: str,
    *,
    max_depth: int = 4,
    min_confidence: float = 0.0,
) -> list[Chain]:
    """Every simple causal path of at most `max_depth` steps, best score first (see module doc).

    Paths with a step that has no supporting claim at `min_confidence` are left out.
    """
    if source not in digraph or target not in digraph or source == target or max_depth < 1:
        return []
    chains: list[Chain] = []
    import networkx as nx

    for path in nx.all_simple_paths(digraph, source, target, cutoff=max_depth):
        steps: list[Step] = []
        for u, v in itertools.pairwise(path):
            score, support, against, counted = step_score(
                digraph.edges[u, v].get("claims", []), min_confidence=min_confidence
            )
            if not any(c.supports for c in counted):
                break
            steps.append(Step(u, v, score, support, against, counted))
        else:
            total = 1.0
            for step in steps:
                total *= step.score
            chains.append(Chain(tuple(path), tuple(steps), total))
    chains.sort(key=lambda c: (-c.score, len(c.nodes), c.nodes))
    return chains


def _within(adjacent: Mapping[str, Any] | _Both, node: str, depth: int) -> set[str]:
    seen = {node}
    frontier: deque[tuple[str, int]] = deque([(node, 0)])
    while frontier:
        current, hops = frontier.popleft()
        if hops >= depth:
            continue
        for other in adjacent[current]:
            if other not in seen:
                seen.add(other)
                frontier.append((other, hops + 1))
    seen.discard(node)
    return seen


def causes(digraph: nx.DiGraph, node: str, depth: int = 1) -> set[str]:
    """The nodes from which `node` is reachable in at most `depth` causal steps."""
    if node not in digraph:
        return set()
    return _within(digraph.pred, node, depth)


def effects(digraph: nx.DiGraph, node: str, depth: int = 1) -> set[str]:
    """The nodes reachable from `node` in at most `depth` causal steps."""
    if node not in digraph:
        return set()
    return _within(digraph.succ, node, depth)


def neighbors(multidigraph: nx.MultiDiGraph, node: str, depth: int = 1) -> set[str]:
    """The nodes within `depth` relationships of `node`, either direction (`node` excluded)."""
    if node not in multidigraph:
        return set()
    return _within(_Both(multidigraph), node, depth)


class _Both:
    """Successors and predecessors of a directed graph, as one adjacency."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self._graph = graph

    def __getitem__(self, node: str) -> set[str]:
        return set(self._graph.succ[node]) | set(self._graph.pred[node])


def betweenness(projection: Projection, top: int = 10) -> list[tuple[str, float]]:
    """The `top` nodes by betweenness centrality (normalised to [0, 1]), computed by igraph.

    The graph is taken as undirected and simple (parallel relationships count once): a node
    that connects parts of the story matters whichever way its relationships point.
    """
    ids = [node.id for node in projection.nodes]
    index = {node_id: i for i, node_id in enumerate(ids)}
    edges = {
        (min(index[r.source], index[r.target]), max(index[r.source], index[r.target]))
        for r in projection.relationships
        if r.source in index and r.target in index and r.source != r.target
    }
    import igraph

    graph = igraph.Graph(n=len(ids), edges=sorted(edges), directed=False)
    n = len(ids)
    scale = (n - 1) * (n - 2) / 2 if n > 2 else 1.0
    scores = graph.betweenness(directed=False)
    ranked = sorted(
        ((ids[i], float(score) / scale) for i, score in enumerate(scores)),
        key=lambda item: (-item[1], item[0]),
    )
    return ranked[:top]


# -- centrality in the causal subgraph ----------------------------------------------------------

REACH_DEPTH: Final = 3
"""`Centrality.reach` counts what lies within this many causal steps."""
CENTRALITY_ORDERS: Final = ("betweenness", "pagerank", "reach")


@dataclass(frozen=True, slots=True)
class Centrality:
    """How central one actor or event (or phenomenon) is in the causal subgraph.

    `betweenness`: the share of shortest causal paths between two other nodes that pass through
    this one (directed, normalised to [0, 1]): a mediator of chains. `pagerank`: directed
    PageRank over the causal edges (damping 0.85): where causal influence flows to. `causes`
    and `effects`: distinct direct antecedents and consequents. `reach`: distinct nodes within
    `REACH_DEPTH` causal steps downstream (for an actor: of the events it took part in).
    `events`: for an actor, the events of the causal subgraph it took part in.
    """

    id: str
    label: str
    kind: str
    type: str
    betweenness: float
    pagerank: float
    causes: int
    effects: int
    reach: int
    events: int = 0


def causal_centrality(
    nodes: Iterable[NodeRecord],
    relationships: Iterable[RelRecord],
    *,
    top: int | None = None,
    kinds: AbstractSet[str] | None = None,
    by: str = "betweenness",
) -> list[Centrality]:
    """Centrality of the events, phenomena and actors in the causal subgraph, best first.

    The graph: one edge per (antecedent, consequent) pair with at least one causal relationship
    that is not a claim against it (a disputing claim, or one of no material effect, is not
    influence), `respondsTo` drawn backwards as in `causal_subgraph`; plus an edge from each
    agent to each event of that graph it took part in (`PARTICIPANT`), so that actors are
    ranked by what their events lead to. Computed by igraph; the records are read once and
    only the causal and participation relationships are kept. Sorted by `by` (`betweenness`,
    `pagerank` or `reach`) and then by the other two and the id; `kinds` keeps only nodes of
    those `kind`s (`event`, `agent`, `phenomenon`, ...).
    """
    if by not in CENTRALITY_ORDERS:
        raise ValueError(f"unknown order {by!r}; use one of {', '.join(CENTRALITY_ORDERS)}")
    meta: dict[str, tuple[str, str, str, bool]] = {}
    for node in nodes:
        props = node.properties
        meta[node.id] = (
            _text(props.get("label")) or node.id,
            _text(props.get("kind")),
            _text(props.get("type")) or node.labels[-1],
            "Agent" in node.labels,
        )
    causal: set[tuple[str, str]] = set()
    participation: set[tuple[str, str]] = set()
    for rel in relationships:
        if rel.source not in meta or rel.target not in meta:
            continue
        if rel.type in CAUSAL_TYPES:
            relation = _text(rel.properties.get("relation")) or _relation_of(rel.type)
            against = _text(rel.properties.get("stance")) == "disputes" or relation == NO_EFFECT
            if against:
                continue
            pair = (rel.target, rel.source) if relation == RESPONDS_TO else (rel.source, rel.target)
            if pair[0] != pair[1]:
                causal.add(pair)
        elif rel.type == "PARTICIPANT" and meta[rel.target][3]:
            participation.add((rel.target, rel.source))
    in_causal = {n for pair in causal for n in pair}
    actor_edges = {(a, e) for a, e in participation if e in in_causal}
    ids = sorted(in_causal | {a for a, _ in actor_edges})
    index = {node_id: i for i, node_id in enumerate(ids)}
    import igraph

    graph = igraph.Graph(
        n=len(ids),
        edges=sorted((index[u], index[v]) for u, v in causal | actor_edges),
        directed=True,
    )
    n = len(ids)
    scale = (n - 1) * (n - 2) if n > 2 else 1.0
    between = graph.betweenness(directed=True) if n else []
    rank = graph.pagerank(directed=True) if n else []
    causal_graph = igraph.Graph(
        n=n, edges=sorted((index[u], index[v]) for u, v in causal), directed=True
    )
    reach = causal_graph.neighborhood(order=REACH_DEPTH, mode="out") if n else []
    out: list[Centrality] = []
    events_of: dict[str, set[int]] = defaultdict(set)
    for actor, event in actor_edges:
        events_of[actor].add(index[event])
    for i, node_id in enumerate(ids):
        label, kind, node_type, _agent = meta[node_id]
        if kinds is not None and kind not in kinds:
            continue
        if node_id in events_of:
            downstream = {j for e in events_of[node_id] for j in reach[e] if j != e}
            reached, events = len(downstream), len(events_of[node_id])
        else:
            reached, events = len(reach[i]) - 1, 0
        out.append(
            Centrality(
                id=node_id,
                label=label,
                kind=kind,
                type=node_type,
                betweenness=float(between[i]) / scale,
                pagerank=float(rank[i]),
                causes=causal_graph.degree(i, mode="in"),
                effects=causal_graph.degree(i, mode="out"),
                reach=reached,
                events=events,
            )
        )
    first = CENTRALITY_ORDERS.index(by)
    fields = (*CENTRALITY_ORDERS[first:], *CENTRALITY_ORDERS[:first])
    out.sort(key=lambda c: (*(-float(getattr(c, f)) for f in fields), c.id))
    return out[:top] if top is not None else out


__all__ = [
    "CAUSAL_TYPES",
    "CENTRALITY_ORDERS",
    "REACH_DEPTH",
    "Centrality",
    "Chain",
    "ClaimRef",
    "Step",
    "betweenness",
    "causal_centrality",
    "causal_chains",
    "causal_subgraph",
    "causes",
    "claim_ref",
    "edge_key",
    "effects",
    "neighbors",
    "relation_of",
    "step_score",
    "to_networkx",
]
