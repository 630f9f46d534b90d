"""/id/<kind>/<slug>: every entity IRI dereferences, by content negotiation, to an HTML page,
JSON-LD (compacted with `ontology/context.jsonld`, which is embedded so the document expands
offline) or Turtle (also N-Triples and RDF/XML).

The statements served are the entity's own and those of other entities that point at it
(`api/queries/entity_graph.rq`); the JSON-LD and the Turtle carry exactly the same triples.

A path that cannot be part of an IRI (a space, `"`, `>`, `{`, a backslash, NUL, a bad `%`
escape) is a 404 like any unknown entity. On the HTML page, only this server's entity IRIs and
`http`/`https` IRIs become links; any other IRI (`javascript:`, `data:`) from a loaded file is
shown as text. The page has no script and is served with the shared headers of `api.html`
(its CSP allows none).
"""

from __future__ import annotations

import functools
import json
import warnings
from pathlib import Path as FilePath
from typing import Annotated, Any

import jinja2
import orjson
import pyoxigraph as ox
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import AppState, Reading
from api.html import html_headers, link_target
from api.negotiation import choose
from api.problems import problem_responses
from api.queries import sparql
from api.responses import kept, remember
from graph.readmodel import read
from ontology.errors import NotFound
from ontology.namespaces import CGID, PREFIXES
from ontology.paths import CONTEXT_PATH

router = APIRouter(tags=["linked data"])

HTML = "text/html"
JSON_LD = "application/ld+json"
RDF_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    JSON_LD: ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/json": ox.RdfFormat.JSON_LD,
}
OFFERED = [
    HTML,
    "text/turtle",
    JSON_LD,
    "application/n-triples",
    "application/rdf+xml",
    "application/json",
    "application/xhtml+xml",
]

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(FilePath(__file__).resolve().parents[1] / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


@functools.cache
def context() -> dict[str, Any]:
    """The JSON-LD context object of `ontology/context.jsonld`."""
    document = json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))
    ctx = document.get("@context", document)
    assert isinstance(ctx, dict)
    return ctx


def local_path(iri: str) -> str | None:
    """`/id/event/x` for an entity IRI, so links stay on this server."""
    return f"/id/{iri[len(CGID) :]}" if iri.startswith(CGID) else None


def to_jsonld(triples: list[ox.Triple]) -> bytes:
    """Compacted JSON-LD with the casegraph context embedded."""
    import rdflib

    graph = rdflib.Graph()
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    graph.parse(data=nt.decode("utf-8"), format="nt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        text = graph.serialize(format="json-ld", context=context(), auto_compact=True)
    return text.encode("utf-8")


@router.get(
    "/id/{kind}/{slug:path}",
    summary="Dereference an entity IRI",
    responses={
        200: {
            "description": "The entity as HTML, JSON-LD, Turtle, N-Triples or RDF/XML",
            "content": {media: {} for media in OFFERED},
        },
        **problem_responses(404, 406),
    },
)
async def entity(
    request: Request,
    state: Reading,
    kind: Annotated[str, Path(examples=["event"])],
    slug: Annotated[str, Path(examples=["operation-michoacan"])],
) -> Response:
    """The entity `https://w3id.org/casegraph/id/<kind>/<slug>`."""
    accept = request.headers.get("accept")
    headers = {
        "Vary": "Accept",
        "Link": ", ".join(
            f'<{request.url.path}>; rel="alternate"; type="{m}"'
            for m in ("text/turtle", JSON_LD, HTML)
        ),
    }
    found = kept(state, request)
    if found is not None:
        return found
    version = state.version
    body, media_type = await run_in_threadpool(_answer, state, kind, slug, accept)
    if media_type.startswith(HTML):
        headers |= html_headers()
    return remember(state, version, request, body, media_type, headers)


def _answer(state: AppState, kind: str, slug: str, accept: str | None) -> tuple[bytes, str]:
    """(body, media type) of an entity's page as negotiated; 404 or 406 as problems. Kept per
    version in the response cache under the path and the Accept header."""
    iri = f"{CGID}{kind}/{slug}"
    try:
        ox.NamedNode(iri)
    except ValueError as e:
        raise NotFound(f"no entity: the path is not part of a valid IRI ({e})") from None
    with state.workspace.model.read() as conn:
        reader = read.Reader(conn)
        row = conn.execute("SELECT sid FROM entity WHERE iri=?", (iri,)).fetchone()
        detail = read.entity_detail(reader, int(row[0]), iri) if row is not None else None
        page_json = orjson.loads(orjson.dumps(detail)) if detail is not None else None
    triples = entity_triples(state, iri) if detail is not None or "/" in slug else []
    if detail is None and not triples:
        raise NotFound(f"no entity <{iri}>")
    media = choose(accept, OFFERED)
    if media in {HTML, "application/xhtml+xml"}:
        return _html(page_json, iri, triples).encode(), f"{HTML}; charset=utf-8"
    if RDF_TYPES[media] == ox.RdfFormat.JSON_LD:
        return to_jsonld(triples), JSON_LD
    rdf_format = RDF_TYPES[media]
    prefixes = PREFIXES if rdf_format == ox.RdfFormat.TURTLE else None
    data = ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""
    return data, f"{media}; charset=utf-8"


def entity_triples(state: AppState, iri: str) -> list[ox.Triple]:
    """The statements served at an entity's IRI (its own, and those pointing at it)."""
    result = state.snapshot.query(sparql("entity_graph"), substitutions={"s": ox.NamedNode(iri)})
    assert isinstance(result, ox.QueryTriples)
    return list(result)


def _html(detail: dict[str, Any] | None, iri: str, triples: list[ox.Triple]) -> str:
    if detail is None:
        detail = {
            "label": iri,
            "iri": iri,
            "id": None,
            "type": None,
            "types": [],
            "description": None,
            "start": None,
            "end": None,
            "date_edtf": None,
            "status": None,
            "properties": {},
            "relations": [],
            "claims": [],
            "sources": [],
            "same_as": [],
            "temporal": [],
        }
    temporal = [
        {**t, "relation": t["relation"]}
        for t in detail.get("temporal", [])
        if t["direction"] == "out"
    ]
    return _TEMPLATES.get_template("entity.html.j2").render(
        e=detail,
        temporal=temporal,
        triples=len(triples),
        local_path=local_path,
        href=href,
        external=link_target,
    )


def href(iri: str) -> str | None:
    """Where a link to an IRI goes: this server for entities, else the IRI itself when it is an
    http(s) address, else None (the template then shows the label as text)."""
    return local_path(iri) or link_target(iri)


__all__ = ["context", "href", "local_path", "router", "to_jsonld"]
