"""Property-graph sync, exports and Cypher queries: FalkorDB (embedded) and Neo4j, at 1M triples.

On a copy of the `big` data folder of benchmarks/scale.py (the curated cases plus `--triples`
generated statements; built if missing), reading the property graph from the read model, per
engine:

1. the full sync end to end (`graph.sync.sync(model, backend, full=True)`: the read model's
   records streamed into the engine's bulk path `replace_all`), each sync replacing the graph the
   one before left; `--warmups` full syncs (2: into the empty database, then over the graph it
   left) run before the rounds and are reported apart (`warmup_syncs`): a server's JIT compiles
   the write and delete paths on their first use, which a long-running server did long before
   (with one warm-up into the empty database, round 1 took 66 s against 29-36 s for rounds 2-3);
2. the full sync against the engine's own bulk path on the same nodes and relationships,
   alternating (`--rounds`; for Neo4j also a full sync into the database emptied beforehand,
   untimed: neo4j-admin builds a new database, it deletes nothing): FalkorDB
   `falkordb-bulk-insert` (falkordb-bulk-loader) from CSV files prepared beforehand (writing
   them is not timed); Neo4j `neo4j-admin database import
   full` of the `neo4j-csv` export (scripts/neo4j-import, a fresh home each time, the JVM start
   included). Issue 11: the sync at least 0.7x the anchor (anchor s / sync s), and at least
   20,000 relationships/s to FalkorDB, 10,000/s to Neo4j;
3. the exports (graphml, gexf, nodelink, neo4j-csv) streamed from the read model: seconds and
   the resident memory they add (sampled every 20 ms). Issue 11: under 30 s each at 1M;
4. an incremental sync of one small case file loaded into the synced store (under 2 s), and a
   sync with nothing to do;
5. the Cypher benchmark queries, median ms of `--reps` after one warm-up, engines interleaved.

Neo4j: give NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD (for example from your own
`NEO4J_TEST_DIR=/tmp/perf-neo4j scripts/neo4j-test-server start` and `... env`); without
NEO4J_URI Neo4j is skipped with a message and only FalkorDB is measured. The Neo4j database is
cleared by the sync. Start the test server with a server's JVM, not its quick-start default
(C1 only, serial GC, 1 GiB heap), and export the same NEO4J_TEST_JAVA_OPTS so the results
record it:

    export NEO4J_TEST_JAVA_OPTS="-Xms2g -Xmx2g -XX:+UseParallelGC" NEO4J_TEST_DIR=/tmp/perf-neo4j
    scripts/neo4j-test-server start
    eval "$(scripts/neo4j-test-server env)"
    uv run python benchmarks/cypher.py                     # 1M triples
    uv run python benchmarks/cypher.py --triples 30000 --rounds 1 --reps 3   # a quick check

Writes benchmarks/results/cypher.json.
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import WORK, peak_rss_mb, write_results  # noqa: E402
from benchmarks.scale import build, loadavg  # noqa: E402

SMALL_CASE = ROOT / "tests" / "data" / "good" / "small-case.yaml"
ANCHOR_KEY = "anchor_bulk"
TARGET_RATIO = 0.7
FLOOR_RELS_PER_S = {"falkordb": 20_000, "neo4j": 10_000}
INCREMENTAL_MAX_S = 2.0
EXPORT_MAX_S = 30.0

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


def settings(data: Path) -> Any:
    """The application's settings for the data folder `data` (NEO4J_* from the environment)."""
    from api.settings import Settings

    return Settings(data_dir=data)


