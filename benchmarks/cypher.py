"""Property-graph sync, exports and Cypher queries: FalkorDB (embedded) and Neo4j, at 1M triples.

On a copy of the store loaded and derived by `growth.py` (var/bench/data-<size>, built here if
missing), per engine:

1. the full sync end to end (`graph.sync.sync(store, backend, full=True)`: plan with the
   per-document projection, then the engine's bulk path `replace_all`), with `replace_all`
   (the engine write) timed apart;
2. the engine write alone against the engine's own bulk path, on the same nodes and
   relationships, alternating (`--rounds`, default 2): FalkorDB `replace_all` (GRAPH.BULK +
   RENAME) against `falkordb-bulk-insert` (falkordb-bulk-loader) from CSV files prepared
   beforehand (writing them is not timed); Neo4j `replace_all` into the emptied database (the
   clear timed apart: a full sync into a filled database pays it too) against
   `neo4j-admin database import full` of the `neo4j-csv` export (scripts/neo4j-import, a
   fresh home each time, the JVM start included);
3. the exports (graphml, gexf, nodelink, neo4j-csv) of the same records: seconds and the
   resident memory they add (sampled every 20 ms);
4. an incremental sync of one small case file loaded into the synced store;
5. the Cypher benchmark queries, median ms of N after one warm-up, engines interleaved.

Neo4j: give NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD (for example from your own
`NEO4J_TEST_DIR=/tmp/perf-neo4j scripts/neo4j-test-server start` and `... env`); without them
only FalkorDB is measured. The Neo4j database is cleared by the sync.

    eval "$(NEO4J_TEST_DIR=/tmp/perf-neo4j scripts/neo4j-test-server env)"
    uv run python benchmarks/cypher.py                     # 1M triples
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import WORK, peak_rss_mb, write_results  # noqa: E402
from benchmarks.growth import data_dir, load_store, loadavg, median_ms  # noqa: E402

SMALL_CASE = ROOT / "tests" / "data" / "good" / "small-case.yaml"
ANCHOR_KEY = "anchor_bulk"

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


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def full_sync(store: Any, backend: Any, state: Path) -> dict[str, Any]:
    """sync(full=True) end to end, with the engine write (`replace_all`) timed apart."""
    from graph.sync import sync

    write_s = 0.0
    original = backend.replace_all

    def timed(*args: Any, **kwargs: Any) -> Any:
        nonlocal write_s
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            write_s += time.perf_counter() - began

    backend.replace_all = timed
    try:
        report = sync(store, backend, full=True, state_file=state)
    finally:
        del backend.replace_all
    counts = backend.counts()
    nodes, rels = report.nodes_written, report.relationships_written
    return {
        "seconds": round(report.seconds, 2),
        "write_seconds": round(write_s, 2),
        "plan_seconds": round(report.seconds - write_s, 2),
        "nodes": nodes,
        "relationships": rels,
        "nodes_per_s": round(nodes / report.seconds),
        "rels_per_s": round(rels / report.seconds),
        "write_rels_per_s": round(rels / write_s) if write_s else None,
        "engine_nodes": counts.labels.get("Entity", 0),
        "engine_relationships": sum(counts.types.values()),
    }


# -- the engines' own bulk paths (the anchors) ---------------------------------------------------


def _loader_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):  # the loader reads ARRAY cells with ast.literal_eval
        return repr([v.isoformat() if isinstance(v, dt.date) else v for v in value])
    return str(value)


def _loader_type(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "LONG"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, list | tuple):
        return "ARRAY"
    return "STRING"


def write_loader_csv(nodes: Iterable[Any], rels: Iterable[Any], folder: Path) -> list[str]:
    """The records as falkordb-bulk-loader CSV files (typed headers); its arguments."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[tuple[Any, ...], tuple[Path, Any, Any]] = {}
    args: list[str] = []

    def writer(kind: str, key: tuple[Any, ...], header: list[str], name: str) -> Any:
        entry = files.get(key)
        if entry is None:
            path = folder / f"{kind}-{len(files):04}.csv"
            handle = path.open("w", newline="", encoding="utf-8")
            out = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, escapechar="\\")
            out.writerow(header)
            files[key] = entry = (path, handle, out)
            args.extend(["-N" if kind == "nodes" else "-R", name, str(path)])
        return entry[2]

    for node in nodes:
        props = {k: v for k, v in node.properties.items() if k != "id"}
        labels = ":".join(dict.fromkeys(("Entity", *node.labels)))
        types = tuple((k, _loader_type(v)) for k, v in props.items())
        header = ["id:ID", *(f"{k}:{t}" for k, t in types)]
        out = writer("nodes", ("n", labels, types), header, labels)
        out.writerow([node.id, *(_loader_value(v) for v in props.values())])
    for rel in rels:
        props = {"key": rel.key, **rel.properties}
        types = tuple((k, _loader_type(v)) for k, v in props.items())
        header = [":START_ID", ":END_ID", *(f"{k}:{t}" for k, t in types)]
        out = writer("relationships", ("r", rel.type, types), header, rel.type)
        out.writerow([rel.source, rel.target, *(_loader_value(v) for v in props.values())])
    for _, handle, _ in files.values():
        handle.close()
    return args


