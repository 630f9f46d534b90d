"""What a graph view says about the claims and casebook link steps it draws as edges: each link
step as a relationship of its link's relation, each claim and step as a side-panel entry
(`EdgeItem`), and claims and links labelled in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from graph.chains import strings
from graph.records import NodeRecord, RelRecord
from graph.views import style
from graph.views.edges import EdgeItem
from graph.views.index import GraphIndex, LinkStep, text
from ontology.vocab import upper_snake


def in_words(idx: GraphIndex, node: NodeRecord) -> NodeRecord:
    """The node with its display label (claims and links put in words)."""
    if not {"Claim", "Link"} & set(node.labels):
        return node
    words = idx.display_label(node.id)
    if words == text(node.properties.get("label")):
        return node
    return replace(node, properties={**node.properties, "label": words})


def step_rel(step: LinkStep) -> RelRecord:
    return RelRecord(
        upper_snake(step.relation) if step.relation else "LINK",
        step.source,
        step.target,
        key=step.id,
        properties={"step_ids": [step.id], "link_ids": [step.link], "relation": step.relation},
    )


def edge_items(
    idx: GraphIndex, rels: Iterable[RelRecord], steps: Iterable[LinkStep]
) -> dict[str, EdgeItem]:
    """The panel entries of the claims and link steps drawn as edges."""
    items: dict[str, EdgeItem] = {}
    for rel in rels:
        for claim_id in strings(rel.properties.get("claim_ids")):
            items.setdefault(claim_id, _claim_item(idx, claim_id, rel))
    for step in steps:
        items[step.id] = _step_item(idx, step)
    return items


def _flag(idx: GraphIndex, item_id: str) -> tuple[str, str]:
    finding = idx.consistency_of(item_id)
    if finding is None or not finding.flagged:
        return "", ""
    return finding.verdict, finding.reason


def _named(idx: GraphIndex, node_id: str) -> str:
    """`LNK-05: precedes: A → B`: a record's casebook id (when it has one) and its label."""
    node = idx.nodes.get(node_id)
    casebook = ", ".join(strings(node.properties.get("casebook_ids"))) if node else ""
    label = idx.display_label(node_id)
    return f"{casebook}: {label}" if casebook else label


def _claim_item(idx: GraphIndex, claim_id: str, rel: RelRecord) -> EdgeItem:
    claim = idx.nodes.get(claim_id)
    props = claim.properties if claim is not None else rel.properties
    dates, why = _flag(idx, claim_id)
    confidence = rel.properties.get("confidence")
    stance = text(rel.properties.get("stance")) or "supports"
    return EdgeItem(
        id=claim_id,
        kind="claim",
        relation=style.relation_text(rel.type),
        stance=stance,
        label=idx.display_label(claim_id),
        casebook_id=", ".join(strings(props.get("casebook_ids"))),
        asserted_by=tuple(idx.label(a) for a in strings(rel.properties.get("asserted_by"))),
        sources=tuple(idx.label(s) for s in strings(rel.properties.get("source_ids"))),
        note=text(props.get("note")),
        status=text(props.get("status")),
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
        related=tuple(_named(idx, link) for link in idx.sources(claim_id, "ILLUSTRATES")),
        dates=dates,
        dates_note=why,
        causal=True,
    )


def _step_item(idx: GraphIndex, step: LinkStep) -> EdgeItem:
    link = idx.nodes.get(step.link)
    props = link.properties if link is not None else {}
    dates, why = _flag(idx, step.id)
    return EdgeItem(
        id=step.id,
        kind="link",
        relation=style.relation_text(step.relation),
        label=idx.display_label(step.link),
        casebook_id=", ".join(strings(props.get("casebook_ids"))),
        asserted_by=tuple(idx.label(a) for a in _link_asserters(idx, step.link)),
        sources=tuple(idx.label(s) for s in idx.targets(step.link, "SOURCE")),
        note=text(props.get("note")),
        status=text(props.get("status")),
        related=tuple(_named(idx, c) for c in idx.targets(step.link, "ILLUSTRATES")),
        dates=dates,
        dates_note=why,
        causal=step.relation in style.CAUSAL_LINK_RELATIONS,
    )


def _link_asserters(idx: GraphIndex, link_id: str) -> list[str]:
    """Who asserts a link (`graph.chains`): the agents of the claims it rests on, and the
    documents it rests on."""
    found: dict[str, None] = {}
    for basis in idx.targets(link_id, "BASIS"):
        node = idx.nodes.get(basis)
        if node is None:
            continue
        if "Claim" in node.labels:
            found.update(dict.fromkeys(idx.targets(basis, "ASSERTED_BY")))
        elif "Source" in node.labels:
            found[basis] = None
    return sorted(found)
