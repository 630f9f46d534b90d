"""Published versions of the store, and the journal that makes a write all or nothing.

Readers never query the primary Oxigraph store, which a writer changes at bulk speed and
without transactions. They query a *snapshot*: a read-only copy of the store as the last
completed write left it, made with `Store.backup` (RocksDB hard links: milliseconds, no copy).

    <data dir>/oxigraph/            the primary (one writer process holds it)
    <data dir>/snapshots/CURRENT    the number of the last published version
    <data dir>/snapshots/000042/    that version's snapshot (older ones kept a grace period)
    <data dir>/journal.json         present while a write is under way

A write: write the journal, change the primary, publish the next snapshot, delete the journal.
A process that finds a journal when it opens the store (the writer was killed, or failed
half-way) restores the primary from the current snapshot: what the interrupted write did is
gone, and readers never saw any of it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ontology.errors import BackendUnavailable

CURRENT = "CURRENT"
GRACE_S = 600.0
"""How long a superseded snapshot is kept for processes that may still be reading it."""
_LINKED_SUFFIXES = (".sst", ".blob")
"""RocksDB files that are never changed once written, so a restore may hard-link them."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Where one data directory keeps the primary, the snapshots and the journal."""

    primary: Path

    @property
    def root(self) -> Path:
        return self.primary.parent

    @property
    def snapshots(self) -> Path:
        return self.root / "snapshots"

    @property
    def journal(self) -> Path:
        return self.root / "journal.json"

    def snapshot(self, version: int) -> Path:
        return self.snapshots / f"{version:06d}"


def current_version(layout: Layout) -> int | None:
    """The last published version, or None before the first."""
    try:
        text = (layout.snapshots / CURRENT).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def open_snapshot(layout: Layout, version: int | None = None) -> tuple[int, ox.Store]:
    """(version, read-only store) of a published snapshot (the current one by default)."""
    found = current_version(layout) if version is None else version
    if found is None:
        raise BackendUnavailable(
            f"no published version under {layout.snapshots}: the store was never written "
            "(load something first, or start `casegraph serve`)"
        )
    try:
        return found, ox.Store.read_only(str(layout.snapshot(found)))
    except OSError as e:
        raise BackendUnavailable(f"cannot open snapshot {found} of the store: {e}") from e


def publish(layout: Layout, store: ox.Store, version: int) -> None:
    """Make `version` the current snapshot (the primary must be flushed), then tidy up."""
    layout.snapshots.mkdir(parents=True, exist_ok=True)
    target = layout.snapshot(version)
    partial = target.with_name(f"{target.name}.partial")
    for stale in (target, partial):
        if stale.exists():
            shutil.rmtree(stale)
    store.backup(str(partial))
    os.replace(partial, target)
    _write_atomically(layout.snapshots / CURRENT, f"{version}\n")
    collect(layout, keep={version})


def collect(layout: Layout, *, keep: set[int], grace_s: float = GRACE_S) -> list[int]:
    """Delete snapshots that are neither kept, current, nor superseded within `grace_s`."""
    current = current_version(layout)
    versions = sorted(
        int(p.name) for p in layout.snapshots.glob("[0-9]" * 6) if p.is_dir() and p.name.isdigit()
    )
    removed = []
    now = time.time()
    for earlier, later in itertools.pairwise(versions):
        if earlier in keep or earlier == current:
            continue
        superseded_at = layout.snapshot(later).stat().st_mtime
        if now - superseded_at >= grace_s:
            shutil.rmtree(layout.snapshot(earlier), ignore_errors=True)
            removed.append(earlier)
    for leftover in layout.snapshots.glob("*.partial"):
        shutil.rmtree(leftover, ignore_errors=True)
    return removed


def begin(layout: Layout, what: str, version: int) -> None:
    """Write the journal of a write about to change the primary (flushed to disk)."""
    entry = {
        "what": what,
        "version": version,
        "pid": os.getpid(),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    _write_atomically(layout.journal, json.dumps(entry) + "\n")


def journal(layout: Layout) -> dict[str, Any] | None:
    """The journal of an unfinished write, or None."""
    try:
        data = json.loads(layout.journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"what": "unreadable journal"}
    return data if isinstance(data, dict) else {"what": "unreadable journal"}


def end(layout: Layout) -> None:
    """The write is published: forget its journal."""
    layout.journal.unlink(missing_ok=True)
    _sync_dir(layout.root)


def restore(layout: Layout) -> int | None:
    """Replace the (closed) primary by a copy of the current snapshot; the version restored.

    Immutable RocksDB files are hard-linked, the small mutable ones (manifest, options, log)
    copied, so that the primary's later writes never reach the snapshot. With no snapshot yet,
    the primary becomes empty.
    """
    version = current_version(layout)
    trash = layout.primary.with_name(f"{layout.primary.name}.discarded")
    if trash.exists():
        shutil.rmtree(trash)
    if layout.primary.exists():
        os.replace(layout.primary, trash)
    if version is not None:
        staging = layout.primary.with_name(f"{layout.primary.name}.restoring")
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        source = layout.snapshot(version)
        for item in source.iterdir():
            target = staging / item.name
            if item.suffix in _LINKED_SUFFIXES:
                os.link(item, target)
            else:
                shutil.copy2(item, target)
        os.replace(staging, layout.primary)
    if trash.exists():
        shutil.rmtree(trash)
    end(layout)
    return version


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    _sync_dir(path.parent)


def _sync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


__all__ = [
    "GRACE_S",
    "Layout",
    "begin",
    "collect",
    "current_version",
    "end",
    "journal",
    "open_snapshot",
    "publish",
    "restore",
]
