"""The timeline view: events in lanes on a time axis, with observation series below, as SVG.

pyvis ships no vis-timeline, so the page draws with a small script of our own
(`static/timeline.js`): a range is a bar whose fuzzy ends (earliest → latest start, earliest end →
latest end) fade in and out, an event that may be a single moment is a diamond with a whisker over
its possible dates, and each series is a line in its own band with its own y-axis, sharing the
time axis. Wheel or buttons zoom, dragging pans. The same escaping rules as the graph view apply.

Events carry their lane under each grouping (by actor, by case) and a control switches between
them. Labels are measured in the page and cut only where the next item or the edge leaves no room.
A series line is broken where its periods leave a gap (`series_segments`): no line is drawn
across years without a figure.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.views import style
from graph.views.page import (
    NavLink,
    entity_links,
    environment,
    inline_script,
    inline_style,
    json_for_script,
    nav_links,
    static_text,
)
from graph.views.panel import PanelData, panel_payload

#: The groupings of lanes the page can switch between, in the order of its control.
GROUPINGS = (("actor", "By actor"), ("case", "By case"))


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One event on the timeline (bounds as in the model: `cg:earliest` ... `cg:latest`).

    `latest` None means an open end (`..`). `start_latest` defaults to `earliest` and
    `end_earliest` to `latest`; when `end_earliest <= start_latest` the event may be a single
    moment and is drawn as a diamond. `group` names the lane (a case or an actor); `lanes` the
    lane under each grouping (`{"actor": ..., "case": ...}`) when the page may switch.
    """

    id: str
    label: str
    earliest: dt.date
    latest: dt.date | None
    start_latest: dt.date | None = None
    end_earliest: dt.date | None = None
    approximate: bool = False
    uncertain: bool = False
    group: str = ""
    type: str = "Event"
    date_edtf: str = ""
    kind: str = "event"
    lanes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One observation: a value for the period `earliest`..`latest` (drawn at its middle)."""

    earliest: dt.date
    latest: dt.date
    value: float
    id: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class TimelineSeries:
    """An observation series (for example homicides per 100,000 in Mexico, by year)."""

    id: str
    label: str
    points: tuple[SeriesPoint, ...]
    unit: str = ""


@dataclass(frozen=True, slots=True)
class TimelineOptions:
    """How `render_timeline` behaves on a click, and what its header offers.

    With a panel for the clicked id (an export), the side panel opens; otherwise, when
    `link_base` is not None, the page goes to `<link_base>/view/entity/<id>`. `grouping` is the
    grouping of the lanes shown first (`actor` or `case`) when the events carry `lanes`; `nav`
    the header's links besides home and back.
    """

    link_base: str | None = ""
    panels: Mapping[str, PanelData] | None = None
    subtitle: str = ""
    lane_title: str = "Lane"
    grouping: str = ""
    nav: tuple[NavLink, ...] = ()


def render_timeline(
    events: Sequence[TimelineEvent],
    series: Sequence[TimelineSeries] = (),
    *,
    title: str,
    options: TimelineOptions | None = None,
) -> str:
    """One self-contained HTML page with the events and series on one time axis."""
    opts = options or TimelineOptions()
    panels = opts.panels or {}
    base = None if opts.link_base is None else opts.link_base.rstrip("/")
    info: dict[str, Any] = {}
    for event in events:
        if event.id in panels:
            info[event.id] = _event_panel(event, panels[event.id], opts.link_base)
    for s in series:
        for point in s.points:
            if point.id is not None and point.id in panels and point.id not in info:
                info[point.id] = _point_panel(s, point, panels[point.id], opts.link_base)

    lanes: list[str] = []
    for event in events:
        if event.group not in lanes:
            lanes.append(event.group)
    names = [name for name, _ in GROUPINGS if all(name in e.lanes for e in events)]
    switchable = len(names) > 1 and bool(events)
    config = {
        "title": title,
        "eventCount": len(events),
        "seriesCount": len(series),
        "linkBase": base,
        "lanes": lanes,
        "grouping": opts.grouping if switchable and opts.grouping in names else None,
    }
    payload = {
        "events": [_event_json(e) for e in events],
        "series": [_series_json(s) for s in series],
        "info": info,
    }
    template = environment().get_template("timeline.html.j2")
    return template.render(
        title=title,
        subtitle=opts.subtitle,
        nav=nav_links(opts.nav, opts.link_base),
        groupings=[g for g in GROUPINGS if g[0] in names] if switchable else [],
        grouping=config["grouping"],
        date_mark_legend=style.DATE_MARK_LEGEND,
        config_json=json_for_script(config),
        data_json=json_for_script(payload),
        panel_js=inline_script(static_text("panel.js")),
        view_js=inline_script(static_text("timeline.js")),
        view_css=inline_style(static_text("common.css") + static_text("timeline.css")),
    )


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _marker(event: TimelineEvent) -> str:
    return style.date_marker(approximate=event.approximate, uncertain=event.uncertain)


def _dates(event: TimelineEvent) -> str:
    if event.date_edtf:
        span = _span(event)
        return event.date_edtf if span == event.date_edtf else f"{event.date_edtf} ({span})"
    return _span(event)


def _span(event: TimelineEvent) -> str:
    if event.latest is None:
        return f"{event.earliest.isoformat()} {style.DASH} (open)"
    if event.latest == event.earliest:
        return event.earliest.isoformat()
    return f"{event.earliest.isoformat()} {style.DASH} {event.latest.isoformat()}"


def _event_json(event: TimelineEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "label": event.label,
        "group": event.group,
        "earliest": event.earliest.isoformat(),
        "startLatest": _iso(event.start_latest),
        "endEarliest": _iso(event.end_earliest),
        "latest": _iso(event.latest),
        "lanes": dict(event.lanes),
        "marker": _marker(event),
        "dates": _dates(event),
        "type": style.type_text(event.type),
    }


def series_segments(points: Sequence[SeriesPoint]) -> list[list[int]]:
    """The runs of points a line may join, as indices into `points` sorted by time: a run
    breaks where the next period starts more than a day after every earlier one has ended."""
    order = sorted(range(len(points)), key=lambda i: (_middle(points[i]), points[i].value))
    segments: list[list[int]] = []
    covered: dt.date | None = None
    for i in order:
        point = points[i]
        if covered is None or point.earliest > covered + dt.timedelta(days=1):
            segments.append([])
        segments[-1].append(i)
        covered = point.latest if covered is None else max(covered, point.latest)
    return segments


def _middle(point: SeriesPoint) -> dt.date:
    return point.earliest + (point.latest - point.earliest) / 2


def _series_json(series: TimelineSeries) -> dict[str, Any]:
    points = [p for p in series.points if math.isfinite(p.value)]
    return {
        "id": series.id,
        "label": series.label,
        "unit": series.unit,
        "points": [
            {
                "earliest": p.earliest.isoformat(),
                "latest": p.latest.isoformat(),
                "value": p.value,
                "id": p.id,
                "note": p.note,
            }
            for p in points
        ],
        "segments": series_segments(points),
    }


def _event_panel(event: TimelineEvent, data: PanelData, link_base: str | None) -> dict[str, Any]:
    return panel_payload(
        label=event.label,
        type_=style.type_text(event.type),
        marker=_marker(event),
        dates=_dates(event),
        description="",
        status="",
        data=data,
        links=entity_links(event.kind, event.id, event.id, link_base),
    )


def _point_panel(
    series: TimelineSeries, point: SeriesPoint, data: PanelData, link_base: str | None
) -> dict[str, Any]:
    point_id = point.id or ""
    value = f"{point.value:,g}" + (f" {series.unit}" if series.unit else "")
    return panel_payload(
        label=f"{series.label}: {value}",
        type_="Observation",
        marker="",
        dates=f"{point.earliest.isoformat()} {style.DASH} {point.latest.isoformat()}",
        description=point.note,
        status="",
        data=data,
        links=entity_links("observation", point_id, point_id, link_base),
    )
