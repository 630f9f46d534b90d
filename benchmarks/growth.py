"""The growth curve: load, derive and query at 100k, 1M and 10M triples.

Each size runs in its own child process (so its peak memory is its own), on the same generated
N-Triples (cached in var/bench):

1. generate the file if it is not cached (`benchmarks.generate`, seed 42);
2. load it with casegraph's bulk path (`--no-validate`: Oxigraph's bulk writer into an
   unregistered graph, then the atomic registration swap) into a fresh store,
   var/bench/data-<size>/oxigraph, kept afterwards for `sparql.py` and `cypher.py`;
3. derive (`graph.derive.rederive`, the step every load ends with), timed as a whole and, by
   wrapping the module's helpers, per part: each input query, the temporal reasoning, building
   the derived triples in Python and writing them;
4. answer the benchmark queries (benchmarks/queries/*.rq) on the store directly, median of N.

Reported per size: load seconds and triples/s, derive seconds and its parts, query medians,
peak RSS of the child (ru_maxrss) after each step, the store folder size. The parent watches
each child's memory and stops it above `--max-rss-gb` (the machine has no swap; other work runs
on it), reporting the steps that finished.

    uv run python benchmarks/growth.py                       # 100k, 1M, 10M (10M: ~1 hour)
    uv run python benchmarks/growth.py --sizes 100000,1000000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import WORK, write_results  # noqa: E402

QUERIES = ROOT / "benchmarks" / "queries"
DEFAULT_SIZES = (100_000, 1_000_000, 10_000_000)


def data_file(triples: int) -> Path:
    return WORK / f"synthetic-{triples}.nt"


def data_dir(triples: int) -> Path:
    """The data folder of a loaded and derived store (`CASEGRAPH_DATA_DIR` for a server)."""
    return WORK / f"data-{triples}"


def ensure_file(triples: int) -> tuple[Path, float | None]:
    """The generated file (generated now if not cached) and the seconds generating took."""
    from benchmarks.generate import write

    path = data_file(triples)
    if path.exists():
        return path, None
    partial = path.with_suffix(".nt.part")
    started = time.perf_counter()
    write(partial, triples)
    partial.rename(path)
    return path, time.perf_counter() - started


def queries() -> dict[str, str]:
    """The benchmark queries by name (file stem), in a fixed order."""
    return {path.stem: path.read_text() for path in sorted(QUERIES.glob("*.rq"))}


def median_ms(fn: Callable[[], Any], reps: int) -> tuple[float, Any]:
    """Median wall time of `reps` calls in ms (after one warm-up call), and the last value."""
    value = fn()
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), value


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _emit(step: str, **values: Any) -> None:
    """One step's result, as a JSON line on stdout (the parent keeps every line)."""
    print(json.dumps({"step": step, **values}), flush=True)


def load_store(triples: int) -> Path:
    """Load and derive the store for `triples` if it is not there yet (a growth child does it)."""
    folder = data_dir(triples) / "oxigraph"
    if not (data_dir(triples) / "complete").exists():
        run_size(triples, reps=1, max_rss_gb=20.0, log=sys.stderr)
    return folder


# -- the child ---------------------------------------------------------------------------------


def child(triples: int, reps: int) -> None:
    """Generate, load, derive, query one size; each step as one JSON line."""
    import pyoxigraph as ox

    from api import ingest
    from graph import derive
    from graph.store import Store

    path, generate_s = ensure_file(triples)
    with path.open("rb") as handle:
        count = sum(1 for _ in handle)
    _emit("generate", triples=count, seconds=generate_s, file_mb=path.stat().st_size / 2**20)

    target = data_dir(triples)
    shutil.rmtree(target, ignore_errors=True)
    store = Store(target / "oxigraph")
    ingest.ensure_ontology(store)
    started = time.perf_counter()
    prepared = ingest.prepare(store, [path.resolve()], format="rdf", validate=False)
    for doc in prepared:
        store.commit(
            name=doc.name,
            kind="doc",
            loader=doc.loader,
            sha256=doc.sha256,
            source=doc.path.as_uri(),
            triples=doc.triples,
            bulk_file=doc.bulk,
        )
    load_s = time.perf_counter() - started
    _emit(
        "load",
        seconds=load_s,
        triples_per_s=count / load_s,
        peak_rss_mb=_maxrss_mb(),
        store_mb=folder_mb(target),
    )

    parts: dict[str, float] = {}
    names = {
        derive.CAUSAL_EDGES: "query_causal_edges",
        derive.LINK_EDGES: "query_link_edges",
        derive.CLASS_CLOSURE: "query_class_closure",
        derive.DATED_EVENTS: "query_dated_events",
        derive.RELATED_PAIRS: "query_related_pairs",
        derive.CASE_MEMBERS: "query_case_members",
    }
    rows_of: dict[str, int] = {}
    original_rows = derive._rows
    original_relate = getattr(derive, "relate_all")  # noqa: B009 (not re-exported)
    original_temporal = derive.temporal_relations

    def add(name: str, seconds: float) -> None:
        parts[name] = parts.get(name, 0.0) + seconds

    def timed_rows(store: Any, query: str) -> Iterator[Any]:
        began = time.perf_counter()
        rows = list(original_rows(store, query))
        add(names.get(query, "query_other"), time.perf_counter() - began)
        rows_of[names.get(query, "query_other")] = len(rows)
        yield from rows

    def timed_relate(*args: Any, **kwargs: Any) -> Iterator[Any]:
        began = time.perf_counter()
        out = list(original_relate(*args, **kwargs))
        add("relate_all", time.perf_counter() - began)
        yield from out

    def timed_temporal(store: Any) -> Any:
        began = time.perf_counter()
        out = original_temporal(store)
        add("temporal_relations_total", time.perf_counter() - began)
        rows_of["temporal_relations"] = len(out)
        return out

    original_commit = store.commit
    commit_info: dict[str, float] = {}

    def timed_commit(**kwargs: Any) -> Any:
        commit_info["rss_before_write_mb"] = _maxrss_mb()
        began = time.perf_counter()
        change = original_commit(**kwargs)
        add("write_derived_graph", time.perf_counter() - began)
        return change

    with contextlib.ExitStack() as patches:
        for owner, attribute, replacement in (
            (derive, "_rows", timed_rows),
            (derive, "relate_all", timed_relate),
            (derive, "temporal_relations", timed_temporal),
            (store, "commit", timed_commit),
        ):
            patches.enter_context(mock.patch.object(owner, attribute, replacement))
        started = time.perf_counter()
        change = derive.rederive(store)
        derive_s = time.perf_counter() - started
    queried = sum(v for k, v in parts.items() if k.startswith("query_"))
    temporal_python = (
        parts.get("temporal_relations_total", 0.0)
        - parts.get("query_dated_events", 0.0)
        - parts.get("query_related_pairs", 0.0)
        - parts.get("query_case_members", 0.0)
    )
    parts["temporal_python_incl_relate_all"] = temporal_python
    parts["build_triples_python"] = (
        derive_s - queried - temporal_python - parts.get("write_derived_graph", 0.0)
    )
    _emit(
        "derive",
        seconds=derive_s,
        derived_triples=change.added,
        parts=parts,
        rows=rows_of,
        peak_rss_mb=_maxrss_mb(),
        rss_before_write_mb=commit_info.get("rss_before_write_mb"),
        store_mb=folder_mb(target),
    )

    results: dict[str, Any] = {}
    for name, text in queries().items():

        def run(text: str = text) -> int:
            result = store.query(text)
            assert isinstance(result, ox.QuerySolutions)
            return sum(1 for _ in result)

        ms, rows = median_ms(run, reps)
        results[name] = {"median_ms": ms, "rows": rows}
    _emit("queries", reps=reps, results=results, peak_rss_mb=_maxrss_mb())
    total = store.triple_count()
    store.close()
    (target / "complete").write_text(json.dumps({"triples": count, "visible": total}))
    _emit("done", visible_triples=total, store_mb=folder_mb(target), peak_rss_mb=_maxrss_mb())


