"""A projection indexed for cutting views out of it: nodes by id, relationships by end, claim edges
by claim; and the side-panel data (claims, sources) of any node. Used by `graph.views.build` and
`graph.views.build_timeline`; built once per catalog by the API.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from graph.analytics import causal_subgraph
from graph.records import NodeRecord, Projection, PropertyValue, RelRecord
from graph.views import style
from graph.views.render import ClaimSummary, PanelData, SourceRef, safe_url
from ontology.errors import NotFound


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


def index(source: Projection | GraphIndex) -> GraphIndex:
    return source if isinstance(source, GraphIndex) else GraphIndex(source)


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
        panels[node_id] = PanelData(description=description, claims=claims, sources=sources)
    return panels


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
    return ClaimSummary(
        id=claim_id,
        relation=style.relation_text(rel.type),
        stance=text(rel.properties.get("stance")) or "supports",
        asserted_by=tuple(idx.label(a) for a in strings(rel.properties.get("asserted_by"))),
        sources=tuple(idx.label(s) for s in strings(rel.properties.get("source_ids"))),
        other=other,
        note=text(claim.properties.get("note")) if claim is not None else "",
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


def strings(value: PropertyValue | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


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


__all__ = ["GraphIndex", "date", "index", "panels_for", "strings", "text", "type_label"]
