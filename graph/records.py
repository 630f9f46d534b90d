"""The typed records that flow from the RDF store to the property-graph engines and networkx.

A `NodeRecord` is one entity with its labels (the class chain) and properties; a `RelRecord` is
one relationship between two node ids. Both engines (FalkorDB, Neo4j) and networkx are written
from these records and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

type Scalar = str | int | float | bool | dt.date
type PropertyValue = Scalar | Sequence[Scalar]


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """One node: `id` is the record slug (unique), `labels` start with `Entity`."""

    id: str
    labels: tuple[str, ...]
    properties: Mapping[str, PropertyValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RelRecord:
    """One relationship of `type` (an upper-snake ontology property name) between node ids.

    `key` tells apart several relationships of one type between the same two nodes (for
    example two claims with the same cause and effect); it is "" when there is only one.
    """

    type: str
    source: str
    target: str
    key: str = ""
    properties: Mapping[str, PropertyValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Projection:
    """A whole projected graph (or the part of it that one named graph contributes)."""

    nodes: tuple[NodeRecord, ...]
    relationships: tuple[RelRecord, ...]
