"""Temporal consistency of causal claims and links: a cause should not begin after its effect ends.

`check` takes causal edges (a claim, or one step of a casebook link) with the date bounds of their
two ends (`graph.temporal.Bounds`) and gives each a verdict:

- **inconsistent**: the cause certainly begins after the effect ends (the earliest possible start
  of the cause is a later day than the latest possible end of the effect);
- **possibly inconsistent**: the dates allow the cause to begin after the effect ends (the latest
  possible start of the cause is a later day than the earliest possible end of the effect), or
  they would make it certain but one end is flagged uncertain (EDTF `?`, `%`);
- **consistent**: the cause certainly begins no later than the day the effect ends;
- **undated**: an end has no dates at all (a phenomenon, a hypothetical), so there is nothing to
  check.

Days are whole: a cause that begins on the day its effect ends is consistent. Bounds follow
`graph.temporal`: a missing `earliest` lets the start be arbitrarily early, a missing `latest`
lets the end be arbitrarily late, `start_latest` defaults to `latest` and `end_earliest` to
`earliest`. An effect with an open end (EDTF `2024-07-25/..`: still going) has not ended, so no
cause begins after it; an effect whose end is merely unknown (`2024-07-25/`) may have ended the
day it began. A cause known only as "on or before" a day (`../2025-08-08`) never certainly begins
late.

`edges_from_projection` reads the edges out of a property-graph projection: each claim's direct
relationship (`claim_ids`) and each link step (`LinkStep` with `FROM` and `TO`), oriented from
cause to effect (`responds to` points from the response to what it answers, so it is reversed).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from graph.records import NodeRecord, Projection, PropertyValue
from graph.temporal import Bounds

type Verdict = Literal["inconsistent", "possibly-inconsistent", "consistent", "undated"]
type EdgeKind = Literal["claim", "link"]

FLAGGED: Final[frozenset[Verdict]] = frozenset({"inconsistent", "possibly-inconsistent"})
"""The verdicts a consumer marks (views) or reports (`casegraph check --temporal`)."""

_INF: Final = math.inf
_REVERSED: Final = frozenset({"RESPONDS_TO", "respondsTo", "responds-to"})


@dataclass(frozen=True, slots=True)
class CausalEdge:
    """A claim or link step from `cause` to `effect`, with the bounds of both ends.

    `id` is the claim id or the link step id (`lnk-02/step-1`); `link` names the step's link;
    `effect_open` says that the effect has an open end (EDTF `..`: it is still going on).
    """

    id: str
    kind: EdgeKind
    cause: Bounds
    effect: Bounds
    relation: str = ""
    link: str | None = None
    effect_open: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    """The verdict on one edge, and why, in words."""

    edge: CausalEdge
    verdict: Verdict
    reason: str

    @property
    def flagged(self) -> bool:
        return self.verdict in FLAGGED


def _day(value: dt.date | None, default: float) -> float:
    return float(value.toordinal()) if value is not None else default


def start_range(bounds: Bounds) -> tuple[float, float]:
    """(earliest, latest) possible first day, as day ordinals (±inf where unbounded)."""
    latest = _day(bounds.latest, _INF)
    return _day(bounds.earliest, -_INF), min(_day(bounds.start_latest, _INF), latest)


def end_range(bounds: Bounds) -> tuple[float, float]:
    """(earliest, latest) possible last day, as day ordinals (±inf where unbounded)."""
    earliest = _day(bounds.earliest, -_INF)
    return max(_day(bounds.end_earliest, -_INF), earliest), _day(bounds.latest, _INF)


def dated(bounds: Bounds) -> bool:
    """Whether the bounds say anything at all."""
    return any(
        d is not None
        for d in (bounds.earliest, bounds.start_latest, bounds.end_earliest, bounds.latest)
    )


def verdict(cause: Bounds, effect: Bounds, *, effect_open: bool = False) -> tuple[Verdict, str]:
    """Whether `cause` may begin after `effect` ends, with the reason in words.

    `effect_open`: the effect is still going on (an open end), so it has not ended.
    """
    if not dated(cause) or not dated(effect):
        which = "cause" if dated(effect) else "effect" if dated(cause) else "cause and effect"
        return "undated", f"the {which} has no date"
    start_lo, start_hi = start_range(cause)
    end_lo, end_hi = end_range(effect)
    if start_lo > start_hi or end_lo > end_hi:
        return "undated", "the bounds contradict each other"
    if effect_open:
        return "consistent", "the effect is still going on"
    flagged = cause.uncertain or effect.uncertain
    if start_lo > end_hi:
        text = (
            f"the cause begins on {_iso(start_lo)} at the earliest, after the effect has ended "
            f"(on {_iso(end_hi)} at the latest)"
        )
        if flagged:
            return "possibly-inconsistent", text + "; but a date is marked uncertain"
        return "inconsistent", text
    if start_hi > end_lo:
        return "possibly-inconsistent", (
            f"the cause may begin as late as {_iso(start_hi)}, and the effect may end as early "
            f"as {_iso(end_lo)}"
        )
    return "consistent", "the cause begins no later than the effect ends"


def _iso(day: float) -> str:
    return dt.date.fromordinal(int(day)).isoformat()


def check(edges: Iterable[CausalEdge]) -> list[Finding]:
    """A finding for every edge, in the order given."""
    return [
        Finding(edge, *verdict(edge.cause, edge.effect, effect_open=edge.effect_open))
        for edge in edges
    ]


def flagged(findings: Iterable[Finding]) -> list[Finding]:
    """The inconsistent findings first, then the possibly inconsistent ones (each by id)."""
    rank = {"inconsistent": 0, "possibly-inconsistent": 1}
    chosen = [f for f in findings if f.flagged]
    return sorted(chosen, key=lambda f: (rank[f.verdict], f.edge.id))


# -- reading the edges out of a projection -------------------------------------------------------


def bounds_of(node: NodeRecord) -> Bounds:
    """A node's date bounds (its `earliest`, `start_latest`, `end_earliest`, `latest`)."""
    props = node.properties
    return Bounds(
        id=node.id,
        earliest=_date(props.get("earliest")),
        start_latest=_date(props.get("start_latest")),
        end_earliest=_date(props.get("end_earliest")),
        latest=_date(props.get("latest")),
        uncertain=props.get("uncertain") is True,
    )


