"""Temporal consistency of claims and link steps, read from the read model (`graph.consistency`
judges; this module fetches the few nodes and relationships each judgement needs).

`Consistency` answers per item and remembers for one read transaction (the REST marks on claims
and chain steps); `findings` judges every claim and link step (`casegraph check --temporal`,
`GET /api/consistency`), one item at a time, so it costs what there is to judge.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from graph.chains import strings
from graph.consistency import Finding, finding_of
from graph.readmodel.pg import decode_node
from graph.records import NodeRecord

if TYPE_CHECKING:
    from graph.readmodel.read import Reader


class Consistency:
    """Findings on claims and link steps by id, read on demand (see the module doc)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._nodes: dict[str, NodeRecord | None] = {}
        self._findings: dict[str, Finding | None] = {}

    def node(self, node_id: str) -> NodeRecord | None:
        if node_id not in self._nodes:
            row = self.conn.execute(
                "SELECT record FROM node WHERE id=? AND record != x''", (node_id,)
            ).fetchone()
            self._nodes[node_id] = decode_node(row[0]) if row else None
        return self._nodes[node_id]

    def targets(self, node_id: str, rel_type: str) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT dst FROM rel WHERE type=? AND src=? ORDER BY dst", (rel_type, node_id)
            )
        ]

    def sources(self, node_id: str, rel_type: str) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT src FROM rel WHERE dst=? AND type=? ORDER BY src", (node_id, rel_type)
            )
        ]

    def of(self, item_id: str) -> Finding | None:
        """The finding on a claim or link step (None for any other id)."""
        if item_id not in self._findings:
            self._findings[item_id] = finding_of(item_id, self.node, self.targets, self.sources)
        return self._findings[item_id]

    def mark(self, item_id: str) -> str | None:
        """`inconsistent` or `possibly-inconsistent` when the item is flagged, else None."""
        found = self.of(item_id)
        return found.verdict if found is not None and found.flagged else None

    def mark_iri(self, iri: str) -> str | None:
        """`mark` of the claim or link step with this IRI."""
        row = self.conn.execute(
            "SELECT n.id FROM subject s JOIN node n ON n.sid = s.sid WHERE s.iri=?", (iri,)
        ).fetchone()
        return self.mark(row[0]) if row is not None else None


def items(conn: sqlite3.Connection) -> list[str]:
    """The ids of every claim and link step, claims first."""
    claims = [r[0] for r in conn.execute("SELECT id FROM node WHERE kind='claim' ORDER BY id")]
    steps = [
        r[0] for r in conn.execute("SELECT DISTINCT src FROM rel WHERE type='FROM' ORDER BY src")
    ]
    return [*claims, *steps]


def findings(conn: sqlite3.Connection) -> list[Finding]:
    """A finding on every claim and link step (claims first, each by id)."""
    judge = Consistency(conn)
    found = (judge.of(item) for item in items(conn))
    return [f for f in found if f is not None]


def report_json(reader: Reader, checked: int, found: Sequence[Finding]) -> dict[str, Any]:
    """`GET /api/consistency`'s body: the counts, and each flagged finding with its ends."""
    from graph.readmodel.causal_json import node_summaries

    judge = reader.consistency
    summaries = node_summaries(
        reader, [end for f in found for end in (f.edge.cause.id, f.edge.effect.id)]
    )
    items = []
    for finding in found:
        edge = finding.edge
        record = judge.node(edge.link if edge.link is not None else edge.id)
        casebook = strings(record.properties.get("casebook_ids")) if record is not None else []
        items.append(
            {
                "id": edge.id,
                "kind": edge.kind,
                "link": edge.link,
                "casebook_id": casebook,
                "relation": f"cg:{edge.relation}" if edge.relation else "",
                "verdict": finding.verdict,
                "reason": finding.reason,
                "cause": summaries[edge.cause.id],
                "effect": summaries[edge.effect.id],
            }
        )
    return {
        "checked": checked,
        "inconsistent": sum(1 for f in found if f.verdict == "inconsistent"),
        "possibly_inconsistent": sum(1 for f in found if f.verdict == "possibly-inconsistent"),
        "items": items,
    }


__all__ = ["Consistency", "findings", "items", "report_json"]
