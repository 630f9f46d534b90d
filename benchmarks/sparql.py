"""The benchmark SPARQL queries three ways: casegraph's /sparql over HTTP, the store, rdflib.

On the store loaded and derived by `growth.py` (var/bench/data-<size>, built here if missing):

- `http`: `casegraph serve` (one worker, access log off) on a free loopback port with that data
  folder, `GET /sparql?query=` with `Accept: application/sparql-results+json`, the JSON body
  parsed, one keep-alive client. No Cypher engine is configured (`CASEGRAPH_CYPHER_BACKEND=neo4j`
  without `NEO4J_URI`), so the server does not sync a property graph at start;
- `store`: `graph.store.Store.query` in this process (the union of the registered graphs),
  every row read;
- `rdflib`: rdflib's own SPARQL engine over its default in-memory store, holding the same
  statements (the generated N-Triples plus the ontology and derived graphs exported from the
  store), queries prepared once (`prepareQuery`), every row read. rdflib parses ~40k triples/s
  and answers 15-55x slower, so it runs at `--rdflib-triples` (default: the same size) with
  `--rdflib-reps` repetitions; the result file says which size each engine ran at.

Median ms of N repetitions after one warm-up; the row counts must agree across engines.

    uv run python benchmarks/sparql.py                     # 1M triples
    uv run python benchmarks/sparql.py --triples 100000 --reps 20
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import WORK, peak_rss_mb, write_results  # noqa: E402
from benchmarks.growth import (  # noqa: E402
    data_dir,
    data_file,
    load_store,
    loadavg,
    median_ms,
    queries,
)
from tests.integration.server import free_port  # noqa: E402

ACCEPT_JSON = "application/sparql-results+json"


@contextlib.contextmanager
def serve(data: Path, log: Path) -> Iterator[str]:
    """`casegraph serve` on `data` (already loaded); yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEGRAPH_", "NEO4J_"))}
    env.update(
        {
            "CASEGRAPH_DATA_DIR": str(data),
            "CASEGRAPH_CYPHER_BACKEND": "neo4j",  # not configured: no property-graph sync
            "CASEGRAPH_QUERY_TIMEOUT_S": "300",
        }
    )
    command = [sys.executable, "-c", "from api.cli import app; app()", "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=handle)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 600
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the server exited:\n{log.read_text()}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start:\n{log.read_text()}")
                time.sleep(0.3)
            yield url
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def measure_store(triples: int, reps: int) -> dict[str, Any]:
    import pyoxigraph as ox

    from graph.store import Store

    store = Store(data_dir(triples) / "oxigraph")
    try:
        out: dict[str, Any] = {}
        for name, text in queries().items():

            def run(text: str = text) -> int:
                result = store.query(text)
                assert isinstance(result, ox.QuerySolutions)
                return sum(1 for _ in result)

            ms, rows = median_ms(run, reps)
            out[name] = {"median_ms": round(ms, 3), "rows": rows}
        return out
    finally:
        store.close()


def measure_http(triples: int, reps: int) -> tuple[dict[str, Any], float]:
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        started = time.perf_counter()
        with serve(data_dir(triples), Path(tmp) / "server.log") as url:
            startup = time.perf_counter() - started
            out: dict[str, Any] = {}
            with httpx.Client(base_url=url, timeout=300) as client:
                for name, text in queries().items():

                    def run(text: str = text) -> int:
                        response = client.get(
                            "/sparql", params={"query": text}, headers={"Accept": ACCEPT_JSON}
                        )
                        response.raise_for_status()
                        return len(response.json()["results"]["bindings"])

                    ms, rows = median_ms(run, reps)
                    out[name] = {"median_ms": round(ms, 3), "rows": rows}
    return out, startup


def export_extra(triples: int) -> Path:
    """The ontology and derived graphs of the store as N-Triples (what rdflib needs besides
    the generated file to answer like the store)."""
    import pyoxigraph as ox

    from graph.store import Store

    path = WORK / f"extra-{triples}.nt"
    if path.exists():
        return path
    store = Store(data_dir(triples) / "oxigraph", read_only=True)
    try:
        graphs = [d.graph for d in store.documents() if d.kind in {"ontology", "derived"}]
        with path.open("wb") as handle:
            ox.serialize(
                (t for graph in graphs for t in store.graph_triples(graph)),
                handle,
                ox.RdfFormat.N_TRIPLES,
            )
    finally:
        store.close()
    return path


def measure_rdflib(triples: int, reps: int) -> dict[str, Any]:
    import rdflib
    from rdflib.plugins.sparql import prepareQuery

    graph = rdflib.Graph()
    started = time.perf_counter()
    graph.parse(str(data_file(triples)), format="nt")
    graph.parse(str(export_extra(triples)), format="nt")
    parse_s = time.perf_counter() - started
    out: dict[str, Any] = {
        "parse_seconds": round(parse_s, 2),
        "graph_triples": len(graph),
        "parse_triples_per_s": round(len(graph) / parse_s),
    }
    for name, text in queries().items():
        prepared = prepareQuery(text)

        def run(prepared: Any = prepared) -> int:
            return sum(1 for _ in graph.query(prepared))

        ms, rows = median_ms(run, reps)
        out[name] = {"median_ms": round(ms, 3), "rows": rows}
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--rdflib-triples", type=int, help="default: --triples")
    parser.add_argument("--rdflib-reps", type=int, default=3)
    args = parser.parse_args()
    rdflib_triples = args.rdflib_triples or args.triples
    for size in dict.fromkeys([args.triples, rdflib_triples]):
        load_store(size)
    engines: dict[str, Any] = {}
    print(f"store, {args.triples:,} triples ...", file=sys.stderr, flush=True)
    engines["store"] = {
        "triples": args.triples,
        "reps": args.reps,
        "loadavg_before": loadavg(),
        "queries": measure_store(args.triples, args.reps),
    }
    print(f"http, {args.triples:,} triples ...", file=sys.stderr, flush=True)
    before = loadavg()
    http, startup = measure_http(args.triples, args.reps)
    engines["http"] = {
        "triples": args.triples,
        "reps": args.reps,
        "loadavg_before": before,
        "server_start_seconds": round(startup, 2),
        "queries": http,
    }
    print(f"rdflib, {rdflib_triples:,} triples ...", file=sys.stderr, flush=True)
    before = loadavg()
    rdf = measure_rdflib(rdflib_triples, args.rdflib_reps)
    engines["rdflib"] = {
        "triples": rdflib_triples,
        "reps": args.rdflib_reps,
        "loadavg_before": before,
        "parse_seconds": rdf.pop("parse_seconds"),
        "parse_triples_per_s": rdf.pop("parse_triples_per_s"),
        "graph_triples": rdf.pop("graph_triples"),
        "peak_rss_mb": rdf.pop("peak_rss_mb"),
        "queries": rdf,
    }
    same = "store"
    if rdflib_triples != args.triples:
        # rdflib ran at another size: the store at that size too, for the ratio.
        same = "store_at_rdflib_size"
        engines[same] = {
            "triples": rdflib_triples,
            "reps": args.reps,
            "loadavg_before": loadavg(),
            "queries": measure_store(rdflib_triples, args.reps),
        }
    for name in queries():
        for a, b in (("http", "store"), ("rdflib", same)):
            counts = (engines[a]["queries"][name]["rows"], engines[b]["queries"][name]["rows"])
            if counts[0] != counts[1]:
                raise SystemExit(f"row counts differ for {name}: {a} {counts[0]}, {b} {counts[1]}")
    out = write_results(
        "sparql",
        {
            "engines": engines,
            "loadavg_after": loadavg(),
            "notes": "median ms after one warm-up. http = casegraph serve /sparql (JSON results, "
            "parsed by the client); store = graph.store.Store.query in process; rdflib = "
            "rdflib's engine on its default in-memory store with the same statements "
            "(generated file + ontology + derived graphs), prepared queries"
            + (
                f"; rdflib ran at {rdflib_triples:,} triples, not {args.triples:,}"
                if rdflib_triples != args.triples
                else ""
            )
            + ".",
        },
    )
    print(f"{'query':10} " + " ".join(f"{e:>20}" for e in engines))
    for name in queries():
        cells = [f"{engines[e]['queries'][name]['median_ms']:>20.2f}" for e in engines]
        print(
            f"{name:10} " + " ".join(cells) + f"   rows {engines['store']['queries'][name]['rows']}"
        )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
