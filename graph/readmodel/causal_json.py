"""Causal walks as the API returns them: chains, steps, causes and effects with their claims, link
steps, asserters and sources, and the entity summaries of the nodes they pass through.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson

from graph.chains import Assertion, Chain, ClaimRef, LinkRef
from graph.readmodel.causal import CausalWalker, Edge
from graph.readmodel.consistency import Consistency
from graph.readmodel.entities import stub_summary
from graph.readmodel.read import Reader


def node_summaries(reader: Reader, node_ids: list[str]) -> dict[str, Any]:
    """Node id -> the summary of its entity (a stub with the right IRI for other nodes)."""
    return {node: info[0] for node, info in node_info(reader, node_ids).items()}


def node_info(reader: Reader, node_ids: list[str]) -> dict[str, tuple[Any, str, str]]:
    """Node id -> (summary, label, entity id) (see `node_summaries`)."""
    out: dict[str, tuple[Any, str, str]] = {}
    wanted = sorted(set(node_ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = reader.conn.execute(
            "SELECT n.id, s.iri FROM node n JOIN subject s ON s.sid = n.sid "
            f"WHERE n.id IN ({marks})",
            chunk,
        ).fetchall()
        iris = dict(rows)
        reader.summaries(iris.values())
        for node_id in chunk:
            iri = iris.get(node_id)
            if iri is not None and reader.is_entity(iri):
                head = reader.summary_dict(iri)
                out[node_id] = (reader.summary(iri), str(head["label"]), str(head["id"]))
            else:
                stub = (
                    stub_summary(iri)
                    if iri is not None
                    else {
                        **stub_summary(""),
                        "id": node_id,
                        "label": node_id,
                    }
                )
                out[node_id] = (stub, str(stub["label"]), str(stub["id"] or node_id))
    return out


def chain_json(walker: CausalWalker, chains: list[Chain], limit: int) -> dict[str, Any]:
    """Chains as `/api/causal-chains` returns them: each step with its kind, the claims and
    link steps that were counted for it, and their asserters and sources."""
    ids = [n for chain in chains[:limit] for n in chain.nodes]
    summaries = node_summaries(walker.reader, ids)
    marks = walker.reader.consistency
    return {
        "chains": [
            {
                "score": chain.score,
                "steps": [
                    step_json(
                        summaries[step.source],
                        summaries[step.target],
                        walker.successors(step.source)[step.target].relation,
                        step.assertions,
                        marks,
                    )
                    for step in chain.steps
                ],
            }
            for chain in chains[:limit]
        ]
    }


def step_json(
    cause: Any, effect: Any, relation: str, assertions: Sequence[Assertion], marks: Consistency
) -> dict[str, Any]:
    """One step: its ends, its relation (a CURIE) and kind (in words), its claims and link
    steps, and who asserts it on which sources (all of them together)."""
    return {
        "cause": cause,
        "effect": effect,
        **assertions_json(relation, assertions, marks),
    }


def assertions_json(
    relation: str, assertions: Sequence[Assertion], marks: Consistency
) -> dict[str, Any]:
    """The relation, kind, claims, link steps, asserters and sources of one step."""
    return {
        "relation": _curie(relation),
        "kind": relation_words(relation),
        "claims": [
            {
                "id": a.id,
                "relation": _curie(a.relation),
                "asserted_by": list(a.asserted_by),
                "source": list(a.sources),
                "stance": a.stance,
                "confidence": a.confidence,
                "consistency": marks.mark(a.id),
            }
            for a in assertions
            if isinstance(a, ClaimRef)
        ],
        "links": [
            {
                "id": a.id,
                "step": a.step,
                "casebook_id": list(a.casebook_ids),
                "relation": _curie(a.relation),
                "asserted_by": list(a.asserted_by),
                "source": list(a.sources),
                "stance": a.stance,
                "confidence": a.confidence,
                "status": a.status,
                "consistency": marks.mark(a.step),
            }
            for a in assertions
            if isinstance(a, LinkRef)
        ],
        "asserted_by": sorted({who for a in assertions for who in a.asserted_by}),
        "sources": sorted({source for a in assertions for source in a.sources}),
    }


def reached_json(
    walker: CausalWalker, entity: Any, found: list[tuple[str, int, Edge, str]]
) -> dict[str, Any]:
    """Causes or effects as `/api/entities/{id}/causes` and `/effects` return them."""
    summaries = node_summaries(walker.reader, [other for other, *_rest in found])
    marks = walker.reader.consistency
    return {
        "entity": entity,
        "items": [
            {
                "entity": summaries[other],
                "depth": hops,
                "via": via,
                **assertions_json(edge.relation, edge.assertions, marks),
            }
            for other, hops, edge, via in found
        ],
    }


def relation_words(name: str) -> str:
    """`hasNoMaterialEffectOn` -> `has no material effect on`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", name).lower()


def _curie(name: str) -> str:
    return name if ":" in name else f"cg:{name}"


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


__all__ = [
    "assertions_json",
    "chain_json",
    "node_info",
    "node_summaries",
    "reached_json",
    "relation_words",
    "step_json",
]
