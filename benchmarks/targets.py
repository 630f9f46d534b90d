"""The issues' performance targets (issues 10, 11 and 14) read from the result files.

`rows(results)` is pure: given the result files' contents by name (`api`, `sparql`,
`scale-1000000`, `cypher`, ...), one `Row` per target with the figure, its anchor, the ratio,
the status and the load average; `table(rows)` is its markdown. A target whose result is
missing, or was written by an older version of its benchmark, is "not measured"; one measured
at another store size than the target's is "not measured at <size>", its figure shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Results = Mapping[str, Mapping[str, Any]]

MET, NOT_MET, NOT_MEASURED = "met", "not met", "not measured"


@dataclass(frozen=True, slots=True)
class Figure:
    """One measurement against its target: what to show and whether it meets the target."""

    figure: str
    ok: bool
    anchor: str = "-"
    ratio: float | None = None
    loadavg: Iterable[float] = ()
    size: int | None = None
    """Generated statements in the store it was measured on (None: the curated cases)."""


@dataclass(frozen=True, slots=True)
class Target:
    issue: int
    what: str
    result: str
    """The result file (stem) it is read from; `scale` means scale-<size>.json."""
    command: str
    read: Callable[[Mapping[str, Any]], Figure | None]
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Row:
    issue: int
    what: str
    figure: str
    anchor: str
    ratio: str
    status: str
    loadavg: str
    command: str


def n(value: Any, digits: int = 0) -> str:
    """A figure with thousands separators and `digits` decimals; "-" for none."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.{digits}f}"


def load_range(values: Iterable[Any]) -> str:
    """The 1-minute load averages of a measurement, as "3.9" or "3.9-6.8"."""
    ones = [v[0] if isinstance(v, list | tuple) else v for v in values if v is not None]
    ones = [float(v) for v in ones if isinstance(v, int | float)]
    if not ones:
        return "-"
    low, high = min(ones), max(ones)
    return f"{low:.1f}" if round(low, 1) == round(high, 1) else f"{low:.1f}-{high:.1f}"


def _dig(data: Mapping[str, Any], *keys: str) -> Any:
    value: Any = data
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


# -- readers, one per kind of target ---------------------------------------------------------


def _api(variant: str, endpoint: str, ratio: float, p99_ms: float | None = None) -> Any:
    def read(data: Mapping[str, Any]) -> Figure | None:
        found = _dig(data, "variants", variant)
        if not found or endpoint not in found.get("summary", {}):
            return None
        row, ceiling = found["summary"][endpoint], found["summary"]["ceiling"]
        value = row["ratio_to_ceiling_median"]
        ok = value >= ratio and (p99_ms is None or row["p99_ms_median"] < p99_ms)
        return Figure(
            f"{n(row['rps_median'])} req/s, p99 {n(row['p99_ms_median'], 1)} ms",
            ok,
            f"ceiling route {n(ceiling['rps_median'])} req/s",
            value,
            [r.get("loadavg") for r in found.get("rounds", [])],
        )

    return read


def _sparql(query: str, ratio: float) -> Any:
    def read(data: Mapping[str, Any]) -> Figure | None:
        row = _dig(data, "results", query)
        if not row or "ratio_median" not in row:
            return None
        rounds = row.get("rounds", [])
        ours = sorted(r["casegraph"]["rps"] for r in rounds)
        theirs = sorted(r["oxigraph"]["rps"] for r in rounds)
        uncached = sorted(
            r["casegraph_uncached"]["rps"] for r in rounds if "casegraph_uncached" in r
        )
        judged = row.get("judged_on", "ratio_median")
        text = f"{n(ours[len(ours) // 2])} req/s" if ours else "-"
        if uncached and judged == "ratio_uncached_median":
            text = (
                f"{n(uncached[len(uncached) // 2])} req/s, a new query text each time "
                f"(repeated, from the cache: {text})"
            )
        elif uncached:
            text += (
                f" repeated, from the cache (a new query text each time: "
                f"{n(uncached[len(uncached) // 2])} req/s, "
                f"{n(row.get('ratio_uncached_median'), 2)}x)"
            )
        return Figure(
            text,
            row[judged] >= ratio,
            f"oxigraph serve-read-only {n(theirs[len(theirs) // 2])} req/s" if theirs else "-",
            row[judged],
            [r.get("loadavg") for r in rounds],
            data.get("triples"),
        )

    return read


