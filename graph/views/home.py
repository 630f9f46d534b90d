"""The home page and the entity search page: plain server-rendered HTML, no script but the back
button, nothing loaded from anywhere.

The home page lists the cases, one line each (date span, how many events and records, links to
the case's graph, its timeline and its main chains), and a search form over the entities (words,
a type, a period) that asks `/view/search`. A case's main chains (`main_chains`) run over claims
and casebook links (`graph.chains`) from one of its members that nothing leads to, to an end
that leads nowhere: those ending in a phenomenon (what the case led to) first, then the longest,
then the best scored, no two to the same end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import quote, urlencode

from graph.chains import causal_chains
from graph.views.index import GraphIndex, date
from graph.views.page import environment, inline_script, inline_style, static_text
from graph.views.panel import ChainRef

#: How many main chains the home page offers per case, and how far they reach.
MAIN_CHAINS: Final = 3
MAIN_CHAIN_DEPTH: Final = 4
_MAX_STARTS: Final = 40


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One case on the home page: its span (ISO days) and counts, and its main chains."""

    id: str
    label: str
    description: str = ""
    first: str | None = None
    last: str | None = None
    events: int = 0
    members: int = 0
    chains: tuple[ChainRef, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One entity found: its view (`node`: the node id), its Linked-Data path, what it is."""

    node: str
    label: str
    type: str
    ld: str | None = None
    dates: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class SearchForm:
    """What the search form holds (echoed back on the results page)."""

    q: str = ""
    type: str = ""
    start: str = ""
    end: str = ""
    types: Sequence[str] = field(default_factory=tuple)


def main_chains(idx: GraphIndex, case_id: str, limit: int = MAIN_CHAINS) -> tuple[ChainRef, ...]:
    """A case's main chains (see the module doc): at most `limit`, no two to the same end; each
    labelled with both ends (`start → end`)."""
    graph = idx.causal
    members = [m for m in idx.sources(case_id, "IN_CASE") if m in graph]
    starts = [
        m for m in members if graph.out_degree(m) and not any(True for _ in graph.predecessors(m))
    ]
    starts.sort(key=lambda m: (_first_day(idx, m), m))
    found: list[tuple[bool, int, float, str, str]] = []
    for start in starts[:_MAX_STARTS]:
        for end in _ends(graph, start):
            chains = causal_chains(graph, start, end, max_depth=MAIN_CHAIN_DEPTH)
            if chains:
                outcome = "Phenomenon" in idx.nodes[end].labels if end in idx.nodes else False
                steps = max(len(c.steps) for c in chains)
                found.append((outcome, steps, chains[0].score, start, end))
    found.sort(key=lambda c: (not c[0], -c[1], -c[2], _first_day(idx, c[3]), c[3], c[4]))
    chosen: list[ChainRef] = []
    for _outcome, _steps, _score, start, end in found:
        if len(chosen) < limit and all(c.end != end for c in chosen):
            label = f"{idx.label(start)} \N{RIGHTWARDS ARROW} {idx.label(end)}"
            chosen.append(ChainRef(start, end, label))
    return tuple(chosen)


def _first_day(idx: GraphIndex, node_id: str) -> str:
    node = idx.nodes.get(node_id)
    day = date(node.properties.get("earliest")) if node is not None else None
    return day.isoformat() if day is not None else "9999-12-31"


def _ends(graph: object, start: str) -> list[str]:
    """The nodes that lead nowhere, within `MAIN_CHAIN_DEPTH` steps of `start`."""
    import networkx as nx

    assert isinstance(graph, nx.DiGraph)
    reached = nx.single_source_shortest_path_length(graph, start, cutoff=MAIN_CHAIN_DEPTH)
    return sorted(n for n, hops in reached.items() if hops and not graph.out_degree(n))


# -- rendering -----------------------------------------------------------------------------------


def render_home(cases: Sequence[CaseLine], form: SearchForm, *, title: str = "casegraph") -> str:
    """The home page (served at `/` and `/view`; links are site paths)."""
    return (
        environment()
        .get_template("home.html.j2")
        .render(
            title=title,
            cases=[_case_links(c) for c in cases],
            form=form,
            css=inline_style(static_text("common.css") + static_text("home.css")),
            script=inline_script(static_text("home.js")),
        )
    )


def render_search(
    form: SearchForm, hits: Sequence[SearchHit], total: int, *, notes: Sequence[str] = ()
) -> str:
    """The search results page: the form again, then the entities found."""
    return (
        environment()
        .get_template("search.html.j2")
        .render(
            title=f"Search: {form.q}" if form.q else "Search",
            form=form,
            hits=[{"hit": h, "view": f"/view/entity/{quote(h.node, safe='')}"} for h in hits],
            total=total,
            notes=list(notes),
            css=inline_style(static_text("common.css") + static_text("home.css")),
            script=inline_script(static_text("home.js")),
        )
    )


def _case_links(case: CaseLine) -> dict[str, object]:
    path = quote(case.id, safe="")
    return {
        "case": case,
        "span": _span(case.first, case.last),
        "graph": f"/view/case/{path}",
        "timeline": f"/view/timeline?{urlencode({'case': case.id})}",
        "chains": [
            {"label": c.label, "href": f"/view/chain?{urlencode({'from': c.start, 'to': c.end})}"}
            for c in case.chains
        ],
    }


def _span(first: str | None, last: str | None) -> str:
    if first and last and first != last:
        return f"{first} \N{EN DASH} {last}"
    return first or last or "undated"


def iso_span(start: dt.date | str | None, end: dt.date | str | None) -> str:
    """`2006-12-11`, or two ISO days joined by an en dash; "" when undated."""
    first = start.isoformat() if isinstance(start, dt.date) else start
    last = end.isoformat() if isinstance(end, dt.date) else end
    if not first and not last:
        return ""
    return _span(first, last)


__all__ = [
    "MAIN_CHAINS",
    "CaseLine",
    "SearchForm",
    "SearchHit",
    "iso_span",
    "main_chains",
    "render_home",
    "render_search",
]
