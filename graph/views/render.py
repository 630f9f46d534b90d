"""The graph view: one self-contained HTML page (vis-network inlined) for a projection.

The page loads nothing: vis-network comes from the copy pyvis ships and is inlined, our own JS and
CSS come from `static/`, and the graph travels as JSON in a `<script type="application/json">`
block with `<`, `>` and `&` written as `\\u003c`, `\\u003e` and `\\u0026`, so no label can close the
block. The page's script builds every piece of text with `textContent`; tooltips are plain strings.

Above `GraphViewOptions.physics_node_limit` nodes the layout is computed here
(`graph.views.layout`) and the browser's physics stays off.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import importlib.util
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

from graph.errors import CasegraphError
from graph.records import NodeRecord, Projection, PropertyValue, RelRecord
from graph.views import style
from graph.views.layout import compute_layout
from ontology import split_entity_iri

#: Where pyvis 0.3.2 keeps its vis-network build (inside the installed package).
VIS_NETWORK_JS = "templates/lib/vis-9.1.2/vis-network.min.js"

_LABEL_MAX = 48
_SCRIPT_CLOSE = re.compile(r"</(script)", re.IGNORECASE)
_STYLE_CLOSE = re.compile(r"</(style)", re.IGNORECASE)
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A source as the side panel lists it; `url` is shown as a link only when http(s)."""

    label: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimSummary:
    """One causal claim that involves the node, as the side panel lists it."""

    id: str
    relation: str
    stance: str = "supports"
    asserted_by: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    other: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class PanelData:
    """What the side panel shows for one node; a field left None is taken from the node."""

    dates: str | None = None
    description: str | None = None
    status: str | None = None
    claims: tuple[ClaimSummary, ...] = ()
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True, slots=True)
class GraphViewOptions:
    """How `render_graph` draws.

    `link_base` prefixes the Linked-Data (`/id/<kind>/<slug>`) and re-centre
    (`/view/entity/<id>`) links: "" for pages the server serves, the server's absolute base for
    exports, None to leave the links out. `date_filter` adds the "graph as of" control (shown
    only when some node has a date). `focus` selects a node (the centre of an entity view).
    """

    link_base: str | None = ""
    physics_node_limit: int = 2000
    stabilization_iterations: int = 250
    date_filter: bool = True
    focus: str | None = None
    layout_seed: int = 0
    subtitle: str = ""
    extra_notes: tuple[str, ...] = field(default_factory=tuple)


# --- shared page machinery (also used by graph.views.timeline) --------------------------------


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the views: package templates, autoescape always on."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("graph.views", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def json_for_script(value: object) -> Markup:
    """`value` as JSON that is safe inside a `<script type="application/json">` element."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return Markup(text)  # noqa: S704 - escaped just above for the script-data context


@functools.cache
def static_text(name: str) -> str:
    """One of our own static files (`static/<name>`)."""
    return (importlib.resources.files("graph.views") / "static" / name).read_text("utf-8")


def inline_script(source: str) -> Markup:
    """JS text safe to place between `<script>` tags (no `</script` can end it early)."""
    return Markup(_SCRIPT_CLOSE.sub(r"<\\/\1", source))  # noqa: S704 - trusted package files


def inline_style(source: str) -> Markup:
    """CSS text safe to place between `<style>` tags."""
    return Markup(_STYLE_CLOSE.sub(r"<\\/\1", source))  # noqa: S704 - trusted package files


@functools.cache
def vis_network_js() -> str:
    """The vis-network build that pyvis ships, read from the installed package.

    Found through the import system without importing pyvis (which pulls in IPython-era
    dependencies and costs more than a second).
    """
    spec = importlib.util.find_spec("pyvis")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / VIS_NETWORK_JS
        if path.is_file():
            # Drop the source-map comment: developer tools would try to fetch the map.
            return _SOURCE_MAP.sub("", path.read_text("utf-8"))
    raise CasegraphError(
        f"vis-network not found at pyvis/{VIS_NETWORK_JS}; the views need pyvis==0.3.2"
    )


def iso(value: object) -> str | None:
    """A date property as `YYYY-MM-DD` (dates and ISO strings), else None."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and re.match(r"^-?\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return None


