"""The growth curve: how load time, derivation and memory grow with the store's size.

For each size of `--sizes`, the `big` data folder of benchmarks/scale.py (var/bench/scale-<n>:
the curated cases, then n generated statements, seed 42, loaded by `casegraph load --no-sync
--no-validate`, the bulk path) is built afresh (`--reuse` takes the figures recorded when an
existing folder was built), then:

1. load: wall seconds, statements/s and peak memory of that `casegraph load` process;
2. derive: `casegraph derive --full` on the loaded folder, the same figures and their ratios to
   the load's (issue 10: time at most the load's, peak memory at most 1.5x, at 1M);
3. disk: the data folder (store, published snapshots, read model; each file once) and the
   read model alone, in MB.

Each step runs in its own process; the load average is recorded before each size. A size
already in the result file and not run again is kept.

    uv run python benchmarks/growth.py                        # 100k, 1M
    uv run python benchmarks/growth.py --sizes 10000,30000    # a quick check

Writes benchmarks/results/growth.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import RESULTS, WORK, write_results  # noqa: E402
from benchmarks.load import count_statements  # noqa: E402
from benchmarks.scale import build, derive_full, loadavg  # noqa: E402

DEFAULT_SIZES = (100_000, 1_000_000)


def folder_mb(path: Path) -> float:
    """MB on disk under `path`, each file once (published snapshots hard-link the store's)."""
    if not path.exists():
        return 0.0
    files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()]
    seen: dict[tuple[int, int], int] = {}
    for file in files:
        stat = file.stat()
        seen[(stat.st_dev, stat.st_ino)] = stat.st_size
    return round(sum(seen.values()) / 2**20, 1)


def disk(folder: Path) -> dict[str, float]:
    return {
        "data_dir_mb": folder_mb(folder),
        "read_model_mb": folder_mb(folder / "readmodel.sqlite3"),
    }


def run_size(size: int, reuse: bool) -> dict[str, Any]:
    folder = WORK / f"scale-{size}"
    row: dict[str, Any] = {"loadavg_before": loadavg()}
    built = build(folder, size, fresh=not reuse)
    load = built["load"]
    statements = count_statements(WORK / f"synthetic-{size}.nt")
    row["statements"] = statements
    row["load"] = load | {
        "statements_per_s": round(statements / load["seconds"]),
        "loadavg_before": built.get("loadavg_before_load"),
    }
    row["disk_after_load"] = disk(folder)
    row["loadavg_before_derive"] = loadavg()
    row["derive"] = derive_full(folder, load)
    row["disk_after_derive"] = disk(folder)
    return row


def previous() -> dict[str, Any]:
    """The sizes of the result file (a run of some sizes keeps the others)."""
    path = RESULTS / "growth.json"
    try:
        runs = json.loads(path.read_text()).get("runs", {})
    except (OSError, ValueError, AttributeError):
        return {}
    # Rows of the benchmark before the read model (other fields) are not comparable.
    return {k: v for k, v in runs.items() if isinstance(v, dict) and "statements" in v}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    parser.add_argument(
        "--reuse", action="store_true", help="keep built folders and their recorded load"
    )
    args = parser.parse_args()
    runs = previous()
    for size in (int(s) for s in args.sizes.split(",")):
        runs[str(size)] = run_size(size, args.reuse)
        print(f"{size:>10,} {json.dumps(runs[str(size)])}", flush=True)
    out = write_results(
        "growth",
        {
            "runs": dict(sorted(runs.items(), key=lambda item: int(item[0]))),
            "notes": "load = `casegraph load --no-sync --no-validate` of the generated file into "
            "a folder holding the curated cases; derive = `casegraph derive --full` after it; "
            "seconds and peak_rss_mb from wait4 (interpreter start included).",
        },
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
