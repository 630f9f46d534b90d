"""docs/performance.md from the result files: the targets table, one section per benchmark.

`render(results)` is pure (the result files' contents by name in, markdown out). A section
whose result file is missing, or was written by an older version of its benchmark (it lacks
the fields the current one writes), says so and gives the command instead of figures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from benchmarks import targets
from benchmarks.targets import markdown_table as _table
from benchmarks.targets import n

Results = Mapping[str, Mapping[str, Any]]
Section = Callable[[Mapping[str, Any]], list[str]]

COMMANDS = {
    "load": "uv run python benchmarks/load.py",
    "growth": "uv run python benchmarks/growth.py",
    "scale": "uv run python benchmarks/scale.py",
    "sparql": "uv run python benchmarks/sparql.py",
    "api": "uv run python benchmarks/api.py",
    "cypher": "uv run python benchmarks/cypher.py",
    "cli": "uv run python benchmarks/cli.py",
    "install": "benchmarks/install.sh",
    "http_middleware": "uv run python benchmarks/http_middleware.py",
    "loaders": "uv run python benchmarks/loaders.py",
    "views": "uv run python benchmarks/views.py",
    "query_limits": "uv run python benchmarks/query_limits.py",
    "falkordb_limits": "uv run python benchmarks/falkordb_limits.py",
}


def _when(data: Mapping[str, Any]) -> str:
    return f"Measured {data['date']}." if data.get("date") else "Date not recorded."


def _load(data: Mapping[str, Any]) -> list[str]:
    rows = []
    for run in data["runs"].values():
        for path, r in run["paths"].items():
            memory = r.get("peak_rss_mb", r.get("server_rss_mb"))
            rows.append(
                [
                    n(run["triples"]),
                    path,
                    n(r["seconds"], 2),
                    n(r["triples_per_s"]),
                    n(memory),
                    n(r.get("ratio_to_raw_bulk"), 2),
                    targets.load_range([run["loadavg_before"]]),
                ]
            )
    return [
        "Each path into a fresh copy of the curated data folder, in its own process: `raw-bulk` "
        "pyoxigraph `bulk_load` into an empty store (the anchor); `cli` `casegraph load` "
        "(SHACL on); `bulk` `casegraph load --no-validate`; `gsp-put` and `sparql-update` one "
        "request to `casegraph serve`. Command rows include the interpreter's start; memory is "
        "the process's peak (commands) or the server's resident memory after the request.",
        "",
        *_table(
            [
                "statements",
                "path",
                "seconds",
                "statements/s",
                "memory MB",
                "raw bulk s / path s",
                "load avg",
            ],
            rows,
        ),
    ]


def _growth(data: Mapping[str, Any]) -> list[str]:
    rows = []
    for run in data["runs"].values():
        load, derive, disk = run["load"], run["derive"], run.get("disk_after_derive", {})
        rows.append(
            [
                n(run["statements"]),
                n(load["seconds"], 2),
                n(load["statements_per_s"]),
                n(load["peak_rss_mb"]),
                n(derive["seconds"], 2),
                n(derive["peak_rss_mb"]),
                n(derive["time_ratio_to_load"], 2),
                n(derive["memory_ratio_to_load"], 2),
                n(disk.get("data_dir_mb"), 1),
                n(disk.get("read_model_mb"), 1),
                targets.load_range([run["loadavg_before"]]),
            ]
        )
    return [
        "Per size: the curated cases, then the generated statements loaded with `casegraph load "
        "--no-validate` (the bulk path), then `casegraph derive --full`; each a fresh process.",
        "",
        *_table(
            [
                "statements",
                "load s",
                "statements/s",
                "load peak MB",
                "derive s",
                "derive peak MB",
                "derive/load time",
                "derive/load memory",
                "data folder MB",
                "read model MB",
                "load avg",
            ],
            rows,
        ),
    ]


def _scale(data: Mapping[str, Any]) -> list[str]:
    lines = [
        f"{n(data.get('triples_generated'))} generated statements on top of the curated "
        "cases; start-up, the halt-act reload and the events window."
    ]
    startup, reload, events = data.get("startup"), data.get("reload"), data.get("events")
    if startup:
        lines.append(
            "Start-up until `/api/health` answers: "
            + ", ".join(f"{k} median {n(v['median_s'], 2)} s" for k, v in startup.items())
            + "."
        )
    if reload:
        lines.append(
            f"Reload of a changed halt-act.yaml: curated {n(reload['curated']['median_s'], 2)} "
            f"s, big {n(reload['big']['median_s'], 2)} s "
            f"(ratio {n(reload['ratio_big_to_curated'], 2)})."
        )
    if data.get("derive"):
        d = data["derive"]
        lines.append(f"`derive --full`: {n(d['seconds'], 1)} s, {n(d['peak_rss_mb'])} MB peak.")
    if events:
        lines.append(
            f"{events['request']}: median {n(events['median_ms'], 1)} ms, p99 "
            f"{n(events['p99_ms'], 1)} ms ({n(events.get('total_in_window'))} events in the "
            "window)."
        )
    return [" ".join(lines)]


def _sparql(data: Mapping[str, Any]) -> list[str]:
    rows = [
        [
            name,
            r["kind"],
            n(r["rows"]),
            n(r["ratio_median"], 2),
            n(r.get("ratio_uncached_median"), 2),
            n(r["target_ratio"], 1),
            n(r.get("casegraph_p99_ms_median"), 1),
            targets.load_range(x.get("loadavg") for x in r["rounds"]),
        ]
        for name, r in data["results"].items()
    ]
    return [
        f"{data.get('store')}; anchor {data.get('anchor')}; {data.get('load_generator')}. "
        "Ratio = casegraph's requests/s over Oxigraph's in the same round (median of rounds); "
        "uncached = every request a new query text (a counter in a comment), so none is "
        "answered from the response cache.",
        "",
        *_table(
            [
                "query",
                "kind",
                "rows",
                "ratio",
                "uncached",
                "target",
                "casegraph p99 ms",
                "load avg",
            ],
            rows,
        ),
    ]


def _api(data: Mapping[str, Any]) -> list[str]:
    rows = [
        [
            variant,
            name,
            n(r["rps_median"]),
            n(r["p99_ms_median"], 1),
            n(r["ratio_to_ceiling_median"], 2),
            n(r.get("bytes")),
            targets.load_range(x.get("loadavg") for x in v.get("rounds", [])),
        ]
        for variant, v in data["variants"].items()
        for name, r in v["summary"].items()
    ]
    return [
        f"{data.get('server')}; {data.get('load_generator')}; the curated cases. Ratio = "
        "requests/s over the ceiling route's in the same round (median of rounds).",
        "",
        "With the response cache on, a kept answer is sent by the HTTP middleware before any "
        "routing (`api/http.py`), while the ceiling route, an async FastAPI route returning fixed "
        "bytes, passes routing: so a kept answer beats the ceiling (ratios above 1). With the "
        "cache off every request builds its answer from the read model; that is the cost of the "
        "first request for an answer after each write.",
        "",
        *_table(["variant", "endpoint", "req/s", "p99 ms", "ratio", "bytes", "load avg"], rows),
    ]


def _cypher(data: Mapping[str, Any]) -> list[str]:
    graph = data["graph"]
    lines = [
        f"{n(data['triples'])} generated statements: {n(graph['nodes'])} nodes, "
        f"{n(graph['relationships'])} relationships in the read model."
        + "".join(f" {k} skipped: {why}." for k, why in data.get("skipped", {}).items()),
        "",
    ]
    rounds = [
        [
            name,
            str(i),
            n(r["sync"]["seconds"], 2),
            n(r["anchor_s"], 2),
            n(r["ratio"], 2),
            n(r["sync"]["rels_per_s"]),
            targets.load_range([r.get("loadavg")]),
        ]
        for name, e in data["engines"].items()
        for i, r in enumerate(e["rounds"], 1)
    ]
    lines += _table(
        ["engine", "round", "full sync s", "bulk path s", "ratio", "rels/s", "load avg"], rounds
    )
    warmups = [
        f"{name} {', '.join(f'{n(w["seconds"], 2)} s' for w in e['warmup_syncs'])}"
        for name, e in data["engines"].items()
        if e.get("warmup_syncs")
    ]
    if warmups:
        lines += ["", f"Warm-up full syncs before the rounds: {'; '.join(warmups)}."]
    exports = [
        [f, n(e["seconds"], 2), n(e["rss_added_mb"]), n(e["mb"])]
        for f, e in data.get("exports", {}).items()
    ]
    lines += ["", "Exports streamed from the read model:", ""]
    lines += _table(["format", "seconds", "RSS added MB", "MB"], exports)
    queries = [
        [
            q,
            *(
                n(e.get("queries", {}).get(q, {}).get("median_ms"), 2)
                for e in data["engines"].values()
            ),
            n(next(iter(data["engines"].values())).get("queries", {}).get(q, {}).get("rows")),
        ]
        for q in data.get("queries", {})
    ]
    lines += ["", f"Cypher, median ms of {data.get('reps')} after one warm-up:", ""]
    lines += _table(["query", *data["engines"], "rows"], queries)
    return lines


def _cli(data: Mapping[str, Any]) -> list[str]:
    rows = [
        [
            " ".join(c["command"]),
            n(c["median_wall_s"], 3),
            n(c["median_cpu_s"], 3),
            n(c["target_wall_s"], 1),
            targets.load_range([c.get("loadavg_before")]),
        ]
        for c in data["commands"].values()
    ]
    return _table(["command", "median wall s", "median CPU s", "target s", "load avg"], rows)


def _install(data: Mapping[str, Any]) -> list[str]:
    return [
        f"Fresh clone of {data.get('branch')} ({data.get('commit')}), empty uv cache: "
        f"`./scripts/run` served `/api/health` after {n(data['seconds_to_serve_health'], 1)} s, "
        f"the engines ready after {n(data.get('seconds_to_engines_ready'), 1)} s; "
        f"{', '.join(data.get('uv_sync', {}).values())}; uv cache {n(data.get('uv_cache_mb'))} MB, "
        f"environment {n(data.get('venv_mb'))} MB."
    ]


def _middleware(data: Mapping[str, Any]) -> list[str]:
    rows = [
        [k, n(v["median_rps"]), n(v["median_cpu_us_per_request"]), n(v["cpu_change_pct"], 1)]
        for k, v in data["summary"].items()
    ]
    return [
        f"{data.get('endpoint')}, {data.get('clients')} clients, {data.get('server')}:",
        "",
        *_table(["variant", "req/s", "CPU µs per request", "CPU change %"], rows),
    ]


def _loaders(data: Mapping[str, Any]) -> list[str]:
    rows = [
        [
            k,
            n(r.get("rows")),
            n(r.get("triples")),
            n(r.get("seconds"), 1),
            n(r.get("rows_per_second")),
            n(r.get("peak_rss_growth_mb"), 1),
        ]
        for k, r in data["results"].items()
    ]
    return _table(["loader", "rows", "triples", "seconds", "rows/s", "RSS growth MB"], rows)


def _views(data: Mapping[str, Any]) -> list[str]:
    rows = [
        [
            n(r["nodes"]),
            n(r.get("relationships")),
            n(r.get("view_s"), 3),
            n(r.get("render_s"), 3),
            n(r.get("html_mb"), 2),
        ]
        for r in data["build"]
    ]
    lines = _table(["nodes", "relationships", "view s", "render s", "HTML MB"], rows)
    browser = data.get("browser") or {}
    if browser:
        lines += [
            "",
            f"Browser: {n(browser.get('nodes'))} nodes interactive after "
            f"{n(browser.get('interactive_s'), 2)} s (target {n(browser.get('target_s'), 1)} s).",
        ]
    return lines


SECTIONS: tuple[tuple[str, str, str, Section], ...] = (
    ("load", "Load paths", "runs", _load),
    ("growth", "Growth with the store's size", "runs", _growth),
    ("sparql", "SPARQL against Oxigraph's own server", "results", _sparql),
    ("api", "REST throughput against the ceiling route", "variants", _api),
    ("cypher", "Property-graph sync, exports and Cypher", "graph", _cypher),
    ("cli", "CLI start", "commands", _cli),
    ("install", "Install", "seconds_to_serve_health", _install),
    ("http_middleware", "HTTP middleware cost", "summary", _middleware),
    ("loaders", "Dataset loaders", "results", _loaders),
    ("views", "Views", "build", _views),
)


def _current(name: str, data: Mapping[str, Any], key: str) -> bool:
    if key not in data:
        return False
    if name in {"load", "growth"}:  # the runs of the benchmarks before the read model differ
        field = "paths" if name == "load" else "statements"
        return all(isinstance(r, Mapping) and field in r for r in data["runs"].values())
    return True


def section(
    name: str, title: str, key: str, body: Section, data: Mapping[str, Any] | None
) -> list[str]:
    lines = [f"## {title}", ""]
    command = f"`{COMMANDS[name]}`"
    if data is None:
        return [*lines, f"Not measured: no benchmarks/results/{name}.json. Run {command}."]
    outdated = [
        *lines,
        f"Not measured with the current benchmark (benchmarks/results/{name}.json "
        f"is from an older version of it, {data.get('date', 'undated')}). Run {command}.",
    ]
    if not _current(name, data, key):
        return outdated
    try:
        figures = body(data)
    except (KeyError, TypeError, AttributeError, IndexError):  # fields of another version
        return outdated
    return [*lines, _when(data), "", *figures, "", f"Reproduce: {command}"]


def scale_sections(results: Results) -> list[str]:
    found = sorted((int(k[6:]), k) for k in results if k.startswith("scale-") and k[6:].isdigit())
    lines = ["## Scale: start-up, reload, derivation, events", ""]
    if not found:
        return [
            *lines,
            f"Not measured: no benchmarks/results/scale-*.json. Run `{COMMANDS['scale']}`.",
        ]
    for size, key in found:
        try:
            text = _scale(results[key])[0]
        except (KeyError, TypeError, AttributeError):
            text = "The result file is from another version of the benchmark."
        lines += [
            f"{_when(results[key])} {text}",
            "",
            f"Reproduce: `{COMMANDS['scale']} --triples {size}`",
            "",
        ]
    return lines[:-1]
