"""The ACLED standard export CSV (31 columns, `event_id_cnty` … `timestamp`) as RDF.

One row is one event: `cgid:event/acled-<event_id_cnty>`, typed from `event_type` and
`sub_event_type` (both also kept as `cg:eventType` / `cg:eventSubType` text), with its actors,
its place inside the admin levels and country, a fatalities observation and a source record for
the `source` field. `event_date` is `YYYY-MM-DD` in current exports and `18 November 2017` in
older ones; both are read. The mapping is documented in docs/external-data.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from loaders.base import LoadReport
from loaders.dataset_terms import (
    MONTHS,
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
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
"""The published column order of the standard export."""

REQUIRED = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "source",
    "fatalities",
)
SPEC = CsvSpec("ACLED", REQUIRED)

DATASET = entity("source", "acled")
DEATHS = entity("measure", "deaths")
DC_DESCRIPTION = NamedNode(f"{DCTERMS}description")

EVENT_CLASSES: dict[str, str] = {
    "Battles": "ArmedConflict",
    "Explosions/Remote violence": "Strike",
    "Violence against civilians": "Event",
    "Protests": "Event",
    "Riots": "Event",
    "Strategic developments": "Event",
}
"""`event_type` → class; an unknown event type is a plain `cg:Event` (with a warning)."""

SUB_EVENT_CLASSES: dict[str, str] = {
    "Arrests": "Arrest",
    "Air/drone strike": "Strike",
    "Shelling/artillery/missile attack": "Strike",
    "Armed clash": "ArmedConflict",
}
"""`sub_event_type` values that pin the class more precisely than `event_type`."""

ACTOR_CLASSES: dict[str, str] = {
    "1": "GovernmentAgency",
    "state forces": "GovernmentAgency",
    "2": "ArmedGroup",
    "rebel group": "ArmedGroup",
    "3": "ArmedGroup",
    "political militia": "ArmedGroup",
    "4": "ArmedGroup",
    "identity militia": "ArmedGroup",
    "8": "Organization",
    "external/other forces": "Organization",
}
"""`inter1`/`inter2` (numeric in older exports, words in newer) → agent class; rioters,
protesters and civilians (5, 6, 7) and anything else stay `cg:Agent`."""

TIME_PRECISION = {"1": "day", "2": "about-a-week", "3": "month"}
_LONG_DATE = re.compile(r"^(\d{1,2}) ([A-Za-z]+) (\d{4})$")
_MONTHS = MONTHS


class AcledLoader:
    """Reads an ACLED export CSV (from the export tool or the API as CSV)."""

    name = "acled"

    def __init__(self, *, skip_bad_rows: bool = False) -> None:
        self.skip_bad_rows = skip_bad_rows

    def read(self, path: Path, report: LoadReport) -> Iterator[Triple]:
        """Yield the file's triples; raise `LoadError` on the first bad row unless skipping."""
        yield from dataset_source(
            "acled",
            "Armed Conflict Location & Event Data (ACLED)",
            "ACLED",
            "https://acleddata.com/",
        )
        yield from measure_triples("deaths", "Deaths", DATASET)
        seen = Emitted()
        warned: set[str] = set()

        def convert(row: Row) -> Iterator[Triple]:
            return _row(row, seen, report, warned)

        yield from run_rows(path, SPEC, report, self.skip_bad_rows, convert, (seen,))


def event_date(row: Row) -> dt.date:
    """`event_date` as `YYYY-MM-DD` or `18 November 2017`."""
    value = row.get("event_date")
    match = _LONG_DATE.match(value)
    if match is None:
        return row.date("event_date")
    month = _MONTHS.get(match[2].lower())
    if month is None:
        raise RowError(f"{value!r}: {match[2]!r} is not a month name", "event_date")
    try:
        return dt.date(int(match[3]), month, int(match[1]))
    except ValueError as e:
        raise RowError(f"{value!r} is not a possible date ({e})", "event_date") from e


