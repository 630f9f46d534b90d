"""CDC VSRR Provisional Drug Overdose Death Counts (data.cdc.gov `xkb8-kh2a`) CSV as RDF.

One row is one indicator for one jurisdiction over the 12 months ending a given month. It becomes
a reported-count observation (`Data Value`) and, when the row has one, a predicted-count
observation (`Predicted Value`, the count adjusted for reporting delays), both provisional
(`cg:revision "preliminary"`). The mapping is documented in docs/external-data.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import Literal, Triple

from loaders.base import LoadReport
from loaders.dataset_terms import (
    MONTHS,
    Figure,
    dataset_source,
    edtf,
    measure_triples,
    observation_triples,
    slug_of,
)
from loaders.tabular import CsvSpec, Emitted, Row, RowError, run_rows
from loaders.terms import RDF_TYPE, RDFS_LABEL, cg, entity

COLUMNS = (
    "State",
    "Year",
    "Month",
    "Period",
    "Indicator",
    "Data Value",
    "Percent Complete",
    "Percent Pending Investigation",
    "State Name",
    "Footnote",
    "Footnote Symbol",
    "Predicted Value",
)
"""The published column order."""

REQUIRED = ("State", "Year", "Month", "Period", "Indicator", "Data Value", "State Name")
SPEC = CsvSpec("CDC VSRR", REQUIRED)

DATASET = entity("source", "cdc-vsrr")
PERIOD = "12 month-ending"
_MONTHS = MONTHS
_SUPPRESSED = ("suppress", "not shown")
"""Footnote words that explain an empty `Data Value` (the only case an empty value is allowed)."""


class CdcVsrrLoader:
    """Reads the VSRR provisional drug overdose death counts CSV."""

    name = "cdc-vsrr"

    def __init__(self, *, skip_bad_rows: bool = False) -> None:
        self.skip_bad_rows = skip_bad_rows

    def read(self, path: Path, report: LoadReport) -> Iterator[Triple]:
        """Yield the file's triples; raise `LoadError` on the first bad row unless skipping."""
        yield from dataset_source(
            "cdc-vsrr",
            "VSRR Provisional Drug Overdose Death Counts",
            "CDC National Center for Health Statistics",
            "https://data.cdc.gov/NCHS/VSRR-Provisional-Drug-Overdose-Death-Counts/xkb8-kh2a",
        )
        seen = Emitted()
        yield from run_rows(
            path, SPEC, report, self.skip_bad_rows, lambda row: _row(row, seen), (seen,)
        )


def period_edtf(year: int, month: int) -> str:
    """The 12 months ending with `month` of `year`, as an EDTF month interval."""
    if month == 12:
        return f"{year:04d}-01/{year:04d}-12"
    return f"{year - 1:04d}-{month + 1:02d}/{year:04d}-{month:02d}"


def place_slug(state: str, state_name: str) -> tuple[str, str]:
    """`(slug, class)`: the nation, New York City, or a state."""
    if state == "US" or state_name == "United States":
        return "united-states", "Country"
    if state == "YC" or state_name == "New York City":
        return "new-york-city", "City"
    return slug_of(state_name, "State Name"), "Region"


def _row(row: Row, seen: Emitted) -> Iterator[Triple]:
    year = row.integer("Year")
    if not 1900 <= year <= 2200:
        raise RowError(f"{year} is not a plausible year", "Year")
    month_name = row.text("Month")
    month = _MONTHS.get(month_name.lower())
    if month is None:
        raise RowError(f"{month_name!r} is not a month name", "Month")
    period = row.text("Period")
    if period.lower() != PERIOD:
        raise RowError(f"{period!r} is not a supported period ({PERIOD!r})", "Period")
    when = edtf(period_edtf(year, month), "Month")
    indicator = row.text("Indicator")
    measure_slug = slug_of(indicator, "Indicator", "cdc-vsrr-")
    measure = entity("measure", measure_slug)
    if seen.first(measure.value):
        yield from measure_triples(measure_slug, f"{indicator} (CDC VSRR)", DATASET)
    state = row.text("State")
    state_name = row.text("State Name")
    slug, klass = place_slug(state, state_name)
    place = entity("place", slug)
    if seen.first(place.value):
        yield Triple(place, RDF_TYPE, cg(klass))
        yield Triple(place, RDFS_LABEL, Literal(state_name))
        if klass != "Country":
            yield Triple(place, cg("locatedIn"), entity("place", "united-states"))
    unit = "percent" if indicator.lower().startswith("percent") else "deaths"

    reported = row.maybe_decimal("Data Value", grouped=True)
    footnote = row.get("Footnote")
    if reported is None and not any(word in footnote.lower() for word in _SUPPRESSED):
        raise RowError("is empty and the footnote does not say it was suppressed", "Data Value")
    predicted = row.maybe_decimal("Predicted Value", grouped=True)
    notes = []
    for column in ("Percent Complete", "Percent Pending Investigation"):
        value = row.maybe_decimal(column, grouped=True)
        if value is not None:
            notes.append(f"{column.lower()}: {value}")
    if footnote:
        notes.append(f"footnote: {footnote}")

    base = f"cdc-vsrr-{slug_of(state, 'State')}-{year:04d}-{month:02d}-{measure_slug[9:]}"
    what = f"{indicator}, {state_name}, 12 months ending {month_name} {year}"
    for value, suffix, qualifier, words in (
        (reported, "", "exact", "reported provisional count"),
        (predicted, "-predicted", "about", "predicted provisional count"),
    ):
        if value is None:
            continue
        yield from observation_triples(
            Figure(
                slug=base + suffix,
                label=f"{what} ({words})",
                measure=measure,
                value=value,
                qualifier=qualifier,
                unit=unit,
                when=when,
                sources=(DATASET,),
                place=place,
                revision="preliminary",
                note="; ".join([words, *notes]),
            )
        )
