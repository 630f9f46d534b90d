"""From the whole projection to what one view draws: a node subset with its side panels.

Every builder takes a `GraphIndex` (`graph.views.index`; the API keeps one per catalog) or a bare
`Projection`, and raises `NotFound` for an id that is not a node. What each view holds:

- **case**: the case, its members (`IN_CASE`), and what the members point at through
  `CONTEXT_TYPES` (participants, targets, places, claim ends, who asserts, what is measured);
- **entity**: the node and every node within `depth` relationships, either direction;
- **chain**: the nodes of every causal chain of at most `max_depth` steps and their causal edges;
- **whole graph**: every node, optionally only some classes, the view of one case, and the dated
  nodes overlapping a date range (undated nodes stay).

Every relationship between two chosen nodes is drawn. Timelines: `graph.views.build_timeline`
(re-exported here); `render_view` draws either kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from graph.analytics import causal_chains
from graph.records import NodeRecord, Projection, RelRecord
from graph.views import style
from graph.views.build_timeline import (
    Grouping,
    TimelineInput,
    timeline_for_case,
    timeline_for_ids,
)
from graph.views.index import GraphIndex, date, index, panels_for, text, type_label
from graph.views.render import GraphViewOptions, PanelData, render_graph
from graph.views.timeline import TimelineOptions, render_timeline
from ontology.errors import NotFound
from ontology.vocab import CLASSES

CONTEXT_TYPES: Final = frozenset(
    {
        "PARTICIPANT",
        "TARGET",
        "PLACE",
        "PART_OF",
        "CAUSE",
        "EFFECT",
        "ASSERTED_BY",
        "ABOUT",
        "MEASURE",
        "REF_PLACE",
    }
)
"""Relationships from a case member that bring their target into the case view."""


@dataclass(frozen=True, slots=True)
class GraphInput:
    """What `render_graph` needs for one view."""

    projection: Projection
    title: str
    panels: Mapping[str, PanelData]
    focus: str | None = None
    subtitle: str = ""
    notes: tuple[str, ...] = ()


# -- graph views ---------------------------------------------------------------------------------


def case_members(source: Projection | GraphIndex, case_id: str) -> set[str]:
    """The ids a case view shows: the case, its members and their context (see module doc)."""
    idx = index(source)
    case = idx.node(case_id, what="case")
    if "Case" not in case.labels:
        raise NotFound(f"{case_id!r} is a {text(case.properties.get('type'))}, not a case")
    members = set(idx.sources(case_id, "IN_CASE"))
    chosen = {case_id, *members}
    for member in members:
        chosen.update(r.target for r in idx.out.get(member, ()) if r.type in CONTEXT_TYPES)
    return chosen


def case_view(source: Projection | GraphIndex, case_id: str) -> GraphInput:
    """The graph of one case."""
    idx = index(source)
    ids = case_members(idx, case_id)
    case = idx.nodes[case_id]
    return _graph_input(
        idx, ids, title=idx.label(case_id), subtitle=text(case.properties.get("description"))
    )


def entity_view(source: Projection | GraphIndex, node_id: str, depth: int = 1) -> GraphInput:
    """An entity and everything within `depth` relationships of it."""
    idx = index(source)
    idx.node(node_id)
    seen, frontier = {node_id}, [node_id]
    for _ in range(max(depth, 0)):
        following: list[str] = []
        for current in frontier:
            for other in (
                *(r.target for r in idx.out.get(current, ())),
                *(r.source for r in idx.into.get(current, ())),
            ):
                if other not in seen:
                    seen.add(other)
                    following.append(other)
        frontier = following
    hops = "1 relationship" if depth == 1 else f"{depth} relationships"
    return _graph_input(
        idx,
        seen,
        title=idx.label(node_id),
        subtitle=f"Everything within {hops} of this {type_label(idx.nodes[node_id]).lower()}",
        focus=node_id,
    )


def chain_view(
    source: Projection | GraphIndex, from_id: str, to_id: str, max_depth: int = 4
) -> GraphInput:
    """Every causal chain of at most `max_depth` steps from one node to another."""
    idx = index(source)
    idx.node(from_id)
    idx.node(to_id)
    chains = causal_chains(idx.causal, from_id, to_id, max_depth=max_depth)
    ids = {from_id, to_id, *(n for chain in chains for n in chain.nodes)}
    steps = {(s.source, s.target) for chain in chains for s in chain.steps}
    nodes = tuple(n for n in idx.nodes.values() if n.id in ids)
    rels = tuple(
        r
        for n in nodes
        for r in idx.out.get(n.id, ())
        if r.type in style.CAUSAL_TYPES and _causal_pair(r) in steps
    )
    title = f"{idx.label(from_id)} \N{RIGHTWARDS ARROW} {idx.label(to_id)}"
    best = f"; the best scores {chains[0].score:.2f}" if chains else ""
    subtitle = (
        f"{len(chains)} causal chain{'s' if len(chains) != 1 else ''} of at most {max_depth} "
        f"steps{best}"
    )
    notes = () if chains else (f"No causal chain of at most {max_depth} steps joins them.",)
    return GraphInput(
        Projection(nodes, rels),
        title=title,
        panels=panels_for(idx, ids),
        focus=from_id,
        subtitle=subtitle,
        notes=notes,
    )


def whole_view(
    source: Projection | GraphIndex,
    *,
    types: Sequence[str] = (),
    case: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> GraphInput:
    """The whole graph, or the nodes of some classes, of one case, and overlapping some dates."""
    idx = index(source)
    wanted = {t.removeprefix("cg:") for t in types if t}
    unknown = sorted(wanted - CLASSES - {"Entity"})
    if unknown:
        raise NotFound(f"no class named {', '.join(map(repr, unknown))}")
    ids: Iterable[str] = case_members(idx, case) if case is not None else idx.nodes
    chosen = {
        i
        for i in ids
        if (not wanted or wanted.intersection(idx.nodes[i].labels))
        and _overlaps(idx.nodes[i], date_from, date_to)
    }
    filters = [
        *([f"classes {', '.join(sorted(wanted))}"] if wanted else []),
        *([f"case {idx.label(case)}"] if case is not None else []),
        *([f"from {date_from.isoformat()}"] if date_from else []),
        *([f"to {date_to.isoformat()}"] if date_to else []),
    ]
    return _graph_input(
        idx,
        chosen,
        title="The whole graph" if not filters else "The graph, filtered",
        subtitle="; ".join(filters),
    )


def _graph_input(
    idx: GraphIndex, ids: set[str], *, title: str, subtitle: str = "", focus: str | None = None
) -> GraphInput:
    return GraphInput(
        idx.subgraph(ids), title=title, panels=panels_for(idx, ids), focus=focus, subtitle=subtitle
    )


def _causal_pair(rel: RelRecord) -> tuple[str, str]:
    """(antecedent, consequent), as `causal_subgraph` orients edges (`RESPONDS_TO` backwards)."""
    return (rel.target, rel.source) if rel.type == "RESPONDS_TO" else (rel.source, rel.target)


def _overlaps(node: NodeRecord, start: dt.date | None, end: dt.date | None) -> bool:
    earliest = date(node.properties.get("earliest"))
    if earliest is None or (start is None and end is None):
        return True
    latest = date(node.properties.get("latest"))
    if end is not None and earliest > end:
        return False
    return start is None or latest is None or latest >= start


# -- rendering -----------------------------------------------------------------------------------


def render_view(view: GraphInput | TimelineInput, *, link_base: str | None, export: bool) -> str:
    """The HTML page of a view. An export's timeline opens side panels on click; a served one
    goes to the entity's view (`<link_base>/view/entity/<id>`)."""
    if isinstance(view, GraphInput):
        return render_graph(
            view.projection,
            title=view.title,
            panels=view.panels,
            options=GraphViewOptions(
                link_base=link_base,
                focus=view.focus,
                subtitle=view.subtitle,
                extra_notes=view.notes,
            ),
        )
    return render_timeline(
        view.events,
        view.series,
        title=view.title,
        options=TimelineOptions(
            link_base=link_base,
            panels=view.panels if export else None,
            subtitle=view.subtitle,
            lane_title=view.lane_title,
        ),
    )


__all__ = [
    "CONTEXT_TYPES",
    "GraphIndex",
    "GraphInput",
    "Grouping",
    "TimelineInput",
    "case_members",
    "case_view",
    "chain_view",
    "entity_view",
    "index",
    "panels_for",
    "render_view",
    "timeline_for_case",
    "timeline_for_ids",
    "whole_view",
]
