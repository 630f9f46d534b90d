"""Derived statements, recomputed from the registered graphs after every load.

- the direct causal edge `cause <relation> effect` of every claim, and `from <relation> to` of
  every link step, so that paths are easy to query;
- the class closure: `rdf:type` for every superclass the ontology gives;
- OWL-Time interval relations between dated events (see `graph.temporal`), each also as a
  `cg:TemporalRelation` node saying whether it is certain.

The result is one graph of kind `derived`, swapped in atomically like any document graph.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

import pyoxigraph as ox

from graph.store import Change, Store
from graph.temporal import Bounds, Relation, relate_all
from ontology.namespaces import CG, CGID, RDF, TIME

DERIVED_NAME = "derived"
DERIVATION_VERSION = "1"

_TYPE = ox.NamedNode(f"{RDF}type")

CAUSAL_EDGES = """
SELECT DISTINCT ?cause ?relation ?effect WHERE {
  ?claim cg:cause ?cause ; cg:effect ?effect ; cg:relation ?relation .
}
"""

LINK_EDGES = """
SELECT DISTINCT ?from ?relation ?to WHERE {
  ?link cg:linkRelation ?relation ; cg:step ?step .
  ?step cg:from ?from ; cg:to ?to .
}
"""

CLASS_CLOSURE = """
SELECT DISTINCT ?s ?super WHERE {
  ?s a ?class .
  ?class rdfs:subClassOf+ ?super .
  FILTER(isIRI(?super))
}
"""

DATED_EVENTS = """
SELECT ?e ?earliest ?startLatest ?endEarliest ?latest ?uncertain WHERE {
  ?e a ?class ; cg:earliest ?earliest .
  ?class rdfs:subClassOf* cg:Event .
  OPTIONAL { ?e cg:startLatest ?startLatest }
  OPTIONAL { ?e cg:endEarliest ?endEarliest }
  OPTIONAL { ?e cg:latest ?latest }
  OPTIONAL { ?e cg:uncertain ?uncertain }
}
"""

RELATED_PAIRS = """
SELECT DISTINCT ?a ?b WHERE {
  { ?claim cg:cause ?a ; cg:effect ?b }
  UNION { ?step cg:from ?a ; cg:to ?b }
  UNION { ?a cg:partOf ?b }
}
"""

CASE_MEMBERS = """
SELECT ?case ?e WHERE { ?e cg:inCase ?case }
"""


def _date(term: ox.Literal | None) -> dt.date | None:
    return dt.date.fromisoformat(term.value) if term is not None else None


def _rows(store: Store, query: str) -> Iterator[ox.QuerySolution]:
    yield from store.select(query)


def _event_bounds(store: Store) -> dict[str, Bounds]:
    bounds: dict[str, Bounds] = {}
    for row in _rows(store, DATED_EVENTS):
        iri = row["e"].value
        if iri in bounds:
            continue
        uncertain = row["uncertain"]
        bounds[iri] = Bounds(
            id=iri,
            earliest=_date(row["earliest"]),
            start_latest=_date(row["startLatest"]),
            end_earliest=_date(row["endEarliest"]),
            latest=_date(row["latest"]),
            uncertain=uncertain is not None and uncertain.value == "true",
        )
    return bounds


def temporal_relations(store: Store) -> list[Relation]:
    """Allen relations between events related by a claim, a link or part-of, and within a case.

    Within a case, `relate_all` keeps "certainly before" to a transitive reduction (consecutive
    events only) and relates in full only events whose dates may overlap, so a case of n events
    yields about n relations, not n squared; across cases nothing is related unless a claim,
    link or part-of connects the two events.
    """
    bounds = _event_bounds(store)
    pairs = {
        (row["a"].value, row["b"].value)
        for row in _rows(store, RELATED_PAIRS)
        if row["a"].value in bounds and row["b"].value in bounds and row["a"] != row["b"]
    }
    relations = {
        (r.source, r.target, r.relation): r
        for r in relate_all(list(bounds.values()), pairs=sorted(pairs))
    }
    members: dict[str, list[Bounds]] = {}
    for row in _rows(store, CASE_MEMBERS):
        event = bounds.get(row["e"].value)
        if event is not None:
            members.setdefault(row["case"].value, []).append(event)
    for case in sorted(members):
        for relation in relate_all(sorted(members[case], key=lambda b: b.id)):
            relations.setdefault((relation.source, relation.target, relation.relation), relation)
    return [relations[key] for key in sorted(relations)]


def derived_triples(store: Store) -> Iterator[ox.Triple]:
    """Every derived triple, computed from the registered graphs."""
    for row in _rows(store, CAUSAL_EDGES):
        yield ox.Triple(row["cause"], row["relation"], row["effect"])
    for row in _rows(store, LINK_EDGES):
        yield ox.Triple(row["from"], row["relation"], row["to"])
    for row in _rows(store, CLASS_CLOSURE):
        yield ox.Triple(row["s"], _TYPE, row["super"])
    for index, relation in enumerate(temporal_relations(store)):
        source, target = ox.NamedNode(relation.source), ox.NamedNode(relation.target)
        allen = ox.NamedNode(f"{TIME}{relation.relation}")
        if relation.certain:
            yield ox.Triple(source, allen, target)
        node = ox.NamedNode(f"{CGID}temporal/{_short(relation.source, relation.target)}-{index}")
        yield ox.Triple(node, _TYPE, ox.NamedNode(f"{CG}TemporalRelation"))
        yield ox.Triple(node, ox.NamedNode(f"{CG}relFrom"), source)
        yield ox.Triple(node, ox.NamedNode(f"{CG}relTo"), target)
        yield ox.Triple(node, ox.NamedNode(f"{CG}allenRelation"), allen)
        yield ox.Triple(
            node,
            ox.NamedNode(f"{CG}certain"),
            ox.Literal("true" if relation.certain else "false", datatype=_BOOLEAN),
        )


_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")


def _short(a: str, b: str) -> str:
    return hashlib.sha1(f"{a}|{b}".encode(), usedforsecurity=False).hexdigest()[:12]


def rederive(store: Store) -> Change:
    """Recompute the derived graph if the registered inputs changed since it was computed."""
    inputs = sorted(doc.graph for doc in store.documents() if doc.kind != DERIVED_NAME)
    sha = hashlib.sha256("\n".join([DERIVATION_VERSION, *inputs]).encode()).hexdigest()
    if store.is_current(DERIVED_NAME, sha, "derive"):
        current = store.document(DERIVED_NAME)
        assert current is not None
        return Change(DERIVED_NAME, current.graph, 0, 0, unchanged=True)
    # Derive from the inputs only: hide the stale derived graph while computing.
    return store.commit(
        name=DERIVED_NAME,
        kind=DERIVED_NAME,
        loader="derive",
        sha256=sha,
        source="",
        triples=list(_without_derived(store)),
    )


def _without_derived(store: Store) -> Iterator[ox.Triple]:
    with store.hidden(DERIVED_NAME):
        yield from derived_triples(store)