def safe_url(url: object) -> str | None:
    """`url` when it is an absolute http(s) URL, else None (no `javascript:` and friends)."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    if parts.scheme in {"http", "https"} and parts.netloc:
        return url.strip()
    return None


# --- the graph view -----------------------------------------------------------------------------


def render_graph(
    projection: Projection,
    *,
    title: str,
    panels: Mapping[str, PanelData] | None = None,
    options: GraphViewOptions | None = None,
) -> str:
    """One self-contained HTML page that draws `projection` with vis-network.

    Relationships whose ends are not both among the nodes are left out (and not counted), and
    so is a repeated node id (vis-network would refuse the whole page).
    """
    opts = options or GraphViewOptions()
    panels = panels or {}
    unique = {node.id: node for node in reversed(projection.nodes)}  # the first of a duplicate id
    if len(unique) != len(projection.nodes):
        projection = Projection(
            tuple(n for n in projection.nodes if unique.pop(n.id, None) is n),
            projection.relationships,
        )
    node_ids = {node.id for node in projection.nodes}
    big = len(projection.nodes) > opts.physics_node_limit
    positions = compute_layout(projection, seed=opts.layout_seed) if big else {}

    nodes = [_vis_node(node, positions.get(node.id)) for node in projection.nodes]
    edges = [
        _vis_edge(i, rel)
        for i, rel in enumerate(projection.relationships)
        if rel.source in node_ids and rel.target in node_ids
    ]
    info = {node.id: _panel(node, panels.get(node.id), opts.link_base) for node in projection.nodes}
    dated = sorted(d for d in (n.get("earliest") for n in nodes) if isinstance(d, str))

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
        "causalColors": dict(style.CAUSAL_COLORS),
    }
    template = environment().get_template("graph.html.j2")
    return template.render(
        title=title,
        subtitle=opts.subtitle,
        notes=[*([layout_note] if layout_note else []), *opts.extra_notes],
        big=big,
        date_filter=config["dateFilter"],
        node_legend=style.FAMILIES,
        edge_legend=list(style.EDGE_STYLES.values()),
        causal_legend=[(style.relation_text(r), c) for r, c in style.CAUSAL_COLORS.items()],
        date_mark_legend=style.DATE_MARK_LEGEND,
        config_json=json_for_script(config),
        data_json=json_for_script({"nodes": nodes, "edges": edges, "info": info}),
        vis_js=inline_script(vis_network_js()),
        panel_js=inline_script(static_text("panel.js")),
        view_js=inline_script(static_text("graph.js")),
        view_css=inline_style(static_text("common.css") + static_text("graph.css")),
    )


def _text(value: PropertyValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _marker(props: Mapping[str, PropertyValue]) -> str:
    return style.date_marker(
        approximate=props.get("approximate") is True, uncertain=props.get("uncertain") is True
    )


def _display_label(node: NodeRecord) -> str:
    label = _text(node.properties.get("label")) or node.id
    return label if len(label) <= _LABEL_MAX else label[: _LABEL_MAX - 1] + "…"


def _dates(props: Mapping[str, PropertyValue]) -> str:
    edtf = _text(props.get("date_edtf"))
    if edtf:
        return edtf
    earliest, latest = iso(props.get("earliest")), iso(props.get("latest"))
    if earliest and latest and earliest != latest:
        return f"{earliest} {style.DASH} {latest}"
    return earliest or latest or ""


def _vis_node(node: NodeRecord, position: tuple[float, float] | None) -> dict[str, Any]:
    props = node.properties
    node_style = style.node_style(node.labels)
    marker = _marker(props)
    label = _display_label(node) + (f" {marker}" if marker else "")
    title_lines = [
        _text(props.get("label")) or node.id,
        " · ".join(
            p
            for p in (style.type_text(_text(props.get("type")) or node_style.family), _dates(props))
            if p
        ),
    ]
    status = _text(props.get("status"))
    if status:
        title_lines.append(status)
    vis: dict[str, Any] = {
        "id": node.id,
        "label": label,
        "title": "\n".join(title_lines),
        "group": node_style.family,
    }
    if marker:
        vis["shapeProperties"] = {"borderDashes": [4, 3]}
        vis["borderWidth"] = 2
    earliest = iso(props.get("earliest"))
    if earliest:
        vis["earliest"] = earliest
    if position is not None:
        vis["x"], vis["y"] = position
    return vis


def _confidence(value: PropertyValue | None) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _vis_edge(index: int, rel: RelRecord) -> dict[str, Any]:
    props = rel.properties
    stance = props.get("stance")
    kind = style.edge_kind(rel.type, stance)
    words = [style.relation_text(rel.type)]
    claims = _text(props.get("claim_ids"))
    if claims:
        words.append(f"claims {claims}")
    if isinstance(stance, str) and stance:
        words.append(stance)
    confidence = _confidence(props.get("confidence"))
    if confidence is not None:
        words.append(f"confidence {confidence:g}")
    if kind == "temporal" and props.get("certain") is False:
        words.append("possible, not certain")
    edge: dict[str, Any] = {
        "id": f"e{index}",
        "from": rel.source,
        "to": rel.target,
        "kind": kind,
        "rel": rel.type,
        "title": ", ".join(words),
    }
    if kind == "disputed":
        edge["label"] = "disputed"
    if kind == "causal" and confidence is not None:
        edge["width"] = round(1.0 + 2.0 * max(0.0, min(confidence, 1.0)), 2)
    if kind == "temporal" and props.get("certain") is False:
        edge["uncertain"] = True
    return edge


def entity_links(
    kind: str, slug: str, node_id: str, link_base: str | None
) -> tuple[str | None, str | None]:
    """The Linked-Data URL (`/id/<kind>/<slug>`) and re-centre URL (`/view/entity/<id>`)."""
    if link_base is None:
        return None, None
    base = link_base.rstrip("/")
    ld = f"{base}/id/{quote(kind, safe='')}/{quote(slug, safe='')}"
    return ld, f"{base}/view/entity/{quote(node_id, safe='')}"


def panel_payload(
    *,
    label: str,
    type_: str,
    marker: str,
    dates: str,
    description: str,
    status: str,
    data: PanelData | None,
    links: tuple[str | None, str | None],
) -> dict[str, Any]:
    """The JSON the side panel script reads; fields set in `data` win over the node's own."""
    data = data or PanelData()
    return {
        "label": label,
        "marker": marker,
        "type": type_,
        "dates": data.dates if data.dates is not None else dates,
        "description": data.description if data.description is not None else description,
        "status": data.status if data.status is not None else status,
        "claims": [
            {
                "id": c.id,
                "relation": c.relation,
                "stance": c.stance,
                "assertedBy": list(c.asserted_by),
                "sources": list(c.sources),
                "other": c.other,
                "note": c.note,
            }
            for c in data.claims
        ],
        "sources": [{"label": s.label, "url": safe_url(s.url)} for s in data.sources],
        "ld": links[0],
        "recentre": links[1],
    }


def _panel(node: NodeRecord, data: PanelData | None, link_base: str | None) -> dict[str, Any]:
    props = node.properties
    split = split_entity_iri(_text(props.get("iri")))
    kind, slug = split if split else (style.entity_kind(node.labels), node.id)
    return panel_payload(
        label=_text(props.get("label")) or node.id,
        type_=style.type_text(_text(props.get("type")) or style.node_style(node.labels).family),
        marker=_marker(props),
        dates=_dates(props),
        description=_text(props.get("description")),
        status=_text(props.get("status")),
        data=data,
        links=entity_links(kind, slug, node.id, link_base),
    )
