"""Causal chains, causes, effects and neighbourhoods, walked over the read model's relationships.

The causal graph is the property graph's relationships of a causal type (`CAUSES`,
`CONTRIBUTES_TO`, ... — `graph.analytics.CAUSAL_TYPES`), with `X RESPONDS_TO Y` read as the
step Y -> X so that chains run forward in time. Claims ride on their relationships (claim id,
stance, confidence, asserters, sources). Neighbours are looked up per node with indexed queries,
so a walk costs what it visits, never the size of the graph. Scoring is `graph.analytics`'s.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from graph.analytics import CAUSAL_TYPES, Chain, ClaimRef, Step, step_score
from graph.readmodel.entities import stub_summary
from graph.readmodel.pg import decode_rel
from graph.readmodel.read import Reader

RESPONDS_TO = "RESPONDS_TO"
_CAUSAL = sorted(CAUSAL_TYPES)
_MARKS = ",".join("?" * len(_CAUSAL))


@dataclass(slots=True)
class Edge:
    """One causal step between two node ids, with every claim on it."""

    cause: str
    effect: str
    relations: list[str] = field(default_factory=list)
    claims: list[ClaimRef] = field(default_factory=list)

    @property
    def relation(self) -> str:
        supporting = sorted(
            (c for c in self.claims if c.supports), key=lambda c: (-(c.confidence or 0.0), c.id)
        )
        return supporting[0].relation if supporting else sorted(self.relations)[0]


class CausalWalker:
    """Causal adjacency of node ids, read on demand and remembered for one request."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.conn: sqlite3.Connection = reader.conn
        self._out: dict[str, dict[str, Edge]] = {}
        self._in: dict[str, dict[str, Edge]] = {}

    def _load(self, node: str, forward: bool) -> dict[str, Edge]:
        cache = self._out if forward else self._in
        if node in cache:
            return cache[node]
        # Forward from `node`: its own causal relationships, and RESPONDS_TO pointing at it.
        if forward:
            rows = self.conn.execute(
                f"SELECT record FROM rel WHERE src=? AND type IN ({_MARKS}) AND type != ? "
                f"UNION ALL SELECT record FROM rel WHERE dst=? AND type = ?",
                (node, *_CAUSAL, RESPONDS_TO, node, RESPONDS_TO),
            ).fetchall()
        else:
            rows = self.conn.execute(
                f"SELECT record FROM rel WHERE dst=? AND type IN ({_MARKS}) AND type != ? "
                f"UNION ALL SELECT record FROM rel WHERE src=? AND type = ?",
                (node, *_CAUSAL, RESPONDS_TO, node, RESPONDS_TO),
            ).fetchall()
        edges: dict[str, Edge] = {}
        for (record,) in rows:
            rel = decode_rel(record)
            props = rel.properties
            relation = str(props.get("relation") or _relation_of(rel.type))
            cause, effect = (
                (rel.target, rel.source) if rel.type == RESPONDS_TO else (rel.source, rel.target)
            )
            other = effect if forward else cause
            edge = edges.setdefault(other, Edge(cause, effect))
            if relation not in edge.relations:
                edge.relations.append(relation)
            if "claim_ids" in props:
                edge.claims.append(_claim(rel.key, relation, props))
        for edge in edges.values():
            edge.claims.sort(key=lambda c: c.id)
        cache[node] = edges
        return edges

    def successors(self, node: str) -> dict[str, Edge]:
        return self._load(node, True)

    def predecessors(self, node: str) -> dict[str, Edge]:
        return self._load(node, False)

    def chains(
        self, source: str, target: str, *, max_depth: int, min_confidence: float
    ) -> list[Chain]:
        """Every simple causal path of at most `max_depth` steps, best score first."""
        if source == target or max_depth < 1:
            return []
        chains: list[Chain] = []
        for path in self._paths(source, target, max_depth):
            steps: list[Step] = []
            for u, v in itertools.pairwise(path):
                score, support, against, counted = step_score(
                    self.successors(u)[v].claims, min_confidence=min_confidence
                )
                if not any(c.supports for c in counted):
                    break
                steps.append(Step(u, v, score, support, against, counted))
            else:
                total = 1.0
                for step in steps:
                    total *= step.score
                chains.append(Chain(tuple(path), tuple(steps), total))
        chains.sort(key=lambda c: (-c.score, len(c.nodes), c.nodes))
        return chains

    def _paths(self, source: str, target: str, cutoff: int) -> Iterator[list[str]]:
        path = [source]
        on_path = {source}
        stack = [iter(sorted(self.successors(source)))]
        while stack:
            following = next(stack[-1], None)
            if following is None:
                stack.pop()
                on_path.discard(path.pop())
                continue
            if following in on_path:
                continue
            if following == target:
                yield [*path, following]
                continue
            if len(path) < cutoff:
                path.append(following)
                on_path.add(following)
                stack.append(iter(sorted(self.successors(following))))

    def reached(self, node: str, depth: int, *, forward: bool) -> list[tuple[str, int, Edge, str]]:
        """(node, hops, the edge that reached it, from which node), breadth first."""
        items: list[tuple[str, int, Edge, str]] = []
        level, seen = [node], {node}
        for hops in range(1, depth + 1):
            following = []
            for current in level:
                neighbours = self.successors(current) if forward else self.predecessors(current)
                for other in sorted(neighbours):
                    if other in seen:
                        continue
                    seen.add(other)
                    following.append(other)
                    items.append((other, hops, neighbours[other], current))
            level = following
        return items


