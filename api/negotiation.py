"""Content negotiation: pick a serialisation from an Accept header (q-values honoured)."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from api.problems import NotAcceptable

RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
"""SELECT and ASK results; the first is the default."""

GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
}
"""CONSTRUCT and DESCRIBE results, graph store reads; the first is the default."""


def _accepted(accept: str | None) -> list[tuple[str, float, int]]:
    """(media range, q, position) for each entry of an Accept header."""
    if not accept or not accept.strip():
        return [("*/*", 1.0, 0)]
    entries = []
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        entries.append((media, q, position))
    return entries or [("*/*", 1.0, 0)]


def choose(accept: str | None, offered: Sequence[str]) -> str:
    """The offered media type the client prefers; the first offered for `*/*`; else 406.

    Each offered type takes the q of the most specific range that matches it (RFC 9110).
    """
    ranges = _accepted(accept)
    best: tuple[float, int, int] | None = None
    choice: str | None = None
    for index, media in enumerate(offered):
        major = media.split("/")[0]
        matched: tuple[int, float] | None = None
        for media_range, q, _position in ranges:
            specificity = (
                2
                if media_range == media
                else 1
                if media_range == f"{major}/*"
                else 0
                if media_range == "*/*"
                else -1
            )
            if specificity >= 0 and (matched is None or specificity > matched[0]):
                matched = (specificity, q)
        if matched is None or matched[1] <= 0:
            continue
        rank = (matched[1], matched[0], -index)
        if best is None or rank > best:
            best, choice = rank, media
    if choice is None:
        raise NotAcceptable(
            f"none of the requested types is available; offered: {', '.join(offered)}"
        )
    return choice


def preferred(accept: str | None, offered: Sequence[str]) -> str | None:
    """Like `choose`, but None instead of 406."""
    try:
        return choose(accept, offered)
    except NotAcceptable:
        return None


__all__ = ["GRAPH_TYPES", "RESULT_TYPES", "choose", "preferred"]
