"""Drive the system's headless chromium (through Playwright) to test the offline HTML views.

`require_chromium()` skips the test when `/usr/bin/chromium` is missing, unless `CI=true`, where
a missing browser is a failure (install it with `scripts/install-chromium`). `open_page()` opens a
file in a fresh profile, aborts every request that is not `file:` or `data:` and records it, and
collects console errors, page errors and dialogs. `origin_context()` opens pages served over
HTTP that may reach only the origins a test names.
"""

from __future__ import annotations

import os
import struct
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")


def require_chromium() -> Path:
    """The chromium binary; skip (or, with CI=true, fail) when it is not installed."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = f"{CHROMIUM} not found; run scripts/install-chromium"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass
class PageLog:
    """What a page did while open: console errors, uncaught errors, dialogs, outside requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """The system chromium launched headless by Playwright (tests open their contexts on it)."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def origin_context(allowed_origins: list[str]) -> Iterator[tuple[Any, list[str]]]:
    """A context on the system chromium that may reach only `allowed_origins` (and `data:`,
    `blob:`, `about:`); every other request is aborted and listed."""
    blocked: list[str] = []
    with headless_chromium() as browser:
        context = browser.new_context()

        def route(r: Any) -> None:
            url = r.request.url
            if any(url.startswith(o + "/") for o in allowed_origins) or url.startswith(
                ("data:", "blob:", "about:")
            ):
                r.continue_()
            else:
                blocked.append(url)
                r.abort()

        context.route("**/*", route)
        try:
            yield context, blocked
        finally:
            context.close()


@contextmanager
def browser_context(*, width: int = 1400, height: int = 900) -> Iterator[Any]:
    """A Playwright browser context on the system chromium, with a throwaway profile."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with (
        tempfile.TemporaryDirectory(prefix="casegraph-chromium-") as profile,
        sync_playwright() as pw,
    ):
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=str(executable),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height},
            offline=True,
        )
        try:
            yield context
        finally:
            context.close()


def open_page(context: Any, path: Path, *, timeout_ms: int = 30_000) -> tuple[Any, PageLog]:
    """Open `path` (as a file: URL) and wait until `window.casegraphView.ready`."""
    log = PageLog()
    page = context.new_page()

    def on_route(route: Any) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            log.external_requests.append(url)
            route.abort()

    def on_request(request: Any) -> None:
        log.requests.append(request.url)
        if not request.url.startswith(LOCAL_SCHEMES):
            log.external_requests.append(request.url)

    def on_console(message: Any) -> None:
        if message.type == "error":
            log.console_errors.append(message.text)

    def on_dialog(dialog: Any) -> None:
        log.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    context.route("**/*", on_route)
    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    page.on("dialog", on_dialog)
    page.goto(path.resolve().as_uri())
    page.wait_for_function(
        "() => window.casegraphView && window.casegraphView.ready === true", timeout=timeout_ms
    )
    return page, log


def screenshot_path(name: str, tmp_dir: Path) -> Path:
    """`docs/screenshots/<name>` when CASEGRAPH_SCREENSHOTS=1, else a file in `tmp_dir`."""
    if os.environ.get("CASEGRAPH_SCREENSHOTS") == "1":
        folder = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name
    return tmp_dir / name


def png_pixels(data: bytes) -> list[tuple[int, int, int]]:
    """Decode an 8-bit RGB or RGBA, non-interlaced PNG (what chromium writes) to RGB pixels."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    pixels: list[tuple[int, int, int]] = []
    offset = 0
    for _ in range(height):
        kind = raw[offset]
        line = bytearray(raw[offset + 1 : offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else up_left
                line[i] = (line[i] + pred) & 0xFF
        pixels.extend((line[i], line[i + 1], line[i + 2]) for i in range(0, stride, channels))
        previous = line
    return pixels


def pixel_stats(data: bytes) -> tuple[int, float]:
    """(number of distinct colours, share of pixels that are not near-white) of a PNG."""
    pixels = png_pixels(data)
    inked = sum(1 for r, g, b in pixels if r + g + b < 720)
    return len(set(pixels)), inked / max(1, len(pixels))
