"""Where the causal spine's nodes go: a layered drawing, causes left of their effects, with room
for every label.

The spine of a view is the few dozen nodes joined by claims and casebook links. Physics packs
them too tightly to read, so they are placed here: each weakly connected part is drawn in layers
(a node one layer right of its latest cause, sources pulled next to what they lead to), nodes of
a layer ordered to cross few edges (barycentre sweeps) and stacked with room for their labels,
layers spaced so that the widest label of each and the edge labels between them fit; the parts
are then packed in rows, the largest first, into a box about `aspect` times as wide as high.

Sizes are in vis-network canvas units (pixels at zoom 1). `label_box` estimates how vis wraps a
label at `widthConstraint.maximum`; the page script checks the result and hides an edge label that
would still collide (`graph.views.static.graph.js`, `declutter`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

#: Node and edge label fonts (px) and the width at which vis wraps a node label.
NODE_FONT: Final = 14
EDGE_FONT: Final = 12
LABEL_WRAP: Final = 180
_CHAR_W: Final = 0.53  # average glyph width of a sans-serif font, as a share of its size
_LINE_H: Final = 1.25

#: Space between a layer's labels and the next layer's, beyond what edge labels need.
LAYER_GAP: Final = 36.0
ROW_GAP: Final = 14.0
PART_GAP: Final = 64.0


@dataclass(frozen=True, slots=True)
class Box:
    """A node's footprint around its centre: its width and how far it reaches up and down."""

    width: float
    above: float
    below: float


def text_width(text: str, font: int) -> float:
    return len(text) * font * _CHAR_W


def label_box(text: str, *, font: int = NODE_FONT, wrap: float = LABEL_WRAP) -> tuple[float, float]:
    """(width, height) of a label wrapped at `wrap` pixels, word by word, as vis does."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", font) <= wrap:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if not lines:
        return 0.0, 0.0
    width = min(max(text_width(line, font) for line in lines), wrap)
    return width, len(lines) * font * _LINE_H


def node_box(label: str, *, size: float, inside: bool) -> Box:
    """The footprint of a node of radius `size` whose label is inside it or below it."""
    width, height = label_box(label)
    if inside:  # vis draws an ellipse as wide as its label plus its height, twice as high
        return Box(width + height, height, height)
    return Box(max(width, 2 * size), size, size + 4 + height)


def layered_layout(
    boxes: Mapping[str, Box],
    edges: Iterable[tuple[str, str, float]],
    *,
    aspect: float = 1.7,
) -> dict[str, tuple[float, float]]:
    """Positions for the nodes in `boxes`; `edges` are (cause, effect, width of its label)."""
    order = {node_id: i for i, node_id in enumerate(boxes)}
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    into: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for source, target, label_w in edges:
        if source in order and target in order and source != target:
            out[source].append((target, label_w))
            into[target].append((source, label_w))
    parts = _parts(list(boxes), out, into)
    drawn = [_draw_part(part, boxes, out, into, order) for part in parts]
    return _pack(drawn, aspect)


def _parts(
    ids: Sequence[str],
    out: Mapping[str, list[tuple[str, float]]],
    into: Mapping[str, list[tuple[str, float]]],
) -> list[list[str]]:
    """Weakly connected parts, the largest first (then in input order)."""
    seen: set[str] = set()
    parts: list[list[str]] = []
    for start in ids:
        if start in seen:
            continue
        seen.add(start)
        part, stack = [], [start]
        while stack:
            current = stack.pop()
            part.append(current)
            for other, _ in (*out.get(current, ()), *into.get(current, ())):
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        parts.append(part)
    position = {node_id: i for i, node_id in enumerate(ids)}
    for part in parts:
        part.sort(key=position.__getitem__)
    parts.sort(key=lambda p: (-len(p), position[p[0]]))
    return parts


@dataclass
class _Drawn:
    positions: dict[str, tuple[float, float]]
    width: float
    height: float


def _acyclic(
    part: Sequence[str], out: Mapping[str, list[tuple[str, float]]]
) -> dict[str, list[str]]:
    """The part's edges without the ones that close a cycle (depth-first back edges)."""
    members = set(part)
    state: dict[str, int] = {}
    kept: dict[str, list[str]] = defaultdict(list)
    for root in part:
        if root in state:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        state[root] = 1
        while stack:
            node, i = stack.pop()
            targets = [t for t, _ in out.get(node, ()) if t in members]
            if i < len(targets):
                stack.append((node, i + 1))
                target = targets[i]
                if state.get(target) == 1:
                    continue  # a back edge: dropped
                kept[node].append(target)
                if target not in state:
                    state[target] = 1
                    stack.append((target, 0))
            else:
                state[node] = 2
    return kept


def _layers(part: Sequence[str], dag: Mapping[str, list[str]]) -> dict[str, int]:
    """Longest-path layers, with sources moved right next to their nearest effect."""
    preds: dict[str, list[str]] = defaultdict(list)
    for source, targets in dag.items():
        for target in targets:
            preds[target].append(source)
    indegree = {n: len(set(preds[n])) for n in part}
    ready = [n for n in part if indegree[n] == 0]
    topo: list[str] = []
    while ready:
        node = ready.pop(0)
        topo.append(node)
        for target in dict.fromkeys(dag.get(node, ())):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    layer = dict.fromkeys(part, 0)
    for node in topo:
        for target in dag.get(node, ()):
            layer[target] = max(layer[target], layer[node] + 1)
    for node in reversed(topo):
        targets = dag.get(node, [])
        if not preds[node] and targets:
            layer[node] = min(layer[t] for t in targets) - 1
    return layer


