"""docs/performance.md's targets table from result dicts, and every benchmark's --help.

The report functions are pure: result files' contents in, markdown out. The smoke check imports
each benchmark module and runs its `main` with `--help` (argparse exits before any work: no
server, no data).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import targets
from benchmarks.run_all import BENCHMARKS, build_report

BENCHMARK_DIR = Path(__file__).resolve().parents[2] / "benchmarks"


def _api(entity_ratio: float, p99: float) -> dict[str, Any]:
    def summary(ratio: float, p99_ms: float) -> dict[str, Any]:
        return {
            "rps_median": 1000 * ratio,
            "p99_ms_median": p99_ms,
            "ratio_to_ceiling_median": ratio,
        }

    variant = {
        "rounds": [{"loadavg": 2.0}, {"loadavg": 3.5}],
        "summary": {
            "ceiling": summary(1.0, 5.0),
            "entity": summary(entity_ratio, p99),
            "events": summary(0.41, 20.0),
            "causal-chains": summary(0.39, 20.0),
        },
    }
    return {"date": "2026-12-02", "variants": {targets.CACHE_ON: variant}}


def _scale(triples: int, startup_s: float) -> dict[str, Any]:
    return {
        "triples_generated": triples,
        "build": {"big": {"load": {"seconds": 10.0, "peak_rss_mb": 200.0}}},
        "startup": {"curated": {"median_s": 1.0}, "big": {"median_s": startup_s}},
        "loadavg_before_startup": [1.2, 1.0, 0.9],
        "derive": {
            "seconds": 12.0,
            "peak_rss_mb": 250.0,
            "time_ratio_to_load": 1.2,
            "memory_ratio_to_load": 1.25,
        },
        "loadavg_before_derive": [1.5, 1.0, 0.9],
    }


def _by_target(results: dict[str, Any]) -> dict[str, targets.Row]:
    return {row.what: row for row in targets.rows(results)}


def _find(rows: dict[str, targets.Row], *words: str) -> targets.Row:
    found = [row for what, row in rows.items() if all(w in what for w in words)]
    assert len(found) == 1, (words, [r.what for r in found])
    return found[0]


def test_ratios_at_or_over_the_target_are_met_and_under_are_not() -> None:
    rows = _by_target({"api": _api(0.5, 49.9)})
    entity = _find(rows, "entities", targets.CACHE_ON)
    assert entity.status == targets.MET
    assert entity.ratio == "0.50x"
    assert entity.figure == "500 req/s, p99 49.9 ms"
    assert entity.anchor == "ceiling route 1,000 req/s"
    assert entity.loadavg == "2.0-3.5"
    assert _find(rows, "/api/events", targets.CACHE_ON).status == targets.MET
    assert _find(rows, "causal-chains", targets.CACHE_ON).status == targets.NOT_MET


def test_entity_p99_at_the_bound_is_not_met_whatever_the_ratio() -> None:
    rows = _by_target({"api": _api(0.9, 50.0)})
    assert _find(rows, "entities", targets.CACHE_ON).status == targets.NOT_MET


def test_at_most_targets_and_the_target_size() -> None:
    rows = _by_target({"scale-1000000": _scale(1_000_000, 2.5)})
    assert _find(rows, "server start").status == targets.MET
    assert _find(rows, "server start").ratio == "2.50x"
    time, memory = _find(rows, "derive", "time"), _find(rows, "derive", "memory")
    assert (time.status, time.ratio) == (targets.NOT_MET, "1.20x")
    assert (memory.status, memory.ratio) == (targets.MET, "1.25x")
    assert _find(rows, "server start").loadavg == "1.2"
    at_bound = _by_target({"scale-1000000": _scale(1_000_000, 3.0)})
    assert _find(at_bound, "server start").status == targets.NOT_MET  # "within 3 s": under


def test_a_run_at_another_size_shows_its_figure_but_is_not_measured_at_the_target() -> None:
    row = _find(_by_target({"scale-30000": _scale(30_000, 0.5)}), "server start")
    assert row.figure == "0.50 s"
    assert row.status == "not measured at 1,000,000 (ran at 30,000 statements)"


def test_missing_and_outdated_results_are_not_measured() -> None:
    old_sparql = {"date": "2026-11-28", "engines": {"store": {"queries": {}}}}
    rows = targets.rows({"sparql": old_sparql})
    assert {row.status for row in rows} == {targets.NOT_MEASURED}
    assert {row.figure for row in rows} == {targets.NOT_MEASURED}
    page = build_report({"sparql": old_sparql})
    assert "sparql.json is from an older version of it" in page
    assert "Not measured: no benchmarks/results/cypher.json" in page
    assert "**met**" not in page and "**not met**" not in page


def test_the_table_gives_one_markdown_row_per_target() -> None:
    results = {
        "api": _api(0.6, 10.0),
        "cli": {
            "commands": {
                "help": {
                    "median_wall_s": 0.7,
                    "wall_s": [0.7] * 5,
                    "loadavg_before": [4.0, 3.0, 2.0],
                }
            }
        },
    }
    lines = targets.table(targets.rows(results))
    assert lines[0].startswith("| issue | target | figure | anchor | ratio | status |")
    assert len(lines) == 2 + len(targets.TARGETS)
    help_row = next(line for line in lines if "casegraph --help" in line)
    assert "| 0.700 s (median of 5) |" in help_row and "| **not met** |" in help_row
    assert "| 4.0 |" in help_row and "`uv run python benchmarks/cli.py`" in help_row
    page = build_report(results)
    assert help_row in page
    assert "Catalog" not in page and "catalog" not in page


@pytest.mark.parametrize(
    "name", sorted(n for n in BENCHMARKS if (BENCHMARK_DIR / f"{n}.py").exists())
)
def test_each_benchmark_parses_help(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = importlib.import_module(f"benchmarks.{name}")
    monkeypatch.setattr(sys, "argv", [f"{name}.py", "--help"])
    with pytest.raises(SystemExit) as exit_info:
        module.main()
    assert exit_info.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_every_benchmark_is_run_by_run_all() -> None:
    scripts = {p.stem for p in BENCHMARK_DIR.glob("*.py") if not p.stem.startswith("_")}
    helpers = {"generate", "report", "targets", "run_all"}
    shells = {p.stem for p in BENCHMARK_DIR.glob("*.sh")}
    assert scripts - helpers | shells == set(BENCHMARKS)
