"""The timeline inputs: a case's (or some entities') dated events in lanes, and observation series.

A case's timeline puts its dated events and statements in lanes, by actor (the participant or
target that takes part in the most of them) or by case, and draws the series of the measures the
case has at least `SERIES_MIN_POINTS` periods of (at most `SERIES_MAX_AUTO`), or the measures
asked for. A series has one point per period; a final figure wins over a preliminary one.
Every event carries its lane under both groupings, so the page can switch between them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal
from urllib.parse import quote

from graph.records import NodeRecord, Projection
from graph.views import style
from graph.views.index import GraphIndex, date, index, panels_for, text, type_label
from graph.views.page import NavLink
from graph.views.panel import PanelData
from graph.views.timeline import SeriesPoint, TimelineEvent, TimelineSeries
from ontology.errors import NotFound

type Grouping = Literal["case", "actor"]

SERIES_MIN_POINTS: Final = 5
SERIES_MAX_AUTO: Final = 2
_ACTOR_TYPES: Final = ("PARTICIPANT", "TARGET")
_TIMELINE_LABELS: Final = ("Event", "Statement")


@dataclass(frozen=True, slots=True)
class TimelineInput:
    """What `render_timeline` needs for one view; `panels` are for exports (click opens them)."""

    events: tuple[TimelineEvent, ...]
    series: tuple[TimelineSeries, ...]
    title: str
    panels: Mapping[str, PanelData] = field(default_factory=dict)
    subtitle: str = ""
    lane_title: str = "Lane"
    grouping: Grouping = "actor"
    nav: tuple[NavLink, ...] = ()


# -- timelines -----------------------------------------------------------------------------------


def timeline_for_case(
    source: Projection | GraphIndex,
    case_id: str,
    *,
    series: Sequence[str] = (),
    group: Grouping = "actor",
) -> TimelineInput:
    """The case's dated events and statements, and its observation series (or `series`)."""
    idx = index(source)
    idx.node(case_id, what="case")
    members = [m for m in idx.sources(case_id, "IN_CASE") if m in idx.nodes]
    dated = [m for m in members if _timeline_node(idx.nodes[m])]
    by_actor = _lanes(idx, dated, "actor")
    by_case = _lanes(idx, dated, "case", case_label=idx.label(case_id))
    events = tuple(
        sorted(_events(idx, {"actor": by_actor, "case": by_case}, group), key=_event_order)
    )
    if series:
        drawn = tuple(_series(idx, m) for m in series)
    else:
        drawn = _case_series(idx, case_id, members)
    return TimelineInput(
        events=events,
        series=drawn,
        title=f"{idx.label(case_id)}: timeline",
        panels=panels_for(idx, [*(e.id for e in events), *_point_ids(drawn)]),
        subtitle=_timeline_subtitle(events, drawn),
        lane_title="Actor" if group == "actor" else "Case",
        grouping=group,
        nav=(NavLink(f"Case: {idx.label(case_id)}", f"/view/case/{quote(case_id, safe='')}"),),
    )


