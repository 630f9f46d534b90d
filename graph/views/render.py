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

import datetime as dt
import functools
import importlib.resources
import importlib.util
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import quote, urlencode, urlsplit

import jinja2
from markupsafe import Markup

from graph.errors import CasegraphError
from graph.records import NodeRecord, Projection, PropertyValue, RelRecord
from graph.views import spine, style
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
    """One causal claim that involves the node, as the side panel lists it.

    `dates` is the temporal-consistency verdict when it is flagged (`inconsistent`,
    `possibly-inconsistent`, else ""), `dates_note` the reason in words.
    """

    id: str
    relation: str
    stance: str = "supports"
    asserted_by: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    other: str = ""
    note: str = ""
    dates: str = ""
    dates_note: str = ""


@dataclass(frozen=True, slots=True)
class ChainRef:
    """A causal chain the panel links to: from `start` to `end`; `label` names the far end,
    `forward` says whether it lies downstream of the node."""

    start: str
    end: str
    label: str
    forward: bool = True


@dataclass(frozen=True, slots=True)
class PanelData:
    """What the side panel shows for one node; a field left None is taken from the node.

    `cases` are (id, label) pairs, `timeline` whether the node has a timeline worth linking,
    `chains` the causal chains through it; the page turns them into links when it has a server.
    """

    dates: str | None = None
    description: str | None = None
    status: str | None = None
    claims: tuple[ClaimSummary, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    cases: tuple[tuple[str, str], ...] = ()
    timeline: bool = False
    chains: tuple[ChainRef, ...] = ()


@dataclass(frozen=True, slots=True)
class EdgeItem:
    """One claim, or one step of a casebook link, carried by a drawn edge (its panel entry).

    `kind` is `claim` or `link`; `relation` in words; `casebook_id` the row (`CL-01`); `label`
    the record's label; `related` the other side of `cg:illustrates` (the links that illustrate
    a claim, the claims a link illustrates); `dates` the temporal-consistency verdict when it is
    flagged, `dates_note` why.
    """

    id: str
    kind: Literal["claim", "link"] = "claim"
    relation: str = ""
    stance: str = "supports"
    label: str = ""
    casebook_id: str = ""
    asserted_by: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    note: str = ""
    status: str = ""
    confidence: float | None = None
    related: tuple[str, ...] = ()
    dates: str = ""
    dates_note: str = ""
    causal: bool = True


@dataclass(frozen=True, slots=True)
class NavLink:
    """A link in the page header: a site path (`/view/case/x`), prefixed with the link base."""

    label: str
    path: str


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

#: Relationship types a view never draws: the plumbing of link steps (drawn as edges instead).
_PLUMBING: Final = frozenset({"STEP", "FROM", "TO"})


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
    merged, plain = _merge(projection.relationships, node_ids, items)
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
    edges = [_merged_edge(i, edge) for i, edge in enumerate(merged)]
    edges.extend(_vis_edge(len(edges) + i, rel) for i, rel in enumerate(plain))
    labels = {n.id: _text(n.properties.get("label")) or n.id for n in projection.nodes}
    edge_info = {f"e{i}": _edge_panel(edge, labels) for i, edge in enumerate(merged)}
    info = {node.id: _panel(node, panels.get(node.id), opts.link_base) for node in projection.nodes}
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


def nav_links(nav: Sequence[NavLink], link_base: str | None) -> list[dict[str, str]]:
    """The header's links (home first) with the link base; none when there is no server."""
    if link_base is None:
        return []
    base = link_base.rstrip("/")
    return [
        {"label": link.label, "href": f"{base}{link.path}"} for link in (NavLink("Home", "/"), *nav)
    ]


@dataclass
class _Merged:
    """Claims and link steps drawn as one edge from `source` to `target`."""

    source: str
    target: str
    rel_types: list[str]
    items: list[EdgeItem]


def _merge(
    rels: Iterable[RelRecord], node_ids: set[str], items: Mapping[str, EdgeItem]
) -> tuple[list[_Merged], list[RelRecord]]:
    """Claim and link-step relationships merged per (source, target); the other ones as they are
    (without link-step plumbing and relationships to nodes outside the view)."""
    merged: dict[tuple[str, str], _Merged] = {}
    plain: list[RelRecord] = []
    for rel in rels:
        if rel.source not in node_ids or rel.target not in node_ids:
            continue
        ids = [
            *_strings(rel.properties.get("claim_ids")),
            *_strings(rel.properties.get("step_ids")),
        ]
        if not ids:
            if rel.type not in _PLUMBING:
                plain.append(rel)
            continue
        edge = merged.setdefault((rel.source, rel.target), _Merged(rel.source, rel.target, [], []))
        edge.rel_types.append(rel.type)
        known = {item.id for item in edge.items}
        for item_id in ids:
            if item_id not in known:
                edge.items.append(items.get(item_id) or _item_from(rel, item_id))
                known.add(item_id)
    return list(merged.values()), plain


def _strings(value: PropertyValue | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _item_from(rel: RelRecord, item_id: str) -> EdgeItem:
    """A panel entry made from the relationship alone (when the caller gave none)."""
    props = rel.properties
    link = "step_ids" in props and item_id in _strings(props.get("step_ids"))
    relation = _text(props.get("relation")) or rel.type
    stance = props.get("stance")
    return EdgeItem(
        id=item_id,
        kind="link" if link else "claim",
        relation=style.relation_text(relation),
        stance=stance if isinstance(stance, str) and stance else "supports",
        asserted_by=tuple(_strings(props.get("asserted_by"))),
        sources=tuple(_strings(props.get("source_ids"))),
        confidence=_confidence(props.get("confidence")),
        dates=_text(props.get("consistency")),
        causal=not link
        or relation in style.CAUSAL_LINK_RELATIONS
        or rel.type in style.CAUSAL_TYPES,
    )


def _layers(
    projection: Projection, merged: Sequence[_Merged], given: Mapping[str, str] | None
) -> dict[str, str]:
    if given is not None:
        return {n.id: given.get(n.id) or style.node_layer(n.labels) for n in projection.nodes}
    ends = {e.source for e in merged} | {e.target for e in merged}
    return {n.id: "spine" if n.id in ends else style.node_layer(n.labels) for n in projection.nodes}


def _spine_layout(
    nodes: Sequence[dict[str, Any]], merged: Sequence[_Merged], layer_of: Mapping[str, str]
) -> dict[str, tuple[float, float]]:
    boxes = {
        n["id"]: spine.node_box(n["label"], size=n["size"], inside=n["inside"])
        for n in nodes
        if layer_of[n["id"]] == "spine"
    }
    edges = [
        (e.source, e.target, spine.text_width(_edge_label(e), spine.EDGE_FONT)) for e in merged
    ]
    return spine.layered_layout(boxes, edges)


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
    """EDTF as written, with the ISO days it spans when it is not one exact day."""
    edtf = _text(props.get("date_edtf"))
    earliest, latest = iso(props.get("earliest")), iso(props.get("latest"))
    if earliest and latest and earliest != latest:
        span = f"{earliest} {style.DASH} {latest}"
    elif earliest and props.get("open_end") is True:
        span = f"from {earliest}, still going"
    else:
        span = earliest or latest or ""
    if edtf and span and edtf != span:
        return f"{edtf} ({span})"
    return edtf or span


def _vis_node(node: NodeRecord, layer: str) -> dict[str, Any]:
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


def _confidence(value: PropertyValue | None) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


_FLAG_RANK: Final = {"inconsistent": 2, "possibly-inconsistent": 1}


def _edge_label(edge: _Merged) -> str:
    """The relations in words (causal ones first), then the count when above one
    (`causes \N{MULTIPLICATION SIGN}5`) and the date mark when an item is flagged."""
    relations = dict.fromkeys(
        i.relation for i in sorted(edge.items, key=lambda i: (not i.causal, i.kind))
    )
    text = ", ".join(r for r in relations if r)
    count = len(edge.items)
    flag = max((_FLAG_RANK.get(i.dates, 0) for i in edge.items), default=0)
    return (
        text
        + (f" \N{MULTIPLICATION SIGN}{count}" if count > 1 else "")
        + (f" {style.CONSISTENCY_MARK}" if flag else "")
    )


def _merged_edge(index: int, edge: _Merged) -> dict[str, Any]:
    stance = style.stance_of(
        (i.stance for i in edge.items if i.causal), causal=any(i.causal for i in edge.items)
    )
    disputes = sum(1 for i in edge.items if i.stance == "disputes")
    claims = sum(1 for i in edge.items if i.kind == "claim")
    links = len(edge.items) - claims
    flag = max((_FLAG_RANK.get(i.dates, 0) for i in edge.items), default=0)
    parts = [
        *([f"{claims} claim{'s' if claims != 1 else ''}"] if claims else []),
        *([f"{links} link step{'s' if links != 1 else ''}"] if links else []),
        *([f"{disputes} disputing"] if disputes else []),
    ]
    vis: dict[str, Any] = {
        "id": f"e{index}",
        "from": edge.source,
        "to": edge.target,
        "kind": "claims",
        "stance": stance,
        "label": _edge_label(edge),
        "count": len(edge.items),
        "title": f"{_edge_label(edge)} ({', '.join(parts)}); click for the list",
        "width": round(1.5 + min(3.0, math.log2(len(edge.items)) * 1.2), 2),
    }
    if flag:
        vis["consistency"] = "inconsistent" if flag == 2 else "possibly-inconsistent"
    return vis


def _edge_panel(edge: _Merged, labels: Mapping[str, str]) -> dict[str, Any]:
    return {
        "from": labels.get(edge.source, edge.source),
        "to": labels.get(edge.target, edge.target),
        "items": [
            {
                "id": i.id,
                "kind": i.kind,
                "relation": i.relation,
                "stance": i.stance,
                "label": i.label,
                "casebookId": i.casebook_id,
                "assertedBy": list(i.asserted_by),
                "sources": list(i.sources),
                "note": i.note,
                "status": i.status,
                "confidence": i.confidence,
                "related": list(i.related),
                "dates": i.dates,
                "datesNote": i.dates_note,
            }
            for i in edge.items
        ],
    }


def _vis_edge(index: int, rel: RelRecord) -> dict[str, Any]:
    props = rel.properties
    stance = props.get("stance")
    kind = style.edge_kind(rel.type, stance)
    words = [style.relation_text(rel.type)]
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


def _view_links(
    node_id: str, data: PanelData, link_base: str | None, *, case: bool
) -> dict[str, Any]:
    """The panel's links to the node's cases, its timeline and its chains."""
    if link_base is None:
        return {"cases": [], "timeline": None, "chains": []}
    base = link_base.rstrip("/")
    query = {"case": node_id} if case else {"ids": node_id}
    return {
        "cases": [
            {"label": label, "href": f"{base}/view/case/{quote(case_id, safe='')}"}
            for case_id, label in data.cases
        ],
        "timeline": f"{base}/view/timeline?{urlencode(query)}" if data.timeline else None,
        "chains": [
            {
                "label": c.label,
                "forward": c.forward,
                "href": f"{base}/view/chain?{urlencode({'from': c.start, 'to': c.end})}",
            }
            for c in data.chains
        ],
    }


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
    views: Mapping[str, Any] | None = None,
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
                "dates": c.dates,
                "datesNote": c.dates_note,
            }
            for c in data.claims
        ],
        "sources": [{"label": s.label, "url": safe_url(s.url)} for s in data.sources],
        "ld": links[0],
        "recentre": links[1],
        **(views or {"cases": [], "timeline": None, "chains": []}),
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
        views=_view_links(node.id, data or PanelData(), link_base, case="Case" in node.labels),
    )