def _relation_of(rel_type: str) -> str:
    from ontology.vocab import CAUSAL_RELATIONS, upper_snake

    by_type = {upper_snake(r): r for r in CAUSAL_RELATIONS}
    return by_type.get(rel_type, rel_type)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _claim(key: str, relation: str, props: Any) -> ClaimRef:
    claim_ids = _strings(props.get("claim_ids"))
    confidence = props.get("confidence")
    return ClaimRef(
        id=claim_ids[0] if claim_ids else key,
        relation=relation,
        stance=str(props.get("stance") or "supports"),
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
        asserted_by=_strings(props.get("asserted_by")),
        sources=_strings(props.get("source_ids")),
    )


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


def neighbors(reader: Reader, node: str, depth: int) -> tuple[set[str], list[tuple[str, str, str]]]:
    """Node ids within `depth` relationships of `node` (either direction, any type), and the
    relationships among them and `node` as (source, target, type)."""
    conn = reader.conn
    seen, level = {node}, [node]
    for _ in range(depth):
        following: list[str] = []
        for current in level:
            for (other,) in conn.execute(
                "SELECT dst FROM rel WHERE src=? UNION SELECT src FROM rel WHERE dst=?",
                (current, current),
            ):
                if other not in seen:
                    seen.add(other)
                    following.append(other)
        level = following
    keep = sorted(seen)
    edges: set[tuple[str, str, str]] = set()
    for current in keep:
        for dst, rel_type in conn.execute("SELECT dst, type FROM rel WHERE src=?", (current,)):
            if dst in seen:
                edges.add((current, dst, rel_type))
    known = {
        n
        for (n,) in conn.execute(
            f"SELECT id FROM node WHERE id IN ({','.join('?' * len(keep))})", keep
        )
    }
    seen.discard(node)
    return {n for n in seen if n in known}, sorted(
        e for e in edges if e[0] in known and e[1] in known
    )


def chain_json(walker: CausalWalker, chains: list[Chain], limit: int) -> dict[str, Any]:
    ids = [n for chain in chains[:limit] for n in chain.nodes]
    summaries = node_summaries(walker.reader, ids)
    return {
        "chains": [
            {
                "score": chain.score,
                "steps": [
                    {
                        "cause": summaries[step.source],
                        "effect": summaries[step.target],
                        "relation": _curie(walker.successors(step.source)[step.target].relation),
                        "claims": [
                            {
                                "id": claim.id,
                                "asserted_by": list(claim.asserted_by),
                                "source": list(claim.sources),
                                "stance": claim.stance,
                                "confidence": claim.confidence,
                            }
                            for claim in step.claims
                        ],
                    }
                    for step in chain.steps
                ],
            }
            for chain in chains[:limit]
        ]
    }


def _curie(name: str) -> str:
    return name if ":" in name else f"cg:{name}"


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


__all__ = ["CausalWalker", "Edge", "chain_json", "neighbors", "node_info", "node_summaries"]