def _open(node: NodeRecord) -> bool:
    return node.properties.get("open_end") is True and node.properties.get("latest") is None


def _date(value: PropertyValue | None) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _strings(value: PropertyValue) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def finding_of(
    item_id: str,
    node: Callable[[str], NodeRecord | None],
    targets: Callable[[str, str], Sequence[str]],
    sources: Callable[[str, str], Sequence[str]],
) -> Finding | None:
    """The finding on one claim or link step, read through three look-ups (a node by id; the
    targets of a node's relationships of a type; their sources); None for anything else.

    A claim goes from its `CAUSE` to its `EFFECT`; a link step from its `FROM` to its `TO`,
    under its link's relation (the link has a `STEP` to it); `responds to` is reversed.
    """
    item = node(item_id)
    if item is None:
        return None
    link: str | None = None
    if "Claim" in item.labels:
        causes, effects = targets(item_id, "CAUSE"), targets(item_id, "EFFECT")
        relation = _text(item.properties.get("relation"))
        kind: EdgeKind = "claim"
    elif "LinkStep" in item.labels:
        links = sources(item_id, "STEP")
        causes, effects = targets(item_id, "FROM"), targets(item_id, "TO")
        link = links[0] if links else None
        link_node = node(link) if link is not None else None
        relation = _text(link_node.properties.get("relation")) if link_node is not None else ""
        kind = "link"
    else:
        return None
    if not causes or not effects:
        return None
    cause, effect = node(causes[0]), node(effects[0])
    if cause is None or effect is None:
        return None
    if relation in _REVERSED:
        cause, effect = effect, cause
    edge = CausalEdge(
        item_id,
        kind,
        bounds_of(cause),
        bounds_of(effect),
        relation=relation,
        link=link,
        effect_open=_open(effect),
    )
    return Finding(edge, *verdict(edge.cause, edge.effect, effect_open=edge.effect_open))


def _text(value: PropertyValue | None) -> str:
    return value if isinstance(value, str) else ""


def edges_from_projection(projection: Projection) -> list[CausalEdge]:
    """Every claim (its direct cause → effect relationship) and every link step, cause first."""
    nodes: Mapping[str, NodeRecord] = {n.id: n for n in projection.nodes}
    edges: list[CausalEdge] = []
    ends: dict[str, dict[str, str]] = defaultdict(dict)
    link_of: dict[str, str] = {}
    for rel in projection.relationships:
        if rel.type in {"FROM", "TO"}:
            ends[rel.source][rel.type] = rel.target
        elif rel.type == "STEP":
            link_of[rel.target] = rel.source
        claim_ids = rel.properties.get("claim_ids")
        if claim_ids is None or rel.source not in nodes or rel.target not in nodes:
            continue
        cause, effect = rel.source, rel.target
        if rel.type in _REVERSED:
            cause, effect = effect, cause
        for claim_id in _strings(claim_ids):
            edges.append(
                CausalEdge(
                    claim_id,
                    "claim",
                    bounds_of(nodes[cause]),
                    bounds_of(nodes[effect]),
                    relation=str(rel.properties.get("relation", rel.type)),
                    effect_open=_open(nodes[effect]),
                )
            )
    for step_id, pair in sorted(ends.items()):
        source, target = pair.get("FROM"), pair.get("TO")
        link = link_of.get(step_id)
        if source is None or target is None or source not in nodes or target not in nodes:
            continue
        link_node = nodes.get(link) if link is not None else None
        relation = str(link_node.properties.get("relation", "")) if link_node else ""
        if relation in _REVERSED:
            source, target = target, source
        edges.append(
            CausalEdge(
                step_id,
                "link",
                bounds_of(nodes[source]),
                bounds_of(nodes[target]),
                relation=relation,
                link=link,
                effect_open=_open(nodes[target]),
            )
        )
    return edges


__all__ = [
    "FLAGGED",
    "CausalEdge",
    "EdgeKind",
    "Finding",
    "Verdict",
    "bounds_of",
    "check",
    "dated",
    "edges_from_projection",
    "end_range",
    "finding_of",
    "flagged",
    "start_range",
    "verdict",
]
