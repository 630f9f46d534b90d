"""Is the read model what a rebuild from the store would give? (`casegraph check --read-model`,
the fault tests and the property tests.)

`contents` reads a read model into plain, comparable data — every table keyed by IRIs and ids
rather than row numbers. `rebuild` makes a fresh read model from a store's graphs, the way a
missing read model is rebuilt. `differences` lists where two contents disagree.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from graph.readmodel import temporal
from graph.readmodel.db import ReadModel
from graph.readmodel.facts import group
from graph.store import Dataset


def contents(conn: sqlite3.Connection) -> dict[str, Any]:
    """The read model's tables as comparable data (see the module doc)."""
    iri_of = dict(conn.execute("SELECT sid, iri FROM subject").fetchall())
    facts = {
        iri: {g: sorted(map(tuple, items)) for g, items in sorted(orjson.loads(data).items())}
        for iri, data in conn.execute("SELECT iri, facts FROM subject")
        if data not in (b"{}", "{}")
    }
    out: dict[str, Any] = {
        "facts": facts,
        "entities": {
            row[0]: (*row[1:-1], orjson.loads(row[-1]))
            for row in conn.execute(
                "SELECT iri, id, kind, type, label, earliest, latest, is_event, summary FROM entity"
            )
        },
        "types": sorted(
            (iri_of[sid], t) for t, sid in conn.execute("SELECT type, sid FROM entity_type")
        ),
        "edges": sorted(
            (iri_of[src], p, dst) for src, p, dst in conn.execute("SELECT src, pred, dst FROM edge")
        ),
        "claims": {
            iri_of[sid]: orjson.loads(record)
            for sid, record in conn.execute("SELECT sid, record FROM claim")
        },
        "nodes": {
            node_id: (iri_of[sid], orjson.loads(record) if record else None)
            for sid, node_id, record in conn.execute("SELECT sid, id, record FROM node")
        },
        "rels": sorted(
            (t, s, d, k, iri_of.get(owner), bytes(record).decode())
            for t, s, d, k, owner, record in conn.execute(
                "SELECT type, src, dst, key, owner, record FROM rel"
            )
        ),
        "bounds": sorted(
            conn.execute(
                "SELECT iri, earliest, start_latest, end_earliest, latest, uncertain "
                "FROM event_bounds"
            ).fetchall()
        ),
        "spans": sorted(
            (iri_of[sid], lo, hi)
            for sid, lo, hi in conn.execute("SELECT sid, lo, hi FROM event_span")
        ),
        "search": sorted(
            (iri_of[rowid], ids, label, aliases, description)
            for rowid, ids, label, aliases, description in conn.execute(
                "SELECT rowid, ids, label, aliases, description FROM search"
            )
        ),
        "temporal": sorted(
            conn.execute("SELECT scope, src, dst, relation, certain FROM temporal").fetchall()
        ),
    }
    return out


def rebuild(store: Dataset, path: Path) -> ReadModel:
    """A fresh read model of the store's graphs at `path` (which must not exist yet)."""
    model = ReadModel(path)
    version = store.version or 0
    with model.write(version) as updater:
        for doc in store.documents():
            updater.put(doc.graph, group(store.graph_quads(doc.graph)), complete=True)
        updater.recompute()
        conn = updater.conn
        for part in temporal.all_scopes(conn).parts():
            temporal.recompute(conn, part)
        conn.executemany(
            "INSERT INTO graph (iri, name, kind, revision) VALUES (?,?,?,?)",
            [(d.graph, d.name, d.kind, d.revision) for d in store.documents()],
        )
    return model


def differences(left: dict[str, Any], right: dict[str, Any]) -> Iterator[str]:
    """Where two `contents` disagree, table by table (a few examples each)."""
    for table in sorted(set(left) | set(right)):
        a, b = left.get(table), right.get(table)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            keys = sorted(set(a) | set(b), key=str)
            diff = [k for k in keys if a.get(k) != b.get(k)]
            shown = ", ".join(f"{k}: {a.get(k)!r} != {b.get(k)!r}" for k in diff[:3])
            yield f"{table}: {len(diff)} differ ({shown})"
        else:
            sa, sb = set(map(repr, a or [])), set(map(repr, b or []))
            yield f"{table}: only left {sorted(sa - sb)[:3]}, only right {sorted(sb - sa)[:3]}"


__all__ = ["contents", "differences", "rebuild"]
