"""Load throughput: casegraph's atomic on-disk load against raw pyoxigraph bulk loading.

Every measurement runs in its own process, in the same run, on the same generated file:

- `raw-bulk`: pyoxigraph `Store.bulk_load` of the N-Triples file into an empty on-disk store
  (the baseline: fast, not transactional);
- `raw-bulk-named`: the same into one named graph, as casegraph stores each document;
- `raw-load`: pyoxigraph's transactional `Store.load` (for scale);
- `casegraph`: `casegraph load --no-validate` (atomic: bulk write into an unregistered graph,
  registration swap), then the derived statements, timed apart;
- `casegraph-shacl`: the same with SHACL validation on (pySHACL), at a smaller size;
- `case-yaml`: the case-file loader on the curated cases, in statements per second.

    uv run python benchmarks/load.py            # 1M triples (SHACL measured at 100k)
    uv run python benchmarks/load.py --triples 100000 --shacl-triples 20000
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import (
    ROOT,
    WORK,
    peak_rss_mb,
    run_child,
    timed,
    write_results,
)


def ensure_file(triples: int) -> tuple[Path, int]:
    from benchmarks.generate import write

    path = WORK / f"synthetic-{triples}.nt"
    if not path.exists():
        write(path, triples)
    with path.open("rb") as handle:
        count = sum(1 for _ in handle)
    return path, count


def measure(kind: str, path: Path) -> dict[str, float]:
    import pyoxigraph as ox

    from api import ingest
    from graph.derive import rederive
    from graph.store import Store

    with tempfile.TemporaryDirectory(dir=WORK) as folder:
        target = Path(folder) / "store"
        result: dict[str, float] = {}
        if kind == "raw-bulk":
            store = ox.Store(str(target))
            result["seconds"], _ = timed(
                lambda: store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
            )
        elif kind == "raw-bulk-named":
            store = ox.Store(str(target))
            graph = ox.NamedNode("https://w3id.org/casegraph/graph/bench")
            result["seconds"], _ = timed(
                lambda: store.bulk_load(
                    path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=graph
                )
            )
        elif kind == "raw-load":
            store = ox.Store(str(target))
            result["seconds"], _ = timed(
                lambda: store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
            )
        elif kind in {"casegraph", "casegraph-shacl"}:
            cg_store = Store(target)
            ingest.ensure_ontology(cg_store)
            validate = kind == "casegraph-shacl"
            prepared_s, prepared = timed(
                lambda: ingest.prepare(cg_store, [path], format="rdf", validate=validate)
            )

            def commit_only() -> None:
                for doc in prepared:
                    cg_store.commit(
                        name=doc.name,
                        kind="doc",
                        loader=doc.loader,
                        sha256=doc.sha256,
                        source=doc.path.as_uri(),
                        triples=doc.triples,
                        bulk_file=doc.bulk,
                    )

            commit_s, _ = timed(commit_only)
            result["prepare_seconds"] = prepared_s
            result["commit_seconds"] = commit_s
            result["seconds"] = prepared_s + commit_s
            result["derive_seconds"], _ = timed(lambda: rederive(cg_store))
            cg_store.close()
        elif kind == "case-yaml":
            cg_store = Store(target)
            ingest.ensure_ontology(cg_store)
            cases = ROOT / "data" / "cases"
            prepare_s, prepared = timed(lambda: ingest.prepare(cg_store, [cases]))
            result["statements"] = float(sum(len(d.triples or []) for d in prepared))
            result["prepare_seconds"] = prepare_s
            commit_s, _ = timed(lambda: ingest.commit(cg_store, prepared))
            result["seconds"] = prepare_s + commit_s
            cg_store.close()
        result["peak_rss_mb"] = peak_rss_mb()
        return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--shacl-triples", type=int, default=100_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.one:
        print(json.dumps(measure(args.one, args.file)))
        return 0

    big, big_count = ensure_file(args.triples)
    small, small_count = ensure_file(args.shacl_triples)
    script = Path(__file__)
    runs = {
        "raw-bulk": (run_child(script, "--one", "raw-bulk", "--file", str(big)), big_count),
        "raw-bulk-named": (
            run_child(script, "--one", "raw-bulk-named", "--file", str(big)),
            big_count,
        ),
        "casegraph": (run_child(script, "--one", "casegraph", "--file", str(big)), big_count),
        "raw-load": (run_child(script, "--one", "raw-load", "--file", str(big)), big_count),
        "casegraph-shacl": (
            run_child(script, "--one", "casegraph-shacl", "--file", str(small)),
            small_count,
        ),
    }
    rows = {}
    for name, (result, count) in runs.items():
        rows[name] = {**result, "triples": count, "triples_per_s": count / result["seconds"]}
    case = run_child(script, "--one", "case-yaml", "--file", "-")
    case["statements_per_s"] = case["statements"] / case["seconds"]
    ratio = rows["casegraph"]["triples_per_s"] / rows["raw-bulk"]["triples_per_s"]
    ratio_named = rows["casegraph"]["triples_per_s"] / rows["raw-bulk-named"]["triples_per_s"]
    out = write_results(
        "load",
        {
            "runs": rows,
            "case_yaml": case,
            "casegraph_vs_raw_bulk": ratio,
            "casegraph_vs_raw_bulk_named_graph": ratio_named,
            "notes": "casegraph = atomic load with SHACL off (--no-validate); "
            "casegraph-shacl = pySHACL on, measured at the smaller size; "
            "derive_seconds = recomputing derived statements after the load.",
        },
    )
    print(f"{'run':18} {'triples':>9} {'seconds':>8} {'triples/s':>10} {'peak MB':>8}")
    for name, row in rows.items():
        print(
            f"{name:18} {row['triples']:>9} {row['seconds']:>8.2f} "
            f"{row['triples_per_s']:>10.0f} {row['peak_rss_mb']:>8.0f}"
        )
    print(f"casegraph / raw bulk = {ratio:.2f} (target >= 0.5)")
    print(f"casegraph / raw bulk into a named graph = {ratio_named:.2f}")
    print(
        f"case files: {case['statements']:.0f} statements in {case['seconds']:.2f} s "
        f"= {case['statements_per_s']:.0f}/s (SHACL on, derivation included)"
    )
    print(f"wrote {out}")
    shutil.rmtree(WORK / "tmp", ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
