"""A data directory opened for work: the store and its read model, kept in step.

    workspace = Workspace.open(data_dir)          # the writer (one process at a time)
    workspace = Workspace.open(data_dir, read_only=True)   # a reader: the last published version

Opening for writing undoes an interrupted write (`Store` restores the last published version),
then compares the revision of every graph in the store's registry with the revision the read
model took in. Where they differ — a crash between the two commits, a read model deleted or of
an older schema — the read model takes those graphs in again from the store, and the temporal
relations are rebuilt, in one write (`repair`). Nothing else reads the whole store at start-up.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from graph import pipeline
from graph.readmodel.db import ReadModel
from graph.readmodel.facts import group
from graph.store import Dataset, Store

log = logging.getLogger("casegraph.store")

READ_MODEL_FILE = "readmodel.sqlite3"


@dataclass(frozen=True, slots=True)
class Staleness:
    """Graphs whose revision in the read model differs from the store's registry."""

    changed: list[str] = field(default_factory=list)
    """Graph IRIs to take in again (new or changed in the store)."""
    removed: list[str] = field(default_factory=list)
    """Graph IRIs the read model has and the store does not."""
    rebuilt: bool = False

    def __bool__(self) -> bool:
        return bool(self.changed or self.removed or self.rebuilt)


@dataclass(slots=True)
class Workspace:
    """The store and the read model of one data directory."""

    data_dir: Path | None
    store: Store
    model: ReadModel
    listeners: list[Callable[[int], None]] = field(default_factory=list)
    """Called with the new version after every published write (the server swaps snapshots)."""
    scratch: Path | None = None
    """The temporary folder of an in-memory workspace's read model, removed by `close`."""

    @classmethod
    def open(
        cls, data_dir: Path | None, *, read_only: bool = False, model_read_only: bool | None = None
    ) -> Workspace:
        """`model_read_only=False` with `read_only`: the store's last published version and a
        read model this process may keep its own rows in (the engines' sync markers), for a
        server whose writes run in `graph.write_process`."""
        store_path = data_dir / "oxigraph" if data_dir is not None else None
        store = Store(store_path, read_only=read_only)
        scratch: Path | None = None
        if data_dir is None:  # an in-memory store: the read model in a folder of its own
            scratch = folder = Path(tempfile.mkdtemp(prefix="casegraph-readmodel-"))
        else:
            folder = data_dir
        try:
            model = ReadModel(
                folder / READ_MODEL_FILE,
                read_only=read_only if model_read_only is None else model_read_only,
            )
        except BaseException:
            store.close()
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
            raise
        workspace = cls(data_dir, store, model, scratch=scratch)
        if not read_only:
            try:
                stale = staleness(store, model)
                model.rebuilt = False
                if stale:
                    log.warning(
                        "the read model is out of step with the store; repairing: %s", stale
                    )
                    workspace.repair(stale)
            except BaseException:
                workspace.close()
                raise
        return workspace

    def published(self, version: int) -> None:
        for listener in list(self.listeners):
            listener(version)

    def repair(self, stale: Staleness | None = None) -> Staleness:
        """Take the graphs the read model missed in again, and rebuild the temporal relations."""
        stale = stale if stale is not None else staleness(self.store, self.model)
        if not stale:
            return stale
        with pipeline.session(self, "repair the read model") as session:
            for iri in stale.removed:
                session.updater.put(iri, {}, complete=True)
            for iri in stale.changed:
                session.updater.put(iri, group(self.store.graph_quads(iri)), complete=True)
            session.updater.recompute()
            pipeline.rebuild_temporal(session)
        return stale

    def close(self) -> None:
        try:
            self.model.close()
            self.store.close()
        finally:
            if self.scratch is not None:
                shutil.rmtree(self.scratch, ignore_errors=True)
                self.scratch = None


def staleness(store: Dataset, model: ReadModel) -> Staleness:
    """How the read model differs from the store's registry (see the module doc)."""
    taken = model.graphs()
    current = {doc.graph: doc.revision for doc in store.documents()}
    changed = sorted(
        iri for iri, revision in current.items() if taken.get(iri, (0, 0, -1))[2] != revision
    )
    removed = sorted(taken.keys() - current.keys())
    return Staleness(changed, removed, model.rebuilt and bool(current))


__all__ = ["READ_MODEL_FILE", "Staleness", "Workspace", "staleness"]
