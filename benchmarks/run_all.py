"""Run every benchmark, then rewrite docs/performance.md from benchmarks/results/*.json.

    uv run python benchmarks/run_all.py                  # default sizes (hours)
    uv run python benchmarks/run_all.py --quick          # small sizes: a check that all run
    uv run python benchmarks/run_all.py --only load,cypher
    uv run python benchmarks/run_all.py --docs-only      # just regenerate docs/performance.md

Each benchmark runs as its own process, one after the other (they share the cores); one that
fails is reported and the others still run. Neo4j is measured only when NEO4J_URI is set
(benchmarks/cypher.py skips it otherwise). `--quick` runs small sizes, whose figures the page
marks "not measured at <size>" against targets stated for a larger store; the install
benchmark (a fresh clone and download) is left out of `--quick` unless named in `--only`.
A benchmark that runs replaces its own result file (a `--quick` run too: use `--only` to keep
the full-size figures of the others); the page shows every result file present.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import targets  # noqa: E402
from benchmarks.report import SECTIONS, scale_sections, section  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "performance.md"
QUICK_TRIPLES = "30000"
BENCHMARKS: dict[str, tuple[list[str], list[str] | None]] = {
    # name: (arguments at the default sizes, arguments for --quick; None: not in --quick)
    "cli": ([], ["--reps", "3"]),
    "load": ([], ["--sizes", "10000,30000"]),
    "growth": ([], ["--sizes", "10000,30000"]),
    "scale": ([], ["--triples", QUICK_TRIPLES, "--rounds", "1"]),
    "sparql": ([], ["--triples", QUICK_TRIPLES, "--rounds", "1", "--seconds", "2"]),
    "api": ([], ["--rounds", "1", "--seconds", "2"]),
    "http_middleware": ([], ["--rounds", "1", "--seconds", "1"]),
    "mixed": (
        [],
        [
            "--window",
            "2",
            "--anchor-windows",
            "1",
            "--old-triples",
            "5000",
            "--new-triples",
            "20000",
        ],
    ),
    "cypher": ([], ["--triples", QUICK_TRIPLES, "--rounds", "1", "--reps", "3"]),
    "loaders": ([], ["--rows", "2000"]),
    "views": ([], ["--sizes", "1000", "--repeat", "1", "--browser-size", "1000"]),
    "query_limits": ([], ["--quick"]),
    "falkordb_limits": ([], ["--depths", "10,12", "--give-up", "20"]),
    "install": ([], None),
}

PROSE = """\
## How the figures come about

- **Reads come from the read model.** REST answers are assembled from the SQLite read model's
  pre-encoded summaries and encoded once with orjson; a response is cached by path until the
  next write (the `api` rows show the server with that cache on and off). `/api/events` reads
  the read model's time index (an R*Tree over event spans), not the store.
- **`/sparql` runs on the published snapshot** in supervised worker processes
  (`graph/query_workers.py`). Oxigraph has no range index on literals: a date-range SPARQL
  query scans, so it grows with the store, while `/api/events` and both Cypher engines answer
  the same window from an index. A whole answer to a GET is kept until the next write, so a
  repeated lookup is answered from the response cache; a new query text pays the query guard
  (a lexer), a worker process for the deadline and the protocol's checks, about 1 ms per
  request, where Oxigraph's own multi-threaded Rust server answers a lookup in a tenth of that.
  Both are measured (`uncached`: a counter in a comment makes every request a new text). On
  scans, where the engine's own work dominates, the two are level without any cache.
- **Without the response cache** REST answers are built per request from the read model: an
  entity detail (42 KB of JSON for af-2017-01) costs about 1 ms of Python, hence the `cache off`
  rows; the cache (on by default, invalidated by version) is what meets the targets.
- **A write derives only what it changes.** `graph/pipeline.py` recomputes the derived graph of
  each changed graph and applies the temporal relations it touches as a delta; `casegraph
  derive --full` rebuilds everything and is for repair (the `derive` figures).
- **The engines are synced from the read model.** A full sync streams the read model's nodes and
  relationships into the engine's bulk path (`replace_all`); an incremental sync rewrites the
  keys changed since the engine's version (`pg_change`).
