"""Node positions computed in Python for graphs too big for in-browser physics.

vis-network's physics is fine for a few hundred nodes but takes minutes (and freezes the tab)
for tens of thousands; igraph's grid Fruchterman-Reingold lays out 20k nodes in about a second.
(DrL gives nicer clusters but took ~90 s at 20k nodes on a 2-core machine.)
"""

from __future__ import annotations

import math
import random

import igraph

from graph.records import Projection

#: Average distance, in vis-network canvas units, between neighbouring nodes after scaling.
NODE_SPACING = 60.0


def compute_layout(
    projection: Projection, *, seed: int = 0, iterations: int | None = None
) -> dict[str, tuple[float, float]]:
    """Positions `{node id: (x, y)}` for every node, centred on 0 and scaled to the node count.

    `iterations` defaults to 300, fewer above 5,000 nodes (about 75 at 20k) to keep the time
    near two seconds. Relationships whose ends are not both in the projection are ignored;
    parallel edges are collapsed (they add no information to the layout).
    """
    ids = [node.id for node in projection.nodes]
    if not ids:
        return {}
    index = {node_id: i for i, node_id in enumerate(ids)}
    edges: set[tuple[int, int]] = set()
    for rel in projection.relationships:
        a = index.get(rel.source)
        b = index.get(rel.target)
        if a is None or b is None or a == b:
            continue
        edges.add((a, b) if a < b else (b, a))
    g = igraph.Graph(n=len(ids), edges=sorted(edges))
    # A seeded start layout makes the picture the same for the same projection.
    rng = random.Random(seed)
    side = math.sqrt(len(ids))
    start = [[rng.uniform(-side, side), rng.uniform(-side, side)] for _ in ids]
    if iterations is None:
        iterations = max(50, min(300, 300 * 5000 // len(ids)))
    # igraph draws its jitter from a process-wide generator: lend it a seeded one meanwhile.
    igraph.set_random_number_generator(random.Random(seed))
    try:
        layout = g.layout_fruchterman_reingold(seed=start, niter=iterations, grid=len(ids) > 1000)
    finally:
        igraph.set_random_number_generator(random)
    coords: list[tuple[float, float]] = [(float(x), float(y)) for x, y in layout.coords]
    return dict(zip(ids, _scale(coords), strict=True))


def _scale(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Centre on 0 and stretch so that the box side is about `sqrt(n) * NODE_SPACING`."""
    xs = [x for x, _ in coords]
    ys = [y for _, y in coords]
    cx = (max(xs) + min(xs)) / 2
    cy = (max(ys) + min(ys)) / 2
    extent = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    factor = math.sqrt(len(coords)) * NODE_SPACING / extent
    return [(round((x - cx) * factor, 1), round((y - cy) * factor, 1)) for x, y in coords]
