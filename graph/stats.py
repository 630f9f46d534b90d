"""Counts over the dataset: instances per ontology class (with the class closure applied)."""

from __future__ import annotations

from graph.store import Dataset
from ontology.namespaces import CG

CLASS_COUNTS = f"""
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s a ?class .
  FILTER(STRSTARTS(STR(?class), "{CG}"))
}} GROUP BY ?class ORDER BY DESC(?n) ?class
"""


def class_counts(store: Dataset) -> dict[str, int]:
    """`{"Event": 120, "MilitaryOperation": 3, ...}` (local names of `cg:` classes)."""
    return {
        row["class"].value.removeprefix(CG): int(row["n"].value)
        for row in store.select(CLASS_COUNTS)
        if row["class"] is not None
    }
