"""Loader throughput and memory: 100,000 generated rows per CSV format.

Each format is generated with a fixed seed into a temporary directory and read by its loader in a
fresh subprocess (so each peak RSS is its own); the growth of peak RSS over the RSS before
reading is the memory figure. Results go to `benchmarks/results/loaders.json` and a table.

    uv run python benchmarks/loaders.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from loaders.acled import COLUMNS as ACLED_COLUMNS  # noqa: E402
from loaders.cdc_vsrr import COLUMNS as CDC_COLUMNS  # noqa: E402
from loaders.ucdp_ged import COLUMNS as GED_COLUMNS  # noqa: E402

type Generated = tuple[list[str], Iterator[dict[str, str]]]

RESULTS = ROOT / "benchmarks" / "results" / "loaders.json"
SEED = 20250514
COUNTRIES = ["Mexico", "Afghanistan", "Colombia", "Nigeria", "Syria", "Myanmar (Burma)"]
STATES = ["Ohio", "Texas", "Florida", "California", "New York", "Arizona", "United States"]
MONTHS = "January February March April May June July August September October November December"


def ged_rows(rng: random.Random, count: int) -> Generated:
    return list(GED_COLUMNS), (
        {
            "id": str(i + 1),
            "relid": f"REL-{i}",
            "year": str(2000 + i % 24),
            "type_of_violence": str(1 + i % 3),
            "conflict_new_id": str(rng.randrange(200)),
            "conflict_name": f"Conflict {rng.randrange(200)}",
            "dyad_new_id": str(rng.randrange(600)),
            "dyad_name": f"Side {rng.randrange(500)} - Side {rng.randrange(500)}",
            "side_a_new_id": str(rng.randrange(500)),
            "side_a": f"Government of Country {rng.randrange(40)}",
            "side_b_new_id": str(rng.randrange(500)),
            "side_b": f"Armed group {rng.randrange(500)}",
            "source_article": f"Wire {i % 50},2019-01-01,Headline {i}",
            "where_coordinates": f"Town {rng.randrange(5000)}",
            "where_description": "near the town",
            "adm_1": f"Province {rng.randrange(80)}",
            "latitude": f"{rng.uniform(-60, 60):.4f}",
            "longitude": f"{rng.uniform(-170, 170):.4f}",
            "country": rng.choice(COUNTRIES),
            "date_start": f"{2000 + i % 24}-{1 + i % 12:02d}-{1 + i % 27:02d} 00:00:00.000",
            "date_end": f"{2000 + i % 24}-{1 + i % 12:02d}-{1 + i % 27:02d} 00:00:00.000",
            **{k: str(rng.randrange(5)) for k in ("deaths_a", "deaths_b", "deaths_civilians")},
            "deaths_unknown": "0",
            "best": "5",
            "high": "9",
            "low": "3",
        }
        for i in range(count)
    )


def acled_rows(rng: random.Random, count: int) -> Generated:
    return list(ACLED_COLUMNS), (
        {
            "event_id_cnty": f"XYZ{i}",
            "event_date": f"{2018 + i % 7}-{1 + i % 12:02d}-{1 + i % 27:02d}",
            "year": str(2018 + i % 7),
            "time_precision": str(1 + i % 3),
            "event_type": rng.choice(["Battles", "Protests", "Riots", "Strategic developments"]),
            "sub_event_type": rng.choice(["Armed clash", "Arrests", "Attack", "Peaceful protest"]),
            "actor1": f"Actor {rng.randrange(2000)}",
            "inter1": rng.choice(["State forces", "Rebel group", "Protesters", "1", "2"]),
            "actor2": f"Actor {rng.randrange(2000)}",
            "inter2": "Civilians",
            "country": rng.choice(COUNTRIES),
            "admin1": f"Admin {rng.randrange(60)}",
            "admin2": f"District {rng.randrange(300)}",
            "location": f"Town {rng.randrange(5000)}",
            "latitude": f"{rng.uniform(-60, 60):.4f}",
            "longitude": f"{rng.uniform(-170, 170):.4f}",
            "source": f"Wire {i % 50}",
            "source_scale": "National",
            "notes": f"Generated event {i}.",
            "fatalities": str(rng.randrange(10)),
        }
        for i in range(count)
    )


def cdc_rows(rng: random.Random, count: int) -> Generated:
    months = MONTHS.split()
    return list(CDC_COLUMNS), (
        {
            "State": "XX",
            "Year": str(2015 + i % 10),
            "Month": months[i % 12],
            "Period": "12 month-ending",
            "Indicator": f"Indicator {i % 12}",
            "Data Value": f"{rng.randrange(100, 120000):,}",
            "Percent Complete": "100",
            "Percent Pending Investigation": "0.3",
            "State Name": rng.choice(STATES),
            "Footnote": "",
            "Predicted Value": f"{rng.randrange(100, 120000):,}",
        }
        for i in range(count)
    )


GENERATORS = {"ucdp-ged": ged_rows, "acled": acled_rows, "cdc-vsrr": cdc_rows}


def generate(name: str, path: Path, count: int) -> None:
    header, rows = GENERATORS[name](random.Random(SEED), count)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def run_one(name: str, path: Path) -> dict[str, float]:
    """Inside the child process: read the whole file and measure."""
    from loaders.acled import AcledLoader
    from loaders.base import LoadReport
    from loaders.cdc_vsrr import CdcVsrrLoader
    from loaders.ucdp_ged import UcdpGedLoader

    factories: dict[str, type[UcdpGedLoader | AcledLoader | CdcVsrrLoader]] = {
        "ucdp-ged": UcdpGedLoader,
        "acled": AcledLoader,
        "cdc-vsrr": CdcVsrrLoader,
    }
    loader = factories[name]()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = LoadReport()
    start = time.perf_counter()
    triples = 0
    for _ in loader.read(path, report):
        triples += 1
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": report.rows,
        "triples": triples,
        "seconds": round(seconds, 3),
        "rows_per_second": round(report.rows / seconds),
        "triples_per_second": round(triples / seconds),
        "peak_rss_growth_mb": round((after - before) / 1024, 1),
        "file_mb": round(path.stat().st_size / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--one", nargs=2, metavar=("FORMAT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], Path(args.one[1]))))
        return
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in GENERATORS:
            path = Path(tmp) / f"{name}.csv"
            generate(name, path, args.rows)
            output = subprocess.run(
                [sys.executable, __file__, "--one", name, str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[name] = json.loads(output)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"seed": SEED, "results": results}, indent=2) + "\n")
    print(f"{'format':<10} {'rows':>8} {'triples':>9} {'s':>7} {'rows/s':>8} {'peak MB':>8}")
    for name, r in results.items():
        print(
            f"{name:<10} {r['rows']:>8} {r['triples']:>9} {r['seconds']:>7} "
            f"{r['rows_per_second']:>8} {r['peak_rss_growth_mb']:>8}"
        )


if __name__ == "__main__":
    main()
