"""Causal chains, causes, effects and neighbourhoods, walked over the read model's relationships.

The causal model is `graph.chains`': a step from one node to another carries the claims between
them (the property graph's relationships of a causal type, `CAUSES`, `CONTRIBUTES_TO`, ...,
with `X RESPONDS_TO Y` read as the step Y -> X so that chains run forward in time) and the
steps of casebook links (a `LinkStep` node with `FROM` and `TO`, under its link's relation:
enables, triggers, precedes, ...). Claims ride on their relationships (claim id, stance,
confidence, asserters, sources); a link step's asserters and sources come from its link.
Neighbours are looked up per node with indexed queries, so a walk costs what it visits, never
the size of the graph. Scoring is `graph.chains`'.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field

from graph.chains import (
    CAUSAL_TYPES,
    Assertion,
    Chain,
    ClaimRef,
    LinkRef,
    chain_of,
    claim_ref,
    link_ref,
    main_relation,
    oriented,
    rank,
    relation_of,
)
from graph.readmodel.pg import decode_node, decode_rel
from graph.readmodel.read import Reader
from graph.records import NodeRecord

_RESPONDS_TO = "RESPONDS_TO"


_CAUSAL = sorted(CAUSAL_TYPES)


_MARKS = ",".join("?" * len(_CAUSAL))


# A link step at a node: (link, step, from, to), by the step's FROM or its TO.
_STEPS_FROM = (
    "SELECT s.src, f.src, f.dst, t.dst FROM rel f "
    "JOIN rel t ON t.type = 'TO' AND t.src = f.src "
    "JOIN rel s ON s.type = 'STEP' AND s.dst = f.src "
    "WHERE f.type = 'FROM' AND f.dst = ?"
)


_STEPS_TO = (
    "SELECT s.src, f.src, f.dst, t.dst FROM rel t "
    "JOIN rel f ON f.type = 'FROM' AND f.src = t.src "
    "JOIN rel s ON s.type = 'STEP' AND s.dst = t.src "
    "WHERE t.type = 'TO' AND t.dst = ?"
)


@dataclass(slots=True)
class Edge:
    """One causal step between two node ids, with every claim and link step on it."""

    cause: str
    effect: str
    relations: list[str] = field(default_factory=list)
    claims: list[ClaimRef] = field(default_factory=list)
    links: list[LinkRef] = field(default_factory=list)

    @property
    def assertions(self) -> list[Assertion]:
        return [*self.claims, *self.links]

    @property
    def relation(self) -> str:
        return main_relation(self.assertions, self.relations)

    def add(self, relation: str, assertion: Assertion | None) -> None:
        if relation not in self.relations:
            self.relations.append(relation)
        if isinstance(assertion, ClaimRef):
            self.claims.append(assertion)
        elif isinstance(assertion, LinkRef):
            self.links.append(assertion)


class CausalWalker:
    """Causal adjacency of node ids, read on demand and remembered for one request."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.conn: sqlite3.Connection = reader.conn
        self._out: dict[str, dict[str, Edge]] = {}
        self._in: dict[str, dict[str, Edge]] = {}
        self._links: dict[str, tuple[NodeRecord, list[str], list[str], list[str]] | None] = {}
        self._ends: dict[str, tuple[str, str]] = {}
        """Link step id -> (its FROM, its TO)."""

    def _load(self, node: str, forward: bool) -> dict[str, Edge]:
        cache = self._out if forward else self._in
        if node in cache:
            return cache[node]
        # Forward from `node`: its own causal relationships, and RESPONDS_TO pointing at it.
        if forward:
            rows = self.conn.execute(
                f"SELECT record FROM rel WHERE src=? AND type IN ({_MARKS}) AND type != ? "
                f"UNION ALL SELECT record FROM rel WHERE dst=? AND type = ?",
                (node, *_CAUSAL, _RESPONDS_TO, node, _RESPONDS_TO),
            ).fetchall()
        else:
            rows = self.conn.execute(
                f"SELECT record FROM rel WHERE dst=? AND type IN ({_MARKS}) AND type != ? "
                f"UNION ALL SELECT record FROM rel WHERE src=? AND type = ?",
                (node, *_CAUSAL, _RESPONDS_TO, node, _RESPONDS_TO),
            ).fetchall()
        edges: dict[str, Edge] = {}
        for (record,) in rows:
            rel = decode_rel(record)
            relation = str(rel.properties.get("relation") or relation_of(rel.type))
            cause, effect = oriented(relation, rel.source, rel.target)
            other = effect if forward else cause
            claim = claim_ref(rel, relation) if "claim_ids" in rel.properties else None
            edges.setdefault(other, Edge(cause, effect)).add(relation, claim)
        for step in self._steps(node):
            cause, effect = oriented(step.relation, *self._ends[step.step])
            if (cause if forward else effect) != node:
                continue
            other = effect if forward else cause
            edges.setdefault(other, Edge(cause, effect)).add(step.relation, step)
        for edge in edges.values():
            edge.claims.sort(key=lambda c: c.id)
            edge.links.sort(key=lambda s: (s.id, s.step))
        cache[node] = edges
        return edges

    def _steps(self, node: str) -> list[LinkRef]:
        """The link steps that start or end at `node` (either way round)."""
        found: list[LinkRef] = []
        seen: set[str] = set()
        for link, step, start, end in [
            *self.conn.execute(_STEPS_FROM, (node,)),
            *self.conn.execute(_STEPS_TO, (node,)),
        ]:
            if step in seen:
                continue
            seen.add(step)
            info = self._link(link)
            if info is None:
                continue
            record, sources, asserters, documents = info
            self._ends[step] = (start, end)
            found.append(
                link_ref(
                    record,
                    step,
                    sources=sources,
                    basis_asserters=asserters,
                    basis_documents=documents,
                )
            )
        return found

    def _link(self, link: str) -> tuple[NodeRecord, list[str], list[str], list[str]] | None:
        """A link's node, sources, the asserters of the claims it rests on, and the documents
        it rests on."""
        if link not in self._links:
            row = self.conn.execute(
                "SELECT record FROM node WHERE id=? AND record != x''", (link,)
            ).fetchone()
            if row is None:
                self._links[link] = None
                return None
            sources: list[str] = []
            basis: list[str] = []
            for rel_type, target in self.conn.execute(
                "SELECT type, dst FROM rel WHERE type IN ('SOURCE', 'BASIS') AND src=?", (link,)
            ):
                (sources if rel_type == "SOURCE" else basis).append(target)
            kinds = dict(
                self.conn.execute(
                    f"SELECT id, kind FROM node WHERE id IN ({','.join('?' * len(basis))})",
                    basis,
                ).fetchall()
            )
            claims = [b for b in basis if kinds.get(b) == "claim"]
            asserters = [
                r[0]
                for r in self.conn.execute(
                    "SELECT dst FROM rel WHERE type='ASSERTED_BY' AND "
                    f"src IN ({','.join('?' * len(claims))})",
                    claims,
                )
            ]
            documents = [b for b in basis if kinds.get(b) == "source"]
            self._links[link] = (decode_node(row[0]), sources, asserters, documents)
        return self._links[link]

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

        def on_step(u: str, v: str) -> list[Assertion]:
            return self.successors(u)[v].assertions

        found = (
            chain_of(path, on_step, min_confidence=min_confidence)
            for path in self._paths(source, target, max_depth)
        )
        return rank(c for c in found if c is not None)

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


__all__ = ["CausalWalker", "Edge", "neighbors"]