def timeline_for_ids(
    source: Projection | GraphIndex,
    ids: Sequence[str],
    *,
    series: Sequence[str] = (),
    group: Grouping = "case",
) -> TimelineInput:
    """A timeline of chosen entities: events and statements where they are; a case brings its
    events, an agent the events it takes part in (in its own lane), a measure its series."""
    idx = index(source)
    for node_id in ids:
        idx.node(node_id)
    lanes: dict[str, str] = {}  # event id -> its lane in `group` when it is asked for itself
    measures = list(series)
    observations: dict[str, list[str]] = defaultdict(list)
    left_out: list[str] = []
    for node_id in dict.fromkeys(ids):
        node = idx.nodes[node_id]
        if "Case" in node.labels:
            dated = [m for m in idx.sources(node_id, "IN_CASE") if _timeline_node(idx.nodes[m])]
            lanes.update({m: idx.label(node_id) for m in dated if m not in lanes})
        elif "Agent" in node.labels:
            acts = [a for t in _ACTOR_TYPES for a in idx.sources(node_id, t)]
            dated = [a for a in acts if _timeline_node(idx.nodes[a])]
            lanes.update({a: idx.label(node_id) for a in dated if a not in lanes})
        elif "Measure" in node.labels:
            measures.append(node_id)
        elif "Observation" in node.labels and idx.targets(node_id, "MEASURE"):
            observations[idx.targets(node_id, "MEASURE")[0]].append(node_id)
        elif date(node.properties.get("earliest")) is not None:
            lanes.setdefault(node_id, "")
        else:
            left_out.append(idx.label(node_id))
    chosen = list(lanes)
    by_actor = _lanes(idx, chosen, "actor")
    by_case = _lanes(idx, chosen, "case")
    asked = {i: lane for i, lane in lanes.items() if lane}
    groupings = {
        "actor": {i: asked.get(i) or lane for i, lane in by_actor.items()},
        "case": {i: asked.get(i) or lane for i, lane in by_case.items()},
    }
    events = tuple(sorted(_events(idx, groupings, group), key=_event_order))
    drawn = (
        *(_series(idx, m) for m in dict.fromkeys(measures)),
        *(_series(idx, m, only=obs) for m, obs in observations.items() if m not in measures),
    )
    subtitle = _timeline_subtitle(events, drawn)
    if left_out:
        subtitle += f"; left out (no date): {', '.join(left_out)}"
    return TimelineInput(
        events=events,
        series=drawn,
        title="Timeline: " + ", ".join(idx.label(i) for i in dict.fromkeys(ids)),
        panels=panels_for(idx, [*(e.id for e in events), *_point_ids(drawn)]),
        subtitle=subtitle,
        lane_title="Lane",
        grouping=group,
        nav=_ids_nav(idx, ids),
    )


def _ids_nav(idx: GraphIndex, ids: Sequence[str]) -> tuple[NavLink, ...]:
    cases = [c for i in ids for c in idx.cases_of(i)]
    if not cases:
        return ()
    case = cases[0]
    return (NavLink(f"Case: {idx.label(case)}", f"/view/case/{quote(case, safe='')}"),)


def _timeline_node(node: NodeRecord) -> bool:
    return date(node.properties.get("earliest")) is not None and any(
        label in node.labels for label in _TIMELINE_LABELS
    )


def _lanes(
    idx: GraphIndex, ids: Sequence[str], group: Grouping, *, case_label: str | None = None
) -> dict[str, str]:
    """Event id -> lane name.

    By actor: of the event's participants (its targets when it has none), the one that takes part
    in the most of these events, so that lanes are few; by case: the case (or the first of the
    event's cases).
    """
    if group == "actor":
        actors = {i: idx.targets(i, "PARTICIPANT") or idx.targets(i, "TARGET") for i in ids}
        counts = Counter(a for found in actors.values() for a in set(found))
        lane = {
            i: idx.label(min(found, key=lambda a: (-counts[a], idx.label(a))))
            if found
            else f"(no actor: {type_label(idx.nodes[i]).lower()}s)"
            for i, found in actors.items()
        }
    else:
        lane = {
            i: case_label
            or min((idx.label(c) for c in idx.targets(i, "IN_CASE")), default="(no case)")
            for i in ids
        }
    return {i: lane[i] for i in ids}


