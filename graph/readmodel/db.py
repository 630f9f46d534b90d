"""The read model's SQLite file: opening it, one writer's transactions, readers' snapshots.

SQLite in WAL mode gives what the server needs: one writer at a time, readers that never wait
for it, and each reader transaction a consistent snapshot of the last commit. Every thread
has its own connection. The file records the store version it reflects and the revision of
every graph it took in (`graph` table), which is how a crash between the store and the read
model is found (`graph.readmodel.sync.stale`).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from graph.readmodel.update import Updater
from ontology.errors import BackendUnavailable

SCHEMA_VERSION = "2"
"""Bump when the tables or what goes into them change: an older file is rebuilt."""


class ReadModel:
    """The read model of one data directory (`<data dir>/readmodel.sqlite3`)."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self.rebuilt = False
        """True when the file was missing or of another schema and was (re)created empty."""
        if not read_only:
            # Made here, not per connection: a thread opening its connection later must not
            # bring back a data folder that went away (a detached volume).
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._initialise()

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        else:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=60000")
        conn.execute("PRAGMA cache_size=-65536")
        conn.execute("PRAGMA temp_store=MEMORY")
        return conn

    def connection(self) -> sqlite3.Connection:
        """This thread's connection."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = self._connect()
            except sqlite3.Error as e:
                raise BackendUnavailable(f"cannot open the read model {self.path}: {e}") from e
            self._local.conn = conn
        return conn

    def _initialise(self) -> None:
        conn = self.connection()
        found = None
        with contextlib.suppress(sqlite3.Error):
            row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            found = row[0] if row else None
        if found != SCHEMA_VERSION:
            tables = [
                name
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND sql NOT LIKE "
                    "'CREATE VIRTUAL TABLE%' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE "
                    "'search_%' AND name NOT LIKE 'event_span_%'"
                )
            ]
            for name in ("search", "event_span", *tables):
                conn.execute(f'DROP TABLE IF EXISTS "{name}"')
            self.rebuilt = True
        schema = resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")
        conn.executescript(schema)
        conn.execute(
            "INSERT INTO meta VALUES ('schema', ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (SCHEMA_VERSION,),
        )
        conn.execute(
            "INSERT INTO meta VALUES ('store_id', ?) ON CONFLICT(key) DO NOTHING",
            (uuid.uuid4().hex,),
        )

    # -- writing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self, version: int) -> Iterator[Updater]:
        """One write transaction: everything in it commits together, or nothing does."""
        if self.read_only:
            raise BackendUnavailable("the read model is open read-only")
        with self._write_lock:
            conn = self.connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield Updater(conn, version)
                conn.execute(
                    "INSERT INTO meta VALUES ('version', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                    (str(version),),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def execute(self, sql: str, params: tuple[object, ...] = ()) -> None:
        """One statement in its own write transaction (small bookkeeping, such as engine rows)."""
        if self.read_only:
            raise BackendUnavailable("the read model is open read-only")
        with self._write_lock:
            self.connection().execute(sql, params)

    # -- reading -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: the queries inside see one committed version."""
        conn = self.connection()
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def store_id(self) -> str:
        """An id made when this read model was created: an engine synced from another data
        directory (or from a rebuilt read model) has another, and is synced in full."""
        row = self.connection().execute("SELECT value FROM meta WHERE key='store_id'").fetchone()
        return str(row[0]) if row else ""

    def version(self) -> int | None:
        row = self.connection().execute("SELECT value FROM meta WHERE key='version'").fetchone()
        return int(row[0]) if row else None

    def graphs(self) -> dict[str, tuple[str, str, int]]:
        """Graph IRI -> (name, kind, revision) as last taken in."""
        rows = self.connection().execute("SELECT iri, name, kind, revision FROM graph")
        return {iri: (name, kind, revision) for iri, name, kind, revision in rows}

    def close(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


__all__ = ["SCHEMA_VERSION", "ReadModel"]
