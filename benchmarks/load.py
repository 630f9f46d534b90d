"""Load paths at a few sizes: the CLI load, the bulk path, the Graph Store PUT, SPARQL Update.

For each size of `--sizes`, the generated N-Triples (benchmarks/generate.py, seed 42, cached in
var/bench/) go into a fresh copy of the `curated` data folder of benchmarks/scale.py (the
curated cases loaded), once per path, each in its own process:

- `raw-bulk`: pyoxigraph `Store.bulk_load` into an empty on-disk store: the anchor (no
  registry, no derivation, no read model, not transactional);
- `cli`: `casegraph load --no-sync FILE`: the RDF loader, SHACL validation, then one pipeline
  write (derivation, read model, temporal relations); only up to `--validated-max` triples;
- `bulk`: `casegraph load --no-sync --no-validate FILE`: Oxigraph parses the file while writing
  it, in batches of whole subjects, then the same pipeline;
- `gsp-put`: `PUT /graph-store?graph=G` of the file (N-Triples) to `casegraph serve`;
- `sparql-update`: `POST /sparql` of `INSERT DATA { GRAPH G { ... } }` with the same statements.

The command rows give wall time (interpreter start and imports included) and the process's
peak memory (`wait4`); the HTTP rows give the request's wall time and the server's resident
memory after it. The HTTP paths run up to `--http-max` triples (Graph Store bodies are
limited to 50 MB; the server is given room for the update text). The load average is recorded
before each size.

    uv run python benchmarks/load.py                          # 10k, 100k, 1M
    uv run python benchmarks/load.py --sizes 10000,30000      # a quick check

Writes benchmarks/results/load.json.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import WORK, write_results  # noqa: E402
from benchmarks.scale import (  # noqa: E402
    CLI,
    build,
    environment,
    generated,
    loadavg,
    measured,
    serve,
)

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
PATHS = ("raw-bulk", "cli", "bulk", "gsp-put", "sparql-update")
TOKEN = "bench-write-token"
GRAPH = "https://example.org/bench/load"
RAW_BULK = (
    "import sys, pyoxigraph as ox; "
    "ox.Store(sys.argv[1]).bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES)"
)


def count_statements(path: Path) -> int:
    """Lines of an N-Triples file: its statements."""
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def http_write(data: Path, path: str, body: bytes) -> dict[str, Any]:
    """One write through a `casegraph serve` on `data`: its seconds, the server's RSS after."""
    limits = {
        "CASEGRAPH_WRITE_TOKEN": TOKEN,
        "CASEGRAPH_ACCESS_LOG": "false",
        "CASEGRAPH_SPARQL_MAX_CHARS": str(len(body) + 1024),
        "CASEGRAPH_SPARQL_MAX_BODY_BYTES": str(len(body) + 1024),
        "CASEGRAPH_QUERY_TIMEOUT_S": "3600",
    }
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with serve(data, **limits) as (url, _seconds), httpx.Client(base_url=url, timeout=3600) as c:
        started = time.perf_counter()
        if path == "gsp-put":
            headers["Content-Type"] = "application/n-triples"
            response = c.put("/graph-store", params={"graph": GRAPH}, content=body, headers=headers)
        else:
            headers["Content-Type"] = "application/sparql-update"
            response = c.post("/sparql", content=body, headers=headers)
        seconds = time.perf_counter() - started
        if response.status_code >= 300:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:500]}")
        server = _server_process(url)
        rss = server.memory_info().rss / 2**20 if server else None
    return {"seconds": round(seconds, 2), "server_rss_mb": round(rss, 1) if rss else None}


def _server_process(url: str) -> Any:
    """The process listening on `url`'s port (None when it cannot be told)."""
    import psutil

    port = int(url.rsplit(":", 1)[1])
    for connection in psutil.net_connections("tcp"):
        if connection.laddr and connection.laddr.port == port and connection.status == "LISTEN":
            return psutil.Process(connection.pid) if connection.pid else None
    return None


def body(path: str, file: Path) -> bytes:
    text = file.read_bytes()
    if path == "gsp-put":
        return text
    return b"INSERT DATA { GRAPH <" + GRAPH.encode() + b"> {\n" + text + b"} }\n"


def run_path(path: str, file: Path, curated: Path, tmp: Path) -> dict[str, Any]:
    target = tmp / path
    if path == "raw-bulk":
        target.mkdir()
        command = [sys.executable, "-c", RAW_BULK, str(target), str(file)]
        return measured(command, environment(target))
    shutil.copytree(curated, target)
    try:
        if path in {"cli", "bulk"}:
            flags = ["--no-validate"] if path == "bulk" else []
            return measured([*CLI, "load", "--no-sync", *flags, str(file)], environment(target))
        return http_write(target, path, body(path, file))
    finally:
        shutil.rmtree(target, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    parser.add_argument("--paths", default=",".join(PATHS), help="comma-separated")
    parser.add_argument("--validated-max", type=int, default=100_000)
    parser.add_argument("--http-max", type=int, default=100_000)
    args = parser.parse_args()
    paths = [p for p in args.paths.split(",") if p]
    curated = WORK / "scale-curated"
    build(curated, None, fresh=False)
    runs: dict[str, Any] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        file = generated(size)
        count = count_statements(file)
        row: dict[str, Any] = {"triples": count, "loadavg_before": loadavg(), "paths": {}}
        with tempfile.TemporaryDirectory(dir=WORK) as tmp:
            for path in paths:
                if (path == "cli" and size > args.validated_max) or (
                    path in {"gsp-put", "sparql-update"} and size > args.http_max
                ):
                    continue
                result = run_path(path, file, curated, Path(tmp))
                result["triples_per_s"] = round(count / result["seconds"])
                row["paths"][path] = result
                print(f"{count:>10,} {path:14} {result}", flush=True)
        raw = row["paths"].get("raw-bulk")
        for result in row["paths"].values():
            if raw:
                result["ratio_to_raw_bulk"] = round(raw["seconds"] / result["seconds"], 3)
        runs[str(size)] = row
    out = write_results(
        "load",
        {
            "runs": runs,
            "store": "a copy of the curated data folder (data/cases loaded) per path and size",
            "notes": "cli and bulk: `casegraph load --no-sync` in a fresh process (wall and "
            "peak RSS from wait4, interpreter start included); gsp-put and sparql-update: the "
            "request's wall time on `casegraph serve`, the server's RSS after it; raw-bulk: "
            "pyoxigraph bulk_load into an empty store. ratio_to_raw_bulk = raw-bulk seconds / "
            "the path's seconds.",
            "loadavg_end": loadavg(),
        },
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
