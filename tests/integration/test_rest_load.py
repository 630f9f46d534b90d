"""`POST /api/load` and `DELETE /api/graphs/{id}` against a real server: a multipart upload and
a raw body with its Content-Type and `?graph=`, the CLI's checks (400 naming file, line and
field), the body cap (413), the token (401/403, refused before the body is read), and drops
(204, 404 for an unknown document)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.integration.server import TOKEN, Server, running

pytestmark = pytest.mark.timeout(300)

AUTH = {"Authorization": f"Bearer {TOKEN}"}
BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
CAP = 200_000
NOTE = '<https://example.org/load/s> <http://www.w3.org/2000/01/rdf-schema#label> "{}" .\n'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"CASEGRAPH_UPLOAD_MAX_BODY_BYTES": str(CAP)}
    with running(tmp_path_factory.mktemp("rest-load"), env=env) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def names(client: httpx.Client) -> set[str]:
    return {g["name"] for g in client.get("/api/stats").json()["graphs"]}


def problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail: str = response.json()["detail"]
    return detail


def test_load_multipart_upload(client: httpx.Client) -> None:
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


def test_load_raw_body_named_by_graph(client: httpx.Client) -> None:
    response = client.post(
        "/api/load",
        params={"graph": "raw-notes.nt"},
        content=NOTE.format("raw").encode(),
        headers={"Content-Type": "application/n-triples"} | AUTH,
    )
    assert response.status_code == 200, response.text
    assert [g["name"] for g in response.json()["graphs"]] == ["raw-notes.nt"]
    assert "raw-notes.nt" in names(client)
    unnamed = client.post("/api/load", content=b"x", headers={"Content-Type": "text/turtle"} | AUTH)
    assert "?graph=" in problem(unnamed, 400)


def test_load_raw_body_format_from_its_content_type(client: httpx.Client) -> None:
    response = client.post(
        "/api/load",
        params={"graph": "typed-notes"},
        content=NOTE.format("typed").encode(),
        headers={"Content-Type": "text/turtle; charset=utf-8"} | AUTH,
    )
    assert response.status_code == 200, response.text
    assert [g["name"] for g in response.json()["graphs"]] == ["typed-notes.ttl"]
    unsupported = client.post(
        "/api/load",
        params={"graph": "picture.png"},
        content=b"\x89PNG",
        headers={"Content-Type": "image/png"} | AUTH,
    )
    assert "image/png" in problem(unsupported, 415)


def test_load_multipart_refuses_two_files_of_one_name(client: httpx.Client) -> None:
    files = [
        ("file", ("twice.nt", NOTE.format("1").encode(), "application/n-triples")),
        ("file", ("twice.nt", NOTE.format("2").encode(), "application/n-triples")),
    ]
    assert "twice.nt" in problem(client.post("/api/load", files=files, headers=AUTH), 400)
    assert "twice.nt" not in names(client)


def test_load_bad_input_is_400_naming_file_line_and_field(client: httpx.Client) -> None:
    before = names(client)
    body = (BAD / "end-before-start.yaml").read_bytes()
    response = client.post(
        "/api/load",
        files={"file": ("end-before-start.yaml", body, "application/yaml")},
        headers=AUTH,
    )
    detail = problem(response, 400)
    assert "end-before-start.yaml" in detail
    assert ":12" in detail or "line 12" in detail, detail
    assert "events.0.date" in detail and "is before the start" in detail
    syntax = client.post(
        "/api/load",
        params={"graph": "broken.nt"},
        content=b"<https://example.org/a> <https://example.org/b> .\n",
        headers={"Content-Type": "application/n-triples"} | AUTH,
    )
    assert "broken.nt:1" in problem(syntax, 400)
    assert names(client) == before, "a bad load leaves the store unchanged"


def test_load_over_the_body_cap_is_413(client: httpx.Client) -> None:
    body = NOTE.format("x" * (CAP + 10)).encode()
    response = client.post(
        "/api/load",
        params={"graph": "big.nt"},
        content=body,
        headers={"Content-Type": "application/n-triples"} | AUTH,
    )
    assert "CASEGRAPH_UPLOAD_MAX_BODY_BYTES" in problem(response, 413)
    assert "big.nt" not in names(client)


def test_load_without_or_with_a_wrong_token(client: httpx.Client) -> None:
    plain = {"Content-Type": "application/n-triples"}
    data = NOTE.format("t").encode()
    missing = client.post("/api/load", params={"graph": "t.nt"}, content=data, headers=plain)
    problem(missing, 401)
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.post(
        "/api/load",
        params={"graph": "t.nt"},
        content=data,
        headers=plain | {"Authorization": "Bearer not-the-token"},
    )
    problem(wrong, 403)
    assert "t.nt" not in names(client)


@pytest.mark.parametrize(
    ("authorization", "status"), [(b"", b"401"), (b"Authorization: Bearer wrong\r\n", b"403")]
)
def test_load_refuses_a_bad_token_before_reading_the_body(
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


def test_drop_graph(client: httpx.Client) -> None:
    client.post(
        "/api/load",
        params={"graph": "to-drop.nt"},
        content=NOTE.format("drop").encode(),
        headers={"Content-Type": "application/n-triples"} | AUTH,
    ).raise_for_status()
    assert "to-drop.nt" in names(client)
    problem(client.delete("/api/graphs/to-drop.nt"), 401)
    response = client.delete("/api/graphs/to-drop.nt", headers=AUTH)
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert "to-drop.nt" not in names(client)
    problem(client.delete("/api/graphs/to-drop.nt", headers=AUTH), 404)
    problem(client.delete("/api/graphs/no-such-document.yaml", headers=AUTH), 404)


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


def test_drop_a_document_others_point_at_is_409(client: httpx.Client) -> None:
    yaml = {"Content-Type": "application/yaml"} | AUTH
    for name, text in (("conflict-agents.yaml", AGENT_DOC), ("conflict-events.yaml", EVENT_DOC)):
        loaded = client.post("/api/load", params={"graph": name}, content=text, headers=yaml)
        assert loaded.status_code == 200, loaded.text
    detail = problem(client.delete("/api/graphs/conflict-agents.yaml", headers=AUTH), 409)
    assert "conflict-agency" in detail or "conflict-events.yaml" in detail, detail
    assert "conflict-agents.yaml" in names(client)
    forced = client.delete(
        "/api/graphs/conflict-agents.yaml", params={"force": "true"}, headers=AUTH
    )
    assert forced.status_code == 204, forced.text
    assert "conflict-agents.yaml" not in names(client)