def median_ms(fn: Callable[[], Any], reps: int) -> tuple[float, Any]:
    """Median wall time of `reps` calls in ms (after one warm-up call), and the last value."""
    import statistics

    value = fn()
    times = []
    for _ in range(reps):
        began = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), value


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def full_sync(model: Any, backend: Any) -> dict[str, Any]:
    """sync(full=True) end to end: the read model's records streamed into `replace_all`."""
    from graph.sync import sync

    report = sync(model, backend, full=True)
    counts = backend.counts()
    nodes, rels = report.nodes_written, report.relationships_written
    return {
        "seconds": round(report.seconds, 2),
        "nodes": nodes,
        "relationships": rels,
        "rels_per_s": round(rels / report.seconds),
        "engine_nodes": counts.labels.get("Entity", 0),
        "engine_relationships": sum(counts.types.values()),
        "loadavg": loadavg(),
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


def exports(model: Any, folder: Path) -> dict[str, Any]:
    """Each export streamed from the read model, as `casegraph export` writes it."""
    from graph.export import export_graph
    from graph.sync import iter_nodes, iter_relationships

    out: dict[str, Any] = {}
    for fmt, name in (
        ("graphml", "graph.graphml"),
        ("gexf", "graph.gexf"),
        ("nodelink", "graph.json"),
        ("neo4j-csv", "neo4j-csv"),
    ):
        path = folder / name

        def write(fmt: str = fmt, path: Path = path) -> None:
            with model.read() as conn:
                export_graph(fmt, iter_nodes(conn), iter_relationships(conn), path)

        seconds, added = measured(write)
        size = (
            sum(f.stat().st_size for f in path.iterdir()) if path.is_dir() else path.stat().st_size
        )
        out[fmt] = {
            "seconds": round(seconds, 2),
            "rss_added_mb": round(added),
            "mb": size >> 20,
            "met": seconds < EXPORT_MAX_S,
        }
        log(f"  export {fmt:9} {seconds:6.1f} s  +{added:.0f} MB RSS  {size >> 20} MB")
    return out


# -- the run ------------------------------------------------------------------------------------


def engine_rounds(
    name: str, backend: Any, model: Any, anchor: Callable[[], float], rounds: int, warmups: int
) -> dict[str, Any]:
    """`warmups` full syncs (reported apart), then the full sync and the engine's own bulk
    path, alternating; ratio = anchor s / sync s."""
    row: dict[str, Any] = {"warmup_syncs": [], "rounds": []}
    for _ in range(warmups):
        row["warmup_syncs"].append(full_sync(model, backend))
        log(f"  {name} warm-up full sync: {row['warmup_syncs'][-1]}")
    # neo4j-admin builds a new database from nothing; a full sync replaces the graph the last
    # one left (deleting it costs Neo4j about as much as creating it). The like-for-like figure
    # is a full sync into an emptied database (the emptying untimed), measured beside it.
    steps = ["sync", "anchor", *(["sync_into_empty"] if name == "neo4j" else [])]
    for index in range(rounds):
        pair: dict[str, Any] = {"loadavg": loadavg()}
        for step in steps if index % 2 == 0 else steps[::-1]:
            if step == "sync":
                pair["sync"] = full_sync(model, backend)
            elif step == "sync_into_empty":
                backend.clear()
                pair["sync_into_empty"] = full_sync(model, backend)
            else:
                pair["anchor_s"] = round(anchor(), 2)
        pair["ratio"] = round(pair["anchor_s"] / pair["sync"]["seconds"], 3)
        if "sync_into_empty" in pair:
            pair["ratio_into_empty"] = round(
                pair["anchor_s"] / pair["sync_into_empty"]["seconds"], 3
            )
        row["rounds"].append(pair)
        log(f"  {name} round {index + 1}: {pair}")
    ratios = sorted(r["ratio"] for r in row["rounds"])
    rates = sorted(r["sync"]["rels_per_s"] for r in row["rounds"])
    row["ratio_median"] = ratios[len(ratios) // 2]
    row["sync_rels_per_s_median"] = rates[len(rates) // 2]
    row["target_ratio"] = TARGET_RATIO
    row["floor_rels_per_s"] = FLOOR_RELS_PER_S[name]
    row["met"] = row["ratio_median"] >= TARGET_RATIO and min(rates) >= FLOOR_RELS_PER_S[name]
    if name == "neo4j":
        into_empty = sorted(r["ratio_into_empty"] for r in row["rounds"])
        empty_rates = sorted(r["sync_into_empty"]["rels_per_s"] for r in row["rounds"])
        row["ratio_into_empty_median"] = into_empty[len(into_empty) // 2]
        row["met_into_empty"] = (
            row["ratio_into_empty_median"] >= TARGET_RATIO
            and min(empty_rates) >= FLOOR_RELS_PER_S[name]
        )
    return row


def incremental(workspace: Any, backends: dict[str, Any]) -> dict[str, Any]:
    """Load one small case file into the synced store; each engine's sync of it, then again."""
    from graph import ingest
    from graph.sync import sync

    ingest.load(workspace, [SMALL_CASE])
    out: dict[str, Any] = {}
    reports = {name: sync(workspace.model, backend) for name, backend in backends.items()}
    # The same file edited (one label): a second small sync, once each engine has run the
    # write statements before (Neo4j plans each statement on its first run).
    assert workspace.data_dir is not None
    edited = workspace.data_dir.parent / SMALL_CASE.name
    edited.write_text(
        SMALL_CASE.read_text(encoding="utf-8").replace(
            "label: Test case", "label: Test case (edited)", 1
        ),
        encoding="utf-8",
    )
    ingest.load(workspace, [edited])
    for name, backend in backends.items():
        report = reports[name]
        warm = sync(workspace.model, backend)
        again = sync(workspace.model, backend)
        out[name] = {
            "seconds": round(report.seconds, 3),
            "full": report.full,
            "nodes_written": report.nodes_written,
            "relationships_written": report.relationships_written,
            "warm_seconds": round(warm.seconds, 3),
            "no_change_seconds": round(again.seconds, 3),
            "target_s": INCREMENTAL_MAX_S,
            "met": report.seconds < INCREMENTAL_MAX_S and not report.full,
        }
        log(f"  {name} incremental: {out[name]}")
    return out


def queries(backends: dict[str, Any], reps: int) -> dict[str, Any]:
    out: dict[str, Any] = {name: {} for name in backends}
    for query, (text, params) in QUERIES.items():
        for name, backend in backends.items():

            def run(backend: Any = backend, text: str = text, params: Any = params) -> int:
                return len(backend.query(text, params, read_only=True).rows)

            ms, rows = median_ms(run, reps)
            out[name][query] = {
                "median_ms": round(ms, 3),
                "per_s": round(1000 / ms, 1) if ms else None,
                "rows": rows,
            }
            log(f"  {name:9} {query:9} {ms:9.2f} ms  rows {rows}")
    return out


def main() -> int:
    from graph.cypher import open_backend
    from graph.sync import iter_nodes, iter_relationships
    from graph.workspace import Workspace

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="anchor/sync alternations")
    parser.add_argument(
        "--warmups", type=int, default=2, help="full syncs before the rounds, reported apart"
    )
    parser.add_argument(
        "--engines", default="falkordb,neo4j", help="comma-separated (default: both)"
    )
    args = parser.parse_args()
    names = [n for n in args.engines.split(",") if n]
    skipped: dict[str, str] = {}
    if "neo4j" in names and not os.environ.get("NEO4J_URI"):
        skipped["neo4j"] = "NEO4J_URI is not set"
        log("NEO4J_URI is not set: Neo4j skipped, measuring FalkorDB only")
        names.remove("neo4j")
    source = WORK / f"scale-{args.triples}"
    build(source, args.triples, fresh=False)
    results: dict[str, Any] = {"engines": {}, "skipped": skipped, "loadavg_before": loadavg()}
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        folder = Path(tmp)
        log("copying the data folder ...")
        shutil.copytree(source, folder / "data")
        workspace = Workspace.open(folder / "data")
        backends: dict[str, Any] = {}
        try:
            results["exports"] = exports(workspace.model, folder)
            with workspace.model.read() as conn:
                nodes, rels = list(iter_nodes(conn)), list(iter_relationships(conn))
            results["graph"] = {"nodes": len(nodes), "relationships": len(rels)}
            loader_args = write_loader_csv(nodes, rels, folder / "loader-csv")
            del nodes, rels
            for name in names:
                log(f"{name}: full sync against the engine's bulk path ...")
                backend = backends[name] = open_backend(name, settings(folder / "data"))
                anchor: Callable[[], float] = (
                    (lambda b=backend: falkordb_anchor(b, loader_args))
                    if name == "falkordb"
                    else (lambda: neo4j_anchor(folder / "neo4j-csv", folder / "neo4j-home"))
                )
                results["engines"][name] = engine_rounds(
                    name, backend, workspace.model, anchor, args.rounds, args.warmups
                )
            for name, row in incremental(workspace, backends).items():
                results["engines"][name]["incremental"] = row
            for name, row in queries(backends, args.reps).items():
                results["engines"][name]["queries"] = row
        finally:
            for backend in backends.values():
                backend.close()
            workspace.close()
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
            "notes": "sync = graph.sync.sync(full=True): the read model's records streamed "
            "into replace_all (FalkorDB GRAPH.BULK into a new key renamed over the graph; Neo4j "
            "CREATE batches while the old graph is deleted beside them), each replacing the "
            "graph the one before left; warm-up full syncs (warmup_syncs) run before the rounds. "
            "Rounds alternate it with the engine's own bulk path "
            "(falkordb-bulk-insert from prepared CSV files; neo4j-admin database import full of "
            "the neo4j-csv export, JVM start included); ratio = anchor s / sync s (target 0.7). "
            "Exports streamed from the read model. Queries: median ms after one warm-up, "
            "read-only, engines interleaved.",
        },
    )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
