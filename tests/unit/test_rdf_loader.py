"""The RDF loader: every format, the errors it reports, and what it refuses to do."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.base import Loader, LoadReport
from loaders.rdf import RDFLoader, format_for_path, parse_rdf_bytes, rdf_format
from ontology.errors import LoadError

EX = "http://example.org/"
TRIPLE = ox.Triple(ox.NamedNode(f"{EX}a"), ox.NamedNode(f"{EX}p"), ox.Literal("x"))
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

DOCS: dict[str, str] = {
    "ttl": f'@prefix ex: <{EX}> .\nex:a ex:p "x" .\n',
    "trig": f'@prefix ex: <{EX}> .\n{{ ex:a ex:p "x" . }}\n',
    "nt": f'<{EX}a> <{EX}p> "x" .\n',
    "nq": f'<{EX}a> <{EX}p> "x" .\n',
    "jsonld": f'{{"@context": {{"p": "{EX}p"}}, "@id": "{EX}a", "p": "x"}}',
    "json-ld": f'{{"@id": "{EX}a", "{EX}p": "x"}}',
    "rdf": (
        f'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="{EX}">\n'
        f'  <rdf:Description rdf:about="{EX}a"><ex:p>x</ex:p></rdf:Description>\n</rdf:RDF>\n'
    ),
}
DOCS["owl"] = DOCS["xml"] = DOCS["rdf"]

FORMAT_NAMES = ["turtle", "trig", "n-triples", "n-quads", "json-ld", "rdf-xml"]

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n'
        for i in range(1, 10)
    )
    + f']>\n<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="{EX}">\n'
    f'<rdf:Description rdf:about="{EX}a"><ex:p>&lol9;</ex:p></rdf:Description>\n</rdf:RDF>\n'
)


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def load(path: Path, report: LoadReport | None = None, **options: str) -> list[ox.Triple]:
    return list(RDFLoader(**options).read(path, report or LoadReport()))


def test_rdf_loader_is_a_loader() -> None:
    loader: Loader = RDFLoader()
    assert loader.name == "rdf"


@pytest.mark.parametrize("ext", sorted(DOCS))
def test_each_format_loads_a_tiny_document(tmp_path: Path, ext: str) -> None:
    report = LoadReport()
    assert load(write(tmp_path, f"doc.{ext}", DOCS[ext]), report) == [TRIPLE]
    assert report.rows == 1
    assert report.warnings == []


@pytest.mark.parametrize(
    ("ext", "name"),
    [("ttl", "turtle"), ("nt", "n-triples"), ("jsonld", "json-ld"), ("rdf", "rdf-xml")],
)
def test_format_override_and_bytes(tmp_path: Path, ext: str, name: str) -> None:
    assert load(write(tmp_path, "doc.txt", DOCS[ext]), format=name) == [TRIPLE]
    assert parse_rdf_bytes(DOCS[ext].encode(), name, "upload") == [TRIPLE]
    assert parse_rdf_bytes(DOCS[ext].encode(), ext, "upload") == [TRIPLE]


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/n-quads", ox.RdfFormat.N_QUADS),
    ],
)
def test_media_types(media_type: str, expected: ox.RdfFormat) -> None:
    assert rdf_format(media_type) == expected


def test_unknown_format_and_extension(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="unknown RDF format 'n3'"):
        rdf_format("n3")
    with pytest.raises(LoadError, match=r"extension '\.csv'") as info:
        format_for_path(tmp_path / "x.csv")
    assert info.value.file == str(tmp_path / "x.csv")


def test_turtle_syntax_error_has_file_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path, "bad.ttl", f"@prefix ex: <{EX}> .\nex:a ex:p ex:c .\nex:a ex:p  ;; ] .\n"
    )
    with pytest.raises(LoadError) as info:
        load(path)
    error = info.value
    assert (error.file, error.line, error.column) == (str(path), 3, 12)
    assert str(error).startswith(f"{path}:3:12: Turtle syntax error: ")
    assert "Parser error" not in str(error)


def test_unterminated_literal_reports_where_it_starts(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.nt", f'<{EX}a> <{EX}p> "x .\n')
    with pytest.raises(LoadError, match="N-Triples syntax error") as info:
        load(path)
    assert info.value.line == 1
    assert info.value.column is not None


def test_jsonld_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jsonld", '{\n  "@id": "http://example.org/a",\n  "p": [1, }\n')
    with pytest.raises(LoadError, match="JSON-LD syntax error") as info:
        load(path)
    assert info.value.file == str(path)
    assert info.value.line == 3
    assert info.value.column is not None


def test_rdfxml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.rdf", DOCS["rdf"].replace("</ex:p>", "</ex:q>"))
    with pytest.raises(LoadError, match="RDF/XML syntax error") as info:
        load(path)
    assert info.value.file == str(path)


def test_relative_iri_needs_a_base(tmp_path: Path) -> None:
    path = write(tmp_path, "rel.ttl", '<a> <http://example.org/p> "x" .\n')
    with pytest.raises(LoadError, match="absolute IRI"):
        load(path)
    assert load(path, base_iri=EX) == [TRIPLE]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any attempt to resolve or connect from Python (the parser is not allowed to)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(
    "context",
    [
        '"https://schema.org/"',
        '["https://schema.org/", {"x": "http://example.org/x"}]',
        '{"@import": "https://schema.org/"}',
        '"context.jsonld"',
    ],
)
def test_remote_jsonld_context_is_refused_without_fetching(tmp_path: Path, context: str) -> None:
    text = f'{{\n  "@context": {context},\n  "@id": "http://example.org/a",\n  "name": "x"\n}}'
    path = write(tmp_path, "remote.jsonld", text)
    started = time.monotonic()
    with pytest.raises(LoadError, match="remote JSON-LD contexts are disabled") as info:
        load(path)
    assert time.monotonic() - started < 2
    assert info.value.file == str(path)
    assert info.value.line == 2
    with pytest.raises(LoadError, match="remote JSON-LD contexts are disabled"):
        parse_rdf_bytes(text.encode(), "application/ld+json", "upload.jsonld")


def test_inline_jsonld_context_loads() -> None:
    text = (
        '{"@context": {"@vocab": "https://schema.org/"}, "@id": "http://example.org/a", "name": 1}'
    )
    assert len(parse_rdf_bytes(text.encode(), "json-ld", "inline")) == 1


def test_billion_laughs_fails_fast(tmp_path: Path) -> None:
    path = write(tmp_path, "bomb.rdf", BILLION_LAUGHS)
    started = time.monotonic()
    with pytest.raises(LoadError, match="billion laughs") as info:
        load(path)
    assert time.monotonic() - started < 2
    assert info.value.file == str(path)
    assert info.value.line == 4  # the first entity that refers to another
    with pytest.raises(LoadError, match="billion laughs"):
        parse_rdf_bytes(BILLION_LAUGHS.encode(), "rdf-xml", "upload.rdf")


def test_doctype_anywhere_is_checked(tmp_path: Path) -> None:
    late = DOCS["rdf"].replace(
        "<rdf:Description",
        '<!DOCTYPE x [ <!ENTITY a "b"> <!ENTITY c "&a;&a;"> ]>\n<rdf:Description',
    )
    with pytest.raises(LoadError, match="refers to another entity"):
        load(write(tmp_path, "late.rdf", late))


def test_quadratic_entity_blowup_is_refused(tmp_path: Path) -> None:
    big = "x" * 60_000
    body = "&big;" * 2_000  # 120 MB of text from a 70 kB document
    text = DOCS["rdf"].replace(">x<", f">{body}<")
    text = text.replace("<rdf:RDF", f'<!DOCTYPE r [ <!ENTITY big "{big}"> ]>\n<rdf:RDF', 1)
    started = time.monotonic()
    with pytest.raises(LoadError, match="times the document's size"):
        load(write(tmp_path, "wide.rdf", text))
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    "declaration",
    [
        '<!ENTITY xxe SYSTEM "file:///etc/passwd">',
        '<!ENTITY xxe PUBLIC "-//x//EN" "http://example.org/x.dtd">',
    ],
)
def test_external_entities_are_refused(tmp_path: Path, declaration: str) -> None:
    text = DOCS["rdf"].replace("<rdf:RDF", f"<!DOCTYPE r [ {declaration} ]>\n<rdf:RDF", 1)
    text = text.replace(">x<", ">&xxe;<")
    with pytest.raises(LoadError, match="external entities are not allowed"):
        load(write(tmp_path, "xxe.rdf", text))


def test_plain_entities_as_protege_writes_them_load(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
        '    <!ENTITY ex "http://example.org/" >\n'
        '    <!ENTITY q "http://example.org/?a=1&amp;b=%20" >\n]>\n'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="&ex;">\n'
        '  <rdf:Description rdf:about="&ex;a"><ex:p>x</ex:p></rdf:Description>\n'
        '  <rdf:Description rdf:about="&q;"><ex:p>x</ex:p></rdf:Description>\n</rdf:RDF>\n'
    )
    triples = load(write(tmp_path, "onto.owl", text))
    assert TRIPLE in triples
    assert ox.NamedNode("http://example.org/?a=1&b=%20") in {t.subject for t in triples}


def test_non_utf8_bytes_name_offset_line_and_column(tmp_path: Path) -> None:
    # In a comment, where Oxigraph's Turtle parser would let the bytes through.
    data = f'@prefix ex: <{EX}> .\n# caf\xe9\nex:a ex:p "x" .\n'.encode("latin-1")
    path = write(tmp_path, "latin1.ttl", data)
    with pytest.raises(LoadError, match="not UTF-8: byte 0xe9 at offset 41") as info:
        load(path)
    assert (info.value.file, info.value.line, info.value.column) == (str(path), 2, 6)
    with pytest.raises(LoadError, match="not UTF-8"):
        parse_rdf_bytes(data, "turtle", "upload.ttl")


def test_non_utf8_across_chunks(tmp_path: Path) -> None:
    data = b"#" + b"a" * ((1 << 20) - 2) + "é".encode()[:1] + b"\n"
    with pytest.raises(LoadError, match=f"offset {(1 << 20) - 1}") as info:
        load(write(tmp_path, "split.ttl", data))
    assert info.value.line == 1
    assert info.value.column == 1 << 20
    ok = b"#" + b"a" * ((1 << 20) - 2) + "é\n".encode() + DOCS["ttl"].encode()
    assert load(write(tmp_path, "split-ok.ttl", ok)) == [TRIPLE]


def test_truncated_character_at_the_end(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="middle of a character"):
        load(write(tmp_path, "cut.nt", DOCS["nt"].encode() + "é".encode()[:1]))


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
@pytest.mark.parametrize("ext", ["ttl", "jsonld", "rdf", "nq"])
def test_empty_document(tmp_path: Path, ext: str, content: bytes) -> None:
    path = write(tmp_path, f"empty.{ext}", content)
    with pytest.raises(LoadError, match="empty document") as info:
        load(path)
    assert info.value.file == str(path)
    with pytest.raises(LoadError, match="empty document"):
        parse_rdf_bytes(content, ext, "upload")


@pytest.mark.parametrize("ext", sorted(DOCS))
def test_binary_garbage(tmp_path: Path, ext: str) -> None:
    garbage = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256))
    with pytest.raises(LoadError) as info:
        load(write(tmp_path, f"image.{ext}", garbage))
    assert info.value.file == str(tmp_path / f"image.{ext}")


def test_nul_byte_is_binary(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="NUL byte at offset 3") as info:
        load(write(tmp_path, "nul.nt", b"<ht\x00tp://a> .\n"))
    assert (info.value.line, info.value.column) == (1, 4)


def test_utf16_is_refused_and_utf8_bom_accepted(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="UTF-16"):
        load(write(tmp_path, "u16.ttl", DOCS["ttl"].encode("utf-16")))
    for ext in ("ttl", "rdf", "jsonld"):
        assert load(write(tmp_path, f"bom.{ext}", b"\xef\xbb\xbf" + DOCS[ext].encode())) == [TRIPLE]
        assert parse_rdf_bytes(b"\xef\xbb\xbf" + DOCS[ext].encode(), ext, "bom") == [TRIPLE]


def test_named_graphs_are_flattened_with_a_warning(tmp_path: Path) -> None:
    text = (
        f'@prefix ex: <{EX}> .\nex:g1 {{ ex:a ex:p "x" . }}\nex:g2 {{ ex:a ex:p "y" . }}\n'
        'ex:a ex:p "z" .\n'
    )
    report = LoadReport()
    triples = load(write(tmp_path, "graphs.trig", text), report)
    assert {t.object for t in triples} == {ox.Literal(v) for v in "xyz"}
    assert len(report.warnings) == 1
    assert "2 named graph(s)" in report.warnings[0]
    assert f"<{EX}g1>" in report.warnings[0]


def test_nquads_and_jsonld_named_graphs_are_flattened() -> None:
    report = LoadReport()
    data = f'<{EX}a> <{EX}p> "x" <{EX}g> .\n'.encode()
    assert parse_rdf_bytes(data, "nq", "doc.nq", report=report) == [TRIPLE]
    assert "named graph" in report.warnings[0]
    report = LoadReport()
    doc = f'{{"@id": "{EX}g", "@graph": [{{"@id": "{EX}a", "{EX}p": "x"}}]}}'
    assert parse_rdf_bytes(doc.encode(), "json-ld", "doc.jsonld", report=report) == [TRIPLE]
    assert "named graph" in report.warnings[0]


def test_blank_nodes_get_fresh_ids() -> None:
    data = b'_:b0 <http://example.org/p> "x" .\n'
    first = parse_rdf_bytes(data, "nt", "a")[0].subject
    second = parse_rdf_bytes(data, "nt", "b")[0].subject
    assert isinstance(first, ox.BlankNode)
    assert first != second


def test_a_document_without_triples_warns() -> None:
    report = LoadReport()
    assert parse_rdf_bytes(b"# nothing here\n", "ttl", "c.ttl", report=report) == []
    assert report.warnings == ["c.ttl: the document has no triples"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="cannot read") as info:
        load(tmp_path / "missing.ttl")
    assert info.value.file == str(tmp_path / "missing.ttl")


def _mutations() -> st.SearchStrategy[bytes]:
    """Valid documents with a random slice replaced by random text or bytes."""

    def mutate(doc: str, start: int, length: int, insert: bytes) -> bytes:
        data = doc.encode()
        start %= len(data) + 1
        return data[:start] + insert + data[start + length :]

    return st.builds(
        mutate,
        st.sampled_from(sorted(set(DOCS.values()))),
        st.integers(0, 400),
        st.integers(0, 20),
        st.one_of(st.binary(max_size=20), st.text(max_size=20).map(str.encode)),
    )


@settings(max_examples=150, deadline=None)
@given(
    data=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode), _mutations()),
    fmt=st.sampled_from(FORMAT_NAMES),
)
def test_random_input_raises_only_load_error(data: bytes, fmt: str) -> None:
    try:
        triples = parse_rdf_bytes(data, fmt, "fuzz")
    except LoadError as e:
        error: LoadError | None = e
    else:
        error = None
        assert all(isinstance(t, ox.Triple) for t in triples)
    assert error is None or error.file == "fuzz"
