"""From the whole projection to what one view draws: a node subset with its side panels.

Every builder takes a `GraphIndex` (`graph.views.index`; the API keeps one per catalog) or a bare
`Projection`, and raises `NotFound` for an id that is not a node. What each view holds:

- **case**: the case, its members (`IN_CASE`), what the members point at through
  `CONTEXT_TYPES` (participants, targets, places, claim ends, who asserts, what is measured),
  and the ends of its links' steps; it opens on the causal spine (the nodes joined by claims
  and link steps), the other layers (actors, places, ...) behind toggles;
- **entity**: the node and every node within `depth` relationships, either direction (a link
  step counts as one relationship between its two ends);
- **chain**: the nodes of every causal chain of at most `max_depth` steps and their causal edges;
- **whole graph**: every node, optionally only some classes, the view of one case, and the dated
  nodes overlapping a date range (undated nodes stay).

Link steps are not drawn as nodes: each is an edge from its start to its end, merged with the
claims between the same two nodes (`graph.views.edges`). Every other relationship between two
chosen nodes is drawn. Claims and links with the loader's generated labels (slugs) are labelled
in words. Timelines: `graph.views.build_timeline` (re-exported here); `render_view` draws
either kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final
from urllib.parse import quote, urlencode

from graph.analytics import causal_chains
from graph.records import NodeRecord, Projection, RelRecord
from graph.views import style
from graph.views.build_timeline import Grouping, TimelineInput, timeline_for_case, timeline_for_ids
from graph.views.edges import EdgeItem
from graph.views.index import GraphIndex, date, index, panels_for, text, type_label
from graph.views.items import edge_items, in_words, step_rel
from graph.views.page import NavLink
from graph.views.panel import PanelData
from graph.views.render import GraphViewOptions, render_graph
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
        "SOURCE",
    }
)
"""Relationships from a case member that bring their target into the case view (most of them
behind a toggle: the view opens on the causal spine)."""


#: Node labels that are drawn as something else, or not at all, in a graph view.
HIDDEN_LABELS: Final = frozenset({"LinkStep"})


@dataclass(frozen=True, slots=True)
class GraphInput:
    """What `render_graph` needs for one view.

    `items` are the panel entries of the claims and link steps drawn as edges (by id);
    `initial_layers` the layers shown when the page opens (None: all); `nav` the header links.
    """

    projection: Projection
    title: str
    panels: Mapping[str, PanelData]
    focus: str | None = None
    subtitle: str = ""
    notes: tuple[str, ...] = ()
    items: Mapping[str, EdgeItem] = field(default_factory=dict)
    initial_layers: frozenset[str] | None = None
    nav: tuple[NavLink, ...] = ()


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
        for step in idx.steps_of(member):
            chosen.update((step.source, step.target))
    return {i for i in chosen if not HIDDEN_LABELS.intersection(idx.nodes[i].labels)}


def case_view(source: Projection | GraphIndex, case_id: str) -> GraphInput:
    """The graph of one case, opening on its causal spine."""
    idx = index(source)
    ids = case_members(idx, case_id)
    case = idx.nodes[case_id]
    spine = spine_ids(idx, ids)
    view = _graph_input(
        idx,
        ids,
        title=idx.label(case_id),
        subtitle=text(case.properties.get("description")),
        nav=(NavLink("Timeline", f"/view/timeline?{urlencode({'case': case_id})}"),),
    )
    if not spine:
        return replace(view, notes=("This case has no claims or links yet: everything is shown.",))
    return replace(view, initial_layers=frozenset({"spine"}))


def spine_ids(source: Projection | GraphIndex, ids: Iterable[str]) -> set[str]:
    """The nodes among `ids` that a claim or a link step joins to another of them."""
    idx = index(source)
    chosen = set(ids)
    ends: set[str] = set()
    for node_id in chosen:
        for rel in idx.out.get(node_id, ()):
            if "claim_ids" in rel.properties and rel.target in chosen:
                ends.update((rel.source, rel.target))
        for step in idx.steps_at(node_id):
            if step.source in chosen and step.target in chosen:
                ends.update((step.source, step.target))
    return ends


def _case_nav(idx: GraphIndex, node_id: str) -> tuple[NavLink, ...]:
    """Header links to the (first) case of a node and its timeline."""
    cases = idx.cases_of(node_id)
    if not cases:
        return ()
    case = cases[0]
    return (
        NavLink(f"Case: {idx.label(case)}", f"/view/case/{quote(case, safe='')}"),
        NavLink("Timeline", f"/view/timeline?{urlencode({'case': case})}"),
    )


def entity_view(source: Projection | GraphIndex, node_id: str, depth: int = 1) -> GraphInput:
    """An entity and everything within `depth` relationships of it."""
    idx = index(source)
    idx.node(node_id)
    seen, frontier = {node_id}, [node_id]
    for _ in range(max(depth, 0)):
        following: list[str] = []
        for current in frontier:
            for other in _neighbours(idx, current):
                if other not in seen:
                    seen.add(other)
                    following.append(other)
        frontier = following
    hops = "1 relationship" if depth == 1 else f"{depth} relationships"
    view = _graph_input(
        idx,
        seen,
        title=idx.display_label(node_id),
        subtitle=f"Everything within {hops} of this {type_label(idx.nodes[node_id]).lower()}",
        focus=node_id,
        nav=_case_nav(idx, node_id),
    )
    # Claim and link records and cases repeat what the edges and the header say: behind toggles,
    # unless the entity is one of them.
    spine = spine_ids(idx, seen)
    own = "spine" if node_id in spine else style.node_layer(idx.nodes[node_id].labels)
    shown = {name for name, _ in style.LAYERS} - ENTITY_HIDDEN_LAYERS | {own}
    return replace(view, initial_layers=frozenset(shown))


#: Layers an entity view opens without (the toggles show them).
ENTITY_HIDDEN_LAYERS: Final = frozenset({"claims", "cases"})


def _neighbours(idx: GraphIndex, node_id: str) -> Iterable[str]:
    """The nodes one relationship away; a link step joins its two ends, and a link its steps'
    ends (link steps themselves are drawn as edges)."""
    for rel in idx.out.get(node_id, ()):
        if rel.type not in _PLUMBING:
            yield rel.target
    for rel in idx.into.get(node_id, ()):
        if rel.type not in _PLUMBING:
            yield rel.source
    for step in idx.steps_at(node_id):
        yield step.target if step.source == node_id else step.source
    for step in idx.steps_of(node_id):
        yield step.source
        yield step.target


_PLUMBING: Final = frozenset({"STEP", "FROM", "TO"})


def chain_view(
    source: Projection | GraphIndex, from_id: str, to_id: str, max_depth: int = 4
) -> GraphInput:
    """Every causal chain of at most `max_depth` steps from one node to another, over claims and
    casebook links (`graph.chains`): each step drawn as one edge with its claims and link steps."""
    idx = index(source)
    idx.node(from_id)
    idx.node(to_id)
    chains = causal_chains(idx.causal, from_id, to_id, max_depth=max_depth)
    ids = {from_id, to_id, *(n for chain in chains for n in chain.nodes)}
    pairs = {(s.source, s.target) for chain in chains for s in chain.steps}
    nodes = tuple(n for n in idx.nodes.values() if n.id in ids)
    claim_rels = tuple(
        r
        for n in nodes
        for r in idx.out.get(n.id, ())
        if r.type in style.CAUSAL_TYPES and _causal_pair(r) in pairs
    )
    steps = [
        found
        for u, v in sorted(pairs)
        for ref in idx.causal.edges[u, v].get("link_steps", ())
        if (found := idx.step(ref.step)) is not None
    ]
    rels = (*claim_rels, *(step_rel(step) for step in steps))
    title = f"{idx.label(from_id)} \N{RIGHTWARDS ARROW} {idx.label(to_id)}"
    best = f"; the best scores {chains[0].score:.2f}" if chains else ""
    subtitle = (
        f"{len(chains)} causal chain{'s' if len(chains) != 1 else ''} of at most {max_depth} "
        f"steps over claims and casebook links{best}"
    )
    notes = () if chains else (f"No causal chain of at most {max_depth} steps joins them.",)
    if chains and chains[0].score == 0:
        notes = (
            "Every chain has a step that nothing supports: its claims say there was no "
            "material effect, or dispute it (click the edge for them).",
        )
    return GraphInput(
        Projection(tuple(in_words(idx, n) for n in nodes), rels),
        title=title,
        panels=panels_for(idx, ids),
        focus=from_id,
        subtitle=subtitle,
        notes=notes,
        items=edge_items(idx, rels, steps),
        nav=_case_nav(idx, from_id),
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
        and not HIDDEN_LABELS.intersection(idx.nodes[i].labels)
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
        nav=_case_nav(idx, case) if case is not None else (),
    )


def _graph_input(
    idx: GraphIndex,
    ids: set[str],
    *,
    title: str,
    subtitle: str = "",
    focus: str | None = None,
    nav: tuple[NavLink, ...] = (),
) -> GraphInput:
    """The nodes (claims and links labelled in words), every relationship between them, and
    each link step between two of them as a relationship of the link's relation."""
    sub = idx.subgraph(ids)
    steps = [
        step
        for node_id in sorted(ids)
        for step in idx.steps_at(node_id)
        if step.source == node_id and step.target in ids
    ]
    step_rels = tuple(step_rel(step) for step in steps)
    rels = (*(r for r in sub.relationships if r.type not in _PLUMBING), *step_rels)
    return GraphInput(
        Projection(tuple(in_words(idx, n) for n in sub.nodes), rels),
        title=title,
        panels=panels_for(idx, ids),
        focus=focus,
        subtitle=subtitle,
        items=edge_items(idx, rels, steps),
        nav=nav,
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


def render_view(view: GraphInput | TimelineInput, *, link_base: str | None, export: bool) -> str:
    """The HTML page of a view. An export's timeline opens side panels on click; a served one
    goes to the entity's view (`<link_base>/view/entity/<id>`)."""
    if isinstance(view, GraphInput):
        return render_graph(
            view.projection,
            title=view.title,
            panels=view.panels,
            items=view.items,
            options=GraphViewOptions(
                link_base=link_base,
                focus=view.focus,
                subtitle=view.subtitle,
                extra_notes=view.notes,
                initial_layers=view.initial_layers,
                nav=view.nav,
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
            grouping=view.grouping,
            nav=view.nav,
        ),
    )


__all__ = [
    "CONTEXT_TYPES",
    "ENTITY_HIDDEN_LAYERS",
    "HIDDEN_LABELS",
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
    "spine_ids",
    "timeline_for_case",
    "timeline_for_ids",
    "whole_view",
]