def _row(row: Row, seen: Emitted, report: LoadReport, warned: set[str]) -> Iterator[Triple]:
    event_id = row.text("event_id_cnty")
    day = event_date(row)
    precision = row.get("time_precision") or "1"
    if precision not in TIME_PRECISION:
        raise RowError(
            f"{precision!r} is not an ACLED time precision (1, 2 or 3)", "time_precision"
        )
    text = {"1": day.isoformat(), "2": f"{day.isoformat()}~", "3": day.strftime("%Y-%m")}
    when = edtf(text[precision], "event_date")
    latitude, longitude = row.decimal("latitude"), row.decimal("longitude")
    if not -90 <= latitude <= 90:
        raise RowError(f"{latitude} is not a latitude", "latitude")
    if not -180 <= longitude <= 180:
        raise RowError(f"{longitude} is not a longitude", "longitude")
    fatalities = row.integer("fatalities")
    event_type, sub_event_type = row.text("event_type"), row.text("sub_event_type")
    klass = SUB_EVENT_CLASSES.get(sub_event_type) or EVENT_CLASSES.get(event_type)
    if klass is None:
        klass = "Event"
        if event_type not in warned:
            warned.add(event_type)
            report.warnings.append(f"ACLED event type {event_type!r} has no class; using Event")

    slug = slug_of(event_id, "event_id_cnty", "acled-")
    event = entity("event", slug)
    location = row.text("location")
    yield Triple(event, RDF_TYPE, cg(klass))
    label = f"{sub_event_type}: {location}, {row.text('country')}, {when.text} (ACLED)"
    yield Triple(event, RDFS_LABEL, Literal(label))
    yield Triple(event, cg("eventType"), Literal(event_type))
    yield Triple(event, cg("eventSubType"), Literal(sub_event_type))
    yield Triple(event, cg("source"), DATASET)
    yield from date_triples(event, when)
    notes = row.get("notes")
    if notes:
        yield Triple(event, DC_DESCRIPTION, Literal(notes))

    against_civilians = event_type == "Violence against civilians"
    for column, inter, role in (
        ("actor1", "inter1", "participant"),
        ("actor2", "inter2", "target" if against_civilians else "participant"),
    ):
        name = row.get(column)
        if name:
            yield from _actor(row, name, column, row.get(inter), event, role, seen)
    for column in ("assoc_actor_1", "assoc_actor_2"):
        for name in filter(None, (part.strip() for part in row.get(column).split(";"))):
            yield from _actor(row, name, column, "", event, "participant", seen)

    place, place_triples = _place(row, location, latitude, longitude, seen)
    yield from place_triples
    yield Triple(event, cg("place"), place)

    cited = row.get("source")
    if cited:
        source = entity("source", f"{slug}-sources")
        yield Triple(source, RDF_TYPE, cg("Source"))
        yield Triple(source, RDFS_LABEL, Literal(f"Sources cited by ACLED event {event_id}"))
        yield Triple(source, cg("publisher"), Literal(cited))
        scale = row.get("source_scale")
        if scale:
            yield Triple(source, cg("note"), Literal(f"source scale: {scale}"))
        yield Triple(source, cg("source"), DATASET)
        yield Triple(event, cg("source"), source)

    yield from observation_triples(
        Figure(
            slug=f"{slug}-fatalities",
            label=f"Fatalities in ACLED event {event_id}",
            measure=DEATHS,
            value=Decimal(fatalities),
            qualifier="about",
            unit="people",
            when=when,
            sources=(DATASET,),
            about=event,
            place=place,
        )
    )


def _actor(
    row: Row, name: str, column: str, inter: str, event: NamedNode, role: str, seen: Emitted
) -> Iterator[Triple]:
    agent = entity("agent", slug_of(name, column, "acled-"))
    yield Triple(event, cg(role), agent)
    if seen.first(agent.value):
        yield Triple(agent, RDF_TYPE, cg(ACTOR_CLASSES.get(inter.strip().lower(), "Agent")))
        yield Triple(agent, RDFS_LABEL, Literal(name))
        yield Triple(agent, cg("source"), DATASET)


def _place(
    row: Row, location: str, latitude: Decimal, longitude: Decimal, seen: Emitted
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
    parent, prefix = nation, f"acled-{country_slug}"
    for column in ("admin1", "admin2", "admin3"):
        name = row.get(column)
        if not name:
            break
        prefix = slug_of(name, column, f"{prefix}-")
        region = entity("place", prefix)
        if seen.first(region.value):
            out += [
                Triple(region, RDF_TYPE, cg("Region")),
                Triple(region, RDFS_LABEL, Literal(name)),
                Triple(region, cg("locatedIn"), parent),
                Triple(region, cg("source"), DATASET),
            ]
        parent = region
    digest = short_hash(prefix, location, str(latitude), str(longitude))
    place = entity("place", slug_of(location, "location", "acled-place-") + f"-{digest}")
    if seen.first(place.value):
        out += [
            Triple(place, RDF_TYPE, cg("Place")),
            Triple(place, RDFS_LABEL, Literal(location)),
            Triple(place, cg("latitude"), decimal_literal(latitude)),
            Triple(place, cg("longitude"), decimal_literal(longitude)),
            Triple(place, cg("locatedIn"), nation),
            Triple(place, cg("source"), DATASET),
        ]
        if parent != nation:
            out.append(Triple(place, cg("locatedIn"), parent))
    return place, out