def _startup(data: Mapping[str, Any]) -> Figure | None:
    big, curated = _dig(data, "startup", "big"), _dig(data, "startup", "curated")
    if not big:
        return None
    seconds = big["median_s"]
    return Figure(
        f"{n(seconds, 2)} s",
        seconds < 3,
        f"curated cases alone {n(curated['median_s'], 2)} s" if curated else "-",
        round(seconds / curated["median_s"], 2) if curated else None,
        [data.get("loadavg_before_startup")],
        data.get("triples_generated"),
    )


def _reload(data: Mapping[str, Any]) -> Figure | None:
    found = data.get("reload")
    if not found or "ratio_big_to_curated" not in found:
        return None
    value = found["ratio_big_to_curated"]
    return Figure(
        f"{n(found['big']['median_s'], 2)} s",
        value <= 2,
        f"same reload, curated cases alone {n(found['curated']['median_s'], 2)} s",
        value,
        [data.get("loadavg_before_reload")],
        data.get("triples_generated"),
    )


def _derive(measure: str, bound: float) -> Any:
    def read(data: Mapping[str, Any]) -> Figure | None:
        derive, load = data.get("derive"), _dig(data, "build", "big", "load")
        if not derive or not load:
            return None
        if measure == "time":
            value = derive["time_ratio_to_load"]
            figure, anchor = f"{n(derive['seconds'], 1)} s", f"load {n(load['seconds'], 1)} s"
        else:
            value = derive["memory_ratio_to_load"]
            figure = f"{n(derive['peak_rss_mb'])} MB peak"
            anchor = f"load {n(load['peak_rss_mb'])} MB peak"
        return Figure(
            figure,
            value <= bound,
            anchor,
            value,
            [data.get("loadavg_before_derive")],
            data.get("triples_generated"),
        )

    return read


def _events(data: Mapping[str, Any]) -> Figure | None:
    found = data.get("events")
    if not found:
        return None
    return Figure(
        f"median {n(found['median_ms'], 1)} ms, p99 {n(found['p99_ms'], 1)} ms",
        found["median_ms"] < 100,
        loadavg=[data.get("loadavg_before_events")],
        size=data.get("triples_generated"),
    )


def _sync(engine: str, measure: str) -> Any:
    def read(data: Mapping[str, Any]) -> Figure | None:
        row = _dig(data, "engines", engine)
        if not row or "ratio_median" not in row:
            return None
        rounds = row["rounds"]
        anchors = sorted(r["anchor_s"] for r in rounds)
        key = "sync_into_empty" if measure == "ratio_into_empty" else "sync"
        if any(key not in r for r in rounds):
            return None
        syncs = sorted(r[key]["seconds"] for r in rounds)
        rels = rounds[0][key]["relationships"]
        loads = [r.get("loadavg") for r in rounds]
        if measure in {"ratio", "ratio_into_empty"}:
            ratio = row[f"{measure}_median"]
            what = "into an emptied database" if key == "sync_into_empty" else "over the last graph"
            return Figure(
                f"full sync {what} {n(syncs[len(syncs) // 2], 1)} s ({n(rels)} relationships)",
                ratio >= row.get("target_ratio", 0.7),
                f"engine's bulk path {n(anchors[len(anchors) // 2], 1)} s",
                ratio,
                loads,
                data.get("triples"),
            )
        floor = {"falkordb": 20_000, "neo4j": 10_000}[engine]
        slowest = min(r["sync"]["rels_per_s"] for r in rounds)
        return Figure(
            f"{n(slowest)} relationships/s (slowest round)",
            slowest >= floor,
            loadavg=loads,
            size=data.get("triples"),
        )

    return read


def _incremental(engine: str) -> Any:
    def read(data: Mapping[str, Any]) -> Figure | None:
        row = _dig(data, "engines", engine, "incremental")
        if not row or "rounds" not in _dig(data, "engines", engine):
            return None
        warm = row.get("warm_seconds")
        again = f"; {n(warm, 2)} s for the next small sync" if warm is not None else ""
        return Figure(
            f"{n(row['seconds'], 2)} s ({n(row['nodes_written'])} nodes, "
            f"{n(row['relationships_written'])} relationships){again}",
            row["seconds"] < 2 and not row.get("full", False),
            # An engine's rows may come from an earlier run (cypher.py --engines ...).
            loadavg=[
                _dig(data, "engines", engine, "measured_in_an_earlier_run", "loadavg_after")
                or data.get("loadavg_after")
            ],
            size=data.get("triples"),
        )

    return read


def _export(fmt: str) -> Any:
    def read(data: Mapping[str, Any]) -> Figure | None:
        row = _dig(data, "exports", fmt)
        if not row or "graph" not in data:
            return None
        return Figure(
            f"{n(row['seconds'], 1)} s, +{n(row['rss_added_mb'])} MB resident",
            row["seconds"] < 30,
            loadavg=[data.get("loadavg_before")],
            size=data.get("triples"),
        )

    return read


