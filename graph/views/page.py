"""The machinery every view page shares: the Jinja2 environment, inlined static files, JSON
safe inside `<script>`, safe URLs and the header's links.

Pages load nothing from the network: vis-network comes from the copy pyvis ships, our own JS and
CSS from `static/`, all inlined so that no `</script` or `</style` can end them early.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import importlib.util
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

from graph.errors import CasegraphError
from graph.records import PropertyValue

#: Where pyvis 0.3.2 keeps its vis-network build (inside the installed package).
VIS_NETWORK_JS = "templates/lib/vis-9.1.2/vis-network.min.js"


_SCRIPT_CLOSE = re.compile(r"</(script)", re.IGNORECASE)


_STYLE_CLOSE = re.compile(r"</(style)", re.IGNORECASE)


_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class NavLink:
    """A link in the page header: a site path (`/view/case/x`), prefixed with the link base."""

    label: str
    path: str


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the views: package templates, autoescape always on."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("graph.views", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def json_for_script(value: object) -> Markup:
    """`value` as JSON that is safe inside a `<script type="application/json">` element."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return Markup(text)  # noqa: S704 - escaped just above for the script-data context


@functools.cache
def static_text(name: str) -> str:
    """One of our own static files (`static/<name>`)."""
    return (importlib.resources.files("graph.views") / "static" / name).read_text("utf-8")


def inline_script(source: str) -> Markup:
    """JS text safe to place between `<script>` tags (no `</script` can end it early)."""
    return Markup(_SCRIPT_CLOSE.sub(r"<\\/\1", source))  # noqa: S704 - trusted package files


def inline_style(source: str) -> Markup:
    """CSS text safe to place between `<style>` tags."""
    return Markup(_STYLE_CLOSE.sub(r"<\\/\1", source))  # noqa: S704 - trusted package files


@functools.cache
def vis_network_js() -> str:
    """The vis-network build that pyvis ships, read from the installed package.

    Found through the import system without importing pyvis (which pulls in IPython-era
    dependencies and costs more than a second).
    """
    spec = importlib.util.find_spec("pyvis")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / VIS_NETWORK_JS
        if path.is_file():
            # Drop the source-map comment: developer tools would try to fetch the map.
            return _SOURCE_MAP.sub("", path.read_text("utf-8"))
    raise CasegraphError(
        f"vis-network not found at pyvis/{VIS_NETWORK_JS}; the views need pyvis==0.3.2"
    )


def iso(value: object) -> str | None:
    """A date property as `YYYY-MM-DD` (dates and ISO strings), else None."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and re.match(r"^-?\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return None


def safe_url(url: object) -> str | None:
    """`url` when it is an absolute http(s) URL, else None (no `javascript:` and friends)."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    if parts.scheme in {"http", "https"} and parts.netloc:
        return url.strip()
    return None


def nav_links(nav: Sequence[NavLink], link_base: str | None) -> list[dict[str, str]]:
    """The header's links (home first) with the link base; none when there is no server."""
    if link_base is None:
        return []
    base = link_base.rstrip("/")
    return [
        {"label": link.label, "href": f"{base}{link.path}"} for link in (NavLink("Home", "/"), *nav)
    ]


def prop_text(value: PropertyValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return ", ".join(prop_text(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def entity_links(
    kind: str, slug: str, node_id: str, link_base: str | None
) -> tuple[str | None, str | None]:
    """The Linked-Data URL (`/id/<kind>/<slug>`) and re-centre URL (`/view/entity/<id>`)."""
    if link_base is None:
        return None, None
    base = link_base.rstrip("/")
    ld = f"{base}/id/{quote(kind, safe='')}/{quote(slug, safe='')}"
    return ld, f"{base}/view/entity/{quote(node_id, safe='')}"
