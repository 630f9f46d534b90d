"""Entity linking inside a write: dataset records matched to the curated entities.

The matching rules are `graph.linking`'s (Wikidata QID first, then a normalised label or alias
within a compatible type; ambiguous matches are reported and left unmerged). The records are
read from the read model (each subject's classes, labels, aliases and `skos:exactMatch` per
graph, and the loader of that graph), and the links are kept as one document graph,
`entity-links`, of `owl:sameAs` statements, recomputed in the same write as the datasets.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import orjson
import pyoxigraph as ox

from graph.linking import Entry, LinkResult, link
from graph.pipeline import GraphChange, Session
from graph.store import doc_graph
from loaders.registry import CURATED_LOADERS
from ontology.namespaces import CG, RDF, RDFS, SKOS

LINKS_NAME = "entity-links"
_LABELS = {f"{RDFS}label", f"{SKOS}altLabel"}


def entries(session: Session) -> tuple[list[Entry], list[Entry]]:
    """(candidates from datasets, existing curated entities)."""
    loaders = {doc.graph: doc.loader for doc in session.writer.documents()}
    classes: dict[str, str] = {}
    labels: dict[str, set[str]] = defaultdict(set)
    matches: dict[str, set[str]] = defaultdict(set)
    curated: dict[str, bool] = {}
    for iri, data in session.conn.execute("SELECT iri, facts FROM subject ORDER BY iri"):
        for graph, items in sorted(orjson.loads(data).items()):
            loader = loaders.get(graph)
            if loader is None:
                continue
            typed = sorted(f[2] for f in items if f[0] == f"{RDF}type" and f[2].startswith(CG))
            if not typed:
                continue
            classes.setdefault(iri, typed[0].removeprefix(CG))
            labels[iri] |= {f[2] for f in items if f[0] in _LABELS and f[1] == "l"}
            matches[iri] |= {f[2] for f in items if f[0] == f"{SKOS}exactMatch"}
            curated[iri] = curated.get(iri, False) or loader in CURATED_LOADERS
    made = {
        iri: Entry(iri, kind, tuple(sorted(labels[iri])), tuple(sorted(matches[iri])))
        for iri, kind in classes.items()
    }
    candidates = [entry for iri, entry in sorted(made.items()) if not curated[iri]]
    existing = [entry for iri, entry in sorted(made.items()) if curated[iri]]
    return candidates, existing


def relink(session: Session) -> LinkResult:
    """Recompute the links and write them as the `entity-links` graph (in this write)."""
    session.settle()
    candidates, existing = entries(session)
    result = link(candidates, existing)
    triples = [
        ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)) for s, p, o in result.triples()
    ]
    evidence = [
        ox.Triple(
            ox.NamedNode(item.source), ox.NamedNode(f"{CG}linkEvidence"), ox.Literal(item.evidence)
        )
        for item in result.links
    ]
    text = "\n".join(sorted(str(t) for t in [*triples, *evidence]))
    session.replace(
        GraphChange(
            name=LINKS_NAME,
            graph=doc_graph(LINKS_NAME),
            kind="doc",
            loader="link",
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            triples=[*triples, *evidence],
        )
    )
    session.settle()
    return result


__all__ = ["LINKS_NAME", "entries", "relink"]
