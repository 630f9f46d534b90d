"""Record (or compare against) the REST API's answers on the curated cases.

    uv run python scripts/rest_snapshot.py --write     # record tests/data/rest-snapshot.json.gz
    uv run python scripts/rest_snapshot.py             # compare; exit 1 on a difference

The snapshot was recorded before the REST API moved onto the read model, on the curated cases
as they were then (kept in tests/data/rest-snapshot-cases: the data has grown since), so that the
responses could be checked to stay the same: fields may be added, none may change or go.
`tests/integration/test_rest_snapshot.py` runs the comparison and lists the differences that
were intended (search ranking, neighbourhood stubs with their IRIs).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "data" / "rest-snapshot.json.gz"
CASES = ROOT / "tests" / "data" / "rest-snapshot-cases"
sys.path.insert(0, str(ROOT))

FIXED_PATHS = [
    "/api/entities?limit=1000",
    "/api/entities?q=calderon",
    "/api/entities?q=sinaloa",
    "/api/entities?q=homicide&limit=5",
    "/api/entities?type=Person&limit=1000",
    "/api/entities?type=Event&limit=20&offset=10",
    "/api/events?limit=1000",
    "/api/events?from=2017&to=2018",
    "/api/events?from=2006-12&to=2007-01",
    "/api/events?case=mexico-drug-war&limit=1000",
    "/api/events?type=Strike",
    "/api/events?actor=sinaloa-cartel",
    "/api/events?place=mexico&limit=1000",
    "/api/cases",
    "/api/compare?cases=mexico-drug-war,afghanistan-opium-strikes",
    "/api/compare?cases=mexico-drug-war,afghanistan-iron-tempest",
    "/api/claims?limit=1000",
    "/api/claims?stance=disputes",
    "/api/claims?about=af-2017-01",
    "/api/sources?limit=1000",
    "/api/causal-chains?from=mx-2012-03&to=mexico-homicide-rise",
    "/api/causal-chains?from=mx-2006-02&to=mexico-homicide-rise&max_depth=6",
]
"""Paths whose answers are compared besides one detail per entity, case and source."""

SAMPLED_GRAPH_PATHS = ("causes?depth=2", "effects?depth=2", "neighbors")
"""Asked of every tenth entity (sorted by id)."""


def paths(client: Any) -> Iterator[str]:
    yield from FIXED_PATHS
    entities = client.get("/api/entities?limit=1000").json()["items"]
    ids = sorted(e["id"] for e in entities)
    for entity_id in ids:
        yield f"/api/entities/{entity_id}"
    for entity_id in ids[::10]:
        for tail in SAMPLED_GRAPH_PATHS:
            yield f"/api/entities/{entity_id}/{tail}"
    for case in client.get("/api/cases").json()["items"]:
        yield f"/api/cases/{case['id']}"
    for source in client.get("/api/sources?limit=1000").json()["items"]:
        yield f"/api/sources/{source['id']}"


def record() -> dict[str, Any]:
    """Every path's status and JSON body, from `casegraph serve` over a fresh store of the
    snapshot's cases (real HTTP)."""
    import httpx

    from tests.integration.server import running

    with (
        tempfile.TemporaryDirectory() as folder,
        running(
            Path(folder), cases=sorted(CASES.glob("*.yaml")), env={"CASEGRAPH_SYNC_BACKENDS": "[]"}
        ) as server,
        httpx.Client(base_url=server.url, timeout=120) as client,
    ):
        out: dict[str, Any] = {}
        for path in paths(client):
            response = client.get(path)
            out[path] = {
                "status": response.status_code,
                "body": normalised(path, response.json()),
            }
        return out


def normalised(path: str, body: Any) -> Any:
    """The body with orders that were never defined made definite, on both sides of a
    comparison: a neighbourhood's nodes sorted by label only, a claim's asserters and sources
    came in the store's index order, and relations of equal label in any order."""
    if isinstance(body, list):
        return [normalised(path, item) for item in body]
    if not isinstance(body, dict):
        return body
    out = {key: normalised(path, value) for key, value in body.items()}
    for key in ("asserted_by", "sources"):
        if isinstance(out.get(key), list) and all(isinstance(i, dict) for i in out[key]):
            out[key] = sorted(out[key], key=lambda s: str(s.get("iri")))
    if path.endswith("/neighbors") and isinstance(out.get("nodes"), list):
        out["nodes"] = sorted(out["nodes"], key=lambda n: (n["label"], n["id"]))
    if isinstance(out.get("relations"), list):
        out["relations"] = sorted(
            out["relations"],
            key=lambda r: (
                r["direction"] != "out",
                r["predicate"],
                r["target"]["label"],
                r["target"]["iri"],
            ),
        )
    return out


def differences(expected: Any, actual: Any, where: str = "") -> Iterator[str]:
    """Where `actual` differs from `expected`; keys only in `actual` (added fields) are fine."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            if key not in actual:
                yield f"{where}.{key}: missing"
            else:
                yield from differences(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            kept = all(any(not any(differences(e, a)) for a in actual) for e in expected)
            among = f" (all {len(expected)} among them)" if kept else ""
            yield f"{where}: {len(expected)} items expected, {len(actual)} found{among}"
            return
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            yield from differences(e, a, f"{where}[{i}]")
    elif expected != actual:
        yield f"{where}: expected {expected!r}, found {actual!r}"


def compare() -> list[str]:
    """Every difference between the recorded snapshot and the current answers."""
    current = record()
    expected = {
        path: {**answer, "body": normalised(path, answer["body"])}
        for path, answer in json.loads(gzip.decompress(SNAPSHOT.read_bytes())).items()
    }
    return [
        f"{path}{line}"
        for path, answer in expected.items()
        for line in differences(answer, current.get(path), "")
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="record the snapshot")
    args = parser.parse_args(argv)
    if args.write:
        current = record()
        text = json.dumps(current, indent=1, ensure_ascii=False) + "\n"
        SNAPSHOT.write_bytes(gzip.compress(text.encode(), mtime=0))
        print(f"wrote {SNAPSHOT} ({len(current)} paths)")
        return 0
    problems = compare()
    for line in problems[: int(os.environ.get("SNAPSHOT_LINES", "50"))]:
        print(line)
    print(f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
