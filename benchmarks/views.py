"""How long the HTML views take: building a page in Python, and until it is interactive in chromium.

Synthetic projections shaped like the curated cases (`benchmarks/generate.py`, projected with
`graph.projection.project_graph`) of 1,000, 5,000 and 20,000 nodes. For each size:

- `index_s`: `graph.views.build.GraphIndex` over the projection (the API builds it once per load);
- `view_s`: cutting the whole-graph view out of it with its side panels (`whole_view`);
- `render_s`: `render_graph` to one HTML string (above 2,000 nodes this includes the layout
  computed in Python, `graph.views.layout`);
- `html_mb`: the size of the page.

Then the 5,000-node page is opened from disk in headless chromium (the system's, through
Playwright, network off) and timed from navigation until `window.casegraphView.ready` is true:
`interactive_s` (target: under 5 s). Median of `--repeat` runs.

    uv run python benchmarks/views.py [--sizes 1000,5000,20000] [--browser-size 5000] [--repeat 3]

Prints a table and writes benchmarks/results/views.json.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import timed, write_results  # noqa: E402
from benchmarks.generate import case_triples  # noqa: E402
from graph.projection import project_graph  # noqa: E402
from graph.records import Projection  # noqa: E402
from graph.views.build import GraphIndex, render_view, whole_view  # noqa: E402

TARGET_INTERACTIVE_S = 5.0
CHROMIUM = Path("/usr/bin/chromium")


def synthetic(nodes: int, *, seed: int = 42) -> Projection:
    """Whole synthetic cases until there are `nodes` nodes, then exactly `nodes` of them."""
    rng = random.Random(seed)
    triples: list[Any] = []
    case = 0
    projection = Projection((), ())
    while len(projection.nodes) < nodes:
        for _ in range(max(1, (nodes - len(projection.nodes)) // 180)):
            triples.extend(case_triples(case, rng))
            case += 1
        projection = project_graph(triples)
    keep = set(random.Random(seed).sample([n.id for n in projection.nodes], nodes))
    return Projection(
        tuple(n for n in projection.nodes if n.id in keep),
        tuple(r for r in projection.relationships if r.source in keep and r.target in keep),
    )


def build(projection: Projection, repeat: int) -> tuple[dict[str, Any], str]:
    runs: dict[str, list[float]] = {"index_s": [], "view_s": [], "render_s": []}
    html = ""
    for _ in range(repeat):
        index_s, index = timed(lambda: GraphIndex(projection))
        view_s, view = timed(lambda index=index: whole_view(index))
        render_s, html = timed(lambda view=view: render_view(view, link_base="", export=False))
        runs["index_s"].append(index_s)
        runs["view_s"].append(view_s)
        runs["render_s"].append(render_s)
    result: dict[str, Any] = {k: round(statistics.median(v), 3) for k, v in runs.items()}
    result["relationships"] = len(projection.relationships)
    result["html_mb"] = round(len(html.encode("utf-8")) / 2**20, 2)
    return result, html


def interactive(html: str, repeat: int) -> dict[str, Any]:
    """Seconds from navigation to `casegraphView.ready` in headless chromium, from disk."""
    from playwright.sync_api import sync_playwright

    times, ready_in_page = [], []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as pw:
        path = Path(folder) / "view.html"
        path.write_text(html, encoding="utf-8")
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        try:
            for _ in range(repeat):
                context = browser.new_context(viewport={"width": 1400, "height": 900}, offline=True)
                page = context.new_page()
                start = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_function(
                    "() => window.casegraphView && window.casegraphView.ready === true",
                    timeout=120_000,
                    polling=50,
                )
                times.append(time.perf_counter() - start)
                ready_in_page.append(page.evaluate("() => performance.now()") / 1000)
                context.close()
        finally:
            browser.close()
    median = statistics.median(times)
    return {
        "interactive_s": round(median, 2),
        "interactive_runs_s": [round(t, 2) for t in times],
        "page_clock_s": round(statistics.median(ready_in_page), 2),
        "target_s": TARGET_INTERACTIVE_S,
        "meets_target": median < TARGET_INTERACTIVE_S,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--browser-size", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]

    rows: list[dict[str, Any]] = []
    pages: dict[int, str] = {}
    for size in sizes:
        generate_s, projection = timed(lambda size=size: synthetic(size))
        result, html = build(projection, args.repeat)
        rows.append({"nodes": size, "generate_s": round(generate_s, 2), **result})
        pages[size] = html
        print(
            f"{size:>6,} nodes {result['relationships']:>7,} rels  index {result['index_s']:.3f} s"
            f"  view {result['view_s']:.3f} s  render {result['render_s']:.3f} s"
            f"  page {result['html_mb']:.1f} MB",
            flush=True,
        )
    browser: dict[str, Any] = {"nodes": args.browser_size, "skipped": "chromium not found"}
    if CHROMIUM.is_file():
        html = pages.get(args.browser_size)
        if html is None:
            html = build(synthetic(args.browser_size), 1)[1]
        browser = {"nodes": args.browser_size, **interactive(html, args.repeat)}
        print(
            f"chromium: {args.browser_size:,} nodes interactive in {browser['interactive_s']} s "
            f"(target < {TARGET_INTERACTIVE_S:g} s; runs {browser['interactive_runs_s']})"
        )
    path = write_results("views", {"repeat": args.repeat, "build": rows, "browser": browser})
    print(f"wrote {path}")
    return 0 if browser.get("meets_target", True) else 1


if __name__ == "__main__":
    raise SystemExit(main())
