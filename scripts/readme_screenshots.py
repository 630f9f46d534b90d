"""Regenerate the README's screenshots from the curated cases (needs /usr/bin/chromium).

    uv run python scripts/readme_screenshots.py

Loads data/cases into a temporary data dir, exports the views with `casegraph view`, opens each
file in headless chromium (offline: every non-file request is aborted) and saves a PNG in
docs/screenshots/. The case view is shot as it opens (the causal spine), and once more with
the actors shown (`readme-case-actors.png`); the chain views with their first edge's claims or
link steps listed in the side panel. The home page is served, not exported: the script runs
`casegraph serve` on the same data dir on a free loopback port for it (every request off that
server is aborted).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "docs" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWS = {
    "readme-case.png": ["case", "mexico-drug-war"],
    "readme-case-actors.png": ["case", "mexico-drug-war"],
    "readme-chain.png": ["chain", "mx-2012-03", "mexico-homicide-rise"],
    "readme-chain-links.png": ["chain", "us-2025-01", "us-2025-13"],
    "readme-timeline.png": ["timeline", "mexico-drug-war"],
    "readme-entity.png": ["entity", "af-2017-01", "--depth", "1"],
}
#: What to do on a page before its picture is taken (after it is ready).
ACTIONS = {
    "readme-case-actors.png": "() => casegraphView.setLayer('actors', true)",
    "readme-chain.png": (
        "() => casegraphView.showEdgePanel(Object.keys(casegraphView.network.body.edges)[0])"
    ),
    "readme-chain-links.png": (
        "() => casegraphView.showEdgePanel(Object.keys(casegraphView.network.body.edges)[0])"
    ),
}
HOME = "readme-home.png"


def wait(page: Any) -> None:
    """Until the view is drawn and no layout is under way (graph views say so with `idle`)."""
    script = (
        "() => Boolean(window.casegraphView?.ready)"
        " && (typeof casegraphView.idle !== 'function' || casegraphView.idle())"
    )
    for _ in range(600):  # wait_for_function needs eval, which the page's CSP forbids
        if page.evaluate(script):
            return
        time.sleep(0.1)
    raise SystemExit(f"{page.url}: the view did not become ready")


def main() -> int:
    exe = str(Path(sys.executable).parent / "casegraph")
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "CASEGRAPH_DATA_DIR": str(Path(folder) / "data")}
        subprocess.run(
            [exe, "load", "--no-sync", str(ROOT / "data" / "cases")], env=env, check=True
        )
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
            )
            for name, args in VIEWS.items():
                html = Path(folder) / f"{name}.html"
                subprocess.run([exe, "view", *args, "-o", str(html)], env=env, check=True)
                page.goto(html.as_uri())
                wait(page)
                if name in ACTIONS:
                    page.evaluate(ACTIONS[name])
                    wait(page)
                page.screenshot(path=str(SHOTS / name))
                print(f"wrote {SHOTS / name}")
            page.close()
            shoot_home(browser, exe, env)
            browser.close()
    return 0


def shoot_home(browser: Any, exe: str, env: dict[str, str]) -> None:
    """The served home page: `casegraph serve` on the data dir, then one full-page picture."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    origin = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [exe, "serve", "--port", str(port)],
        env={**env, "CASEGRAPH_SYNC_BACKENDS": "[]", "CASEGRAPH_SPARQL_WORKERS": "0"},
    )
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{origin}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise SystemExit("casegraph serve did not answer")
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(origin) else r.abort(),
        )
        page.goto(f"{origin}/")
        page.wait_for_selector("li.cg-case")
        page.screenshot(path=str(SHOTS / HOME))
        print(f"wrote {SHOTS / HOME}")
        page.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())
