"""The side panel of a view: what it lists for a node (claims, sources, cases, chains) as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from graph.records import NodeRecord, PropertyValue
from graph.views import style
from graph.views.page import entity_links, iso, prop_text, safe_url
from ontology import split_entity_iri


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


def marker_of(props: Mapping[str, PropertyValue]) -> str:
    return style.date_marker(
        approximate=props.get("approximate") is True, uncertain=props.get("uncertain") is True
    )


def dates_text(props: Mapping[str, PropertyValue]) -> str:
    """EDTF as written, with the ISO days it spans when it is not one exact day."""
    edtf = prop_text(props.get("date_edtf"))
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


def node_panel(node: NodeRecord, data: PanelData | None, link_base: str | None) -> dict[str, Any]:
    props = node.properties
    split = split_entity_iri(prop_text(props.get("iri")))
    kind, slug = split if split else (style.entity_kind(node.labels), node.id)
    return panel_payload(
        label=prop_text(props.get("label")) or node.id,
        type_=style.type_text(prop_text(props.get("type")) or style.node_style(node.labels).family),
        marker=marker_of(props),
        dates=dates_text(props),
        description=prop_text(props.get("description")),
        status=prop_text(props.get("status")),
        data=data,
        links=entity_links(kind, slug, node.id, link_base),
        views=_view_links(node.id, data or PanelData(), link_base, case="Case" in node.labels),
    )
