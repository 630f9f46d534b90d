"""Counts over the dataset: instances per ontology class (with the class closure applied)."""

from __future__ import annotations

from graph.dataset import Dataset
from graph.queries import sparql
from ontology.namespaces import CG


def class_counts(store: Dataset) -> dict[str, int]:
    """`{"Event": 120, "MilitaryOperation": 3, ...}` (local names of `cg:` classes)."""
    return {
        row["class"].value.removeprefix(CG): int(row["n"].value)
        for row in store.select(sparql("class_counts"))
        if row["class"] is not None
    }
