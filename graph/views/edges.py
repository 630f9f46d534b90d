"""The edges of the graph view: claims and casebook link steps between the same two nodes merged
into one edge (labelled with the relations in words and a count, coloured by stance, marked when
their dates do not fit), and every other relationship as a plain edge.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from graph.chains import strings
from graph.records import PropertyValue, RelRecord
from graph.views import style
from graph.views.page import prop_text


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


#: Relationship types a view never draws: the plumbing of link steps (drawn as edges instead).
_PLUMBING: Final = frozenset({"STEP", "FROM", "TO"})


@dataclass
class Merged:
    """Claims and link steps drawn as one edge from `source` to `target`."""

    source: str
    target: str
    rel_types: list[str]
    items: list[EdgeItem]


def merge_edges(
    rels: Iterable[RelRecord], node_ids: set[str], items: Mapping[str, EdgeItem]
) -> tuple[list[Merged], list[RelRecord]]:
    """Claim and link-step relationships merged per (source, target); the other ones as they are
    (without link-step plumbing and relationships to nodes outside the view)."""
    merged: dict[tuple[str, str], Merged] = {}
    plain: list[RelRecord] = []
    for rel in rels:
        if rel.source not in node_ids or rel.target not in node_ids:
            continue
        ids = [
            *strings(rel.properties.get("claim_ids")),
            *strings(rel.properties.get("step_ids")),
        ]
        if not ids:
            if rel.type not in _PLUMBING:
                plain.append(rel)
            continue
        edge = merged.setdefault((rel.source, rel.target), Merged(rel.source, rel.target, [], []))
        edge.rel_types.append(rel.type)
        known = {item.id for item in edge.items}
        for item_id in ids:
            if item_id not in known:
                edge.items.append(items.get(item_id) or _item_from(rel, item_id))
                known.add(item_id)
    return list(merged.values()), plain


def _item_from(rel: RelRecord, item_id: str) -> EdgeItem:
    """A panel entry made from the relationship alone (when the caller gave none)."""
    props = rel.properties
    link = "step_ids" in props and item_id in strings(props.get("step_ids"))
    relation = prop_text(props.get("relation")) or rel.type
    stance = props.get("stance")
    return EdgeItem(
        id=item_id,
        kind="link" if link else "claim",
        relation=style.relation_text(relation),
        stance=stance if isinstance(stance, str) and stance else "supports",
        asserted_by=tuple(strings(props.get("asserted_by"))),
        sources=tuple(strings(props.get("source_ids"))),
        confidence=_confidence(props.get("confidence")),
        dates=prop_text(props.get("consistency")),
        causal=not link
        or relation in style.CAUSAL_LINK_RELATIONS
        or rel.type in style.CAUSAL_TYPES,
    )


def _confidence(value: PropertyValue | None) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


_FLAG_RANK: Final = {"inconsistent": 2, "possibly-inconsistent": 1}


def edge_label(edge: Merged) -> str:
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


def merged_edge(index: int, edge: Merged) -> dict[str, Any]:
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
        "label": edge_label(edge),
        "count": len(edge.items),
        "title": f"{edge_label(edge)} ({', '.join(parts)}); click for the list",
        "width": round(1.5 + min(3.0, math.log2(len(edge.items)) * 1.2), 2),
    }
    if flag:
        vis["consistency"] = "inconsistent" if flag == 2 else "possibly-inconsistent"
    return vis


def edge_panel(edge: Merged, labels: Mapping[str, str]) -> dict[str, Any]:
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


def vis_edge(index: int, rel: RelRecord) -> dict[str, Any]:
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
