"""The home page's builders: a case's main chains over claims and links, and pages that escape
what they show (`graph.views.home`). The graph is test_views_build's small case."""

from __future__ import annotations

from graph.views.home import (
    CaseLine,
    SearchForm,
    SearchHit,
    main_chains,
    render_home,
    render_search,
)
from graph.views.index import GraphIndex
from graph.views.panel import ChainRef
from tests.unit.test_views_build import idx  # noqa: F401 - the fixture

EVIL = '<img src=x onerror="window.__pwned=1">'


def test_main_chains_end_in_phenomena_first_then_the_longest(idx: GraphIndex) -> None:  # noqa: F811
    chains = main_chains(idx, "war")
    # The offensive is the only member nothing leads to; it precedes the kingpin strategy
    # (a link), which is claimed to cause fragmentation and then the rise in homicides.
    assert [(c.start, c.end) for c in chains] == [
        ("offensive", "violence"),
        ("offensive", "infighting"),
        ("offensive", "report"),
    ]
    assert chains[0].label == "The offensive begins \N{RIGHTWARDS ARROW} Rise in homicides"
    assert len(main_chains(idx, "war", limit=1)) == 1
    assert main_chains(idx, "offensive") == ()  # not a case: no members


def test_pages_escape_what_they_show() -> None:
    case = CaseLine(
        id="war",
        label=EVIL,
        description=f'"{EVIL}',
        first="2006-12-11",
        last="2024-07-25",
        events=3,
        members=9,
        chains=(ChainRef("a", "b", EVIL),),
    )
    html = render_home([case], SearchForm(types=("Event", EVIL)))
    assert EVIL not in html and "&lt;img src=x" in html
    assert "2006-12-11 \N{EN DASH} 2024-07-25" in html and "3 events, 9 records" in html
    assert 'href="/view/chain?from=a&amp;to=b"' in html
    assert 'action="/view/search"' in html and "<script src" not in html
    hit = SearchHit(node="a/b", label=EVIL, type="Event", ld="/id/event/b", dates="2006-12-11")
    page = render_search(SearchForm(q=EVIL, types=("Event",)), [hit], 1, notes=(EVIL,))
    assert EVIL not in page
    assert 'href="/view/entity/a%2Fb"' in page and 'href="/id/event/b"' in page
    assert "1 found" in page