def _install(measure: str) -> Any:
    def read(data: Mapping[str, Any]) -> Figure | None:
        seconds = data.get("seconds_to_serve_health")
        if seconds is None:
            return None
        loads = [data.get("loadavg_before")]
        if measure == "sync":  # install.sh runs scripts/run, which does not pass --no-build
            ok = data.get("no_build_sync_ok")
            if ok is None:
                return None
            return Figure("succeeded" if ok else "failed", bool(ok), loadavg=loads)
        return Figure(f"{n(seconds, 1)} s", seconds <= 90, loadavg=loads)

    return read


def _cli(command: str, bound: float) -> Any:
    def read(data: Mapping[str, Any]) -> Figure | None:
        row = _dig(data, "commands", command)
        if not row:
            return None
        return Figure(
            f"{n(row['median_wall_s'], 3)} s (median of {len(row.get('wall_s', []))})",
            row["median_wall_s"] < bound,
            loadavg=[row.get("loadavg_before")],
        )

    return read


def _mixed(data: Mapping[str, Any]) -> Figure | None:
    during, before = data.get("reads_during_write"), data.get("reads_before_put")
    if not during:
        return None
    counts = data.get("counts", {}).values()
    whole = all(c.get("every_count_old_or_new") for c in counts)
    synced = data["put"].get("engine_synced_within_s_after_put")
    return Figure(
        f"p99 {n(during['p99_ms'], 1)} ms during a {n(data['put']['seconds'], 1)} s PUT "
        f"and the engine sync after it (within {n(synced, 1)} s), "
        f"{n(during['rps'])} reads/s, {n(data.get('non_2xx'))} non-2xx, "
        f"{'every count old or new' if whole else 'A MIXED COUNT SEEN'}",
        during["p99_ms"] < 100 and whole and not data.get("non_2xx"),
        f"same reads before the PUT: p99 {n(before['p99_ms'], 1)} ms" if before else "-",
        data.get("reads_during_write_p99_vs_before"),
        [data.get("loadavg_before", ()), data.get("loadavg_after", ())],
    )


M, TEN_M = 1_000_000, 10_000_000
API = "uv run python benchmarks/api.py"
SPARQL = "uv run python benchmarks/sparql.py"
SCALE = "uv run python benchmarks/scale.py"
CYPHER = "uv run python benchmarks/cypher.py"
CACHE_ON, CACHE_OFF = "response cache on (default)", "response cache off"

