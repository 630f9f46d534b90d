"""Temporal relations kept up to date by scope: what a change touches is recomputed, no more.

Relations are derived (see `graph.temporal`) within each *case* (every dated event that is
`cg:inCase` it; `relate_all` keeps that linear) and for each *pair* of events that a claim
(cause, effect), a link step (from, to) or `cg:partOf` connects. The `temporal` table keeps
every relation with the scope that produced it; a relation produced by a pair wins over the
same one produced by a case. A change recomputes the cases its events belong (or belonged)
to and the pairs its subjects make or take part in, found through the edge and bounds tables
rather than by comparing all events, and yields the triples to add to and remove from the
temporal graph.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.readmodel.facts import Fact, Facts, fact_of
from graph.temporal import Bounds, Relation, relate_all
from ontology.namespaces import CG, CGID, RDF, TIME, XSD

PAIRS = "pairs"
_PAIR_MAKERS = {
    (f"{CG}cause", f"{CG}effect"),
    (f"{CG}from", f"{CG}to"),
}
_PART_OF = f"{CG}partOf"
_IN_CASE = f"{CG}inCase"
_CHUNK = 500
_PART_CASES = 200
_PART_PAIRS = 20_000

type Key = tuple[str, str, str]
"""(source IRI, target IRI, relation local name)."""


@dataclass(slots=True)
class Scopes:
    """The cases and event pairs whose relations must be recomputed."""

    cases: set[str] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)

    def __ior__(self, other: Scopes) -> Scopes:
        self.cases |= other.cases
        self.pairs |= other.pairs
        return self

    def __bool__(self) -> bool:
        return bool(self.cases or self.pairs)

    def parts(self) -> Iterator[Scopes]:
        """These scopes in parts of at most `_PART_CASES` cases or `_PART_PAIRS` pairs.

        Each scope's relations are computed on their own, so recomputing the parts one after
        the other, each delta applied before the next part, ends where recomputing them all at
        once would; a bulk load's delta then never has to be held whole.
        """
        cases, pairs = sorted(self.cases), sorted(self.pairs)
        for start in range(0, len(cases), _PART_CASES):
            yield Scopes(cases=set(cases[start : start + _PART_CASES]))
        for start in range(0, len(pairs), _PART_PAIRS):
            yield Scopes(pairs=set(pairs[start : start + _PART_PAIRS]))


@dataclass(slots=True)
class Delta:
    """What the temporal graph gains and loses, and the subjects whose temporal facts changed."""

    add: list[ox.Triple] = field(default_factory=list)
    remove: list[ox.Triple] = field(default_factory=list)
    facts: Facts = field(default_factory=dict)


def _chunks(items: Sequence[str]) -> Iterable[tuple[Sequence[str], str]]:
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        yield chunk, ",".join("?" * len(chunk))


def scopes_of(conn: sqlite3.Connection, iris: Iterable[str]) -> Scopes:
    """The scopes the subjects `iris` take part in, as the tables say now."""
    scopes = Scopes()
    items = sorted(set(iris))
    makers: set[int] = set()
    for chunk, marks in _chunks(items):
        rows = conn.execute(
            f"SELECT s.sid, e.pred, e.dst FROM subject s JOIN edge e ON e.src = s.sid "
            f"WHERE s.iri IN ({marks})",
            chunk,
        ).fetchall()
        for sid, pred, dst in rows:
            if pred == _IN_CASE:
                scopes.cases.add(dst)
            else:
                makers.add(sid)
        # Subjects that point at these ones as cause, effect, from, to or partOf.
        rows = conn.execute(
            f"SELECT e.src FROM edge e WHERE e.dst IN ({marks}) AND e.pred IN (?,?,?,?,?)",
            (*chunk, f"{CG}cause", f"{CG}effect", f"{CG}from", f"{CG}to", _PART_OF),
        ).fetchall()
        makers.update(sid for (sid,) in rows)
    scopes.pairs |= pairs_made_by(conn, makers)
    return scopes


def pairs_made_by(conn: sqlite3.Connection, sids: Iterable[int]) -> set[tuple[str, str]]:
    """Event pairs stated by these subjects (claims, link steps, partOf), dated or not."""
    pairs: set[tuple[str, str]] = set()
    items = sorted(set(sids))
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        by_subject: dict[int, dict[str, list[str]]] = {}
        iri_of = dict(
            conn.execute(f"SELECT sid, iri FROM subject WHERE sid IN ({marks})", chunk).fetchall()
        )
        for sid, pred, dst in conn.execute(
            f"SELECT src, pred, dst FROM edge WHERE src IN ({marks})", chunk
        ):
            by_subject.setdefault(sid, {}).setdefault(pred, []).append(dst)
        for sid, preds in by_subject.items():
            for first, second in _PAIR_MAKERS:
                for a in preds.get(first, ()):
                    for b in preds.get(second, ()):
                        if a != b:
                            pairs.add((a, b))
            for b in preds.get(_PART_OF, ()):
                if iri_of.get(sid) and iri_of[sid] != b:
                    pairs.add((iri_of[sid], b))
    return pairs


def all_scopes(conn: sqlite3.Connection) -> Scopes:
    """Every case with a member and every stated pair (for a full derivation)."""
    cases = {
        dst for (dst,) in conn.execute("SELECT DISTINCT dst FROM edge WHERE pred=?", (_IN_CASE,))
    }
    makers = [
        sid
        for (sid,) in conn.execute(
            "SELECT DISTINCT src FROM edge WHERE pred IN (?,?,?)",
            (f"{CG}cause", f"{CG}from", _PART_OF),
        )
    ]
    known = {
        (s, d)
        for s, d in conn.execute("SELECT DISTINCT src, dst FROM temporal WHERE scope=?", (PAIRS,))
    }
    return Scopes(cases | _stored_cases(conn), pairs_made_by(conn, makers) | known)


def _stored_cases(conn: sqlite3.Connection) -> set[str]:
    return {
        s for (s,) in conn.execute("SELECT DISTINCT scope FROM temporal WHERE scope != ?", (PAIRS,))
    }


def _bounds(conn: sqlite3.Connection, iris: Iterable[str]) -> dict[str, Bounds]:
    out: dict[str, Bounds] = {}
    for chunk, marks in _chunks(sorted(set(iris))):
        for iri, earliest, start_latest, end_earliest, latest, uncertain in conn.execute(
            "SELECT iri, earliest, start_latest, end_earliest, latest, uncertain FROM event_bounds"
            f" WHERE iri IN ({marks})",
            chunk,
        ):
            out[iri] = Bounds(
                id=iri,
                earliest=_date(earliest),
                start_latest=_date(start_latest),
                end_earliest=_date(end_earliest),
                latest=_date(latest),
                uncertain=bool(uncertain),
            )
    return out


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _case_members(conn: sqlite3.Connection, case: str) -> list[Bounds]:
    rows = conn.execute(
        "SELECT b.iri, b.earliest, b.start_latest, b.end_earliest, b.latest, b.uncertain "
        "FROM edge e JOIN event_bounds b ON b.sid = e.src WHERE e.pred=? AND e.dst=? "
        "ORDER BY b.iri",
        (_IN_CASE, case),
    ).fetchall()
    return [
        Bounds(iri, _date(a), _date(b), _date(c), _date(d), bool(u))
        for iri, a, b, c, d, u in dict.fromkeys(rows)
    ]


def recompute(conn: sqlite3.Connection, scopes: Scopes) -> Delta:
    """Recompute the relations of `scopes`, store them, and say what the temporal graph gains
    and loses."""
    new_rows: dict[str, dict[Key, bool]] = {}
    for case in sorted(scopes.cases):
        found: dict[Key, bool] = {}
        for relation in relate_all(_case_members(conn, case)):
            found.setdefault(
                (relation.source, relation.target, relation.relation), relation.certain
            )
        new_rows[case] = found
    pair_rows: dict[Key, bool] = {}
    if scopes.pairs:
        endpoints = {iri for pair in scopes.pairs for iri in pair}
        bounds = _bounds(conn, endpoints)
        # A pair taken from what the tables said before a change may be stated no more.
        stated = scopes_of(conn, endpoints).pairs
        dated = sorted(p for p in scopes.pairs if p in stated and p[0] in bounds and p[1] in bounds)
        for relation in relate_all(list(bounds.values()), pairs=dated):
            pair_rows.setdefault(
                (relation.source, relation.target, relation.relation), relation.certain
            )
    affected: set[Key] = set()
    for case in scopes.cases:
        affected |= {
            (s, d, r)
            for s, d, r in conn.execute(
                "SELECT src, dst, relation FROM temporal WHERE scope=?", (case,)
            )
        }
    pairs = set(scopes.pairs)
    old_pairs = {key for key in _pair_rows(conn, pairs) if (key[0], key[1]) in pairs}
    affected |= old_pairs
    for rows in new_rows.values():
        affected |= rows.keys()
    affected |= pair_rows.keys()
    before = _effective(conn, affected)
    for case, rows in new_rows.items():
        conn.execute("DELETE FROM temporal WHERE scope=?", (case,))
        conn.executemany(
            "INSERT INTO temporal VALUES (?,?,?,?,?)",
            [(case, s, d, r, int(c)) for (s, d, r), c in sorted(rows.items())],
        )
    conn.executemany(
        "DELETE FROM temporal WHERE scope=? AND src=? AND dst=?",
        [(PAIRS, a, b) for a, b in sorted(pairs)],
    )
    conn.executemany(
        "INSERT INTO temporal VALUES (?,?,?,?,?)",
        [(PAIRS, s, d, r, int(c)) for (s, d, r), c in sorted(pair_rows.items())],
    )
    after = _effective(conn, affected)
    delta = Delta()
    sources: set[str] = set()
    for key in sorted(affected):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is not None:
            delta.remove.extend(triples(Relation(*key, old)))
        if new is not None:
            delta.add.extend(triples(Relation(*key, new)))
        node = node_iri(key)
        delta.facts[node] = (
            [
                fact_of(t.predicate.value, t.object)
                for t in triples(Relation(*key, new))
                if str(t.subject) == f"<{node}>"
            ]
            if new is not None
            else []
        )
        if (old or False) or (new or False):
            sources.add(key[0])
    delta.facts.update(direct_facts(conn, sources))
    return delta


def everything(conn: sqlite3.Connection) -> Delta:
    """Every effective relation as triples, and the temporal facts of every subject concerned
    (for rewriting the temporal graph whole)."""
    delta = Delta()
    rows = conn.execute(
        "SELECT src, dst, relation, certain, scope = ? AS from_pairs FROM temporal "
        "ORDER BY src, dst, relation, from_pairs DESC",
        (PAIRS,),
    ).fetchall()
    effective: dict[Key, bool] = {}
    for src, dst, relation, certain, _from_pairs in rows:
        effective.setdefault((src, dst, relation), bool(certain))
    direct: dict[str, list[Fact]] = {}
    for key, certain in sorted(effective.items()):
        made = triples(Relation(*key, certain))
        delta.add.extend(made)
        node = node_iri(key)
        delta.facts[node] = [
            fact_of(t.predicate.value, t.object) for t in made if str(t.subject) == f"<{node}>"
        ]
        if certain:
            direct.setdefault(key[0], []).append((f"{TIME}{key[2]}", "i", key[1], ""))
    for source, facts in direct.items():
        delta.facts[source] = list(dict.fromkeys(facts))
    return delta


def _rows_from(
    conn: sqlite3.Connection, sources: Iterable[str], where: str = ""
) -> Iterable[tuple[str, str, str, int, str]]:
    """(src, dst, relation, certain, scope) of the stored relations from `sources`."""
    for chunk, marks in _chunks(sorted(set(sources))):
        yield from conn.execute(
            f"SELECT src, dst, relation, certain, scope FROM temporal WHERE src IN ({marks})"
            + where,
            chunk,
        )


def _pair_rows(conn: sqlite3.Connection, pairs: set[tuple[str, str]]) -> set[Key]:
    """The stored relations of scope "pairs" from the sources of `pairs` (a superset)."""
    rows = _rows_from(conn, (a for a, _b in pairs), f" AND scope='{PAIRS}'")
    return {(src, dst, relation) for src, dst, relation, _c, _s in rows}


def _effective(conn: sqlite3.Connection, keys: Iterable[Key]) -> dict[Key, bool]:
    """Whether each relation of `keys` that is stored holds certainly: the pair-scope row
    when there is one, else a case row (they agree: certainty follows from the bounds)."""
    wanted = set(keys)
    found: dict[Key, tuple[bool, bool]] = {}
    for src, dst, relation, certain, scope in _rows_from(conn, (k[0] for k in wanted)):
        key = (src, dst, relation)
        if key not in wanted:
            continue
        from_pairs = scope == PAIRS
        previous = found.get(key)
        if previous is None or (from_pairs and not previous[0]):
            found[key] = (from_pairs, bool(certain))
    return {key: certain for key, (_p, certain) in found.items()}


def direct_facts(conn: sqlite3.Connection, sources: Iterable[str]) -> dict[str, list[Fact]]:
    """The certain relations from each of `sources`, as its facts in the temporal graph."""
    sources = sorted(set(sources))
    keys = {(src, dst, rel) for src, dst, rel, _c, _s in _rows_from(conn, sources)}
    effective = _effective(conn, keys)
    facts: dict[str, dict[Fact, None]] = {source: {} for source in sources}
    for src, dst, relation in sorted(keys):
        if effective.get((src, dst, relation)):
            facts[src][(f"{TIME}{relation}", "i", dst, "")] = None
    return {source: list(items) for source, items in facts.items()}


def node_iri(key: Key) -> str:
    digest = hashlib.sha1("|".join(key).encode(), usedforsecurity=False).hexdigest()[:16]
    return f"{CGID}temporal/{digest}"


_BOOLEAN = ox.NamedNode(f"{XSD}boolean")


def triples(relation: Relation) -> list[ox.Triple]:
    """The temporal graph's triples for one relation: the node, and the direct edge if certain."""
    source, target = ox.NamedNode(relation.source), ox.NamedNode(relation.target)
    allen = ox.NamedNode(f"{TIME}{relation.relation}")
    node = ox.NamedNode(node_iri((relation.source, relation.target, relation.relation)))
    out = [
        ox.Triple(node, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{CG}TemporalRelation")),
        ox.Triple(node, ox.NamedNode(f"{CG}relFrom"), source),
        ox.Triple(node, ox.NamedNode(f"{CG}relTo"), target),
        ox.Triple(node, ox.NamedNode(f"{CG}allenRelation"), allen),
        ox.Triple(
            node,
            ox.NamedNode(f"{CG}certain"),
            ox.Literal("true" if relation.certain else "false", datatype=_BOOLEAN),
        ),
    ]
    if relation.certain:
        out.append(ox.Triple(source, allen, target))
    return out


__all__ = [
    "PAIRS",
    "Delta",
    "Scopes",
    "all_scopes",
    "direct_facts",
    "everything",
    "node_iri",
    "pairs_made_by",
    "recompute",
    "scopes_of",
    "triples",
]
