"""Graph analytics over a projection: networkx graphs, reachability and centrality.

`to_networkx` gives the whole property graph as a `MultiDiGraph` (for the views and the API's
graph objects). The causal model (claims and casebook links as steps, chains and their scores)
is `graph.chains`, re-exported here: `causal_subgraph` materialises it as a plain `DiGraph`,
which is what path and reachability questions should run on (see performance-notes.md: walking
a filtered view of the big graph costs milliseconds, the materialised one microseconds).
Centrality runs on igraph, which is orders of magnitude faster than networkx at scale.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from graph.chains import (
    CAUSAL_TYPES,
    NO_EFFECT,
    RESPONDS_TO,
    Chain,
    ClaimRef,
    LinkRef,
    Step,
    causal_chains,
    causal_subgraph,
    claim_ref,
    relation_of,
    step_score,
)
from graph.chains import text as _text
from graph.records import NodeRecord, Projection, RelRecord

if TYPE_CHECKING:  # networkx and igraph take half a second to import: only where used
    import networkx as nx


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
            relation = _text(rel.properties.get("relation")) or relation_of(rel.type)
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
    "NO_EFFECT",
    "REACH_DEPTH",
    "RESPONDS_TO",
    "Centrality",
    "Chain",
    "ClaimRef",
    "LinkRef",
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