- **Neo4j's full sync is bound by Neo4j's commit, not by casegraph.** It writes the new graph
  while the old one is deleted beside it, relationships found by internal id, the schema built
  at the end (docs/property-graph.md); what is left is about 30 µs of server CPU per
  relationship created and as much per relationship deleted, about 45 s of CPU on 2 cores.
  The ratio to `neo4j-admin` was 0.18-0.41 before (load 0.8-2.8) and is 0.31-0.44 in the
  rounds above (load 4-7; the anchor itself took 13-18 s, 8.5-13.7 s in the quieter runs
  before); two runs the same day with 10,000-row batches had 0.43-0.52 (load 4-6) and 0.61 and
  0.81 in rounds 2-3 (load 6-7): on this shared machine the load moves the ratio more than the
  last changes did. 45 s of CPU on 2 cores is 22 s at best, so 0.7x of a 9-14 s import is out
  of reach over Bolt here. The Neo4j server runs with a server's JVM (`neo4j_java_opts` in the
  results): the test server's quick-start default, C1 only, doubled the server's CPU. A
  server's first full syncs compile the write paths (the warm-up syncs, 47-60 s).
- **Neo4j plans each write statement on its first run**; incremental syncs write with two
  statements (dynamic labels and types), so the first after a bulk sync plans two, not one per
  label set and type: 0.92 s above (1.87-2.18 s before at 1M on the C1 server, 5.06 s on a
  cold C2 one).
- **Start-up reads neither the store nor the read model whole**, so it should not grow with the
  data; `benchmarks/scale.py` measures it at 1M statements.
- Figures were taken on a shared 2-core machine while other work ran; each row gives the load
  average. Treat them as a floor, not as capacity. Rows marked "not measured at <size>" come
  from a run at a smaller size than the target states (`run_all.py --quick`).
"""


def load_results(folder: Path = RESULTS) -> dict[str, dict[str, Any]]:
    """Every result file by name (stem); unreadable files are left out."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except ValueError:
            continue
        if isinstance(data, dict):
            found[path.stem] = data
    return found


def build_report(results: Mapping[str, Mapping[str, Any]]) -> str:
    """docs/performance.md from the result files' contents (pure)."""
    machine: Mapping[str, Any] = next(
        (r["machine"] for r in results.values() if isinstance(r.get("machine"), Mapping)), {}
    )
    dates = sorted(str(r["date"]) for r in results.values() if r.get("date"))
    head = [
        "# Performance",
        "",
        "Generated by `uv run python benchmarks/run_all.py` from `benchmarks/results/*.json` "
        "(`--docs-only` rewrites this page without measuring). Synthetic statements come from "
        "`benchmarks/generate.py` (seed 42), shaped like the curated cases.",
        "",
        f"Machine: {machine.get('cpus', '?')} cores, {machine.get('memory_gib', '?')} GiB; "
        f"Python {machine.get('python', '?')}; {machine.get('platform', '?')}. Results dated "
        f"{dates[0] if dates else '?'} to {dates[-1] if dates else '?'}.",
        "",
        "## Targets",
        "",
        "The targets of issues 10, 11 and 14, each with its figure, the anchor measured in the "
        "same run, the ratio, and the load average (1 minute) during the measurement.",
        "",
        *targets.table(targets.rows(results)),
        "",
    ]
    body: list[str] = []
    for name, title, key, render in SECTIONS:
        body += [*section(name, title, key, render, results.get(name)), ""]
        if name == "growth":
            body += [*scale_sections(results), ""]
    return "\n".join([*head, *body, PROSE]).rstrip() + "\n"


def command(name: str) -> list[str]:
    shell = ROOT / "benchmarks" / f"{name}.sh"
    if shell.exists():
        return ["bash", str(shell)]
    return [sys.executable, str(ROOT / "benchmarks" / f"{name}.py")]


def run(names: list[str], quick: bool, named: bool) -> list[str]:
    """Run the benchmarks one after the other; the names of those that failed."""
    failed = []
    for name in names:
        full, small = BENCHMARKS[name]
        if quick and small is None and not named:
            print(f"== {name}: no small size, left out of --quick", file=sys.stderr)
            continue
        args = (small or []) if quick else full
        print(f"== {name} {' '.join(args)}", file=sys.stderr, flush=True)
        if subprocess.run([*command(name), *args], cwd=ROOT, check=False).returncode != 0:
            print(f"== {name} failed", file=sys.stderr)
            failed.append(name)
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated, of {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="small sizes (a check that all run)")
    parser.add_argument("--docs-only", action="store_true")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] if args.only else list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    failed = [] if args.docs_only else run(names, args.quick, bool(args.only))
    DOC.write_text(build_report(load_results()))
    print(f"wrote {DOC}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
