"""A projection indexed for cutting views out of it: nodes by id, relationships by end, claim edges
by claim; link steps and the temporal consistency of claims and link steps, read per id; and the
side-panel data (claims, sources, cases, chains) of any node. Used by `graph.views.build` and
`graph.views.build_timeline`; built once per catalog by the API.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from graph.analytics import causal_subgraph
from graph.chains import strings
from graph.consistency import Finding, finding_of
from graph.records import NodeRecord, Projection, PropertyValue, RelRecord
from graph.views import style
from graph.views.page import safe_url
from graph.views.panel import ChainRef, ClaimSummary, PanelData, SourceRef
from ontology.errors import NotFound

if TYPE_CHECKING:
    import networkx as nx

_ENDS: Final = frozenset({"FROM", "TO"})

#: How many chains the side panel offers in each direction, and how far it looks for them.
PANEL_CHAINS = 3
PANEL_CHAIN_DEPTH = 4


@dataclass(frozen=True, slots=True)
class LinkStep:
    """One hop of a casebook link: `source` to `target` under the link's `relation`."""

    id: str
    link: str
    source: str
    target: str
    relation: str
    index: int


class GraphIndex:
    """A projection with its nodes by id and relationships by end, for building many views."""

    def __init__(self, projection: Projection) -> None:
        self.projection = projection
        self.nodes: dict[str, NodeRecord] = {}
        for node in projection.nodes:
            self.nodes.setdefault(node.id, node)
        self.out: dict[str, list[RelRecord]] = defaultdict(list)
        self.into: dict[str, list[RelRecord]] = defaultdict(list)
        self.claim_edges: dict[str, list[RelRecord]] = defaultdict(list)
        for rel in projection.relationships:
            if rel.source in self.nodes and rel.target in self.nodes:
                self.out[rel.source].append(rel)
                self.into[rel.target].append(rel)
                for claim_id in strings(rel.properties.get("claim_ids")):
                    self.claim_edges[claim_id].append(rel)

    def node(self, node_id: str, *, what: str = "entity") -> NodeRecord:
        """The node, or `NotFound`."""
        node = self.nodes.get(node_id)
        if node is None:
            raise NotFound(f"no {what} with id {node_id!r}")
        return node

    def label(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        return text(node.properties.get("label")) if node is not None else node_id

    def targets(self, node_id: str, rel_type: str) -> list[str]:
        return [r.target for r in self.out.get(node_id, ()) if r.type == rel_type]

    def sources(self, node_id: str, rel_type: str) -> list[str]:
        return [r.source for r in self.into.get(node_id, ()) if r.type == rel_type]

    def subgraph(self, ids: Iterable[str]) -> Projection:
        """The nodes (in projection order) and every relationship between two of them."""
        chosen = set(ids)
        nodes = tuple(n for n in self.nodes.values() if n.id in chosen)
        rels = tuple(r for n in nodes for r in self.out.get(n.id, ()) if r.target in chosen)
        return Projection(nodes, rels)

    @functools.cached_property
    def causal(self) -> nx.DiGraph:
        """`graph.analytics.causal_subgraph` of the whole projection."""
        return causal_subgraph(self.projection)

    # Link steps and temporal consistency are read lazily, per id, through `nodes`, `out` and
    # `into` only, so that an index over a store (which fetches what it is asked for) answers
    # them without reading the whole graph. The caches are properties, not set in __init__, so
    # that a subclass with its own __init__ has them too.

    @functools.cached_property
    def _step_cache(self) -> dict[str, LinkStep | None]:
        return {}

    @functools.cached_property
    def _finding_cache(self) -> dict[str, Finding | None]:
        return {}

    def step(self, step_id: str) -> LinkStep | None:
        """One link step (a `LinkStep` node with `FROM`, `TO` and the `STEP` of its link)."""
        if step_id not in self._step_cache:
            found = None
            node = self.nodes.get(step_id)
            links = self.sources(step_id, "STEP")
            source, target = self.targets(step_id, "FROM"), self.targets(step_id, "TO")
            if node is not None and links and source and target:
                link = self.nodes.get(links[0])
                relation = text(link.properties.get("relation")) if link is not None else ""
                index = node.properties.get("step_index")
                position = index if isinstance(index, int) else 0
                found = LinkStep(step_id, links[0], source[0], target[0], relation, position)
            self._step_cache[step_id] = found
        return self._step_cache[step_id]

    def steps_of(self, link_id: str) -> list[LinkStep]:
        """A link's steps, in chain order (none for a node that is not a link)."""
        found = [s for s in map(self.step, self.targets(link_id, "STEP")) if s is not None]
        return sorted(found, key=lambda step: (step.index, step.id))

    def steps_at(self, node_id: str) -> list[LinkStep]:
        """The link steps that start or end at a node."""
        ids = dict.fromkeys(r.source for r in self.into.get(node_id, ()) if r.type in _ENDS)
        return [s for s in map(self.step, ids) if s is not None]

    def consistency_of(self, item_id: str) -> Finding | None:
        """`graph.consistency`'s finding on a claim or a link step (None for anything else).

        A claim goes from its `CAUSE` to its `EFFECT` (`responds to` the other way round, as
        `graph.consistency` orients it); a link step from `FROM` to `TO`.
        """
        if item_id not in self._finding_cache:
            self._finding_cache[item_id] = self._finding(item_id)
        return self._finding_cache[item_id]

    def _finding(self, item_id: str) -> Finding | None:
        return finding_of(item_id, self.nodes.get, self.targets, self.sources)

    def display_label(self, node_id: str) -> str:
        """The node's label, with claims and links that carry the loader's generated label
        (`mx-2012-03 causes cartel-fragmentation`) put in words from their ends' labels."""
        node = self.nodes.get(node_id)
        if node is None:
            return node_id
        label = text(node.properties.get("label")) or node_id
        if "Claim" in node.labels:
            causes, effects = self.targets(node_id, "CAUSE"), self.targets(node_id, "EFFECT")
            relation = style.relation_text(text(node.properties.get("relation")))
            if len(causes) == 1 and len(effects) == 1:
                generated = f"{causes[0]} {relation} {effects[0]}"
                if label in {generated, ""}:
                    return f"{self.label(causes[0])} {relation} {self.label(effects[0])}"
        elif "Link" in node.labels and (steps := self.steps_of(node_id)):
            relation = style.relation_text(text(node.properties.get("relation")))
            if label == "" or label.startswith(f"{relation}: "):
                return f"{relation}: {self._chain_words(steps)}"
        return label

    def _chain_words(self, steps: list[LinkStep]) -> str:
        """`a → b, c → d`: the ends of the steps by their distance from the chain's start."""
        depth: dict[str, int] = {}
        for step in steps:
            depth.setdefault(step.source, 0)
            depth[step.target] = max(depth.get(step.target, 0), depth[step.source] + 1)
        levels: dict[int, list[str]] = defaultdict(list)
        for node_id, level in depth.items():
            levels[level].append(self.label(node_id))
        return " \N{RIGHTWARDS ARROW} ".join(", ".join(levels[k]) for k in sorted(levels))

    def cases_of(self, node_id: str) -> list[str]:
        """The cases a node belongs to (`IN_CASE`), or those of the members that point at it
        (an actor's events, a claim end's claims), sorted by label."""
        node = self.nodes.get(node_id)
        if node is None:
            return []
        if "Case" in node.labels:
            return [node_id]
        found = set(self.targets(node_id, "IN_CASE"))
        if not found:
            for rel in self.into.get(node_id, ()):
                found.update(self.targets(rel.source, "IN_CASE"))
            for step in self.steps_at(node_id):
                found.update(self.targets(step.link, "IN_CASE"))
        return sorted(found, key=lambda c: (self.label(c), c))

    def chains_of(self, node_id: str) -> list[ChainRef]:
        """A few causal chains through the node: to the ends it leads to, from the starts that
        lead to it (at most `PANEL_CHAINS` each way, within `PANEL_CHAIN_DEPTH` steps)."""
        graph = self.causal
        if node_id not in graph:
            return []
        found: list[ChainRef] = []
        for ends, forward in (
            (_ends(graph, node_id, forward=True), True),
            (_ends(graph, node_id, forward=False), False),
        ):
            for end in ends[:PANEL_CHAINS]:
                start, stop = (node_id, end) if forward else (end, node_id)
                found.append(ChainRef(start, stop, self.label(end), forward))
        return found


def index(source: Projection | GraphIndex) -> GraphIndex:
    return source if isinstance(source, GraphIndex) else GraphIndex(source)


def _ends(graph: nx.DiGraph, node_id: str, *, forward: bool) -> list[str]:
    """The nodes without successors (or predecessors) reached within `PANEL_CHAIN_DEPTH` steps,
    nearest first."""
    step = graph.successors if forward else graph.predecessors
    seen, frontier, ends = {node_id}, [node_id], []
    for _ in range(PANEL_CHAIN_DEPTH):
        following = []
        for current in frontier:
            for other in sorted(step(current)):
                if other in seen:
                    continue
                seen.add(other)
                following.append(other)
                if not any(True for _ in step(other)):
                    ends.append(other)
        frontier = following
    return ends


# -- side panels ---------------------------------------------------------------------------------


def panels_for(source: Projection | GraphIndex, ids: Iterable[str]) -> dict[str, PanelData]:
    """The side panel of each node: the claims it takes part in and its sources."""
    idx = index(source)
    panels: dict[str, PanelData] = {}
    for node_id in ids:
        node = idx.nodes.get(node_id)
        if node is None:
            continue
        edges = [r for r in (*idx.out.get(node_id, ()), *idx.into.get(node_id, ())) if _claim(r)]
        edges.extend(idx.claim_edges.get(node_id, ()))
        unique = {id(r): r for r in edges}.values()  # RelRecord holds a dict: not hashable
        claims = tuple(_claim_summary(idx, r, node_id) for r in unique)
        sources = tuple(
            SourceRef(idx.label(s), _first_url(idx.nodes[s].properties.get("urls")))
            for s in dict.fromkeys(idx.targets(node_id, "SOURCE"))
        )
        description = None
        if "Observation" in node.labels and not node.properties.get("description"):
            description = _observation_text(idx, node)
        panels[node_id] = PanelData(
            description=description,
            claims=claims,
            sources=sources,
            cases=tuple((c, idx.label(c)) for c in idx.cases_of(node_id)),
            timeline=_has_timeline(node),
            chains=tuple(idx.chains_of(node_id)),
        )
    return panels


def _has_timeline(node: NodeRecord) -> bool:
    """Whether `/view/timeline?ids=<id>` shows something for the node."""
    if {"Case", "Agent", "Measure"} & set(node.labels):
        return True
    return date(node.properties.get("earliest")) is not None


def _claim(rel: RelRecord) -> bool:
    return "claim_ids" in rel.properties


def _claim_summary(idx: GraphIndex, rel: RelRecord, node_id: str) -> ClaimSummary:
    claim_id = (strings(rel.properties.get("claim_ids")) or [rel.key])[0]
    claim = idx.nodes.get(claim_id)
    if node_id == rel.source:
        other = idx.label(rel.target)
    elif node_id == rel.target:
        other = idx.label(rel.source)
    else:
        other = f"{idx.label(rel.source)} \N{RIGHTWARDS ARROW} {idx.label(rel.target)}"
    finding = idx.consistency_of(claim_id)
    return ClaimSummary(
        id=claim_id,
        relation=style.relation_text(rel.type),
        stance=text(rel.properties.get("stance")) or "supports",
        asserted_by=tuple(idx.label(a) for a in strings(rel.properties.get("asserted_by"))),
        sources=tuple(idx.label(s) for s in strings(rel.properties.get("source_ids"))),
        other=other,
        note=text(claim.properties.get("note")) if claim is not None else "",
        dates=finding.verdict if finding is not None and finding.flagged else "",
        dates_note=finding.reason if finding is not None and finding.flagged else "",
    )


def _observation_text(idx: GraphIndex, node: NodeRecord) -> str:
    value = node.properties.get("value")
    measures = idx.targets(node.id, "MEASURE")
    unit = text(idx.nodes[measures[0]].properties.get("unit")) if measures else ""
    qualifier = text(node.properties.get("qualifier"))
    number = f"{value:,g}" if isinstance(value, int | float) else text(value)
    parts = [
        f"{idx.label(measures[0])}: " if measures else "",
        f"{qualifier} " if qualifier and qualifier != "exact" else "",
        number,
        f" {unit}" if unit else "",
    ]
    return "".join(parts)


def _first_url(value: PropertyValue | None) -> str | None:
    return next((url for url in strings(value) if safe_url(url)), None)


# -- values --------------------------------------------------------------------------------------


def text(value: PropertyValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return ", ".join(text(v) for v in value)
    return str(value)


def date(value: PropertyValue | None) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def type_label(node: NodeRecord) -> str:
    return style.type_text(
        text(node.properties.get("type")) or style.node_style(node.labels).family
    )


__all__ = [
    "PANEL_CHAINS",
    "GraphIndex",
    "LinkStep",
    "date",
    "index",
    "panels_for",
    "strings",
    "text",
    "type_label",
]
