"""The REST writes of docs/api.md (*REST writes*): `POST /api/load` and `DELETE
/api/graphs/{id}` against a real server. A multipart upload (RFC 7578) and a raw body with its
Content-Type and `?graph=`; the CLI's checks (400 naming file, line and field) and its
atomicity (all documents or none); the body cap (413), the token (401/403, refused before the
body is read), and drops (204, 404 for an unknown document, 409 for one others point at).
Tests named `test_api_md_rest_writes_*` check that section; `test_rfc9110_*` the status code
RFC 9110 gives the case. docs/conformance.md maps every requirement to its test."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.integration.exchanges import AUTH, detail
from tests.integration.server import Server, running

pytestmark = pytest.mark.timeout(300)

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
CAP = 200_000
NOTE = '<https://example.org/load/s> <http://www.w3.org/2000/01/rdf-schema#label> "{}" .\n'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"CASEGRAPH_UPLOAD_MAX_BODY_BYTES": str(CAP)}
    with running(tmp_path_factory.mktemp("rest-load"), env=env) as srv:
        yield srv


def names(client: httpx.Client) -> set[str]:
    return {g["name"] for g in client.get("/api/stats").json()["graphs"]}


def load_raw(
    client: httpx.Client,
    name: str,
    body: str | bytes,
    media: str = "application/n-triples",
    authorization: dict[str, str] = AUTH,
) -> httpx.Response:
    """`POST /api/load?graph=<name>` of one document as the raw body, of type `media`."""
    return client.post(
        "/api/load",
        params={"graph": name},
        content=body,
        headers={"Content-Type": media} | authorization,
    )


def test_api_md_rest_writes_load_a_multipart_upload(client: httpx.Client) -> None:
    files = [
        ("file", ("upload-a.nt", NOTE.format("a").encode(), "application/n-triples")),
        ("file", ("upload-b.nt", NOTE.format("b").encode(), "application/n-triples")),
    ]
    response = client.post("/api/load", files=files, headers=AUTH)
    assert response.status_code == 200, response.text
    report = response.json()
    assert {g["name"] for g in report["graphs"]} == {"upload-a.nt", "upload-b.nt"}
    assert all(g["status"] == "loaded" and g["added"] == 1 for g in report["graphs"])
    assert {"upload-a.nt", "upload-b.nt"} <= names(client)


def test_api_md_rest_writes_load_a_raw_body_named_by_graph(client: httpx.Client) -> None:
    response = load_raw(client, "raw-notes.nt", NOTE.format("raw"))
    assert response.status_code == 200, response.text
    assert [g["name"] for g in response.json()["graphs"]] == ["raw-notes.nt"]
    assert "raw-notes.nt" in names(client)
    unnamed = client.post("/api/load", content=b"x", headers={"Content-Type": "text/turtle"} | AUTH)
    assert "?graph=" in detail(unnamed, 400)


def test_api_md_rest_writes_a_raw_body_has_the_format_of_its_content_type(
    client: httpx.Client,
) -> None:
    response = load_raw(client, "typed-notes", NOTE.format("typed"), "text/turtle; charset=utf-8")
    assert response.status_code == 200, response.text
    assert [g["name"] for g in response.json()["graphs"]] == ["typed-notes.ttl"]
    unsupported = load_raw(client, "picture.png", b"\x89PNG", "image/png")
    assert "image/png" in detail(unsupported, 415)


def test_api_md_rest_writes_two_files_of_one_name_are_400(client: httpx.Client) -> None:
    files = [
        ("file", ("twice.nt", NOTE.format("1").encode(), "application/n-triples")),
        ("file", ("twice.nt", NOTE.format("2").encode(), "application/n-triples")),
    ]
    assert "twice.nt" in detail(client.post("/api/load", files=files, headers=AUTH), 400)
    assert "twice.nt" not in names(client)


def test_api_md_rest_writes_bad_input_is_400_naming_file_line_and_field(
    client: httpx.Client,
) -> None:
    before = names(client)
    body = (BAD / "end-before-start.yaml").read_bytes()
    response = client.post(
        "/api/load",
        files={"file": ("end-before-start.yaml", body, "application/yaml")},
        headers=AUTH,
    )
    message = detail(response, 400)
    assert "end-before-start.yaml" in message
    assert ":12" in message or "line 12" in message, message
    assert "events.0.date" in message and "is before the start" in message
    syntax = load_raw(client, "broken.nt", "<https://example.org/a> <https://example.org/b> .\n")
    assert "broken.nt:1" in detail(syntax, 400)
    assert names(client) == before, "a bad load leaves the store unchanged"


def test_api_md_rest_writes_a_load_is_all_documents_or_none(client: httpx.Client) -> None:
    """An upload with a good document and a bad one loads neither, as `casegraph load`."""
    before = names(client)
    files = [
        ("file", ("atomic-good.nt", NOTE.format("good").encode(), "application/n-triples")),
        (
            "file",
            (
                "end-before-start.yaml",
                (BAD / "end-before-start.yaml").read_bytes(),
                "application/yaml",
            ),
        ),
    ]
    assert "end-before-start.yaml" in detail(
        client.post("/api/load", files=files, headers=AUTH), 400
    )
    assert names(client) == before
    assert "atomic-good.nt" not in names(client)


def test_rfc9110_15_5_14_a_load_over_the_body_cap_is_413(client: httpx.Client) -> None:
    response = load_raw(client, "big.nt", NOTE.format("x" * (CAP + 10)))
    assert "CASEGRAPH_UPLOAD_MAX_BODY_BYTES" in detail(response, 413)
    assert "big.nt" not in names(client)


def test_rfc9110_15_5_2_a_load_without_a_token_is_401_with_a_wrong_one_403(
    client: httpx.Client,
) -> None:
    missing = load_raw(client, "t.nt", NOTE.format("t"), authorization={})
    detail(missing, 401)
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = {"Authorization": "Bearer not-the-token"}
    detail(load_raw(client, "t.nt", NOTE.format("t"), authorization=wrong), 403)
    assert "t.nt" not in names(client)


@pytest.mark.parametrize(
    ("authorization", "status"), [(b"", b"401"), (b"Authorization: Bearer wrong\r\n", b"403")]
)
def test_api_md_rest_writes_the_token_is_checked_before_the_body(
    server: Server, authorization: bytes, status: bytes
) -> None:
    """Headers promise a body under the cap that never comes: the answer comes anyway."""
    parts = urlsplit(server.url)
    assert parts.hostname is not None and parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(
            b"POST /api/load?graph=slow.nt HTTP/1.1\r\nHost: x\r\n"
            + authorization
            + b"Content-Type: application/n-triples\r\nContent-Length: 100000\r\n\r\n"
        )
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 " + status), answer


def test_api_md_rest_writes_delete_a_graph_is_204_then_404(client: httpx.Client) -> None:
    load_raw(client, "to-drop.nt", NOTE.format("drop")).raise_for_status()
    assert "to-drop.nt" in names(client)
    detail(client.delete("/api/graphs/to-drop.nt"), 401)
    response = client.delete("/api/graphs/to-drop.nt", headers=AUTH)
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert "to-drop.nt" not in names(client)
    detail(client.delete("/api/graphs/to-drop.nt", headers=AUTH), 404)
    detail(client.delete("/api/graphs/no-such-document.yaml", headers=AUTH), 404)


AGENT_DOC = """casegraph: 1
agents:
  - id: conflict-agency
    type: Government
    label: Conflict Agency
"""
EVENT_DOC = """casegraph: 1
sources:
  - id: conflict-report
    type: Report
    label: A report on the conflict
    urls: ["https://example.org/conflict"]
events:
  - id: conflict-event
    type: Event
    label: An event of the Conflict Agency
    date: "2011-02-03"
    participants: [conflict-agency]
    sources: [conflict-report]
"""


def test_rfc9110_15_5_10_dropping_a_document_others_point_at_is_409(client: httpx.Client) -> None:
    for name, text in (("conflict-agents.yaml", AGENT_DOC), ("conflict-events.yaml", EVENT_DOC)):
        loaded = load_raw(client, name, text, "application/yaml")
        assert loaded.status_code == 200, loaded.text
    message = detail(client.delete("/api/graphs/conflict-agents.yaml", headers=AUTH), 409)
    assert "conflict-agency" in message or "conflict-events.yaml" in message, message
    assert "conflict-agents.yaml" in names(client)
    forced = client.delete(
        "/api/graphs/conflict-agents.yaml", params={"force": "true"}, headers=AUTH
    )
    assert forced.status_code == 204, forced.text
    assert "conflict-agents.yaml" not in names(client)