def _draw_part(
    part: Sequence[str],
    boxes: Mapping[str, Box],
    out: Mapping[str, list[tuple[str, float]]],
    into: Mapping[str, list[tuple[str, float]]],
    order: Mapping[str, int],
) -> _Drawn:
    dag = _acyclic(part, out)
    layer = _layers(part, dag)
    count = max(layer.values()) + 1
    rows: list[list[str]] = [[] for _ in range(count)]
    for node in part:
        rows[layer[node]].append(node)
    neighbours: dict[str, list[str]] = defaultdict(list)
    for node in part:
        for other, _ in (*out.get(node, ()), *into.get(node, ())):
            if other != node:
                neighbours[node].append(other)
    for sweep in range(8):
        forward = sweep % 2 == 0
        for i in range(1, count) if forward else range(count - 2, -1, -1):
            ref = i - 1 if forward else i + 1
            rank = {n: k / max(1, len(rows[ref]) - 1) for k, n in enumerate(rows[ref])}
            current = {n: k / max(1, len(rows[i]) - 1) for k, n in enumerate(rows[i])}

            def centre(
                node: str, rank: dict[str, float] = rank, current: dict[str, float] = current
            ) -> float:
                linked = [rank[o] for o in neighbours[node] if o in rank]
                return sum(linked) / len(linked) if linked else current[node]

            rows[i].sort(key=lambda n: (centre(n), order[n]))
    # x: layers spaced by their widest labels and the widest edge label crossing the gap
    gaps = [0.0] * max(0, count - 1)
    for node in part:
        for target, label_w in out.get(node, ()):
            a, b = layer[node], layer.get(target, layer[node])
            lo, hi = min(a, b), max(a, b)
            if hi > lo:
                middle = (lo + hi - 1) // 2
                gaps[middle] = max(gaps[middle], label_w)
    widths = [max((boxes[n].width for n in row), default=0.0) for row in rows]
    xs = [0.0] * count
    for i in range(1, count):
        xs[i] = xs[i - 1] + widths[i - 1] / 2 + gaps[i - 1] + LAYER_GAP + widths[i] / 2
    # y: each layer stacked with room for the labels, centred on 0
    positions: dict[str, tuple[float, float]] = {}
    top = bottom = 0.0
    for i, row in enumerate(rows):
        ys, cursor = [], 0.0
        for k, node in enumerate(row):
            box = boxes[node]
            cursor += box.above if k == 0 else boxes[row[k - 1]].below + ROW_GAP + box.above
            ys.append(cursor)
        if not row:
            continue
        shift = (ys[0] - boxes[row[0]].above + ys[-1] + boxes[row[-1]].below) / 2
        for node, y in zip(row, ys, strict=True):
            positions[node] = (xs[i], y - shift)
            top = min(top, y - shift - boxes[node].above)
            bottom = max(bottom, y - shift + boxes[node].below)
    left = -widths[0] / 2
    right = xs[-1] + widths[-1] / 2
    moved = {n: (x - left, y - top) for n, (x, y) in positions.items()}
    return _Drawn(moved, right - left, bottom - top)


def _pack(drawn: Sequence[_Drawn], aspect: float) -> dict[str, tuple[float, float]]:
    """Rows of parts, left to right, the first row holding the largest part; of the row widths
    tried, the one whose drawing fits a box of `aspect` at the largest scale."""
    if not drawn:
        return {}
    widest = max(d.width for d in drawn)
    total = sum(d.width + PART_GAP for d in drawn)
    tries = sorted({widest, total, *(widest * k / 4 for k in range(4, 4 * len(drawn) + 1))})
    best: tuple[float, dict[str, tuple[float, float]]] | None = None
    for target in (t for t in tries if t <= total):
        positions, width, height = _rows(drawn, target)
        need = max(width / aspect, height)
        if best is None or need < best[0] - 1e-6:
            best = (need, _centred(positions, width, height))
    assert best is not None
    return best[1]


def _centred(
    positions: Mapping[str, tuple[float, float]], width: float, height: float
) -> dict[str, tuple[float, float]]:
    """Centred on 0 (where the browser's physics pulls the nodes it places later)."""
    dx, dy = width / 2, height / 2
    return {n: (round(x - dx, 1), round(y - dy, 1)) for n, (x, y) in positions.items()}


def _rows(
    drawn: Sequence[_Drawn], target: float
) -> tuple[dict[str, tuple[float, float]], float, float]:
    """First fit: each part (largest first) goes in the first row with room for it."""
    rows: list[list[_Drawn]] = []
    widths: list[float] = []
    for part in drawn:
        for i, used in enumerate(widths):
            if used + PART_GAP + part.width <= target:
                rows[i].append(part)
                widths[i] = used + PART_GAP + part.width
                break
        else:
            rows.append([part])
            widths.append(part.width)
    positions: dict[str, tuple[float, float]] = {}
    y = 0.0
    for row in rows:
        x = 0.0
        for part in row:
            for node, (px, py) in part.positions.items():
                positions[node] = (round(x + px, 1), round(y + py, 1))
            x += part.width + PART_GAP
        y += max(p.height for p in row) + PART_GAP
    return positions, max(widths), y - PART_GAP


__all__ = [
    "EDGE_FONT",
    "LABEL_WRAP",
    "NODE_FONT",
    "Box",
    "label_box",
    "layered_layout",
    "node_box",
    "text_width",
]
