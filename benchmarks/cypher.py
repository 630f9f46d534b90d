"""Property-graph sync and Cypher queries: FalkorDB (embedded) against Neo4j, at 1M triples.

On the store loaded and derived by `growth.py` (var/bench/data-<size>, built here if missing):

1. a full sync (`graph.sync.sync(store, backend, full=True)`: project the store, clear the
   engine, create the schema, write nodes then relationships in UNWIND batches) into a fresh
   embedded FalkorDB and into Neo4j; seconds, nodes/s and relationships/s over the whole sync,
   and the engine write alone (`backend.write`) timed apart;
2. the Cypher benchmark queries, median ms of N after one warm-up, engines interleaved query by
   query: lookup by id, a two-year timeline range on `Event.earliest` (indexed on both), the
   1-3 hop causal pattern from a claim's cause, events per actor label.

Neo4j: give NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD (for example from your own
`NEO4J_TEST_DIR=/tmp/perf-neo4j scripts/neo4j-test-server start` and `... env`); without them
only FalkorDB is measured. The Neo4j database is cleared by the sync.

    eval "$(NEO4J_TEST_DIR=/tmp/perf-neo4j scripts/neo4j-test-server env)"
    uv run python benchmarks/cypher.py                     # 1M triples
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import WORK, peak_rss_mb, write_results  # noqa: E402
from benchmarks.growth import data_dir, load_store, loadavg, median_ms  # noqa: E402

QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "lookup": ("MATCH (n:Entity {id: $id}) RETURN n", {"id": "c17-e12"}),
    "timeline": (
        "MATCH (e:Event) WHERE e.earliest >= date($from) AND e.earliest < date($to) "
        "RETURN e.id AS id, e.label AS label, e.earliest AS start ORDER BY start, id",
        {"from": "2017-01-01", "to": "2019-01-01"},
    ),
    "causal": (
        "MATCH (:Entity {id: $claim})-[:CAUSE]->(c:Entity) "
        "MATCH (c)-[:CAUSES*1..3]->(e:Entity) RETURN DISTINCT e.id AS effect ORDER BY effect",
        {"claim": "c15-cl28"},
    ),
    "per_type": (
        "MATCH (e:Event)-[:PARTICIPANT]->(a:Entity) UNWIND labels(a) AS type "
        "RETURN type, count(DISTINCT e) AS events ORDER BY events DESC, type",
        {},
    ),
}
"""The Cypher counterparts of benchmarks/queries/*.rq (same event, claim and window)."""


def settings(folder: Path) -> SimpleNamespace:
    password = os.environ.get("NEO4J_PASSWORD")
    return SimpleNamespace(
        falkordb_path=folder / "falkordb",
        neo4j_uri=os.environ.get("NEO4J_URI"),
        neo4j_user=os.environ.get("NEO4J_USER", "neo4j"),
        neo4j_password=password,
        neo4j_database=os.environ.get("NEO4J_DATABASE", "neo4j"),
    )


def full_sync(store: Any, backend: Any, state: Path) -> dict[str, Any]:
    from graph.sync import sync

    write_s = 0.0
    original = backend.write

    def timed_write(*args: Any, **kwargs: Any) -> Any:
        nonlocal write_s
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            write_s += time.perf_counter() - began

    backend.write = timed_write
    try:
        report = sync(store, backend, full=True, state_file=state)
    finally:
        backend.write = original
    counts = backend.counts()
    nodes, rels = report.nodes_written, report.relationships_written
    return {
        "seconds": round(report.seconds, 2),
        "write_seconds": round(write_s, 2),
        "nodes": nodes,
        "relationships": rels,
        "nodes_per_s": round(nodes / report.seconds),
        "rels_per_s": round(rels / report.seconds),
        "write_nodes_per_s": round(nodes / write_s) if write_s else None,
        "write_rels_per_s": round(rels / write_s) if write_s else None,
        "engine_nodes": counts.labels.get("Entity", 0),
        "engine_relationships": sum(counts.types.values()),
    }


def main() -> int:
    from graph.cypher import open_backend
    from graph.store import Store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument(
        "--engines", default="falkordb,neo4j", help="comma-separated (default: both)"
    )
    args = parser.parse_args()
    load_store(args.triples)
    names = [n for n in args.engines.split(",") if n]
    if "neo4j" in names and not os.environ.get("NEO4J_URI"):
        print("NEO4J_URI is not set: measuring FalkorDB only", file=sys.stderr)
        names.remove("neo4j")
    store = Store(data_dir(args.triples) / "oxigraph", read_only=True)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        folder = Path(tmp)
        backends = {}
        try:
            for name in names:
                before = loadavg()
                print(f"sync {name} ...", file=sys.stderr, flush=True)
                backend = open_backend(name, settings(folder))
                backends[name] = backend
                row = full_sync(store, backend, folder / f"sync-{name}.json")
                row["loadavg_before"] = before
                results[name] = {"sync": row, "queries": {}}
                print(f"  {row}", file=sys.stderr, flush=True)
            for query, (text, params) in QUERIES.items():
                for name, backend in backends.items():

                    def run(backend: Any = backend, text: str = text, params: Any = params) -> int:
                        return len(backend.query(text, params, read_only=True).rows)

                    ms, rows = median_ms(run, args.reps)
                    results[name]["queries"][query] = {"median_ms": round(ms, 3), "rows": rows}
                    print(f"  {name:9} {query:9} {ms:9.2f} ms  rows {rows}", file=sys.stderr)
        finally:
            for backend in backends.values():
                backend.close()
            store.close()
    out = write_results(
        "cypher",
        {
            "triples": args.triples,
            "reps": args.reps,
            "engines": results,
            "queries": {k: {"cypher": v[0], "parameters": v[1]} for k, v in QUERIES.items()},
            "neo4j_java_opts": os.environ.get("NEO4J_TEST_JAVA_OPTS", "(script default)"),
            "peak_rss_mb_client": round(peak_rss_mb()),
            "loadavg_after": loadavg(),
            "notes": "sync = graph.sync.sync(full=True): projection in Python + engine writes "
            "(UNWIND batches); write_seconds = backend.write alone. Queries: median ms after "
            "one warm-up, read-only, engines interleaved, every row fetched by the client.",
        },
    )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
