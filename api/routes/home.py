"""The home page (`/` and `/view`) and the entity search page (`/view/search`): HTML built by
`graph.views.home`, served with the views' headers (`api.html`; the search form may submit to
this site); and `/api`, which sends to the REST API's documentation.

The home page is the same for every visitor of a version, so it is kept in the response cache
until the next write; a search reads the read model's search index (`graph.readmodel.search`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import AppState, Reading
from api.html import html_headers
from api.problems import problem_responses
from api.routes.views import graph_index, period
from graph.readmodel import lists
from graph.readmodel.read import Reader, UnknownType
from graph.readmodel.search import find
from graph.views.home import (
    CaseLine,
    SearchForm,
    SearchHit,
    iso_span,
    main_chains,
    render_home,
    render_search,
)
from ontology import split_entity_iri

router = APIRouter(tags=["views"])

#: The views' headers, except that a form may submit to this site (the search form).
PAGE_HEADERS = html_headers(scripts=True, forms=True)
DAY = r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"
"""What `from` and `to` take (an empty field means no bound)."""
SHOWN = 200
"""Search results shown on one page (the count says how many there are)."""


def _home(state: AppState) -> bytes:
    key = "view:home"
    cached = state.cache.get(state.version, key)
    if isinstance(cached, bytes):
        return cached
    with graph_index(state) as index:
        reader = Reader(index.conn)
        lines = []
        for case in lists.case_list(reader):
            node = case["id"] if case["id"] in index.nodes else None
            lines.append(
                CaseLine(
                    id=case["id"],
                    label=case["label"],
                    description=case["description"] or "",
                    first=case["first"],
                    last=case["last"],
                    events=case["event_count"],
                    members=len(index.sources(node, "IN_CASE")) if node else 0,
                    chains=main_chains(index, node) if node else (),
                )
            )
        form = SearchForm(types=reader.known_types())
        data = render_home(lines, form).encode("utf-8")
    state.cache.put(state.version, key, data)
    return data


@router.get("/", response_class=HTMLResponse, summary="Home page")
def home(state: Reading) -> HTMLResponse:
    """The cases, one line each (dates, counts, links to their graph, timeline and main causal
    chains), and a search form over the entities."""
    return HTMLResponse(_home(state), headers=PAGE_HEADERS)


@router.get("/view", response_class=HTMLResponse, summary="Home page (the views' index)")
def view_index(state: Reading) -> HTMLResponse:
    """The same page as `/`."""
    return HTMLResponse(_home(state), headers=PAGE_HEADERS)


@router.get("/api", include_in_schema=False)
def api_index() -> RedirectResponse:
    """`/api` itself is no resource: its documentation is."""
    return RedirectResponse("/docs", status_code=307)


@router.get(
    "/view/search",
    response_class=HTMLResponse,
    summary="Search entities (HTML)",
    responses=problem_responses(422),
)
def view_search(
    state: Reading,
    q: Annotated[str, Query(max_length=200, description="Words, an id or a casebook id.")] = "",
    type: Annotated[str, Query(max_length=100, description="A class (`Event`, `Person`).")] = "",
    from_: Annotated[
        str,
        Query(alias="from", max_length=10, pattern=DAY, description="YYYY, YYYY-MM or YYYY-MM-DD."),
    ] = "",
    to: Annotated[
        str, Query(max_length=10, pattern=DAY, description="YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = "",
) -> HTMLResponse:
    """Entities matching the words (ranked as `/api/entities?q=`), of a type, and (when a date
    is given) dated within the period; each links to its graph view and Linked-Data page. A
    type or a date that is no such thing is said in a note on the page, and left out."""
    notes: list[str] = []
    start, end = _day(from_, "from", notes, end=False), _day(to, "to", notes, end=True)
    with graph_index(state) as index:
        reader = Reader(index.conn)
        types = reader.known_types()
        try:
            wanted = reader.check_type(type or None)
        except UnknownType:
            notes.append(f"No class is called {type!r}; every type is searched.")
            wanted = None
        found = find(reader, q, wanted, start, end)
        # Claims and links carry generated labels (slugs); the views put them in words.
        hits = [_hit(s, index.display_label(str(s["node"]))) for s in found[:SHOWN]]
    if start is not None or end is not None:
        notes.append("Undated entities are left out when a date is given.")
    form = SearchForm(q=q, type=wanted or "", start=from_, end=to, types=types)
    html = render_search(form, hits, len(found), notes=notes)
    return HTMLResponse(html, headers=PAGE_HEADERS)


def _day(value: str, name: str, notes: list[str], *, end: bool) -> dt.date | None:
    """`period`'s day, or None with a note when `value` is no date (a form's typo is no error
    page)."""
    try:
        return period(value, name, end=end)
    except RequestValidationError:
        notes.append(f"{value!r} is no date (YYYY, YYYY-MM or YYYY-MM-DD): '{name}' is left out.")
        return None


def _hit(summary: dict[str, object], label: str) -> SearchHit:
    iri = str(summary["iri"])
    split = split_entity_iri(iri)
    description = summary.get("description")
    return SearchHit(
        node=str(summary["node"]),
        label=label or str(summary["label"]),
        type=str(summary.get("type") or ""),
        ld=f"/id/{split[0]}/{split[1]}" if split else None,
        dates=iso_span(_text(summary.get("start")), _text(summary.get("end"))),
        description=str(description) if description else "",
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


__all__ = ["PAGE_HEADERS", "router"]
