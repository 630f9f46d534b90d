"""The RDF the dataset loaders share: stable ids made from field values (slugs, short hashes,
country names), the `cg:Dataset` record, measures and observations (`Figure`), canonical
decimals, EDTF from row fields, and month names.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from pyoxigraph import Literal, NamedNode, Triple

from loaders.edtf import EDTF, EDTFError, parse_edtf
from loaders.tabular import RowError
from loaders.terms import RDF_TYPE, RDFS_LABEL, XSD_DECIMAL, cg, date_triples, entity


def slugify(value: str) -> str:
    """Lower-case ASCII slug: accents stripped, anything else collapsed to '-'."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def short_hash(*parts: str) -> str:
    """Eight hex digits identifying a combination of values (stable across runs)."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False).hexdigest()[:8]


def decimal_literal(value: Decimal) -> Literal:
    """An `xsd:decimal` literal in canonical form (no exponent, no trailing zeros)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"", "-", "-0"}:
        text = "0"
    return Literal(text, datatype=XSD_DECIMAL)


_COUNTRY_ALIASES: dict[str, tuple[str, str]] = {
    "united-states-of-america": ("united-states", "United States"),
    "usa": ("united-states", "United States"),
    "us": ("united-states", "United States"),
    "dr-congo": ("democratic-republic-of-congo", "Democratic Republic of Congo"),
    "democratic-republic-of-the-congo": (
        "democratic-republic-of-congo",
        "Democratic Republic of Congo",
    ),
    "myanmar-burma": ("myanmar", "Myanmar"),
    "russia-soviet-union": ("russia", "Russia"),
}


def country(name: str) -> tuple[str, str]:
    """`(slug, label)` of a country named by a dataset: a trailing parenthesis (UCDP's former
    names, `Myanmar (Burma)`) is dropped and a few long forms map to the curated slugs."""
    stripped = re.sub(r"\s*\([^)]*\)\s*$", "", name).strip() or name.strip()
    slug = slugify(name)
    if slug in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[slug]
    slug = slugify(stripped)
    if slug in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[slug]
    return slug, stripped


def slug_of(value: str, column: str, prefix: str = "") -> str:
    """`prefix` + the slug of a column value; a value with no letters or digits is a row fault."""
    slug = slugify(value)
    if not slug:
        raise RowError(f"{value!r} has no letters or digits to make an id from", column)
    return f"{prefix}{slug}"


def dataset_source(slug: str, label: str, publisher: str, url: str) -> Iterator[Triple]:
    """The `cg:Dataset` record every entity of a dataset points to with `cg:source`."""
    node = entity("source", slug)
    yield Triple(node, RDF_TYPE, cg("Dataset"))
    yield Triple(node, RDFS_LABEL, Literal(label))
    yield Triple(node, cg("publisher"), Literal(publisher))
    yield Triple(node, cg("url"), NamedNode(url))


@dataclass(frozen=True, slots=True)
class Figure:
    """One observation to emit: what, how much, of what, where and when, on whose word."""

    slug: str
    label: str
    measure: NamedNode
    value: Decimal
    qualifier: str
    unit: str
    when: EDTF
    sources: tuple[NamedNode, ...]
    about: NamedNode | None = None
    place: NamedNode | None = None
    revision: str | None = None
    note: str | None = None


def observation_triples(figure: Figure) -> Iterator[Triple]:
    """A `cg:Observation` (see docs/model.md, Observations)."""
    node = entity("observation", figure.slug)
    yield Triple(node, RDF_TYPE, cg("Observation"))
    yield Triple(node, RDFS_LABEL, Literal(figure.label))
    yield Triple(node, cg("measure"), figure.measure)
    yield Triple(node, cg("value"), decimal_literal(figure.value))
    yield Triple(node, cg("qualifier"), Literal(figure.qualifier))
    yield Triple(node, cg("unit"), Literal(figure.unit))
    yield from date_triples(node, figure.when)
    if figure.about is not None:
        yield Triple(node, cg("about"), figure.about)
    if figure.place is not None:
        yield Triple(node, cg("refPlace"), figure.place)
    if figure.revision is not None:
        yield Triple(node, cg("revision"), Literal(figure.revision))
    if figure.note is not None:
        yield Triple(node, cg("note"), Literal(figure.note))
    for source in figure.sources:
        yield Triple(node, cg("source"), source)


def measure_triples(slug: str, label: str, source: NamedNode) -> Iterator[Triple]:
    """A `cg:Measure` concept."""
    node = entity("measure", slug)
    yield Triple(node, RDF_TYPE, cg("Measure"))
    yield Triple(node, RDFS_LABEL, Literal(label))
    yield Triple(node, cg("source"), source)


def edtf(text: str, column: str) -> EDTF:
    """Parse an EDTF string built from row fields; a bad one is a fault of `column`."""
    try:
        return parse_edtf(text)
    except EDTFError as e:
        raise RowError(str(e), column) from e


MONTHS: dict[str, int] = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
"""English month names (lower case) → 1 to 12, independent of the process locale."""