def _events(
    idx: GraphIndex, groupings: Mapping[str, Mapping[str, str]], group: Grouping
) -> list[TimelineEvent]:
    """The events of `groupings[group]` (id -> lane), each with its lane in every grouping."""
    events = []
    for node_id, lane in groupings[group].items():
        props = idx.nodes[node_id].properties
        earliest = date(props.get("earliest"))
        if earliest is None:
            continue
        latest = date(props.get("latest"))
        if latest is None and props.get("open_end") is not True:
            latest = earliest
        events.append(
            TimelineEvent(
                id=node_id,
                label=idx.label(node_id),
                earliest=earliest,
                latest=latest,
                start_latest=date(props.get("start_latest")),
                end_earliest=date(props.get("end_earliest")),
                approximate=props.get("approximate") is True,
                uncertain=props.get("uncertain") is True,
                group=lane,
                lanes={name: lanes[node_id] for name, lanes in groupings.items()},
                type=type_label(idx.nodes[node_id]),
                date_edtf=text(props.get("date_edtf")),
                kind=text(props.get("kind")) or style.entity_kind(idx.nodes[node_id].labels),
            )
        )
    return events


def _event_order(event: TimelineEvent) -> tuple[str, dt.date, str]:
    return (event.group, event.earliest, event.id)


def _case_series(
    idx: GraphIndex, case_id: str, members: Sequence[str]
) -> tuple[TimelineSeries, ...]:
    """The series of the measures the case observes most (at least SERIES_MIN_POINTS periods)."""
    about = idx.sources(case_id, "ABOUT")
    by_measure: dict[str, list[str]] = defaultdict(list)
    for obs in dict.fromkeys([*members, *about]):
        if "Observation" in idx.nodes[obs].labels:
            for measure in idx.targets(obs, "MEASURE"):
                by_measure[measure].append(obs)
    drawn = [_series(idx, m, only=obs) for m, obs in by_measure.items()]
    periods = {s.id: len({(p.earliest, p.latest) for p in s.points}) for s in drawn}
    ranked = sorted(
        (s for s in drawn if periods[s.id] >= SERIES_MIN_POINTS),
        key=lambda s: (-periods[s.id], s.id),
    )
    return tuple(ranked[:SERIES_MAX_AUTO])


def _series(idx: GraphIndex, measure_id: str, only: Sequence[str] = ()) -> TimelineSeries:
    """A measure's observations as a line: one point per period, a final figure winning over
    a preliminary one (two final figures for one period both stay)."""
    measure = idx.node(measure_id, what="measure")
    if "Measure" not in measure.labels:
        raise NotFound(f"{measure_id!r} is a {type_label(measure)}, not a measure")
    periods: dict[tuple[dt.date, dt.date], list[tuple[bool, SeriesPoint]]] = defaultdict(list)
    for obs in only or idx.sources(measure_id, "MEASURE"):
        props = idx.nodes[obs].properties
        value, earliest = props.get("value"), date(props.get("earliest"))
        if not isinstance(value, int | float) or isinstance(value, bool) or earliest is None:
            continue
        latest = date(props.get("latest")) or earliest
        preliminary = props.get("revision") == "preliminary"
        point = SeriesPoint(earliest, latest, float(value), id=obs, note=idx.label(obs))
        periods[(earliest, latest)].append((preliminary, point))
    points: list[SeriesPoint] = []
    for found in periods.values():
        final = [p for preliminary, p in found if not preliminary]
        points.extend(sorted(final or [p for _, p in found], key=lambda p: (p.value, p.id or "")))
    points.sort(key=lambda p: (p.earliest + (p.latest - p.earliest) / 2, p.value))
    return TimelineSeries(
        id=measure_id,
        label=idx.label(measure_id),
        points=tuple(points),
        unit=text(measure.properties.get("unit")),
    )


def _point_ids(series: Iterable[TimelineSeries]) -> list[str]:
    return [p.id for s in series for p in s.points if p.id is not None]


def _timeline_subtitle(events: Sequence[TimelineEvent], series: Sequence[TimelineSeries]) -> str:
    text = f"{len(events)} event{'s' if len(events) != 1 else ''}"
    if series:
        text += "; " + "; ".join(f"{s.label} ({len(s.points)} points)" for s in series)
    return text


__all__ = [
    "SERIES_MAX_AUTO",
    "SERIES_MIN_POINTS",
    "Grouping",
    "TimelineInput",
    "timeline_for_case",
    "timeline_for_ids",
]
