"""Allen's interval relations between dated events whose bounds are uncertain.

An event is a closed interval of whole days `[start, end]`, known only through its bounds:
`start` lies in `[earliest, start_latest]`, `end` in `[max(end_earliest, start), latest]`, and
`start <= end`. A missing `earliest` means the start may be arbitrarily early, a missing
`latest` that the end may be arbitrarily late (an open interval, `2024-07-25/..`).

Day convention. A closed day interval `[s, e]` is read as the time from the first instant of day
`s` to the last instant of day `e`, i.e. the half-open `[s, e + 1)` on the time line, and the
13 relations are Allen's (OWL-Time's) on that reading. On day numbers, for A and B:

    intervalBefore       A.e + 1 < B.s           (at least one whole day between them)
    intervalMeets        A.e + 1 == B.s          (B starts the day after A ends)
    intervalOverlaps     A.s < B.s <= A.e < B.e
    intervalStarts       A.s == B.s and A.e < B.e
    intervalDuring       B.s < A.s and A.e < B.e
    intervalFinishes     B.s < A.s and A.e == B.e
    intervalEquals       A.s == B.s and A.e == B.e

and the inverses (`intervalAfter`, `intervalMetBy`, `intervalOverlappedBy`, `intervalStartedBy`,
`intervalContains`, `intervalFinishedBy`) with A and B swapped. For exact intervals exactly one
relation holds. So an event on 2006-12-10 *meets* one on 2006-12-11, and is *before* one on
2006-12-12; two events on the same day are *equal*.

Certainty. A relation is CERTAIN if it holds for every admissible choice of endpoints and
POSSIBLE if it holds for some. Every relation is a conjunction of comparisons between one
endpoint of A and one of B; A's and B's endpoints vary independently, so certainty is exact
from the endpoint ranges. Possibility is decided exactly as well, as the feasibility of a small
system of difference constraints (the four endpoints, their bounds, `s <= e`, and the
relation's comparisons). An event flagged `uncertain` (EDTF `?`, `%`) never yields a certain
relation: what would be certain is reported as possible.

What `relate` reports. The one certain relation when there is one; otherwise every possible
relation, or nothing when all 13 are possible (the pair is unconstrained). The list of possible
relations is exact (a relation left out is impossible), so consumers can reason by exclusion;
that is why no relation is dropped for brevity. Inconsistent bounds (a start bound after the
end bound) give nothing.

What `relate_all` reports without `pairs`. Certainly-before relations are a partial order and
materialising it is quadratic (1,000 dated events in sequence give 500,000 pairs), so only a
transitive reduction is emitted: `A intervalBefore C` when no B is certainly after A and before
C. Every certainly-before pair is then reachable with the SPARQL property path
`time:intervalBefore+`. Pairs whose bounds do not put them apart (they may overlap, meet or
touch) are related in full with `relate`, found with a sweep over the events sorted by earliest
start, so the work is linear in the output. That output is still large when many events
overlap (an open-ended event may overlap everything after it); `graph.derive` therefore passes
`pairs`. Relations are emitted in one direction (from the event that starts earlier); OWL-Time
declares the inverses.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final, Literal

type Status = Literal["certain", "possible", "impossible"]

RELATIONS: Final = (
    "intervalBefore",
    "intervalAfter",
    "intervalMeets",
    "intervalMetBy",
    "intervalOverlaps",
    "intervalOverlappedBy",
    "intervalDuring",
    "intervalContains",
    "intervalStarts",
    "intervalStartedBy",
    "intervalFinishes",
    "intervalFinishedBy",
    "intervalEquals",
)
"""The 13 OWL-Time interval relations (local names in the `time:` namespace)."""

_INVERSE: Final = {
    RELATIONS[i]: RELATIONS[i + 1 - 2 * (i % 2)] for i in range(len(RELATIONS) - 1)
} | {"intervalEquals": "intervalEquals"}

_INF: Final = math.inf

# Endpoint indices: A.s, A.e, B.s, B.e (e is the last day, inclusive).
_AS, _AE, _BS, _BE = 0, 1, 2, 3

type _Comparison = tuple[int, int, float, float]
"""(x, y, low, high): low <= x - y <= high, x an endpoint of A and y one of B."""

_DEFINITIONS: Final[dict[str, tuple[_Comparison, ...]]] = {
    "intervalBefore": ((_AE, _BS, -_INF, -2),),
    "intervalAfter": ((_AS, _BE, 2, _INF),),
    "intervalMeets": ((_AE, _BS, -1, -1),),
    "intervalMetBy": ((_AS, _BE, 1, 1),),
    "intervalOverlaps": ((_AS, _BS, -_INF, -1), (_AE, _BS, 0, _INF), (_AE, _BE, -_INF, -1)),
    "intervalOverlappedBy": ((_AS, _BS, 1, _INF), (_AS, _BE, -_INF, 0), (_AE, _BE, 1, _INF)),
    "intervalDuring": ((_AS, _BS, 1, _INF), (_AE, _BE, -_INF, -1)),
    "intervalContains": ((_AS, _BS, -_INF, -1), (_AE, _BE, 1, _INF)),
    "intervalStarts": ((_AS, _BS, 0, 0), (_AE, _BE, -_INF, -1)),
    "intervalStartedBy": ((_AS, _BS, 0, 0), (_AE, _BE, 1, _INF)),
    "intervalFinishes": ((_AS, _BS, 1, _INF), (_AE, _BE, 0, 0)),
    "intervalFinishedBy": ((_AS, _BS, -_INF, -1), (_AE, _BE, 0, 0)),
    "intervalEquals": ((_AS, _BS, 0, 0), (_AE, _BE, 0, 0)),
}


@dataclass(frozen=True, slots=True)
class Bounds:
    """One dated event: the bounds of its start and end (see the module docstring)."""

    id: str
    earliest: dt.date | None = None
    start_latest: dt.date | None = None
    end_earliest: dt.date | None = None
    latest: dt.date | None = None
    uncertain: bool = False


@dataclass(frozen=True, slots=True)
class Relation:
    """`source <relation> target`, certain or only possible."""

    source: str
    target: str
    relation: str
    certain: bool


@dataclass(frozen=True, slots=True)
class _Span:
    """Exact ranges of the start and end day numbers (±inf where unbounded)."""

    s_lo: float
    s_hi: float
    e_lo: float
    e_hi: float

    @property
    def consistent(self) -> bool:
        return self.s_lo <= self.s_hi and self.e_lo <= self.e_hi


def _day(value: dt.date | None, default: float) -> float:
    return float(value.toordinal()) if value is not None else default


def _span(bounds: Bounds) -> _Span:
    s_lo = _day(bounds.earliest, -_INF)
    e_hi = _day(bounds.latest, _INF)
    s_hi = min(_day(bounds.start_latest, _INF), e_hi)
    e_lo = max(_day(bounds.end_earliest, -_INF), s_lo)
    return _Span(s_lo, s_hi, e_lo, e_hi)


def allen_inverse(name: str) -> str:
    """The inverse of an OWL-Time interval relation (`intervalBefore` → `intervalAfter`)."""
    try:
        return _INVERSE[name]
    except KeyError:
        raise ValueError(f"{name!r} is not an OWL-Time interval relation") from None


def _ranges(a: _Span, b: _Span) -> tuple[tuple[float, float], ...]:
    return ((a.s_lo, a.s_hi), (a.e_lo, a.e_hi), (b.s_lo, b.s_hi), (b.e_lo, b.e_hi))


def _base_closure(a: _Span, b: _Span) -> list[list[float]]:
    """Shortest paths of the difference constraints that hold for every pair of intervals.

    Nodes 0-3 are the endpoints, node 4 is zero; `dist[i][j] = w` says `x_j - x_i <= w`.
    """
    size = 5
    dist = [[0.0 if i == j else _INF for j in range(size)] for i in range(size)]
    for node, (low, high) in enumerate(_ranges(a, b)):
        dist[4][node] = min(dist[4][node], high)
        dist[node][4] = min(dist[node][4], -low)
    dist[_AE][_AS] = min(dist[_AE][_AS], 0.0)  # As - Ae <= 0
    dist[_BE][_BS] = min(dist[_BE][_BS], 0.0)
    for k in range(size):
        dk = dist[k]
        for i in range(size):
            dik = dist[i][k]
            if dik == _INF:
                continue
            di = dist[i]
            for j in range(size):
                if dik + dk[j] < di[j]:
                    di[j] = dik + dk[j]
    return dist


def _feasible(base: list[list[float]], comparisons: tuple[_Comparison, ...]) -> bool:
    """Whether some admissible endpoints satisfy all comparisons.

    Each comparison adds two edges to the closed (and consistent) base graph; an edge i → j of
    weight w closes a negative cycle iff `dist[j][i] + w < 0`, and otherwise updates the
    shortest paths in O(n²). Integer solutions exist iff no negative cycle appears.
    """
    dist = [row[:] for row in base]
    for x, y, low, high in comparisons:
        for i, j, w in ((y, x, high), (x, y, -low)):  # x - y <= high; y - x <= -low
            if w == _INF:
                continue
            if dist[j][i] + w < 0:
                return False
            dj = dist[j]
            for row in dist:
                through = row[i] + w
                if through == _INF:
                    continue
                for q in range(5):
                    if through + dj[q] < row[q]:
                        row[q] = through + dj[q]
    return True


def _status(
    a: _Span, b: _Span, comparisons: tuple[_Comparison, ...], base: list[list[float]] | None
) -> tuple[Status, list[list[float]] | None]:
    ranges = _ranges(a, b)
    certain = True
    for x, y, low, high in comparisons:
        d_lo = ranges[x][0] - ranges[y][1]
        d_hi = ranges[x][1] - ranges[y][0]
        if d_hi < low or d_lo > high:
            return "impossible", base
        if d_lo < low or d_hi > high:
            certain = False
    if certain:
        return "certain", base
    if len(comparisons) == 1:
        return "possible", base  # a single comparison: its range test is exact
    base = base or _base_closure(a, b)
    return ("possible" if _feasible(base, comparisons) else "impossible"), base


def relation_status(a: Bounds, b: Bounds) -> dict[str, Status]:
    """Each of the 13 relations of A to B: certain, possible or impossible.

    An `uncertain` event turns every certain relation into a possible one. Inconsistent bounds
    make every relation impossible.
    """
    return _statuses(_span(a), _span(b), a.uncertain or b.uncertain)


def _statuses(span_a: _Span, span_b: _Span, flagged: bool) -> dict[str, Status]:
    if not (span_a.consistent and span_b.consistent):
        return dict.fromkeys(RELATIONS, "impossible")
    out: dict[str, Status] = {}
    base: list[list[float]] | None = None
    for name in RELATIONS:
        status, base = _status(span_a, span_b, _DEFINITIONS[name], base)
        out[name] = "possible" if flagged and status == "certain" else status
    return out


def relate(a: Bounds, b: Bounds) -> list[Relation]:
    """The certain relation of A to B, or else the possible ones (none if all 13 are)."""
    return _relate(a, _span(a), b, _span(b))


def _relate(a: Bounds, span_a: _Span, b: Bounds, span_b: _Span) -> list[Relation]:
    if a.id == b.id:
        return []
    status = _statuses(span_a, span_b, a.uncertain or b.uncertain)
    certain = [name for name, value in status.items() if value == "certain"]
    if certain:
        return [Relation(a.id, b.id, certain[0], True)]
    possible = [name for name, value in status.items() if value == "possible"]
    if len(possible) == len(RELATIONS):
        return []
    return [Relation(a.id, b.id, name, False) for name in possible]


def _before_reduction(events: Sequence[tuple[_Span, Bounds]]) -> Iterator[tuple[Bounds, Bounds]]:
    """A transitive reduction of "before by bounds" (`A.e_hi + 1 < C.s_lo`).

    Events are visited by earliest start. `done` holds those that end (at the latest) before
    the current one starts; `frontier` holds the maximal ones among them, which are the only
    direct predecessors needed. Every other member of `done` is before some frontier event,
    and reaches it by induction.
    """
    pending: list[tuple[float, int, _Span, Bounds]] = []
    frontier: deque[tuple[_Span, Bounds]] = deque()
    top = -_INF  # latest earliest-start among the events in `done`
    for index, (span, bounds) in enumerate(events):
        while pending and pending[0][0] + 1 < span.s_lo:
            _, _, done_span, done = heapq.heappop(pending)
            top = max(top, done_span.s_lo)
            frontier.append((done_span, done))
            while frontier and frontier[0][0].e_hi + 1 < top:
                frontier.popleft()
        for _, earlier in frontier:
            yield earlier, bounds
        if span.e_hi < _INF:
            heapq.heappush(pending, (span.e_hi, index, span, bounds))


def _sweep(events: Sequence[tuple[_Span, Bounds]]) -> Iterator[Relation]:
    """`relate` for every pair whose bounds do not put one certainly before the other."""
    active: dict[int, tuple[_Span, Bounds]] = {}
    ends: list[tuple[float, int]] = []
    for index, (span, bounds) in enumerate(events):
        while ends and ends[0][0] + 1 < span.s_lo:
            active.pop(heapq.heappop(ends)[1])
        for earlier_span, earlier in active.values():
            yield from _relate(earlier, earlier_span, bounds, span)
        active[index] = (span, bounds)
        heapq.heappush(ends, (span.e_hi, index))


def relate_all(
    events: Sequence[Bounds], *, pairs: Iterable[tuple[str, str]] | None = None
) -> Iterator[Relation]:
    """Relations between events: for exactly `pairs` (by id) if given, else for all of them.

    With `pairs`, each pair (a, b) gives `relate(a, b)`; ids without bounds are skipped.
    Without, certainly-before relations come as a transitive reduction and everything else in
    full (see the module docstring); events with inconsistent bounds are left out.
    """
    if pairs is not None:
        index = {event.id: event for event in events}
        for a, b in pairs:
            if a in index and b in index:
                yield from relate(index[a], index[b])
        return
    spans = [(span, event) for event in events if (span := _span(event)).consistent]
    spans.sort(key=lambda item: (item[0].s_lo, item[0].e_hi, item[1].id))
    yield from _sweep(spans)
    certain = [item for item in spans if not item[1].uncertain]
    for earlier, later in _before_reduction(certain):
        yield Relation(earlier.id, later.id, "intervalBefore", True)
    # Pairs involving an uncertain event are only possibly before each other; reduce them over
    # all events, keeping the edges that touch one (the others are certain, reached above).
    for earlier, later in _before_reduction(spans):
        if earlier.uncertain or later.uncertain:
            yield Relation(earlier.id, later.id, "intervalBefore", False)
