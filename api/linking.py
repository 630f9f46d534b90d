"""Entity linking over the store: records from datasets matched to the curated entities.

The matching rules are `graph.linking`'s (Wikidata QID first, then a normalised label or alias
within a compatible type; ambiguous matches are reported and left unmerged). This module reads
the entries from the store, and keeps the links as one document graph, `entity-links`, of
`owl:sameAs` statements, recomputed after every load of a dataset.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import pyoxigraph as ox

from graph.linking import Entry, LinkResult, link
from graph.store import Change, Store
from ontology.namespaces import CG, CGG, CGID, RDFS, SKOS

LINKS_NAME = "entity-links"
CURATED_LOADERS = frozenset({"case-yaml", "rdf"})
"""Documents whose entities others are linked to; every other loader's entities are linked."""

ENTRIES = f"""
SELECT ?s ?class ?label ?match ?loader WHERE {{
  GRAPH ?g {{
    ?s a ?class .
    OPTIONAL {{ ?s <{RDFS}label>|<{SKOS}altLabel> ?label }}
    OPTIONAL {{ ?s <{SKOS}exactMatch> ?match }}
  }}
  GRAPH <{CGG}meta> {{ ?g cg:loader ?loader }}
  FILTER(STRSTARTS(STR(?s), "{CGID}") && STRSTARTS(STR(?class), "{CG}"))
}}
"""


def entries(store: Store) -> tuple[list[Entry], list[Entry]]:
    """(candidates from datasets, existing curated entities)."""
    classes: dict[str, str] = {}
    labels: dict[str, set[str]] = defaultdict(set)
    matches: dict[str, set[str]] = defaultdict(set)
    curated: dict[str, bool] = {}
    for row in store.select(ENTRIES):
        iri = row["s"].value
        classes.setdefault(iri, row["class"].value.removeprefix(CG))
        if row["label"] is not None:
            labels[iri].add(row["label"].value)
        if row["match"] is not None:
            matches[iri].add(row["match"].value)
        curated[iri] = curated.get(iri, False) or row["loader"].value in CURATED_LOADERS
    made = {
        iri: Entry(iri, kind, tuple(sorted(labels[iri])), tuple(sorted(matches[iri])))
        for iri, kind in classes.items()
    }
    candidates = [entry for iri, entry in sorted(made.items()) if not curated[iri]]
    existing = [entry for iri, entry in sorted(made.items()) if curated[iri]]
    return candidates, existing


def relink(store: Store) -> tuple[LinkResult, Change]:
    """Recompute the links and store them as the `entity-links` graph."""
    candidates, existing = entries(store)
    with store.hidden(LINKS_NAME):
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
    sha = hashlib.sha256(text.encode()).hexdigest()
    change = store.commit(
        name=LINKS_NAME,
        kind="doc",
        loader="link",
        sha256=sha,
        source="",
        triples=[*triples, *evidence],
    )
    return result, change
