"""EDTF parsing: bounds, precision, qualifiers and the errors for impossible input."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.edtf import EDTFError, parse_edtf

D = dt.date


@pytest.mark.parametrize(
    ("text", "earliest", "start_latest", "end_earliest", "latest", "precision"),
    [
        ("2006-12-11", D(2006, 12, 11), D(2006, 12, 11), D(2006, 12, 11), D(2006, 12, 11), "day"),
        ("2006-12", D(2006, 12, 1), D(2006, 12, 31), D(2006, 12, 1), D(2006, 12, 31), "month"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), D(2024, 2, 1), D(2024, 2, 29), "month"),
        ("2006", D(2006, 1, 1), D(2006, 12, 31), D(2006, 1, 1), D(2006, 12, 31), "year"),
        ("2006~", D(2005, 1, 1), D(2007, 12, 31), D(2005, 1, 1), D(2007, 12, 31), "year"),
        ("2012-12~", D(2012, 11, 1), D(2013, 1, 31), D(2012, 11, 1), D(2013, 1, 31), "month"),
        ("2025-02-17~", D(2025, 2, 16), D(2025, 2, 18), D(2025, 2, 16), D(2025, 2, 18), "day"),
        (
            "2017-11/2018-12",
            D(2017, 11, 1),
            D(2017, 11, 30),
            D(2018, 12, 1),
            D(2018, 12, 31),
            "month",
        ),
        ("2024-07-25/..", D(2024, 7, 25), D(2024, 7, 25), None, None, "day"),
        ("../2025-08-08", None, None, D(2025, 8, 8), D(2025, 8, 8), "day"),
        ("2014/2017-01", D(2014, 1, 1), D(2014, 12, 31), D(2017, 1, 1), D(2017, 1, 31), "year"),
    ],
)
def test_bounds(
    text: str,
    earliest: dt.date | None,
    start_latest: dt.date | None,
    end_earliest: dt.date | None,
    latest: dt.date | None,
    precision: str,
) -> None:
    value = parse_edtf(text)
    assert value.text == text
    assert (value.earliest, value.start_latest, value.end_earliest, value.latest) == (
        earliest,
        start_latest,
        end_earliest,
        latest,
    )
    assert value.precision == precision


def test_qualifiers() -> None:
    assert parse_edtf("2019-10-17?").uncertain
    assert not parse_edtf("2019-10-17?").approximate
    both = parse_edtf("2019%")
    assert both.uncertain and both.approximate
    assert parse_edtf("2024-07-25/..").open_end
    assert not parse_edtf("2024-07-25/").open_end


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2006-13", "not a possible date"),
        ("2023-02-30", "not a possible date"),
        ("2006-12-1x", "not an EDTF date"),
        ("06-12-2006", "not an EDTF date"),
        ("2010/2006", "before the start"),
        ("../..", "at least one known end"),
        ("2006/2007/2008", "more than one '/'"),
        (" 2006", "not an EDTF string"),
        ("", "not an EDTF string"),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(EDTFError, match=message):
        parse_edtf(text)


@given(
    st.dates(min_value=D(1000, 1, 1), max_value=D(9999, 12, 30)), st.sampled_from(["", "~", "?"])
)
def test_a_day_contains_itself(day: dt.date, qualifier: str) -> None:
    value = parse_edtf(day.isoformat() + qualifier)
    assert value.earliest is not None and value.latest is not None
    assert value.earliest <= day <= value.latest
    assert value.start_latest == value.latest


@given(
    st.dates(min_value=D(1000, 1, 1), max_value=D(9998, 12, 31)),
    st.dates(min_value=D(1000, 1, 1), max_value=D(9998, 12, 31)),
)
def test_intervals_order(a: dt.date, b: dt.date) -> None:
    start, end = min(a, b), max(a, b)
    value = parse_edtf(f"{start.isoformat()}/{end.isoformat()}")
    assert value.earliest == start and value.latest == end
    if a != b:
        with pytest.raises(EDTFError):
            parse_edtf(f"{end.isoformat()}/{start.isoformat()}")


@pytest.mark.parametrize("text", ["0001~", "9999~", "0001-01~", "9999-12-31~"])
def test_approximate_dates_at_the_ends_of_the_calendar(text: str) -> None:
    with pytest.raises(EDTFError):
        parse_edtf(text)
