"""Derived statements: what each graph's own statements imply, and the temporal relations.

Per graph (kept in its derived graph, `cgg:derived/...`, replaced whenever the graph is):

- the class closure: `rdf:type` for every superclass the ontology gives (`rdfs:subClassOf+`,
  IRIs only) of every class a subject has in the graph;
- the direct causal edge `cause <relation> effect` of every claim whose cause, effect and
  relation the graph states, and `from <relation> to` of every step of a link it states,
  so that causal paths are plain property paths.

Across graphs (kept in `cgg:temporal`, changed by deltas; `graph.readmodel.temporal`): OWL-Time
interval relations between dated events within a case and between events that a claim, a link
step or `cg:partOf` connects, each also as a `cg:TemporalRelation` node saying whether it is
certain. Nothing here reads the whole store: a graph's derivation reads that graph, and the
temporal relations are recomputed for the cases and pairs a change touches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from graph.store import ONTOLOGY_GRAPH, Dataset
from ontology.namespaces import CG, RDF, RDFS

DERIVATION_VERSION = "2"

_TYPE = f"{RDF}type"
_SUBCLASS = f"{RDFS}subClassOf"
_CLAIM_PARTS = (f"{CG}cause", f"{CG}effect", f"{CG}relation")
_LINK_RELATION = f"{CG}linkRelation"
_STEP = f"{CG}step"
_FROM, _TO = f"{CG}from", f"{CG}to"
_LINK_PARTS = frozenset({_LINK_RELATION, _STEP, _FROM, _TO})

type Closure = Mapping[str, frozenset[str]]
"""Class IRI -> the IRIs of all its superclasses."""


def ontology_closure(dataset: Dataset) -> dict[str, frozenset[str]]:
    """Every class of the ontology graph with its superclasses (transitively, IRIs only)."""
    parents: dict[str, set[str]] = defaultdict(set)
    for triple in dataset.graph_triples(ONTOLOGY_GRAPH):
        if (
            triple.predicate.value == _SUBCLASS
            and isinstance(triple.subject, ox.NamedNode)
            and isinstance(triple.object, ox.NamedNode)
        ):
            parents[triple.subject.value].add(triple.object.value)
    closure: dict[str, frozenset[str]] = {}
    for cls in parents:
        seen: set[str] = set()
        todo = list(parents[cls])
        while todo:
            parent = todo.pop()
            if parent not in seen:
                seen.add(parent)
                todo.extend(parents.get(parent, ()))
        closure[cls] = frozenset(seen)
    return closure


class Deriver:
    """`derive` over a graph read in batches whose subjects do not straddle two batches (the
    bulk path reads a graph subject by subject): the class closure and the claim edges come
    with each batch; link steps, whose parts sit on other subjects, are kept (they are few)
    and give their edges at `finish`."""

    def __init__(self, closure: Closure) -> None:
        self.closure = closure
        self._links: dict[ox.NamedNode | ox.BlankNode, dict[str, list[ox.NamedNode]]] = defaultdict(
            lambda: defaultdict(list)
        )

    def feed(self, triples: Iterable[ox.Triple | ox.Quad]) -> set[ox.Triple]:
        types: dict[ox.NamedNode | ox.BlankNode, set[str]] = defaultdict(set)
        claims: dict[ox.NamedNode | ox.BlankNode, dict[str, list[ox.NamedNode]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for triple in triples:
            subject = triple.subject
            if not isinstance(subject, ox.NamedNode | ox.BlankNode):
                continue
            predicate, obj = triple.predicate.value, triple.object
            if not isinstance(obj, ox.NamedNode):
                continue
            if predicate == _TYPE:
                types[subject].add(obj.value)
            elif predicate in _CLAIM_PARTS:
                claims[subject][predicate].append(obj)
            elif predicate in _LINK_PARTS:
                self._links[subject][predicate].append(obj)
        out: set[ox.Triple] = set()
        rdf_type = ox.NamedNode(_TYPE)
        for subject, classes in types.items():
            for cls in classes:
                for parent in self.closure.get(cls, ()):
                    if parent not in classes:
                        out.add(ox.Triple(subject, rdf_type, ox.NamedNode(parent)))
        for props in claims.values():
            for relation in props.get(f"{CG}relation", ()):
                for cause in props.get(f"{CG}cause", ()):
                    for effect in props.get(f"{CG}effect", ()):
                        out.add(ox.Triple(cause, relation, effect))
        return out

    def finish(self) -> set[ox.Triple]:
        out: set[ox.Triple] = set()
        for props in self._links.values():
            for relation in props.get(_LINK_RELATION, ()):
                for step in props.get(_STEP, ()):
                    step_parts = self._links.get(step, {})
                    for origin in step_parts.get(_FROM, ()):
                        for target in step_parts.get(_TO, ()):
                            out.add(ox.Triple(origin, relation, target))
        self._links.clear()
        return out


def derive(triples: Iterable[ox.Triple | ox.Quad], closure: Closure) -> list[ox.Triple]:
    """What one graph's statements derive (see the module doc); sorted, without duplicates."""
    deriver = Deriver(closure)
    return sorted(deriver.feed(triples) | deriver.finish(), key=str)


__all__ = ["DERIVATION_VERSION", "Closure", "Deriver", "derive", "ontology_closure"]
