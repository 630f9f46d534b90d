"""Result caps (`api/limits.py`) and the HTTP settings (`api/settings.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from api.limits import ResultCap, cypher_cap, sparql_cap
from api.problems import status_of
from api.settings import Settings
from ontology.errors import QueryError, QueryTimeout, ResultTooLarge


def test_rows_are_counted_as_they_are_pulled() -> None:
    cap = ResultCap("SPARQL", max_rows=3, max_bytes=1000)
    pulled: list[int] = []

    def rows() -> Iterator[int]:
        for i in range(10):
            pulled.append(i)
            yield i

    assert list(cap.rows(iter(range(3)))) == [0, 1, 2]
    with pytest.raises(ResultTooLarge, match=r"more than 3 rows.*CASEGRAPH_SPARQL_MAX_ROWS"):
        list(cap.rows(rows()))
    assert pulled == [0, 1, 2, 3]  # stopped at the row past the cap, not at the end


def test_writer_stops_a_serialiser_past_the_byte_cap() -> None:
    triples = [
        ox.Triple(ox.NamedNode(f"http://e/{i}"), ox.NamedNode("http://p"), ox.Literal(str(i)))
        for i in range(5000)
    ]
    out = ResultCap("SPARQL", max_rows=10_000, max_bytes=1_000_000).writer()
    ox.serialize(triples, output=out, format=ox.RdfFormat.N_TRIPLES)
    whole = len(out.getvalue())
    assert whole > 150_000
    small = ResultCap("SPARQL", max_rows=10_000, max_bytes=20_000).writer()
    with pytest.raises(ResultTooLarge, match="CASEGRAPH_SPARQL_MAX_BYTES"):
        ox.serialize(iter(triples), output=small, format=ox.RdfFormat.N_TRIPLES)
    # pyoxigraph writes in 8 KiB blocks: it stopped a few blocks after the cap, not at the end.
    assert 20_000 < len(small.getvalue()) <= 20_000 + 4 * 8192 < whole


def test_check_bytes_and_rows() -> None:
    cap = ResultCap("Cypher", max_rows=2, max_bytes=5)
    cap.check_rows(2)
    cap.check_bytes(5)
    with pytest.raises(ResultTooLarge, match="CASEGRAPH_CYPHER_MAX_ROWS"):
        cap.check_rows(3)
    with pytest.raises(ResultTooLarge, match="CASEGRAPH_CYPHER_MAX_BYTES"):
        cap.check_bytes(6)


def test_statuses_of_timeouts_and_oversized_results() -> None:
    assert status_of(QueryTimeout("slow")) == 503
    assert status_of(ResultTooLarge("big")) == 422
    assert status_of(QueryError("syntax")) == 400
    assert issubclass(QueryTimeout, QueryError) and issubclass(ResultTooLarge, QueryError)


def test_api_md_configuration_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """The defaults docs/api.md (*Configuration*) gives: a 10 s query timeout, no CORS, the
    access log on, result caps for SPARQL and Cypher, per-surface body caps."""
    monkeypatch.delenv("CASEGRAPH_QUERY_TIMEOUT_S", raising=False)
    monkeypatch.delenv("CASEGRAPH_CORS_ORIGINS", raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.query_timeout_s == 10.0
    assert settings.cors_origins == []
    assert settings.access_log is True
    assert settings.sparql_max_body_bytes < settings.upload_max_body_bytes
    assert settings.cypher_max_body_bytes < settings.upload_max_body_bytes
    assert sparql_cap(settings).max_bytes == settings.sparql_max_bytes
    assert cypher_cap(settings).max_bytes == settings.cypher_max_bytes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '["http://A.example:8080/", "https://b.example"]',
            ["http://a.example:8080", "https://b.example"],
        ),
        ("http://a.example, https://b.example", ["http://a.example", "https://b.example"]),
        ("*", ["*"]),
        ("", []),
    ],
)
def test_cors_origins_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: list[str]
) -> None:
    monkeypatch.setenv("CASEGRAPH_CORS_ORIGINS", value)
    assert Settings(_env_file=None).cors_origins == expected  # type: ignore[call-arg]