def falkordb_anchor(backend: Any, args: list[str]) -> float:
    """Seconds `falkordb-bulk-insert` takes to build the graph from the prepared files."""
    connection = backend._db.connection
    connection.delete(ANCHOR_KEY)
    socket = backend.server.socket_path
    command = [
        str(Path(sys.executable).parent / "falkordb-bulk-insert"),
        ANCHOR_KEY,
        "--server-url",
        f"unix://{socket}",
        "--enforce-schema",
        *args,
    ]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"falkordb-bulk-insert failed: {done.stdout[-2000:]}{done.stderr}")
    connection.delete(ANCHOR_KEY)
    return seconds


def neo4j_anchor(csv_folder: Path, home: Path) -> float:
    """Seconds `neo4j-admin database import full` takes on the neo4j-csv export."""
    shutil.rmtree(home, ignore_errors=True)
    began = time.perf_counter()
    done = subprocess.run(
        [str(ROOT / "scripts" / "neo4j-import"), str(csv_folder), str(home)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"neo4j-import failed: {done.stdout[-2000:]}{done.stderr}")
    shutil.rmtree(home, ignore_errors=True)
    return seconds


def timed_clear(backend: Any) -> float:
    """Neo4j: empty the database first, so that replace_all is timed on an empty one."""
    began = time.perf_counter()
    backend.clear()
    return time.perf_counter() - began


def timed_write(backend: Any, nodes: Any, rels: Any) -> float:
    began = time.perf_counter()
    backend.replace_all(nodes, rels)
    return time.perf_counter() - began


# -- exports ------------------------------------------------------------------------------------


def rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss) / 2**20


def measured(fn: Callable[[], Any]) -> tuple[float, float]:
    """(seconds, MB of resident memory added at the peak) of one call."""
    base = rss_mb()
    peak = base
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.02):
            peak = max(peak, rss_mb())

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    began = time.perf_counter()
    try:
        fn()
    finally:
        seconds = time.perf_counter() - began
        stop.set()
        thread.join()
    return seconds, max(peak, rss_mb()) - base


def exports(nodes: Any, rels: Any, folder: Path) -> dict[str, Any]:
    from graph.export import export_graph

    out: dict[str, Any] = {}
    for fmt, name in (
        ("graphml", "graph.graphml"),
        ("gexf", "graph.gexf"),
        ("nodelink", "graph.json"),
        ("neo4j-csv", "neo4j-csv"),
    ):
        path = folder / name
        seconds, added = measured(lambda f=fmt, p=path: export_graph(f, nodes, rels, p))
        size = (
            sum(f.stat().st_size for f in path.iterdir()) if path.is_dir() else path.stat().st_size
        )
        out[fmt] = {"seconds": round(seconds, 2), "rss_added_mb": round(added), "mb": size >> 20}
        log(f"  export {fmt:9} {seconds:6.1f} s  +{added:.0f} MB RSS  {size >> 20} MB")
    return out


# -- the run ------------------------------------------------------------------------------------


