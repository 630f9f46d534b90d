"""Statements about entities, as the read model keeps them: per subject, per graph, as plain data.

A *fact* is one statement with its subject left out: `(predicate, kind, value, extra)` where
`kind` is `i` (IRI object), `b` (blank node) or `l` (literal); for a literal `extra` is its
datatype IRI, or `@` and its language tag ("" for `xsd:string`). Facts are grouped by subject
and by the graph that states them, so that a graph's contribution can be taken out again.
Only subjects under `cgid:` are kept: they are the entities, link steps and temporal relation
nodes that every surface reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from ontology.namespaces import CGID, RDF, XSD

type Fact = tuple[str, str, str, str]
type Facts = dict[str, list[Fact]]
"""Subject IRI -> its facts in one graph."""

_STRING = f"{XSD}string"
_LANG_STRING = f"{RDF}langString"
_TYPE = f"{RDF}type"


def fact_of(predicate: str, obj: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Fact:
    if isinstance(obj, ox.NamedNode):
        return (predicate, "i", obj.value, "")
    if isinstance(obj, ox.Literal):
        if obj.language:
            return (predicate, "l", obj.value, f"@{obj.language}")
        datatype = obj.datatype.value
        return (predicate, "l", obj.value, "" if datatype == _STRING else datatype)
    if isinstance(obj, ox.BlankNode):
        return (predicate, "b", obj.value, "")
    return (predicate, "b", str(obj), "")


def term_of(fact: Fact) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph object of a fact."""
    _predicate, kind, value, extra = fact
    if kind == "i":
        return ox.NamedNode(value)
    if kind == "b":
        return ox.BlankNode(value) if value.isalnum() else ox.BlankNode()
    if extra.startswith("@"):
        return ox.Literal(value, language=extra[1:])
    return ox.Literal(value, datatype=ox.NamedNode(extra or _STRING))


def group(triples: Iterable[ox.Triple | ox.Quad]) -> Facts:
    """The facts of `cgid:` subjects among `triples`, by subject (duplicates dropped)."""
    out: dict[str, dict[Fact, None]] = defaultdict(dict)
    prefix = CGID
    for triple in triples:
        subject = triple.subject
        if not isinstance(subject, ox.NamedNode):
            continue
        iri = subject.value
        if not iri.startswith(prefix):
            continue
        out[iri][fact_of(triple.predicate.value, triple.object)] = None
    return {iri: list(facts) for iri, facts in out.items()}


@dataclass(slots=True)
class Merged:
    """Everything the graphs state about one subject, and which graphs state it."""

    iri: str
    by_graph: Mapping[str, Sequence[Fact]]
    facts: list[Fact] = field(default_factory=list)

    @classmethod
    def of(cls, iri: str, by_graph: Mapping[str, Sequence[Fact]]) -> Merged:
        seen: dict[Fact, None] = {}
        for graph in sorted(by_graph):
            for fact in by_graph[graph]:
                seen[tuple(fact)] = None  # type: ignore[index]
        return cls(iri, by_graph, list(seen))

    def values(self, predicate: str) -> Iterator[Fact]:
        return (f for f in self.facts if f[0] == predicate)

    def iris(self, predicate: str) -> list[str]:
        return [f[2] for f in self.facts if f[0] == predicate and f[1] == "i"]

    def types(self) -> set[str]:
        return {f[2] for f in self.facts if f[0] == _TYPE and f[1] == "i"}

    def restricted(self, graphs: Iterable[str]) -> list[Fact]:
        """The facts stated in the given graphs only (duplicates dropped)."""
        seen: dict[Fact, None] = {}
        for graph in sorted(set(graphs)):
            for fact in self.by_graph.get(graph, ()):
                seen[tuple(fact)] = None  # type: ignore[index]
        return list(seen)


__all__ = ["Fact", "Facts", "Merged", "fact_of", "group", "term_of"]
