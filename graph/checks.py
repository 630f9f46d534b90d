"""Checks over the read model: references to entities that do not exist.

A *dangling reference* is a statement in a document (a loaded file or a client's graph, not a
derived graph) whose object is a `cgid:` IRI that no graph describes as an entity — a claim
whose effect was removed, an event in a case that no longer exists.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

import orjson

from ontology.namespaces import CGG, CGID

_SYSTEM_PREFIXES = (f"{CGG}derived/", f"{CGG}temporal")


def referrers(
    conn: sqlite3.Connection, iris: Sequence[str], *, ignore_graphs: Iterable[str] = ()
) -> list[tuple[str, str, str]]:
    """(referring subject, referenced IRI, graph) for statements of documents pointing at
    `iris`, leaving out the graphs in `ignore_graphs` and casegraph's derived graphs."""
    ignored = set(ignore_graphs)
    names = dict(conn.execute("SELECT iri, name FROM graph").fetchall())
    out: set[tuple[str, str, str]] = set()
    for start in range(0, len(iris), 500):
        chunk = list(iris[start : start + 500])
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT DISTINCT s.iri, s.facts, e.dst FROM edge e JOIN subject s ON s.sid = e.src "
            f"WHERE e.dst IN ({marks})",
            chunk,
        ).fetchall()
        for subject, facts, target in rows:
            for graph, items in orjson.loads(facts).items():
                if graph in ignored or graph.startswith(_SYSTEM_PREFIXES):
                    continue
                if any(f[1] == "i" and f[2] == target for f in items):
                    out.add((subject, target, names.get(graph, graph)))
    return sorted(out)


def dangling(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """Every dangling reference (see the module doc)."""
    missing = [
        iri
        for (iri,) in conn.execute(
            "SELECT DISTINCT e.dst FROM edge e LEFT JOIN entity n ON n.iri = e.dst "
            "WHERE n.sid IS NULL AND e.dst >= ? AND e.dst < ?",
            (CGID, CGID[:-1] + chr(ord(CGID[-1]) + 1)),
        )
        if not _is_part(iri)
    ]
    return referrers(conn, missing)


def _is_part(iri: str) -> bool:
    """Link steps and temporal relation nodes are parts of other records, not entities."""
    rest = iri[len(CGID) :]
    return rest.startswith("temporal/") or rest.count("/") > 1


__all__ = ["dangling", "referrers"]
