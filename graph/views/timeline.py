"""The timeline view: events in lanes on a time axis, with observation series below, as SVG.

pyvis ships no vis-timeline, so the page draws with a small script of our own
(`static/timeline.js`): a range is a bar whose fuzzy ends (earliest → latest start, earliest end →
latest end) fade in and out, an event that may be a single moment is a diamond with a whisker over
its possible dates, and each series is a line in its own band with its own y-axis, sharing the
time axis. Wheel or buttons zoom, dragging pans. The same escaping rules as the graph view apply.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.views import style
from graph.views.render import (
    PanelData,
    entity_links,
    environment,
    inline_script,
    inline_style,
    json_for_script,
    panel_payload,
    static_text,
)


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One event on the timeline (bounds as in the model: `cg:earliest` ... `cg:latest`).

    `latest` None means an open end (`..`). `start_latest` defaults to `earliest` and
    `end_earliest` to `latest`; when `end_earliest <= start_latest` the event may be a single
    moment and is drawn as a diamond. `group` names the lane (a case or an actor).
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
    """How `render_timeline` behaves on a click.

    With a panel for the clicked id (an export), the side panel opens; otherwise, when
    `link_base` is not None, the page goes to `<link_base>/view/entity/<id>`.
    """

    link_base: str | None = ""
    panels: Mapping[str, PanelData] | None = None
    subtitle: str = ""
    lane_title: str = "Lane"


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
    config = {
        "title": title,
        "eventCount": len(events),
        "seriesCount": len(series),
        "linkBase": base,
        "lanes": lanes,
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
        return event.date_edtf
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
        "marker": _marker(event),
        "dates": _dates(event),
        "type": style.type_text(event.type),
    }


def _series_json(series: TimelineSeries) -> dict[str, Any]:
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
            for p in series.points
            if math.isfinite(p.value)
        ],
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
