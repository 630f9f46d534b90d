"""All Cypher text of the property-graph backends: constants and small builders.

Values always travel as `$params`. Labels, relationship types and property names cannot be
parameters, so the builders take them only from closed allow-lists (the ontology's class names
and upper-snake property names) or check them against a strict identifier pattern, and raise
`ValueError` otherwise. Data statements are shared by FalkorDB and Neo4j; only the schema
statements differ per engine.

Dates travel as ISO strings and become native dates in Cypher (`date(row.dates.earliest)`):
the FalkorDB Python client cannot send date parameters (it would splice `2006-12-11` unquoted
into its parameter header), and the same statement then serves both engines.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from functools import cache
from typing import Final

from graph.temporal import RELATIONS
from ontology.vocab import CLASSES, OBJECT_PROPERTIES, upper_snake

ROOT_LABEL: Final = "Entity"

_LABEL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_REL_TYPE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
_PROPERTY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

ALLEN_RELATIONS: Final = RELATIONS
"""The OWL-Time relations the projection writes between dated events."""


@cache
def ontology_labels() -> frozenset[str]:
    """The default label allow-list: every casegraph class name."""
    return frozenset(CLASSES)


@cache
def ontology_rel_types() -> frozenset[str]:
    """The default relationship-type allow-list: object properties and Allen relations."""
    return frozenset(upper_snake(p) for p in (*OBJECT_PROPERTIES, *ALLEN_RELATIONS))


def check_labels(labels: Iterable[str], allowed: Collection[str]) -> tuple[str, ...]:
    """The labels, each checked against `allowed`; `ValueError` names the first bad one."""
    out = tuple(labels)
    for label in out:
        if label not in allowed or not _LABEL.match(label):
            raise ValueError(f"label {label!r} is not in the ontology's list of classes")
    return out


def check_rel_type(rel_type: str, allowed: Collection[str]) -> str:
    """The relationship type, checked against `allowed` and the upper-snake pattern."""
    if rel_type not in allowed or not _REL_TYPE.match(rel_type):
        raise ValueError(f"relationship type {rel_type!r} is not an allowed ontology property")
    return rel_type


def check_property(name: str) -> str:
    """A property name safe to write into Cypher text (letters, digits, `_`)."""
    if not _PROPERTY.match(name):
        raise ValueError(f"property name {name!r} is not a plain identifier")
    return name


def _set_dates(var: str, date_props: Sequence[str], date_lists: Sequence[str]) -> str:
    parts = [f"{var}.{check_property(p)} = date(row.dates.{p})" for p in date_props]
    parts += [f"{var}.{check_property(p)} = [d IN row.dates.{p} | date(d)]" for p in date_lists]
    return f" SET {', '.join(parts)}" if parts else ""


def upsert_nodes(
    labels: Sequence[str],
    allowed: Collection[str],
    date_props: Sequence[str] = (),
    date_lists: Sequence[str] = (),
) -> str:
    """MERGE a batch of nodes by id, add their properties and set their labels.

    Rows: `{"id": str, "props": {...}, "dates": {name: iso or [iso, ...]}}`; every row of the
    batch has the same labels and the same date properties.
    """
    extra = [label for label in check_labels(labels, allowed) if label != ROOT_LABEL]
    set_labels = f" SET n:{':'.join(extra)}" if extra else ""
    return (
        f"UNWIND $rows AS row MERGE (n:{ROOT_LABEL} {{id: row.id}}) SET n += row.props"
        f"{set_labels}{_set_dates('n', date_props, date_lists)}"
    )


def upsert_relationships(
    rel_type: str,
    allowed: Collection[str],
    date_props: Sequence[str] = (),
    date_lists: Sequence[str] = (),
) -> str:
    """MERGE a batch of relationships of one type by (source, target, key).

    Rows: `{"source": id, "target": id, "key": str, "props": {...}, "dates": {...}}`.
    A row whose endpoints do not exist writes nothing.
    """
    t = check_rel_type(rel_type, allowed)
    return (
        f"UNWIND $rows AS row MATCH (a:{ROOT_LABEL} {{id: row.source}}) "
        f"MATCH (b:{ROOT_LABEL} {{id: row.target}}) "
        f"MERGE (a)-[r:{t} {{key: row.key}}]->(b) SET r += row.props"
        f"{_set_dates('r', date_props, date_lists)}"
    )


NEO4J_UPSERT_NODES: Final = (
    f"UNWIND $rows AS row MERGE (n:{ROOT_LABEL} {{id: row[0]}}) SET n += row[2], n:$(row[1])"
)
"""Neo4j 5.26+: `upsert_nodes` for every label set at once, with dynamic labels.

