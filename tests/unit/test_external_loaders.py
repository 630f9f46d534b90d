"""The dataset loaders (UCDP GED, ACLED, CDC VSRR, Wikidata) and format detection."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode, Triple

from loaders.acled import COLUMNS as ACLED_COLUMNS
from loaders.acled import AcledLoader
from loaders.base import LoadReport
from loaders.cdc_vsrr import COLUMNS as CDC_COLUMNS
from loaders.cdc_vsrr import CdcVsrrLoader
from loaders.detect import detect_format
from loaders.ucdp_ged import COLUMNS as GED_COLUMNS
from loaders.ucdp_ged import UcdpGedLoader
from loaders.wikidata import WikidataLoader
from ontology.errors import LoadError

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
CG = "https://w3id.org/casegraph/ontology#"
ID = "https://w3id.org/casegraph/id/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ALT = NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
EXACT = NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")

type LoaderFactory = Callable[..., UcdpGedLoader | AcledLoader | CdcVsrrLoader | WikidataLoader]


def load(loader: object, path: Path) -> tuple[set[Triple], LoadReport]:
    report = LoadReport()
    triples = set(loader.read(path, report))  # type: ignore[attr-defined]
    return triples, report


def n(iri: str) -> NamedNode:
    return NamedNode(iri if iri.startswith("http") else ID + iri)


def c(local: str) -> NamedNode:
    return NamedNode(CG + local)


def objects(triples: set[Triple], subject: str, predicate: NamedNode) -> set[object]:
    return {t.object for t in triples if t.subject == n(subject) and t.predicate == predicate}


def csv_text(header: list[str], rows: list[dict[str, str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[row.get(h, "") for h in header] for row in rows])
    return buffer.getvalue()


def sample_rows(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (SAMPLES / name).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


# --- samples ---------------------------------------------------------------------------------


def test_ucdp_sample_events_places_agents() -> None:
    triples, report = load(UcdpGedLoader(), SAMPLES / "ucdp-ged-sample.csv")
    assert report.rows == 4
    assert not report.rejected
    event = "event/ucdp-ged-9900001"
    assert c("ArmedConflict") in objects(triples, event, RDF_TYPE)
    assert objects(triples, event, c("dateEDTF")) == {Literal("2019-06-14")}
    assert objects(triples, "event/ucdp-ged-9900004", c("dateEDTF")) == {
        Literal("2018-04-14/2018-04-20")
    }
    assert c("Event") in objects(triples, "event/ucdp-ged-9900002", RDF_TYPE)
    (place,) = objects(triples, event, c("place"))
    assert n("place/mexico") in objects(triples, str(place.value), c("locatedIn"))  # type: ignore[attr-defined]
    assert n("agent/ucdp-actor-90101") in objects(triples, event, c("participant"))
    assert objects(triples, "agent/ucdp-actor-90101", LABEL) == {Literal("Sinaloa Cartel")}
    assert objects(triples, "agent/ucdp-actor-90130", RDF_TYPE) == {c("Government")}
    assert n("event/ucdp-dyad-90001") in objects(triples, event, c("partOf"))
    best = "observation/ucdp-ged-9900003-deaths-best"
    assert objects(triples, best, c("value")) == {
        Literal("11", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    }
    assert objects(triples, best, c("qualifier")) == {Literal("about")}
    assert n("source/ucdp-ged") in objects(triples, event, c("source"))
    assert c("Dataset") in objects(triples, "source/ucdp-ged", RDF_TYPE)
    assert c("Country") in objects(triples, "place/afghanistan", RDF_TYPE)
    # every cgid subject that is typed points to a source, apart from countries
    typed = {t.subject for t in triples if t.predicate == RDF_TYPE}
    sourced = {t.subject for t in triples if t.predicate == c("source")}
    assert typed - sourced <= {n("place/mexico"), n("place/afghanistan"), n("source/ucdp-ged")}


def test_acled_sample_events_places_agents() -> None:
    triples, report = load(AcledLoader(), SAMPLES / "acled-sample.csv")
    assert report.rows == 4
    event = "event/acled-mex990001"
    assert c("ArmedConflict") in objects(triples, event, RDF_TYPE)
    assert objects(triples, event, c("eventType")) == {Literal("Battles")}
    assert objects(triples, event, c("eventSubType")) == {Literal("Armed clash")}
    assert objects(triples, event, c("dateEDTF")) == {Literal("2024-09-12")}
    assert objects(triples, "event/acled-mex990002", c("dateEDTF")) == {Literal("2024-10-03~")}
    assert objects(triples, "event/acled-afg990002", c("dateEDTF")) == {Literal("2021-07")}
    assert c("Strike") in objects(triples, "event/acled-afg990002", RDF_TYPE)
    (place,) = objects(triples, event, c("place"))
    located = objects(triples, str(place.value), c("locatedIn"))  # type: ignore[attr-defined]
    assert n("place/mexico") in located
    assert n("place/acled-mexico-sinaloa-culiacan") in located
    assert n("agent/acled-sinaloa-cartel") in objects(triples, event, c("participant"))
    assert n("agent/acled-civilians-mexico") in objects(
        triples, "event/acled-mex990002", c("target")
    )
    assert objects(triples, "observation/acled-mex990001-fatalities", c("value")) == {
        Literal("3", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    }


def test_cdc_sample_observations() -> None:
    triples, report = load(CdcVsrrLoader(), SAMPLES / "cdc-vsrr-sample.csv")
    assert report.rows == 5
    predicted = "observation/cdc-vsrr-us-2023-12-number-of-drug-overdose-deaths-predicted"
    assert objects(triples, predicted, c("value")) == {
        Literal("110037", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    }
    assert objects(triples, predicted, c("dateEDTF")) == {Literal("2023-01/2023-12")}
    assert objects(triples, predicted, c("refPlace")) == {n("place/united-states")}
    assert objects(triples, predicted, c("revision")) == {Literal("preliminary")}
    sept = "observation/cdc-vsrr-us-2024-09-number-of-drug-overdose-deaths-predicted"
    assert objects(triples, sept, c("dateEDTF")) == {Literal("2023-10/2024-09")}
    assert objects(triples, predicted, c("measure")) == {
        n("measure/cdc-vsrr-number-of-drug-overdose-deaths")
    }
    assert objects(triples, "place/ohio", c("locatedIn")) == {n("place/united-states")}
    heroin = "observation/cdc-vsrr-oh-2024-12-heroin-t40-1"
    assert not objects(triples, heroin, RDF_TYPE)  # suppressed value: no observation


def test_wikidata_sample_entities() -> None:
    triples, report = load(WikidataLoader(), SAMPLES / "wikidata-sample.json")
    assert report.rows == 7
    assert objects(triples, "place/wd-q96", RDF_TYPE) == {c("Country")}
    assert Literal("México", language="es") in objects(triples, "place/wd-q96", LABEL)
    assert objects(triples, "place/wd-q96", EXACT) == {
        NamedNode("http://www.wikidata.org/entity/Q96")
    }
    assert objects(triples, "agent/wd-q22686", RDF_TYPE) == {c("Person")}
    assert Literal("AMLO", language="en") in objects(triples, "agent/wd-q318508", ALT)
    assert objects(triples, "agent/wd-q622899", RDF_TYPE) == {c("GovernmentAgency")}
    assert objects(triples, "agent/wd-q622899", c("basedIn")) == {n("place/wd-q30")}
    inception = "statement/wd-q622899-p571"
    assert objects(triples, inception, c("dateEDTF")) == {Literal("1973-07-01")}


def wikidata_item(qid: str, claims: dict[str, list[object]]) -> dict[str, object]:
    return {
        "id": qid,
        "type": "item",
        "labels": {"en": {"language": "en", "value": qid}},
        "claims": claims,
    }


def item_snak(prop: str, qid: str, **extra: object) -> dict[str, object]:
    snak = {
        "snaktype": "value",
        "property": prop,
        "datavalue": {"type": "wikibase-entityid", "value": {"entity-type": "item", "id": qid}},
    }
    return {"mainsnak": snak, "rank": "normal", **extra}


def time_snak(prop: str, time: str, precision: int) -> dict[str, object]:
    value = {
        "time": time,
        "precision": precision,
        "calendarmodel": "http://www.wikidata.org/entity/Q1985727",
    }
    snak = {"snaktype": "value", "property": prop, "datavalue": {"type": "time", "value": value}}
    return {"mainsnak": snak, "rank": "normal"}


def test_wikidata_dump_event_dates_links_and_causal_claims(tmp_path: Path) -> None:
    reference = {
        "snaks": {
            "P854": [
                {
                    "snaktype": "value",
                    "property": "P854",
                    "datavalue": {"type": "string", "value": "https://example.org/report"},
                }
            ]
        }
    }
    war = wikidata_item(
        "Q1000",
        {
            "P31": [item_snak("P31", "Q350604")],
            "P580": [time_snak("P580", "+2006-12-11T00:00:00Z", 11)],
            "P582": [time_snak("P582", "+2012-00-00T00:00:00Z", 9)],
            "P710": [item_snak("P710", "Q96")],
            "P17": [item_snak("P17", "Q96")],
            "P828": [item_snak("P828", "Q2000", references=[reference])],
        },
    )
    country = wikidata_item("Q96", {"P31": [item_snak("P31", "Q6256")]})
    dump = tmp_path / "dump.json"
    dump.write_text("[\n" + json.dumps(country) + ",\n" + json.dumps(war) + "\n]\n")
    triples, report = load(WikidataLoader(), dump)
    assert report.rows == 2
    assert objects(triples, "event/wd-q1000", c("dateEDTF")) == {Literal("2006-12-11/2012")}
    assert objects(triples, "event/wd-q1000", c("participant")) == {n("place/wd-q96")}
    claim = "claim/wd-q1000-p828-q2000"
    assert objects(triples, claim, c("cause")) == {n("event/wd-q2000")}
    assert objects(triples, claim, c("effect")) == {n("event/wd-q1000")}
    assert objects(triples, claim, c("assertedBy")) == {n("agent/wikidata")}
    assert objects(triples, claim, c("stance")) == {c("Supports")}
    assert len(objects(triples, claim, c("source"))) == 2
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_text(json.dumps(country) + "\n" + json.dumps(war) + "\n")
    assert load(WikidataLoader(), jsonl)[1].rows == 2


def test_wikidata_unmapped_class_warns(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"entities": {"Q5000": wikidata_item("Q5000", {})}}))
    triples, report = load(WikidataLoader(), path)
    assert objects(triples, "agent/wd-q5000", RDF_TYPE) == {c("Entity")}
    assert any("Q5000" in w for w in report.warnings)


# --- bad input -------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_error(error: LoadError, path: Path, line: int, field: str | None) -> None:
    text = str(error)
    assert path.name in text
    assert f":{line}" in text
    if field is not None:
        assert field in text


def test_missing_column(tmp_path: Path) -> None:
    header, rows = sample_rows("ucdp-ged-sample.csv")
    header.remove("best")
    path = write(tmp_path, "ged-missing.csv", csv_text(header, rows))
    with pytest.raises(LoadError) as info:
        list(UcdpGedLoader().read(path, LoadReport()))
    assert_error(info.value, path, 1, "best")


def test_renamed_column_names_closest(tmp_path: Path) -> None:
    header, rows = sample_rows("acled-sample.csv")
    header[header.index("fatalities")] = "fatality"
    rows = [{("fatality" if k == "fatalities" else k): v for k, v in r.items()} for r in rows]
    path = write(tmp_path, "acled-renamed.csv", csv_text(header, rows))
    with pytest.raises(LoadError) as info:
        list(AcledLoader().read(path, LoadReport()))
    assert_error(info.value, path, 1, "fatalities")
    assert "'fatality'" in str(info.value)


def test_malformed_date(tmp_path: Path) -> None:
    header, rows = sample_rows("ucdp-ged-sample.csv")
    rows[1]["date_start"] = "2019-13-45"
    path = write(tmp_path, "ged-date.csv", csv_text(header, rows))
    with pytest.raises(LoadError) as info:
        list(UcdpGedLoader().read(path, LoadReport()))
    assert_error(info.value, path, 3, "date_start")
    assert info.value.column == header.index("date_start") + 1


def test_acled_old_date_format_and_bad_month(tmp_path: Path) -> None:
    header, rows = sample_rows("acled-sample.csv")
    rows[0]["event_date"] = "12 September 2024"
    path = write(tmp_path, "acled-old.csv", csv_text(header, rows))
    triples, _ = load(AcledLoader(), path)
    assert objects(triples, "event/acled-mex990001", c("dateEDTF")) == {Literal("2024-09-12")}
    rows[0]["event_date"] = "12 Septober 2024"
    path = write(tmp_path, "acled-bad-month.csv", csv_text(header, rows))
    with pytest.raises(LoadError) as info:
        list(AcledLoader().read(path, LoadReport()))
    assert_error(info.value, path, 2, "event_date")


def test_non_numeric_death_count(tmp_path: Path) -> None:
    header, rows = sample_rows("ucdp-ged-sample.csv")
    rows[2]["best"] = "eleven"
    path = write(tmp_path, "ged-deaths.csv", csv_text(header, rows))
    with pytest.raises(LoadError) as info:
        list(UcdpGedLoader().read(path, LoadReport()))
    assert_error(info.value, path, 4, "best")


def test_truncated_last_line(tmp_path: Path) -> None:
    header, rows = sample_rows("cdc-vsrr-sample.csv")
    path = write(tmp_path, "cdc-truncated.csv", csv_text(header, rows[:3]) + "US,2024,December")
    with pytest.raises(LoadError) as info:
        list(CdcVsrrLoader().read(path, LoadReport()))
    assert_error(info.value, path, 5, "Period")
    assert "truncated" in str(info.value)


def test_unterminated_quote(tmp_path: Path) -> None:
    header, rows = sample_rows("acled-sample.csv")
    path = write(tmp_path, "acled-quote.csv", csv_text(header, rows) + 'MEX1,"2024-01-01\n')
    with pytest.raises(LoadError) as info:
        list(AcledLoader().read(path, LoadReport()))
    assert_error(info.value, path, 6, None)
    assert "quote" in str(info.value)


def test_wrong_delimiter(tmp_path: Path) -> None:
    header, rows = sample_rows("ucdp-ged-sample.csv")
    path = write(tmp_path, "ged-semicolon.csv", csv_text(header, rows, delimiter=";"))
    with pytest.raises(LoadError) as info:
        list(UcdpGedLoader().read(path, LoadReport()))
    assert_error(info.value, path, 1, None)
    assert "semicolon" in str(info.value)


def test_cdc_empty_value_needs_suppression_footnote(tmp_path: Path) -> None:
    header, rows = sample_rows("cdc-vsrr-sample.csv")
    rows[3]["Data Value"] = ""
    path = write(tmp_path, "cdc-empty.csv", csv_text(header, rows))
    with pytest.raises(LoadError) as info:
        list(CdcVsrrLoader().read(path, LoadReport()))
    assert_error(info.value, path, 5, "Data Value")


def test_unknown_wikidata_datatype(tmp_path: Path) -> None:
    odd = {
        "mainsnak": {
            "snaktype": "value",
            "property": "P9999",
            "datatype": "musical-notation",
            "datavalue": {"type": "sheet-music", "value": "c d e"},
        },
        "rank": "normal",
    }
    country = wikidata_item("Q96", {"P31": [item_snak("P31", "Q6256")]})
    bad = wikidata_item("Q7000", {"P9999": [odd]})
    path = write(
        tmp_path, "dump.json", "[\n" + json.dumps(country) + ",\n" + json.dumps(bad) + "\n]\n"
    )
    with pytest.raises(LoadError) as info:
        list(WikidataLoader().read(path, LoadReport()))
    assert_error(info.value, path, 3, "P9999")
    assert "Q7000" in str(info.value)
    assert "sheet-music" in str(info.value)
    _triples, report = load(WikidataLoader(skip_bad_rows=True), path)
    assert report.rows == 1
    assert report.rejected[0].line == 3
    assert "sheet-music" in report.rejected[0].reason


def test_skip_bad_rows_keeps_good_rows(tmp_path: Path) -> None:
    header, rows = sample_rows("ucdp-ged-sample.csv")
    rows[1]["best"] = "many"
    path = write(tmp_path, "ged-skip.csv", csv_text(header, rows))
    triples, report = load(UcdpGedLoader(skip_bad_rows=True), path)
    assert report.rows == 3
    assert [r.line for r in report.rejected] == [3]
    assert "best" in report.rejected[0].reason
    assert "'many'" in report.rejected[0].reason
    assert not objects(triples, "event/ucdp-ged-9900002", RDF_TYPE)
    assert objects(triples, "event/ucdp-ged-9900003", RDF_TYPE)


def test_skip_bad_rows_does_not_lose_shared_records(tmp_path: Path) -> None:
    header, rows = sample_rows("ucdp-ged-sample.csv")
    rows[0]["best"] = "x"  # the first row that mentions Sinaloa Cartel fails
    path = write(tmp_path, "ged-shared.csv", csv_text(header, rows))
    triples, _ = load(UcdpGedLoader(skip_bad_rows=True), path)
    assert objects(triples, "agent/ucdp-actor-90101", LABEL) == {Literal("Sinaloa Cartel")}


def test_skip_bad_rows_truncated_last_line(tmp_path: Path) -> None:
    header, rows = sample_rows("acled-sample.csv")
    path = write(tmp_path, "acled-trunc.csv", csv_text(header, rows) + "MEX9,2024-01-01,2024")
    _, report = load(AcledLoader(skip_bad_rows=True), path)
    assert report.rows == 4
    assert report.rejected[0].line == 6
    assert "truncated" in report.rejected[0].reason


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ucdp-ged-sample.csv", "ucdp-ged"),
        ("acled-sample.csv", "acled"),
        ("cdc-vsrr-sample.csv", "cdc-vsrr"),
        ("wikidata-sample.json", "wikidata"),
    ],
)
def test_detect_samples(name: str, expected: str) -> None:
    assert detect_format(SAMPLES / name) == expected


def test_detect_by_extension_and_failure(tmp_path: Path) -> None:
    assert detect_format(tmp_path / "case.yaml") == "case-yaml"
    assert detect_format(tmp_path / "g.ttl") == "rdf"
    other = write(tmp_path, "other.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(LoadError, match=r"other\.csv"):
        detect_format(other)
    dump = write(tmp_path, "dump.json", '[\n{"type":"item","id":"Q1"},\n]\n')
    assert detect_format(dump) == "wikidata"


# --- random input ----------------------------------------------------------------------------

CSV_LOADERS: list[tuple[LoaderFactory, tuple[str, ...]]] = [
    (UcdpGedLoader, GED_COLUMNS),
    (AcledLoader, ACLED_COLUMNS),
    (CdcVsrrLoader, CDC_COLUMNS),
]
cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "1", "-5", "2019-01-01", "1,234", "Mexico", '"', "\n", "12 May 2020"]),
)


@pytest.mark.parametrize(("factory", "columns"), CSV_LOADERS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_rows_only_load_error(
    tmp_path: Path, factory: LoaderFactory, columns: tuple[str, ...], data: st.DataObject
) -> None:
    rows = data.draw(st.lists(st.lists(cell, max_size=len(columns) + 1), max_size=4))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path = tmp_path / "random.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    for skip in (False, True):
        with contextlib.suppress(LoadError):
            list(factory(skip_bad_rows=skip).read(path, LoadReport()))


@pytest.mark.parametrize(("factory", "columns"), CSV_LOADERS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(blob=st.binary(max_size=300))
def test_random_bytes_only_load_error(
    tmp_path: Path, factory: LoaderFactory, columns: tuple[str, ...], blob: bytes
) -> None:
    path = tmp_path / "random.csv"
    path.write_bytes(",".join(columns).encode() + b"\n" + blob)
    with contextlib.suppress(LoadError):
        list(factory().read(path, LoadReport()))
    path.write_bytes(blob)
    with contextlib.suppress(LoadError):
        list(factory().read(path, LoadReport()))


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(blob=st.binary(max_size=300))
def test_random_bytes_wikidata_only_load_error(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "random.json"
    for content in (blob, b"[\n" + blob, b'{"entities": ' + blob):
        path.write_bytes(content)
        with contextlib.suppress(LoadError):
            list(WikidataLoader().read(path, LoadReport()))
