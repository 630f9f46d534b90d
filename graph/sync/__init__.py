"""Keep a Cypher engine equal to the read model's property graph, writing only what changed.

The read model keeps the projected nodes and relationships (`node`, `rel`) and logs, for every
node id and relationship key, the store version that last changed it (`pg_change`). Each
engine's row in the `engine` table says up to which version it is synced. A sync then:

- incremental: takes the keys changed since that version; deletes the relationships that are
  gone, deletes (detaching) every changed node, writes the changed nodes that still exist and
  every relationship that changed or touches a rewritten node. Replaying it is harmless, so a
  sync killed half-way is repaired by the next one (its version was not advanced).
- full (`full=True`, a first sync, or an engine marked dirty): marks the engine dirty, clears
  it, writes every node then every relationship in batches, and marks it clean at the version.
  A full sync killed half-way leaves the engine dirty, so the next sync is full again.

`check` compares the engine with the read model: node counts per label, relationship counts
per type, and a fixed sample of nodes.
"""

from graph.sync.apply import FULL_RATIO, SyncReport, sync
from graph.sync.source import (
    BATCH,
    SyncTarget,
    backend_name,
    iter_nodes,
    iter_relationships,
    projection,
)
from graph.sync.verify import (
    SAMPLE_NODES,
    SAMPLE_SIZE,
    CheckReport,
    Drift,
    check,
    expected_counts,
    sample_ids,
)

__all__ = [
    "BATCH",
    "FULL_RATIO",
    "SAMPLE_NODES",
    "SAMPLE_SIZE",
    "CheckReport",
    "Drift",
    "SyncReport",
    "SyncTarget",
    "backend_name",
    "check",
    "expected_counts",
    "iter_nodes",
    "iter_relationships",
    "projection",
    "sample_ids",
    "sync",
]
