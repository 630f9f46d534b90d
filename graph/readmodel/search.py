"""Searching entities: the trigram index for candidates, then a ranking that puts an exact id
first, then labels, aliases and descriptions; observations stand for their series."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from typing import Any

import orjson

from graph.readmodel.read import Reader
from ontology.namespaces import CG

_CHUNK = 500


def all_entities(reader: Reader, type_name: str | None) -> list[bytes]:
    if type_name is None:
        rows = reader.conn.execute("SELECT summary FROM entity ORDER BY sort_label, id")
    else:
        rows = reader.conn.execute(
            "SELECT e.summary FROM entity_type t JOIN entity e ON e.sid = t.sid WHERE t.type=? "
            "ORDER BY e.sort_label, e.id",
            (type_name,),
        )
    return [r[0] for r in rows]


_OBSERVATION = "Observation"


def search(reader: Reader, q: str | None, type_name: str | None) -> list[bytes]:
    """Entities matching `q`, best first (see `score`); all of them by label when `q` is empty.

    Matches come from the trigram index over folded ids, labels, aliases and descriptions (a
    scan for queries under three letters); an observation that matches only by its label or
    description stands for its series: its measure is listed in its place.
    """
    from graph.readmodel.values import fold

    folded = fold(q or "")
    if not folded:
        return all_entities(reader, type_name)
    tokens = folded.split()
    conn = reader.conn
    if all(len(t) >= 3 for t in tokens):
        expr = " AND ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        rows = conn.execute(
            "SELECT rowid, ids, label, aliases, description FROM search WHERE search MATCH ?",
            (expr,),
        ).fetchall()
    else:
        like = f"%{folded}%"
        rows = conn.execute(
            "SELECT rowid, ids, label, aliases, description FROM search "
            "WHERE ids LIKE ? OR label LIKE ? OR aliases LIKE ? OR description LIKE ?",
            (like, like, like, like),
        ).fetchall()
    scored: dict[int, int] = {}
    for sid, ids, label, aliases, description in rows:
        value = score(folded, ids, label, aliases, description)
        if value > 0:
            scored[sid] = value
    if not scored:
        return []
    info = _rank_info(conn, list(scored))
    for sid in list(scored):
        types, measure = info[sid][3], info[sid][4]
        if _OBSERVATION in types and scored[sid] < EXACT_ID and measure is not None:
            value = scored.pop(sid)
            if measure not in scored or scored[measure] < value:
                scored[measure] = value
    extra = [sid for sid in scored if sid not in info]
    info.update(_rank_info(conn, extra))
    if type_name is not None:
        scored = {sid: v for sid, v in scored.items() if type_name in info[sid][3]}
    ranked = sorted(
        scored,
        key=lambda sid: (-scored[sid], len(info[sid][1]), info[sid][2], info[sid][5], info[sid][6]),
    )
    return [info[sid][0] for sid in ranked]


def find(
    reader: Reader,
    q: str | None,
    type_name: str | None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dict[str, Any]]:
    """`search`'s entities as summaries, each with its `node` id (for the views), keeping only
    the dated ones that overlap `start`..`end` when a bound is given."""
    found = [orjson.loads(s) for s in search(reader, q, type_name)]
    if start is not None or end is not None:
        low, high = (start or dt.date.min).isoformat(), (end or dt.date.max).isoformat()
        found = [
            s
            for s in found
            if s["start"] is not None
            and s["start"] <= high
            and (s["end"] is None or s["end"] >= low)
        ]
    nodes: dict[str, str] = {}
    iris = [s["iri"] for s in found]
    for first in range(0, len(iris), _CHUNK):
        chunk = iris[first : first + _CHUNK]
        marks = ",".join("?" * len(chunk))
        nodes.update(
            reader.conn.execute(
                f"SELECT s.iri, n.id FROM subject s JOIN node n ON n.sid = s.sid "
                f"WHERE s.iri IN ({marks})",
                chunk,
            ).fetchall()
        )
    return [{**s, "node": nodes.get(s["iri"], s["id"])} for s in found]


EXACT_ID = 110


def score(folded: str, ids: str, label: str, aliases: str, description: str) -> int:
    """How well a folded query matches (`ids` and `aliases` are folded and joined by " | "):
    exact id or casebook id 110; label exact 100, prefix 80,
    all words 60, inside 40; an alias 90, 70, 50, 30; the description 20 (all words) or 10."""
    if folded in ids.split(" | "):
        return EXACT_ID
    best = _match(folded, label, exact=100, prefix=80, word=60, inner=40)
    for alias in aliases.split(" | ") if aliases else ():
        best = max(best, _match(folded, alias, exact=90, prefix=70, word=50, inner=30))
    if best == 0 and description:
        best = _match(folded, description, exact=20, prefix=20, word=20, inner=10)
    return best


def _match(query: str, text: str, *, exact: int, prefix: int, word: int, inner: int) -> int:
    if not text:
        return 0
    if text == query:
        return exact
    if text.startswith(query):
        return prefix
    words = text.split()
    tokens = query.split()
    if all(any(w.startswith(t) for w in words) for t in tokens):
        return word
    if query in text:
        return inner
    return 0


def _rank_info(
    conn: sqlite3.Connection, sids: Sequence[int]
) -> dict[int, tuple[bytes, str, str, set[str], int | None, str, str]]:
    """sid -> (summary, label, casefolded label, types, measure sid, kind, id)."""
    out: dict[int, tuple[bytes, str, str, set[str], int | None, str, str]] = {}
    for start in range(0, len(sids), _CHUNK):
        chunk = list(sids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        types: dict[int, set[str]] = {}
        for sid, name in conn.execute(
            f"SELECT sid, type FROM entity_type WHERE sid IN ({marks})", chunk
        ):
            types.setdefault(sid, set()).add(name)
        measures = dict(
            conn.execute(
                f"SELECT e.src, m.sid FROM edge e JOIN entity m ON m.iri = e.dst "
                f"WHERE e.src IN ({marks}) AND e.pred = ?",
                (*chunk, f"{CG}measure"),
            ).fetchall()
        )
        for sid, summary, label, sort_label, kind, entity_id in conn.execute(
            f"SELECT sid, summary, label, sort_label, kind, id FROM entity WHERE sid IN ({marks})",
            chunk,
        ):
            out[sid] = (
                summary,
                label,
                sort_label,
                types.get(sid, set()),
                measures.get(sid),
                kind,
                entity_id,
            )
    return out


__all__ = ["EXACT_ID", "all_entities", "find", "score", "search"]