def main() -> int:
    from api import ingest
    from graph.cypher import open_backend
    from graph.projection import project_store
    from graph.store import Store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="anchor/bulk alternations")
    parser.add_argument(
        "--engines", default="falkordb,neo4j", help="comma-separated (default: both)"
    )
    args = parser.parse_args()
    load_store(args.triples)
    names = [n for n in args.engines.split(",") if n]
    if "neo4j" in names and not os.environ.get("NEO4J_URI"):
        log("NEO4J_URI is not set: measuring FalkorDB only")
        names.remove("neo4j")
    results: dict[str, Any] = {"engines": {}, "loadavg_before": loadavg()}
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        folder = Path(tmp)
        log("copying the store ...")
        shutil.copytree(data_dir(args.triples) / "oxigraph", folder / "data" / "oxigraph")
        store = Store(folder / "data" / "oxigraph")
        backends: dict[str, Any] = {}
        try:
            began = time.perf_counter()
            projection = project_store(store)
            project_s = time.perf_counter() - began
            nodes, rels = projection.nodes, projection.relationships
            results["projection"] = {
                "seconds": round(project_s, 1),
                "nodes": len(nodes),
                "relationships": len(rels),
            }
            log(f"project_store: {project_s:.1f} s, {len(nodes)} nodes, {len(rels)} rels")
            results["exports"] = exports(nodes, rels, folder)
            loader_args = write_loader_csv(nodes, rels, folder / "loader-csv")
            csv_folder = folder / "neo4j-csv"
            for name in names:
                log(f"{name}: full sync ...")
                row: dict[str, Any] = {"loadavg_before": loadavg()}
                backend = open_backend(name, settings(folder / "data"))
                backends[name] = backend
                row["sync"] = full_sync(store, backend, folder / "data" / f"sync-{name}.json")
                log(f"  {row['sync']}")
                rounds = []
                for _ in range(args.rounds):
                    anchor = (
                        falkordb_anchor(backend, loader_args)
                        if name == "falkordb"
                        else neo4j_anchor(csv_folder, folder / "neo4j-home")
                    )
                    cleared = timed_clear(backend) if name == "neo4j" else 0.0
                    ours = timed_write(backend, nodes, rels)
                    rounds.append(
                        {
                            "anchor_s": round(anchor, 2),
                            "clear_s": round(cleared, 2),
                            "replace_all_s": round(ours, 2),
                            "ratio": round(anchor / ours, 2),
                            "replace_all_rels_per_s": round(len(rels) / ours),
                            "anchor_rels_per_s": round(len(rels) / anchor),
                            "loadavg": loadavg(),
                        }
                    )
                    log(f"  {rounds[-1]}")
                row["bulk"] = rounds
                results["engines"][name] = row
            # The state files describe the store and the engines hold its projection: load one
            # small case file and sync it in incrementally.
            from graph.sync import sync

            ingest.load(store, [SMALL_CASE])
            for name, backend in backends.items():
                state = folder / "data" / f"sync-{name}.json"
                report = sync(store, backend, state_file=state)
                again = sync(store, backend, state_file=state)
                results["engines"][name]["incremental"] = {
                    "seconds": round(report.seconds, 2),
                    "full": report.full,
                    "documents": report.documents,
                    "nodes_written": report.nodes_written,
                    "relationships_written": report.relationships_written,
                    "no_change_seconds": round(again.seconds, 2),
                }
                log(f"  {name} incremental: {results['engines'][name]['incremental']}")
            for query, (text, params) in QUERIES.items():
                for name, backend in backends.items():

                    def run(backend: Any = backend, text: str = text, params: Any = params) -> int:
                        return len(backend.query(text, params, read_only=True).rows)

                    ms, rows = median_ms(run, args.reps)
                    results["engines"][name].setdefault("queries", {})[query] = {
                        "median_ms": round(ms, 3),
                        "rows": rows,
                    }
                    log(f"  {name:9} {query:9} {ms:9.2f} ms  rows {rows}")
        finally:
            for backend in backends.values():
                backend.close()
            store.close()
    out = write_results(
        "cypher",
        {
            "triples": args.triples,
            "reps": args.reps,
            **results,
            "queries": {k: {"cypher": v[0], "parameters": v[1]} for k, v in QUERIES.items()},
            "neo4j_java_opts": os.environ.get("NEO4J_TEST_JAVA_OPTS", "(script default)"),
            "peak_rss_mb_client": round(peak_rss_mb()),
            "loadavg_after": loadavg(),
            "notes": "sync = graph.sync.sync(full=True): the planner's per-document projection "
            "in Python, then replace_all (FalkorDB GRAPH.BULK + RENAME, Neo4j clear + CREATE "
            "batches); write_seconds = replace_all alone. bulk rounds alternate the engine's own "
            "bulk path (falkordb-bulk-insert from prepared CSV files; neo4j-admin database "
            "import full of the neo4j-csv export, JVM start included) with replace_all of the "
            "same records; ratio = anchor seconds / replace_all seconds (>= 0.7 is the target). "
            "Exports from the same records (the projection is not included). Queries: median "
            "ms after one warm-up, read-only, engines interleaved.",
        },
    )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
