"""Requests and answers the integration tests share: a write with the token (`AUTH`, a graph
put by the Graph Store), SPARQL JSON results as rows of strings, and problem details
(RFC 9457) checked for their status and media type."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.integration.server import TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def put_graph(
    client: httpx.Client, iri: str, body: str | bytes, media: str = "text/turtle"
) -> httpx.Response:
    """`PUT /graph-store?graph=<iri>` of `body` with the token (the answer is not checked)."""
    return client.put(
        "/graph-store", params={"graph": iri}, content=body, headers={"Content-Type": media} | AUTH
    )


def wait_for_engines(client: httpx.Client, version: int | None = None) -> None:
    """Wait until every Cypher engine holds `version` (the store's version when None): they
    are synced on a thread after a write has answered, so `/api/health` changes meanwhile."""
    engines: dict[str, Any] = {}
    for _ in range(600):
        health = client.get("/api/health").json()
        engines, wanted = health["engines"], version if version is not None else health["version"]
        if engines and all(
            e["state"] == "ok" and (e["version"] or 0) >= wanted for e in engines.values()
        ):
            return
        time.sleep(0.1)
    raise AssertionError(f"the engines did not reach version {version}: {engines}")


def solutions(response: httpx.Response) -> list[dict[str, str]]:
    """The rows of a 200 `application/sparql-results+json` answer, each variable's value."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    return [
        {name: cell["value"] for name, cell in row.items()}
        for row in response.json()["results"]["bindings"]
    ]


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The problem details of an error answer, which must have `status`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def detail(response: httpx.Response, status: int) -> str:
    """The `detail` of an error answer, which must have `status`."""
    return str(problem(response, status)["detail"])


__all__ = ["AUTH", "detail", "problem", "put_graph", "solutions"]