Rows: `[id, [labels checked against the allow-list], {properties, dates as native dates}]`.
One statement for all label sets means one query plan: a first incremental sync after a
server start planned one statement per label set and date signature (50-150 ms each)."""

NEO4J_UPSERT_RELATIONSHIPS: Final = (
    f"UNWIND $rows AS row MATCH (a:{ROOT_LABEL} {{id: row[0]}}) "
    f"MATCH (b:{ROOT_LABEL} {{id: row[1]}}) "
    "MERGE (a)-[r:$(row[2]) {key: row[3]}]->(b) SET r += row[4]"
)
"""Neo4j 5.26+: `upsert_relationships` for every type at once, with a dynamic type.

Rows: `[source, target, type checked against the allow-list, key, {properties}]`."""


def create_nodes(labels: Sequence[str], allowed: Collection[str]) -> str:
    """Bulk path (an empty graph): CREATE a batch of nodes that have the same labels.

    Rows are the property maps themselves, `id` included and dates as native values (Neo4j's
    driver sends `datetime.date` as a date). Returns one row, the new nodes' internal ids in row
    order (`UNWIND` then `CREATE` streams row by row), for `create_relationships`: one list
    decodes far faster in the driver than a record per node.
    """
    checked = check_labels(labels, allowed)
    return (
        f"UNWIND $rows AS row CREATE (n:{':'.join(checked)}) SET n = row "
        "RETURN collect(id(n)) AS ids"
    )


def create_relationships(rel_type: str, allowed: Collection[str]) -> str:
    """Bulk path (an empty graph): CREATE a batch of relationships of one type.

    Rows are lists, `[source, target, key, {other properties}]` (a list packs faster than a
    map with the same keys on every row), with the endpoints as the internal ids that
    `create_nodes` returned: a `NodeByIdSeek` each, where a lookup by `id` property would take
    the uniqueness constraint's locking index seek (a fifth of the server's time) and needs
    the index during the load.
    """
    t = check_rel_type(rel_type, allowed)
    return (
        "UNWIND $rows AS row MATCH (a) WHERE id(a) = row[0] MATCH (b) WHERE id(b) = row[1] "
        f"CREATE (a)-[r:{t}]->(b) SET r = row[3], r.key = row[2]"
    )


def _to_dates(var: str, date_props: Sequence[str], date_lists: Sequence[str]) -> str:
    parts = [f"{var}.{check_property(p)} = date({var}.{p})" for p in date_props]
    parts += [f"{var}.{check_property(p)} = [d IN {var}.{p} | date(d)]" for p in date_lists]
    if not parts:
        raise ValueError("no date properties to convert")
    return ", ".join(parts)


def falkordb_node_dates(date_props: Sequence[str], date_lists: Sequence[str]) -> str:
    """FalkorDB after GRAPH.BULK (which has no date type): ISO strings to dates, by id range.

    Params: `low`, `high` (internal node ids, `high` excluded); plans as `NodeByIdSeek`.
    """
    return (
        "MATCH (n) WHERE id(n) >= $low AND id(n) < $high "
        f"SET {_to_dates('n', date_props, date_lists)}"
    )


def falkordb_relationship_dates(
    rel_type: str, allowed: Collection[str], date_props: Sequence[str], date_lists: Sequence[str]
) -> str:
    """`falkordb_node_dates` for relationships of one type (a scan of that type)."""
    t = check_rel_type(rel_type, allowed)
    return (
        f"MATCH ()-[r:{t}]->() WHERE id(r) >= $low AND id(r) < $high "
        f"SET {_to_dates('r', date_props, date_lists)}"
    )


DELETE_NODES: Final = (
    f"UNWIND $ids AS id MATCH (n:{ROOT_LABEL} {{id: id}}) DETACH DELETE n RETURN count(*) AS n"
)
"""Remove nodes (and their relationships) by id. Param: `ids`."""


def delete_relationships(rel_type: str, allowed: Collection[str]) -> str:
    """Remove relationships of one type by (source, target, key). Param: `rows`."""
    t = check_rel_type(rel_type, allowed)
    return (
        f"UNWIND $rows AS row MATCH (a:{ROOT_LABEL} {{id: row.source}})"
        f"-[r:{t} {{key: row.key}}]->(b:{ROOT_LABEL} {{id: row.target}}) "
        "DELETE r RETURN count(*) AS n"
    )


NODE_INTERNAL_IDS: Final = "MATCH (n) RETURN collect(id(n)) AS ids"
"""Neo4j: the internal ids of every node (the old graph a bulk load replaces)."""

DELETE_BY_INTERNAL_ID: Final = (
    "UNWIND $ids AS i MATCH (n) WHERE id(n) = i DETACH DELETE n RETURN count(*) AS n"
)
"""Neo4j: delete nodes (and their relationships) by internal id. Param: `ids`."""

CLEAR_BATCH: Final = "MATCH (n) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS n"
"""Delete up to `$limit` nodes; repeat until it returns 0 (bounded transactions)."""

COUNT_LABELS: Final = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n"

SYNC_LABEL: Final = "CasegraphSync"
"""The label of the one node that records which version of the store an engine holds (never
counted as data; FalkorDB keeps the marker in a Redis key instead)."""
SYNC_MARKER_READ: Final = (
    "MATCH (m:CasegraphSync {key: $key}) RETURN m.version AS version, m.state AS state, "
    "m.store AS store"
)
SYNC_MARKER_WRITE: Final = (
    "MERGE (m:CasegraphSync {key: $key}) SET m.version = $version, m.state = $state, "
    "m.store = $store RETURN 1"
)
COUNT_TYPES: Final = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n"

NODE_IDS_BY_INTERNAL_ID: Final = (
    "MATCH (n) WHERE id(n) IN $ids RETURN id(n) AS internal, n.id AS id"
)
"""FalkorDB: map internal node ids (relationship endpoints) to casegraph ids."""

NODE_IDS_BY_ELEMENT_ID: Final = (
    "MATCH (n) WHERE elementId(n) IN $ids RETURN elementId(n) AS internal, n.id AS id"
)
"""Neo4j: map element ids (relationship endpoints) to casegraph ids."""

# -- schema ---------------------------------------------------------------------------------------

NEO4J_SCHEMA: Final = (
    "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX entity_type IF NOT EXISTS FOR (n:Entity) ON (n.type)",
    "CREATE INDEX event_earliest IF NOT EXISTS FOR (n:Event) ON (n.earliest)",
    "CREATE INDEX event_latest IF NOT EXISTS FOR (n:Event) ON (n.latest)",
)
"""Neo4j 5: the uniqueness constraint brings its own index on Entity(id)."""

NEO4J_DROP_SCHEMA: Final = (
    "DROP CONSTRAINT entity_id IF EXISTS",
    "DROP INDEX entity_type IF EXISTS",
    "DROP INDEX event_earliest IF EXISTS",
    "DROP INDEX event_latest IF EXISTS",
)
"""Neo4j: `NEO4J_SCHEMA` undone, before a bulk load (an index built once at the end costs less
than one kept up to date through every delete and create)."""

NEO4J_AWAIT_INDEXES: Final = "CALL db.awaitIndexes(300)"
"""Wait (up to 300 s) until new indexes are online, so the first writes use them."""

FALKORDB_INDEXES: Final = (
    "CREATE INDEX FOR (n:Entity) ON (n.id)",
    "CREATE INDEX FOR (n:Entity) ON (n.type)",
    "CREATE INDEX FOR (n:Event) ON (n.earliest)",
    "CREATE INDEX FOR (n:Event) ON (n.latest)",
)
"""FalkorDB range indexes; a second CREATE fails with "already indexed", which is ignored."""

FALKORDB_UNIQUE: Final = ((ROOT_LABEL, "id"),)
"""FalkorDB unique constraints (`GRAPH.CONSTRAINT CREATE ... UNIQUE`, needs the index first)."""

FALKORDB_ALREADY: Final = ("already indexed", "already exists")
"""Error texts FalkorDB gives for schema that is already there."""

__all__ = [
    "ALLEN_RELATIONS",
    "CLEAR_BATCH",
    "COUNT_LABELS",
    "COUNT_TYPES",
    "DELETE_BY_INTERNAL_ID",
    "DELETE_NODES",
    "FALKORDB_ALREADY",
    "FALKORDB_INDEXES",
    "FALKORDB_UNIQUE",
    "NEO4J_AWAIT_INDEXES",
    "NEO4J_DROP_SCHEMA",
    "NEO4J_SCHEMA",
    "NEO4J_UPSERT_NODES",
    "NEO4J_UPSERT_RELATIONSHIPS",
    "NODE_IDS_BY_ELEMENT_ID",
    "NODE_IDS_BY_INTERNAL_ID",
    "NODE_INTERNAL_IDS",
    "ROOT_LABEL",
    "SYNC_LABEL",
    "SYNC_MARKER_READ",
    "SYNC_MARKER_WRITE",
    "check_labels",
    "check_property",
    "check_rel_type",
    "create_nodes",
    "create_relationships",
    "delete_relationships",
    "falkordb_node_dates",
    "falkordb_relationship_dates",
    "ontology_labels",
    "ontology_rel_types",
    "upsert_nodes",
    "upsert_relationships",
]
