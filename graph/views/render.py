"""The graph view: one self-contained HTML page (vis-network inlined) for a projection.

The page loads nothing: vis-network comes from the copy pyvis ships and is inlined, our own JS and
CSS come from `static/`, and the graph travels as JSON in a `<script type="application/json">`
block with `<`, `>` and `&` written as `\\u003c`, `\\u003e` and `\\u0026`, so no label can close the
block. The page's script builds every piece of text with `textContent`; tooltips are plain strings.

Claims and casebook link steps between the same two nodes are drawn as one edge, labelled with
the relation in words and a count, coloured by the stances it carries (`style.STANCE_STYLES`),
with a halo when its dates do not fit (`graph.consistency`); clicking it lists them in the panel.
The nodes joined by such edges are the causal spine: they are placed in Python
(`graph.views.spine`) so that their labels do not collide. Every node has a layer (the spine,
more events, actors, places, sources, observations, claim records, cases); the page shows the
layers of `GraphViewOptions.initial_layers` and toggles the others.

Above `GraphViewOptions.physics_node_limit` nodes the layout is computed here
(`graph.views.layout`) and the browser's physics stays off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.records import NodeRecord, Projection
from graph.views import spine, style
from graph.views.edges import (
    EdgeItem,
    Merged,
    edge_label,
    edge_panel,
    merge_edges,
    merged_edge,
    vis_edge,
)
from graph.views.layout import compute_layout
from graph.views.page import (
    NavLink,
    environment,
    inline_script,
    inline_style,
    iso,
    json_for_script,
    nav_links,
    prop_text,
    static_text,
    vis_network_js,
)
from graph.views.panel import PanelData, dates_text, marker_of, node_panel

_LABEL_MAX = 48


@dataclass(frozen=True, slots=True)
class GraphViewOptions:
    """How `render_graph` draws.

    `link_base` prefixes the Linked-Data (`/id/<kind>/<slug>`) and re-centre
    (`/view/entity/<id>`) links: "" for pages the server serves, the server's absolute base for
    exports, None to leave the links out. `date_filter` adds the "graph as of" control (shown
    only when some node has a date). `focus` selects a node (the centre of an entity view).
    `initial_layers` are the layers shown when the page opens (None: all); `time_relations`
    whether the derived Allen relations are shown at first; `nav` the header's links besides
    home and back.
    """

    link_base: str | None = ""
    physics_node_limit: int = 2000
    stabilization_iterations: int = 250
    date_filter: bool = True
    focus: str | None = None
    layout_seed: int = 0
    subtitle: str = ""
    extra_notes: tuple[str, ...] = field(default_factory=tuple)
    initial_layers: frozenset[str] | None = None
    time_relations: bool = False
    nav: tuple[NavLink, ...] = ()


def render_graph(
    projection: Projection,
    *,
    title: str,
    panels: Mapping[str, PanelData] | None = None,
    options: GraphViewOptions | None = None,
    items: Mapping[str, EdgeItem] | None = None,
    layers: Mapping[str, str] | None = None,
) -> str:
    """One self-contained HTML page that draws `projection` with vis-network.

    Relationships that carry `claim_ids` or `link_ids` (a claim's direct edge, a link step) are
    merged per (source, target) into one edge; `items` gives the panel entry of each claim or
    link step by id (without it, the entry is made from the relationship's properties).
    `layers` gives each node's layer (default: the ends of merged edges are the spine, the rest
    goes by family). Relationships whose ends are not both among the nodes are left out (and
    not counted), and so is a repeated node id (vis-network would refuse the whole page).
    """
    opts = options or GraphViewOptions()
    panels = panels or {}
    items = items or {}
    unique = {node.id: node for node in reversed(projection.nodes)}  # the first of a duplicate id
    if len(unique) != len(projection.nodes):
        projection = Projection(
            tuple(n for n in projection.nodes if unique.pop(n.id, None) is n),
            projection.relationships,
        )
    node_ids = {node.id for node in projection.nodes}
    merged, plain = merge_edges(projection.relationships, node_ids, items)
    layer_of = _layers(projection, merged, layers)
    big = len(projection.nodes) > opts.physics_node_limit
    nodes = [_vis_node(node, layer_of[node.id]) for node in projection.nodes]
    if big:
        positions = compute_layout(projection, seed=opts.layout_seed)
    else:
        positions = _spine_layout(nodes, merged, layer_of)
    for vis in nodes:
        position = positions.get(vis["id"])
        if position is not None:
            vis["x"], vis["y"] = position
            vis["placed"] = True
    edges = [merged_edge(i, edge) for i, edge in enumerate(merged)]
    edges.extend(vis_edge(len(edges) + i, rel) for i, rel in enumerate(plain))
    labels = {n.id: prop_text(n.properties.get("label")) or n.id for n in projection.nodes}
    edge_info = {f"e{i}": edge_panel(edge, labels) for i, edge in enumerate(merged)}
    info = {
        node.id: node_panel(node, panels.get(node.id), opts.link_base) for node in projection.nodes
    }
    dated = sorted(d for d in (n.get("earliest") for n in nodes) if isinstance(d, str))
    counts = {name: 0 for name, _ in style.LAYERS}
    for vis in nodes:
        counts[vis["layer"]] += 1
    shown = opts.initial_layers if opts.initial_layers is not None else frozenset(counts)
    toggles = [
        {"layer": name, "text": text, "count": counts[name], "on": name in shown}
        for name, text in style.LAYERS
        if counts[name]
    ]
    temporal = sum(1 for e in edges if e["kind"] == "temporal")

    layout_note = (
        f"{len(nodes):,} nodes (more than {opts.physics_node_limit:,}): the layout was computed in "
        "advance and physics is off. Drag to pan, scroll to zoom."
        if big
        else ""
    )
    config = {
        "title": title,
        "nodeCount": len(nodes),
        "edgeCount": len(edges),
        "physics": not big,
        "stabilizationIterations": opts.stabilization_iterations,
        "smoothEdges": not big and len(edges) <= 1500,
        "improvedLayout": len(nodes) <= 200,
        "dateFilter": bool(opts.date_filter and dated),
        "dateMin": dated[0] if dated else None,
        "dateMax": dated[-1] if dated else None,
        "focus": opts.focus if opts.focus in node_ids else None,
        "groups": style.vis_groups(),
        "edgeStyles": style.vis_edge_styles(),
        "stanceStyles": {
            k: {"color": v.color, "dashes": list(v.dashes) if v.dashes else False}
            for k, v in style.STANCE_STYLES.items()
        },
        "consistencyStyles": {k: v[0] for k, v in style.CONSISTENCY_STYLES.items()},
        "layers": sorted(shown),
        "timeRelations": opts.time_relations,
        "fonts": {"node": spine.NODE_FONT, "edge": spine.EDGE_FONT, "wrap": spine.LABEL_WRAP},
    }
    template = environment().get_template("graph.html.j2")
    return template.render(
        title=title,
        subtitle=opts.subtitle,
        notes=[*([layout_note] if layout_note else []), *opts.extra_notes],
        nav=nav_links(opts.nav, opts.link_base),
        big=big,
        date_filter=config["dateFilter"],
        toggles=toggles,
        temporal=temporal,
        node_legend=style.FAMILIES,
        edge_legend=[s for k, s in style.EDGE_STYLES.items() if k not in {"causal", "disputed"}],
        stance_legend=list(style.STANCE_STYLES.values()),
        consistency_legend=[(c, t) for c, t in style.CONSISTENCY_STYLES.values()],
        consistency_mark=style.CONSISTENCY_MARK,
        date_mark_legend=style.DATE_MARK_LEGEND,
        config_json=json_for_script(config),
        data_json=json_for_script(
            {"nodes": nodes, "edges": edges, "info": info, "edgeInfo": edge_info}
        ),
        vis_js=inline_script(vis_network_js()),
        panel_js=inline_script(static_text("panel.js")),
        view_js=inline_script(static_text("graph.js")),
        view_css=inline_style(static_text("common.css") + static_text("graph.css")),
    )


def _layers(
    projection: Projection, merged: Sequence[Merged], given: Mapping[str, str] | None
) -> dict[str, str]:
    if given is not None:
        return {n.id: given.get(n.id) or style.node_layer(n.labels) for n in projection.nodes}
    ends = {e.source for e in merged} | {e.target for e in merged}
    return {n.id: "spine" if n.id in ends else style.node_layer(n.labels) for n in projection.nodes}


def _spine_layout(
    nodes: Sequence[dict[str, Any]], merged: Sequence[Merged], layer_of: Mapping[str, str]
) -> dict[str, tuple[float, float]]:
    boxes = {
        n["id"]: spine.node_box(n["label"], size=n["size"], inside=n["inside"])
        for n in nodes
        if layer_of[n["id"]] == "spine"
    }
    edges = [(e.source, e.target, spine.text_width(edge_label(e), spine.EDGE_FONT)) for e in merged]
    return spine.layered_layout(boxes, edges)


def _display_label(node: NodeRecord) -> str:
    label = prop_text(node.properties.get("label")) or node.id
    return label if len(label) <= _LABEL_MAX else label[: _LABEL_MAX - 1] + "…"


def _vis_node(node: NodeRecord, layer: str) -> dict[str, Any]:
    props = node.properties
    node_style = style.node_style(node.labels)
    marker = marker_of(props)
    label = _display_label(node) + (f" {marker}" if marker else "")
    title_lines = [
        prop_text(props.get("label")) or node.id,
        " · ".join(
            p
            for p in (
                style.type_text(prop_text(props.get("type")) or node_style.family),
                dates_text(props),
            )
            if p
        ),
    ]
    status = prop_text(props.get("status"))
    if status:
        title_lines.append(status)
    vis: dict[str, Any] = {
        "id": node.id,
        "label": label,
        "title": "\n".join(title_lines),
        "group": node_style.family,
        "layer": layer,
        "size": node_style.size,
        "inside": node_style.shape in {"ellipse", "box"},
    }
    if marker:
        vis["shapeProperties"] = {"borderDashes": [4, 3]}
        vis["borderWidth"] = 2
    earliest = iso(props.get("earliest"))
    if earliest:
        vis["earliest"] = earliest
    return vis
