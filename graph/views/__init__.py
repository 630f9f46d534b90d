"""HTML views of the graph: a vis-network graph page and an SVG timeline, both self-contained.

Pages load nothing from the network (vis-network is inlined from pyvis's copy), embed their data
as escaped JSON, and build every text node with `textContent`. See docs/views.md.
"""

from graph.views.edges import EdgeItem
from graph.views.layout import compute_layout
from graph.views.page import NavLink
from graph.views.panel import ChainRef, ClaimSummary, PanelData, SourceRef
from graph.views.render import GraphViewOptions, render_graph
from graph.views.timeline import (
    SeriesPoint,
    TimelineEvent,
    TimelineOptions,
    TimelineSeries,
    render_timeline,
    series_segments,
)

__all__ = [
    "ChainRef",
    "ClaimSummary",
    "EdgeItem",
    "GraphViewOptions",
    "NavLink",
    "PanelData",
    "SeriesPoint",
    "SourceRef",
    "TimelineEvent",
    "TimelineOptions",
    "TimelineSeries",
    "compute_layout",
    "render_graph",
    "render_timeline",
    "series_segments",
]
