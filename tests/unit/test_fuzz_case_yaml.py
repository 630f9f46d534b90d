"""The case-file loader fed random input: it loads it or raises `LoadError`, nothing else.

Three kinds of input, each written to a file and read as `casegraph load` reads it
(`parse_case_file`, then `CaseYAMLLoader().triples`): random bytes, random YAML-ish text built
from YAML's own punctuation, and random documents built as data (valid-looking records whose
fields get values of random types, and arbitrary nested mappings and lists) dumped as YAML.
The `@example`s are inputs that once escaped as other exceptions.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from loaders.base import LoadReport
from loaders.case_model import RECORD_KINDS, CaseFile
from loaders.case_yaml import CaseYAMLLoader, parse_case_file
from ontology.errors import LoadError

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def load_bytes(data: bytes) -> int:
    """Read `data` as a case file; the number of triples, or LoadError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_bytes(data)
        parsed = parse_case_file(path)
        return sum(1 for _ in CaseYAMLLoader().triples(parsed, LoadReport()))


def only_load_errors(data: bytes) -> None:
    with contextlib.suppress(LoadError):
        load_bytes(data)


@given(st.binary(max_size=4096))
@FUZZ
@example(b"")
@example(b"\xff\xfe")
@example(b"casegraph: 1\x00")
def test_random_bytes(data: bytes) -> None:
    only_load_errors(data)


YAML_TOKENS = [
    "casegraph: 1\n",
    "casegraph: ",
    "\n",
    "  ",
    "- ",
    ": ",
    "? ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "&a ",
    "*a",
    "!!str ",
    "!!int ",
    "!!float ",
    "!!binary ",
    "!!timestamp ",
    "!!python/object:os.system ",
    "!local ",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "|\n",
    ">-\n",
    "'",
    '"',
    "\\u0000",
    "#",
    "<<: ",
    ".nan",
    "-.inf",
    "1e400",
    "0x1F",
    "2020-01-01",
    "~",
    "null",
    "yes",
    *(f"{key}: " for key in RECORD_KINDS),
    "id: ",
    "label: ",
    "date: ",
    "urls: ",
    "value: ",
    "cause: ",
    "effect: ",
    "chain: ",
    "aliases: ",
    "lang: ",
]


@given(st.lists(st.sampled_from(YAML_TOKENS) | st.text(max_size=8), max_size=60).map("".join))
@FUZZ
@example("casegraph: 1\ncases: &a [*a]\n")
@example("casegraph: 1\n? [a]\n: 2\n")
@example("casegraph: 1\n? {a: 1}\n: 2\n")
@example("casegraph: 1\ncases: !!python/object:os.system [ls]\n")
@example("casegraph: 1\ncases: !local x\n")
@example(
    "casegraph: 1\nmeasures: [{id: m, label: M}]\n"
    "observations: [{id: o, measure: m, value: !!float abc}]\n"
)
@example("casegraph: !!int abc\n")
@example("casegraph: !!float \n")
@example("casegraph: !!timestamp \n")
@example("casegraph: 1\nx: " + "[" * 3000 + "]" * 3000 + "\n")
@example("casegraph: 1\nsources: [{id: s, label: S, urls: ['http://a<b>']}]\n")
@example('casegraph: 1\nsources: [{id: s, label: S, urls: ["http://a\\"b"]}]\n')
def test_yaml_ish_text(text: str) -> None:
    only_load_errors(text.encode("utf-8", "surrogatepass"))


SLUGS = st.sampled_from(["a", "b", "c", "test-1", "x-y"]) | st.from_regex(
    r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | SLUGS
    | st.sampled_from(["2020", "2020-02-30", "2020-01/2019", "..", "2012-06~", "Y-99999"])
    | st.sampled_from(["https://example.org/x", "http://a b", "http://a<b>", "http://ä/{x}"])
    | st.sampled_from(["Q1", "Q0", "en", "en-", "supports", "causes", "VERIFIED"])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def field_names(key: str) -> list[str]:
    model = CaseFile.model_fields[key].annotation
    record = model.__args__[0]  # type: ignore[union-attr]
    return sorted(record.model_fields)


@st.composite
def records(draw: st.DrawFn, key: str) -> dict[str, Any]:
    """A record of `key`'s kind: mostly its own field names, each with a value of any type."""
    names = field_names(key)
    record: dict[str, Any] = {"id": draw(SLUGS), "label": draw(st.text(min_size=1, max_size=10))}
    for name in draw(st.lists(st.sampled_from(names), max_size=6, unique=True)):
        record[name] = draw(VALUES | st.lists(SLUGS, max_size=3))
    if draw(st.booleans()):
        record[draw(st.text(max_size=6))] = draw(SCALARS)
    return record


DOCUMENTS = st.fixed_dictionaries(
    {"casegraph": st.just(1) | SCALARS},
    optional={key: st.lists(records(key) | VALUES, max_size=4) | SCALARS for key in RECORD_KINDS},
)


def dump(document: object) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode(
        "utf-8", "surrogatepass"
    )


@given(DOCUMENTS)
@FUZZ
@example(
    {
        "casegraph": 1,
        "measures": [{"id": "m", "label": "M"}],
        "observations": [{"id": "o", "measure": "m", "value": math.nan}],
    }
)
def test_structured_documents(document: dict[str, Any]) -> None:
    only_load_errors(dump(document))


@given(VALUES)
@FUZZ
def test_arbitrary_data(document: object) -> None:
    only_load_errors(dump(document))


def alias_bomb(levels: int) -> bytes:
    lines = ["casegraph: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels + 1)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.timeout(60)
def test_alias_expansion_is_bounded() -> None:
    """A 400-byte file of nested aliases stands for a million nodes (a "billion laughs"): it is
    refused or read quickly, not walked node by node."""
    started = time.perf_counter()
    with pytest.raises(LoadError):
        load_bytes(alias_bomb(6))
    assert time.perf_counter() - started < 2.0


def test_unquoted_dates_stay_text(tmp_path: Path) -> None:
    """YAML 1.1 would read `2012-06-01` as a date; the loader keeps the EDTF text."""
    path = tmp_path / "dates.yaml"
    path.write_text("casegraph: 1\nevents:\n  - {id: e, label: E, date: 2012-06-01}\n")
    assert parse_case_file(path).document.events[0].date == "2012-06-01"
