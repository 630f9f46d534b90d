"""The UCDP Georeferenced Event Dataset (GED) CSV, in its current 49-column layout, as RDF.

One row is one event of organised violence: `cgid:event/ucdp-ged-<id>`. Its dyad and conflict
become grouping events (`cg:partOf`), its two sides agents, its location a place inside its
admin-1 region and country, its death estimates observations, and its `source_article` text a
source record. The mapping is documented in docs/external-data.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from loaders.base import LoadReport
from loaders.dataset_terms import (
    Figure,
    country,
    dataset_source,
    decimal_literal,
    edtf,
    measure_triples,
    observation_triples,
    short_hash,
    slug_of,
)
from loaders.tabular import CsvSpec, Emitted, Row, RowError, run_rows
from loaders.terms import RDF_TYPE, RDFS_LABEL, cg, date_triples, entity
from ontology.namespaces import DCTERMS

COLUMNS = (
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
)
"""The published column order (GED 20.1 onwards); other columns are tolerated and ignored."""

REQUIRED = (
    "id",
    "year",
    "type_of_violence",
    "conflict_new_id",
    "conflict_name",
    "dyad_new_id",
    "dyad_name",
    "side_a_new_id",
    "side_a",
    "side_b_new_id",
    "side_b",
    "source_article",
    "where_coordinates",
    "adm_1",
    "latitude",
    "longitude",
    "country",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
)
SPEC = CsvSpec("UCDP GED", REQUIRED)

DATASET = entity("source", "ucdp-ged")
DC_DESCRIPTION = NamedNode(f"{DCTERMS}description")
DEATHS = entity("measure", "deaths")

VIOLENCE_TYPES: dict[int, tuple[str, str]] = {
    1: ("ArmedConflict", "state-based conflict"),
    2: ("ArmedConflict", "non-state conflict"),
    3: ("Event", "one-sided violence"),
}
"""`type_of_violence` → (class, `cg:eventType` text). One-sided violence (an armed actor against
civilians) is not fighting between groups, so it stays a plain `cg:Event`."""

ESTIMATES = (
    ("best", "about", "best estimate"),
    ("low", "at-least", "low estimate"),
    ("high", "at-most", "high estimate"),
)
"""Death columns → (observation qualifier, label words)."""


class UcdpGedLoader:
    """Reads a UCDP GED CSV (`GEDEvent_v25_1.csv` and the like)."""

    name = "ucdp-ged"

    def __init__(self, *, skip_bad_rows: bool = False) -> None:
        self.skip_bad_rows = skip_bad_rows

    def read(self, path: Path, report: LoadReport) -> Iterator[Triple]:
        """Yield the file's triples; raise `LoadError` on the first bad row unless skipping."""
        yield from dataset_source(
            "ucdp-ged",
            "UCDP Georeferenced Event Dataset (GED)",
            "Uppsala Conflict Data Program",
            "https://ucdp.uu.se/downloads/",
        )
        yield from measure_triples("deaths", "Deaths", DATASET)
        seen = Emitted()
        yield from run_rows(
            path, SPEC, report, self.skip_bad_rows, lambda row: _row(row, seen), (seen,)
        )