# fmt: off
TARGETS: tuple[Target, ...] = (
    *(Target(10, f"`GET /api/entities/{{id}}` ≥ 0.5x the ceiling route, p99 < 50 ms; {v}",
             "api", API, _api(v, "entity", 0.5, 50.0))
      for v in (CACHE_ON, CACHE_OFF)),
    *(Target(10, f"`GET /api/{e}` ≥ 0.4x the ceiling route; {v}", "api", API, _api(v, e, 0.4))
      for e in ("events", "causal-chains") for v in (CACHE_ON, CACHE_OFF)),
    Target(10, "`/sparql` lookup ≥ 0.5x Oxigraph's server", "sparql", SPARQL,
           _sparql("lookup", 0.5)),
    Target(10, "`/sparql` causal ≥ 0.5x Oxigraph's server", "sparql", SPARQL,
           _sparql("causal", 0.5)),
    Target(10, "`/sparql` per-type aggregate (scan) ≥ 0.9x Oxigraph's server", "sparql", SPARQL,
           _sparql("per_type", 0.9)),
    Target(10, "`/sparql` two-year timeline (scan) ≥ 0.9x Oxigraph's server", "sparql", SPARQL,
           _sparql("timeline", 0.9)),
    Target(10, "server start on a 1M store: `/api/health` within 3 s", "scale",
           f"{SCALE} --only startup", _startup, M),
    Target(10, "reload of a changed halt-act.yaml at 1M ≤ 2x the reload into the curated cases",
           "scale", f"{SCALE} --only reload", _reload, M),
    Target(10, "`derive --full` at 1M: time ≤ the load's", "scale", f"{SCALE} --only derive",
           _derive("time", 1.0), M),
    Target(10, "`derive --full` at 1M: peak memory ≤ 1.5x the load's", "scale",
           f"{SCALE} --only derive", _derive("memory", 1.5), M),
    Target(10, "`/api/events`, two-year window, 10M store: < 100 ms", "scale",
           f"{SCALE} --triples 10000000 --only events", _events, TEN_M),
    Target(11, "FalkorDB full sync ≥ 0.7x its bulk path (falkordb-bulk-insert)", "cypher",
           CYPHER, _sync("falkordb", "ratio"), M),
    Target(11, "FalkorDB full sync ≥ 20,000 relationships/s", "cypher", CYPHER,
           _sync("falkordb", "rate"), M),
    Target(11, "Neo4j full sync ≥ 0.7x `neo4j-admin database import full`", "cypher",
           f"NEO4J_URI=... {CYPHER}", _sync("neo4j", "ratio"), M),
    Target(11, "Neo4j full sync into an empty database (as neo4j-admin builds one) ≥ 0.7x "
           "`neo4j-admin database import full`", "cypher", f"NEO4J_URI=... {CYPHER}",
           _sync("neo4j", "ratio_into_empty"), M),
    Target(11, "Neo4j full sync ≥ 10,000 relationships/s", "cypher", f"NEO4J_URI=... {CYPHER}",
           _sync("neo4j", "rate"), M),
    Target(11, "FalkorDB incremental sync of one small case file < 2 s", "cypher", CYPHER,
           _incremental("falkordb"), M),
    Target(11, "Neo4j incremental sync of one small case file < 2 s", "cypher",
           f"NEO4J_URI=... {CYPHER}", _incremental("neo4j"), M),
    *(Target(11, f"export `{fmt}` of the 1M graph < 30 s, memory bounded", "cypher", CYPHER,
             _export(fmt), M)
      for fmt in ("graphml", "gexf", "nodelink", "neo4j-csv")),
    Target(15, "reads at 32 connections during a large write: no 5xx, old or new count, "
           "p99 < 100 ms", "mixed", "uv run python benchmarks/mixed.py", _mixed),
    Target(14, "fresh clone, empty uv cache: `./scripts/run` serving within 90 s", "install",
           "benchmarks/install.sh", _install("serve")),
    Target(14, "`uv sync --frozen --no-dev --no-build` succeeds", "install",
           "uv run pytest tests/integration/test_install.py", _install("sync")),
    Target(14, "`casegraph --help` < 0.5 s", "cli", "uv run python benchmarks/cli.py",
           _cli("help", 0.5)),
    Target(14, "`casegraph query sparql 'ASK {}'` < 1 s", "cli",
           "uv run python benchmarks/cli.py", _cli("query_sparql_ask", 1.0)),
)
# fmt: on


def _source(results: Results, target: Target) -> Mapping[str, Any] | None:
    """The result a target reads: for `scale`, the one at its size, else the largest run."""
    if target.result != "scale":
        return results.get(target.result)
    exact = results.get(f"scale-{target.size}")
    if exact is not None:
        return exact
    sizes = [int(k[6:]) for k in results if k.startswith("scale-") and k[6:].isdigit()]
    return results.get(f"scale-{max(sizes)}") if sizes else None


def status(target: Target, figure: Figure | None) -> str:
    if figure is None:
        return NOT_MEASURED
    if target.size is not None and figure.size != target.size:
        ran = "the curated cases" if figure.size is None else f"{n(figure.size)} statements"
        return f"{NOT_MEASURED} at {n(target.size)} (ran at {ran})"
    return MET if figure.ok else NOT_MET


def _read(target: Target, data: Mapping[str, Any]) -> Figure | None:
    try:
        return target.read(data)
    except (KeyError, TypeError, AttributeError, IndexError, ZeroDivisionError):
        return None  # a result file of another version of its benchmark


def rows(results: Results, targets: Iterable[Target] = TARGETS) -> list[Row]:
    """One row per target from the result files' contents (pure)."""
    out = []
    for target in targets:
        data = _source(results, target)
        figure = _read(target, data) if data is not None else None
        out.append(
            Row(
                target.issue,
                target.what,
                figure.figure if figure else NOT_MEASURED,
                figure.anchor if figure else "-",
                f"{figure.ratio:.2f}x" if figure and figure.ratio is not None else "-",
                status(target, figure),
                load_range(figure.loadavg) if figure else "-",
                f"`{target.command}`",
            )
        )
    return out


def markdown_table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return out + ["| " + " | ".join(row) + " |" for row in rows]


def table(found: Iterable[Row]) -> list[str]:
    header = ["issue", "target", "figure", "anchor", "ratio", "status", "load avg", "reproduce"]
    return markdown_table(
        header,
        (
            [
                f"#{row.issue}",
                row.what,
                row.figure,
                row.anchor,
                row.ratio,
                f"**{row.status}**" if row.status in {MET, NOT_MET} else row.status,
                row.loadavg,
                row.command,
            ]
            for row in found
        ),
    )