# -- the parent --------------------------------------------------------------------------------


def run_size(triples: int, *, reps: int, max_rss_gb: float, log: Any) -> dict[str, Any]:
    """Run one size in a child; watch its memory; return its steps (partial if it was stopped)."""
    import psutil

    command = [sys.executable, str(Path(__file__)), "--child", str(triples), "--reps", str(reps)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT)
    watched = psutil.Process(process.pid)
    steps: dict[str, Any] = {}
    peak_seen = 0.0
    status = "ok"
    started = time.perf_counter()
    import threading

    def watch() -> None:
        nonlocal peak_seen, status
        while process.poll() is None:
            try:
                rss = watched.memory_info().rss / 2**30
            except psutil.Error:
                return
            peak_seen = max(peak_seen, rss)
            if rss > max_rss_gb:
                status = f"stopped: RSS {rss:.1f} GiB above the {max_rss_gb} GiB limit"
                process.kill()
                return
            time.sleep(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    assert process.stdout is not None
    for line in process.stdout:
        line = line.strip()
        if line.startswith("{"):
            row = json.loads(line)
            steps[row.pop("step")] = row
            print(f"  {triples:>10,} {json.dumps(row)[:400]}", file=log, flush=True)
    process.wait()
    watcher.join(timeout=5)
    if process.returncode != 0 and status == "ok":
        status = f"failed: exit code {process.returncode}"
    return {
        "triples_requested": triples,
        "status": status,
        "wall_seconds": time.perf_counter() - started,
        "watched_peak_rss_gb": round(peak_seen, 2),
        **steps,
    }


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    parser.add_argument("--reps", type=int, default=5, help="query repetitions (median)")
    parser.add_argument("--max-rss-gb", type=float, default=20.0)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.child:
        child(args.child, args.reps)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    previous = _previous()
    runs = dict(previous)
    for size in sizes:
        before = loadavg()
        print(f"size {size:,}: load average {before}", file=sys.stderr, flush=True)
        row = run_size(size, reps=args.reps, max_rss_gb=args.max_rss_gb, log=sys.stderr)
        row["loadavg_before"] = before
        row["loadavg_after"] = loadavg()
        runs[str(size)] = row
        print(f"size {size:,}: {row['status']} in {row['wall_seconds']:.0f} s", file=sys.stderr)
        _write(runs)
    out = _write(runs)
    print(f"wrote {out}")
    return 0


def _previous() -> dict[str, Any]:
    """Earlier sizes from the result file (a run of some sizes keeps the others)."""
    from benchmarks._common import RESULTS

    path = RESULTS / "growth.json"
    if not path.exists():
        return {}
    try:
        return dict(json.loads(path.read_text()).get("runs", {}))
    except (ValueError, AttributeError):
        return {}


def _write(runs: dict[str, Any]) -> Path:
    ordered = dict(sorted(runs.items(), key=lambda item: int(item[0])))
    return write_results(
        "growth",
        {
            "runs": ordered,
            "queries": sorted(queries()),
            "notes": "Each size in its own child process. load = casegraph bulk path "
            "(--no-validate, atomic); derive = graph.derive.rederive with its parts timed by "
            "wrapping the module's helpers; queries on the store directly (median ms, one "
            "warm-up); peak_rss_mb = ru_maxrss of the child after each step; store_mb = the "
            "store folder. Other processes shared the 2 cores: see loadavg_before/after.",
        },
    )


if __name__ == "__main__":
    raise SystemExit(main())