def _row(row: Row, seen: Emitted) -> Iterator[Triple]:
    event_id = row.integer("id")
    row.integer("year")
    violence = row.integer("type_of_violence")
    if violence not in VIOLENCE_TYPES:
        raise RowError(f"{violence} is not a UCDP violence type (1, 2 or 3)", "type_of_violence")
    klass, violence_text = VIOLENCE_TYPES[violence]
    start, end = row.date("date_start"), row.date("date_end")
    if end < start:
        raise RowError(f"date_end {end} is before date_start {start}", "date_end")
    when = edtf(start.isoformat() if start == end else f"{start}/{end}", "date_start")
    latitude = row.decimal("latitude")
    longitude = row.decimal("longitude")
    if not -90 <= latitude <= 90:
        raise RowError(f"{latitude} is not a latitude", "latitude")
    if not -180 <= longitude <= 180:
        raise RowError(f"{longitude} is not a longitude", "longitude")
    deaths = {name: row.integer(name) for name in ("best", "low", "high")}
    for name in ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"):
        row.integer(name)

    slug = f"ucdp-ged-{event_id}"
    event = entity("event", slug)
    dyad_name = row.text("dyad_name")
    where = row.text("where_coordinates")
    yield Triple(event, RDF_TYPE, cg(klass))
    yield Triple(event, RDFS_LABEL, Literal(f"{dyad_name}: {where}, {when.text} (UCDP GED)"))
    yield Triple(event, cg("eventType"), Literal(violence_text))
    yield Triple(event, cg("source"), DATASET)
    yield from date_triples(event, when)
    description = row.get("where_description")
    if description:
        yield Triple(event, DC_DESCRIPTION, Literal(description))

    dyad = entity("event", slug_of(row.text("dyad_new_id"), "dyad_new_id", "ucdp-dyad-"))
    conflict_slug = slug_of(row.text("conflict_new_id"), "conflict_new_id", "ucdp-conflict-")
    conflict = entity("event", conflict_slug)
    yield Triple(event, cg("partOf"), dyad)
    if seen.first(f"dyad:{dyad.value}"):
        yield Triple(dyad, RDF_TYPE, cg("ArmedConflict"))
        yield Triple(dyad, RDFS_LABEL, Literal(f"{dyad_name} (UCDP dyad)"))
        yield Triple(dyad, cg("partOf"), conflict)
        yield Triple(dyad, cg("source"), DATASET)
    if seen.first(f"conflict:{conflict.value}"):
        yield Triple(conflict, RDF_TYPE, cg("ArmedConflict"))
        yield Triple(conflict, RDFS_LABEL, Literal(f"{row.text('conflict_name')} (UCDP conflict)"))
        yield Triple(conflict, cg("source"), DATASET)

    for side in ("side_a", "side_b"):
        yield from _side(row, side, event, violence, seen)

    place, place_triples = _place(row, where, latitude, longitude, seen)
    yield from place_triples
    yield Triple(event, cg("place"), place)

    article = row.get("source_article")
    if article:
        source = entity("source", f"{slug}-sources")
        yield Triple(source, RDF_TYPE, cg("Source"))
        yield Triple(source, RDFS_LABEL, Literal(f"Sources cited by UCDP GED event {event_id}"))
        yield Triple(source, cg("note"), Literal(article))
        office = row.get("source_office")
        if office:
            yield Triple(source, cg("publisher"), Literal(office))
        yield Triple(source, cg("source"), DATASET)
        yield Triple(event, cg("source"), source)

    for column, qualifier, words in ESTIMATES:
        value = deaths[column]
        yield from observation_triples(
            Figure(
                slug=f"{slug}-deaths-{column}",
                label=f"Deaths in UCDP GED event {event_id} ({words})",
                measure=DEATHS,
                value=Decimal(value),
                qualifier=qualifier,
                unit="people",
                when=when,
                sources=(DATASET,),
                about=event,
                place=place,
            )
        )


def _side(row: Row, side: str, event: NamedNode, violence: int, seen: Emitted) -> Iterator[Triple]:
    name = row.text(side)
    if violence == 3 and side == "side_b":
        return
    agent = entity("agent", slug_of(row.text(f"{side}_new_id"), f"{side}_new_id", "ucdp-actor-"))
    yield Triple(event, cg("participant"), agent)
    if seen.first(agent.value):
        klass = "Government" if name.startswith("Government of") else "ArmedGroup"
        yield Triple(agent, RDF_TYPE, cg(klass))
        yield Triple(agent, RDFS_LABEL, Literal(name))
        yield Triple(agent, cg("source"), DATASET)


def _place(
    row: Row, where: str, latitude: Decimal, longitude: Decimal, seen: Emitted
) -> tuple[NamedNode, list[Triple]]:
    country_slug, country_label = country(row.text("country"))
    if not country_slug:
        raise RowError(f"{row.get('country')!r} is not a country name", "country")
    nation = entity("place", country_slug)
    out: list[Triple] = []
    if seen.first(nation.value):
        out += [
            Triple(nation, RDF_TYPE, cg("Country")),
            Triple(nation, RDFS_LABEL, Literal(country_label)),
        ]
    region: NamedNode | None = None
    adm_1 = row.get("adm_1")
    if adm_1:
        region = entity("place", slug_of(adm_1, "adm_1", f"ucdp-adm1-{country_slug}-"))
        if seen.first(region.value):
            out += [
                Triple(region, RDF_TYPE, cg("Region")),
                Triple(region, RDFS_LABEL, Literal(adm_1)),
                Triple(region, cg("locatedIn"), nation),
                Triple(region, cg("source"), DATASET),
            ]
    digest = short_hash(country_slug, where, str(latitude), str(longitude))
    place = entity("place", slug_of(where, "where_coordinates", "ucdp-place-") + f"-{digest}")
    if seen.first(place.value):
        out += [
            Triple(place, RDF_TYPE, cg("Place")),
            Triple(place, RDFS_LABEL, Literal(where)),
            Triple(place, cg("latitude"), decimal_literal(latitude)),
            Triple(place, cg("longitude"), decimal_literal(longitude)),
            Triple(place, cg("locatedIn"), nation),
            Triple(place, cg("source"), DATASET),
        ]
        if region is not None:
            out.append(Triple(place, cg("locatedIn"), region))
    return place, out
