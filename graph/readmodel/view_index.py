"""The views' index (`graph.views.index.GraphIndex`'s interface) read lazily from the read model.

A view needs a few nodes and the relationships around them; `StoredIndex` fetches exactly
those, by id, inside the request's read transaction, and remembers them for the request. Only
the views that show everything (`whole_view`) walk all nodes. The causal graph the chain view
searches (claims and link steps, `graph.chains`) is built from the causal relationships and the
links' steps alone and shared per version by the caller.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from graph.chains import CAUSAL_TYPES, LINK_PLUMBING, causal_subgraph, strings
from graph.readmodel.pg import decode_node, decode_rel
from graph.records import NodeRecord, Projection, RelRecord
from graph.views.index import GraphIndex, text
from ontology.errors import NotFound


class _Nodes(Mapping[str, NodeRecord]):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._cache: dict[str, NodeRecord | None] = {}
        self._complete = False

    def __getitem__(self, key: str) -> NodeRecord:
        if key not in self._cache:
            row = self._conn.execute(
                "SELECT record FROM node WHERE id=? AND record != x''", (key,)
            ).fetchone()
            self._cache[key] = decode_node(row[0]) if row else None
        found = self._cache[key]
        if found is None:
            raise KeyError(key)
        return found

    def fetch(self, ids: Iterable[str]) -> None:
        wanted = [i for i in dict.fromkeys(ids) if i not in self._cache]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found = {
                node.id: node
                for node in (
                    decode_node(r[0])
                    for r in self._conn.execute(
                        f"SELECT record FROM node WHERE id IN ({marks}) AND record != x''", chunk
                    )
                )
            }
            for node_id in chunk:
                self._cache[node_id] = found.get(node_id)

    def _all(self) -> None:
        if not self._complete:
            for (record,) in self._conn.execute(
                "SELECT record FROM node WHERE record != x'' ORDER BY id"
            ):
                node = decode_node(record)
                self._cache[node.id] = node
            self._complete = True

    def __iter__(self) -> Iterator[str]:
        self._all()
        return iter(sorted(k for k, v in self._cache.items() if v is not None))

    def __len__(self) -> int:
        return int(
            self._conn.execute("SELECT COUNT(*) FROM node WHERE record != x''").fetchone()[0]
        )

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        try:
            self[key]
        except KeyError:
            return False
        return True


class _Rels(Mapping[str, list[RelRecord]]):
    """Relationships by one end (`src` or `dst`), or by claim key (`key`)."""

    def __init__(self, conn: sqlite3.Connection, column: str, nodes: _Nodes) -> None:
        self._conn = conn
        self._column = column
        self._nodes = nodes
        self._cache: dict[str, list[RelRecord]] = {}

    def __getitem__(self, key: str) -> list[RelRecord]:
        if key not in self._cache:
            rows = self._conn.execute(
                f"SELECT record FROM rel WHERE {self._column}=? ORDER BY type, src, dst, key",
                (key,),
            ).fetchall()
            rels = [decode_rel(r[0]) for r in rows]
            if self._column == "key":
                rels = [r for r in rels if "claim_ids" in r.properties]
            self._nodes.fetch(end for r in rels for end in (r.source, r.target))
            self._cache[key] = [
                r for r in rels if r.source in self._nodes and r.target in self._nodes
            ]
        return self._cache[key]

    def get(self, key: str, default: Any = None) -> Any:
        found = self[key]
        return found if found else (default if default is not None else found)

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache)

    def __len__(self) -> int:
        return len(self._cache)


class StoredIndex(GraphIndex):
    """`GraphIndex` over the read model (see the module doc)."""

    def __init__(self, conn: sqlite3.Connection, causal: Any = None) -> None:
        self.conn = conn
        self._conn = conn
        self._causal = causal
        self.nodes = _Nodes(conn)  # type: ignore[assignment]
        self.out = _Rels(conn, "src", self.nodes)  # type: ignore[arg-type,assignment]
        self.into = _Rels(conn, "dst", self.nodes)  # type: ignore[arg-type,assignment]
        self.claim_edges = _Rels(conn, "key", self.nodes)  # type: ignore[arg-type,assignment]

    @property
    def projection(self) -> Projection:  # type: ignore[override]
        nodes = tuple(self.nodes[i] for i in self.nodes)
        rels = tuple(
            decode_rel(r[0])
            for r in self._conn.execute("SELECT record FROM rel ORDER BY type, src, dst, key")
        )
        return Projection(nodes, rels)

    def node(self, node_id: str, *, what: str = "entity") -> NodeRecord:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise NotFound(f"no {what} with id {node_id!r}") from None

    def label(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        return text(node.properties.get("label")) if node is not None else node_id

    def subgraph(self, ids: Iterable[str]) -> Projection:
        chosen = set(ids)
        self.nodes.fetch(chosen)  # type: ignore[attr-defined]
        nodes = tuple(self.nodes[i] for i in sorted(chosen) if i in self.nodes)
        rels = tuple(r for n in nodes for r in self.out.get(n.id, ()) if r.target in chosen)
        return Projection(nodes, rels)

    @property
    def causal(self) -> Any:
        if self._causal is None:
            self._causal = causal_graph(self._conn)
        return self._causal


def causal_graph(conn: sqlite3.Connection) -> Any:
    """`graph.chains.causal_subgraph` of the read model: the claims' causal relationships and
    the casebook links' steps (with what a link step's asserters and sources come from)."""
    types = sorted(CAUSAL_TYPES | LINK_PLUMBING)
    marks = ",".join("?" * len(types))
    rels = [
        decode_rel(r[0])
        for r in conn.execute(f"SELECT record FROM rel WHERE type IN ({marks})", types)
    ]
    links = sorted({rel.source for rel in rels if rel.type == "STEP"})
    around = _rels_of(conn, links, ("SOURCE", "BASIS"))
    basis = sorted({rel.target for rel in around if rel.type == "BASIS"})
    around += _rels_of(conn, basis, ("ASSERTED_BY",))
    ids = sorted(
        {end for rel in rels if rel.type not in LINK_PLUMBING for end in (rel.source, rel.target)}
        | {rel.target for rel in rels if rel.type in {"FROM", "TO"}}
        | set(links)
        | set(basis)
    )
    nodes: list[NodeRecord] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        qs = ",".join("?" * len(chunk))
        nodes.extend(
            decode_node(r[0])
            for r in conn.execute(
                f"SELECT record FROM node WHERE id IN ({qs}) AND record != x''", chunk
            )
        )
    return causal_subgraph(Projection(tuple(nodes), (*rels, *around)))


def _rels_of(conn: sqlite3.Connection, ids: list[str], types: Iterable[str]) -> list[RelRecord]:
    found: list[RelRecord] = []
    for rel_type in types:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            qs = ",".join("?" * len(chunk))
            found.extend(
                decode_rel(r[0])
                for r in conn.execute(
                    f"SELECT record FROM rel WHERE type=? AND src IN ({qs})", (rel_type, *chunk)
                )
            )
    return found


__all__ = ["StoredIndex", "causal_graph", "strings"]
