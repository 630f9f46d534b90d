"""Faults against a real on-disk data directory and real `casegraph` processes.

- A write killed (`kill -9`) at each boundary between its phases — the primary store changed,
  the read model committed, the new version published — by the CLI and by the server: after a
  restart, the store, the derived statements and the read model agree, the data is the old
  version or the new one, whole, and `casegraph check` says so. The kill lands exactly at a
  boundary through `CASEGRAPH_KILL_AT` (`graph.faults`).
- A large bulk load killed from outside at moments found by watching it: whole or nothing.
- Readers in another process during a load: every read sees the old version or the new one.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks.generate import write
from graph.faults import POINTS
from graph.readmodel import audit
from graph.store import META, Store
from graph.workspace import Workspace, staleness
from graph.write_process import open_for_writing
from tests.integration.server import TOKEN, running

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "good" / "small-case.yaml"
CASEGRAPH = Path(sys.executable).parent / "casegraph"
NAME = "synthetic.nt"
BIG_TRIPLES = 300_000
OLD_TRIPLES = 20_000

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The large document, written once: (path, number of triples)."""
    path = tmp_path_factory.mktemp("v2") / NAME
    return path, write(path, BIG_TRIPLES)


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
    return {**env, "CASEGRAPH_DATA_DIR": str(data_dir), **extra}


def casegraph(data_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CASEGRAPH), *args],
        env=environment(data_dir, **extra),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def content(data_dir: Path) -> set[str]:
    """Every quad of the last published version but the registry's (times, revisions)."""
    store = Store(data_dir / "oxigraph", read_only=True)
    try:
        return {str(q) for q in store.quads() if q.graph_name != META}
    finally:
        store.close()


def assert_consistent(data_dir: Path, scratch: Path) -> None:
    """Open as the writer (repairing what a kill left) and check everything agrees."""
    workspace: Workspace = open_for_writing(data_dir, wait_s=10.0)
    try:
        assert not (data_dir / "journal.json").exists(), "the open did not undo the write"
        assert not staleness(workspace.store, workspace.model)
        rebuilt = audit.rebuild(workspace.store, scratch / f"rebuilt-{time.monotonic_ns()}.db")
        try:
            with workspace.model.read() as mine, rebuilt.read() as theirs:
                problems = list(audit.differences(audit.contents(mine), audit.contents(theirs)))
        finally:
            rebuilt.close()
        assert not problems, problems
        for doc in workspace.store.documents():
            graph = f"GRAPH <{doc.graph}> {{ ?s ?p ?o }}" if doc.graph else "?s ?p ?o"
            rows = workspace.store.select(f"SELECT (COUNT(*) AS ?n) {{ {graph} }}")
            assert int(next(rows)["n"].value) == doc.triples, f"{doc.name} is not whole"
    finally:
        workspace.close()


def changed_case(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SMALL.name
    text = SMALL.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Operation Test", "Operation Renamed").replace('"2012-06~"', '"2012-05"'),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("point", [p for p in POINTS if p != "engines-synced"])
def test_cli_write_killed_at_each_phase(point: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert casegraph(data_dir, "load", "--no-sync", str(SMALL)).returncode == 0
    old = content(data_dir)
    new_file = changed_case(tmp_path / "v2")
    killed = casegraph(data_dir, "load", "--no-sync", str(new_file), CASEGRAPH_KILL_AT=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert_consistent(data_dir, tmp_path)
    after = content(data_dir)
    if point == "published":
        assert after != old and any("Operation Renamed" in q for q in after)
    else:
        assert after == old
    # The load completes afterwards, and `check` (engines and references) agrees.
    assert casegraph(data_dir, "load", str(new_file)).returncode == 0
    done = casegraph(data_dir, "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "references: ok" in done.stdout


def engines_ready(url: str) -> dict[str, object]:
    """/api/health once every engine is synced (the server syncs them in the background)."""
    for _ in range(1200):
        health: dict[str, object] = httpx.get(f"{url}/api/health", timeout=30).json()
        engines = health["engines"]
        assert isinstance(engines, dict)
        if engines and all(e["state"] == "ok" for e in engines.values()):
            return health
        time.sleep(0.1)
    raise AssertionError(f"the engines were not ready: {health}")


@pytest.mark.parametrize("point", POINTS)
def test_server_write_killed_at_each_phase(point: str, tmp_path: Path) -> None:
    body = (
        "<https://w3id.org/casegraph/id/phenomenon/fault-note> a "
        "<https://w3id.org/casegraph/ontology#Phenomenon> ;\n"
        '  <http://www.w3.org/2000/01/rdf-schema#label> "A note written during a fault" .\n'
    )
    with running(tmp_path / "first") as server:
        data_dir = server.data_dir
        engines_ready(server.url)
    old = content(data_dir)
    extra = {"CASEGRAPH_KILL_AT": point}
    with running(tmp_path / "first", env=extra) as server:
        engines_ready(server.url)
        with contextlib.suppress(httpx.HTTPError):
            httpx.put(
                f"{server.url}/graph-store",
                params={"graph": "https://example.org/fault"},
                content=body,
                headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"},
                timeout=60,
            )
        if point == "engines-synced":
            for _ in range(600):
                if server.process.poll() is not None:
                    break
                time.sleep(0.1)
        assert server.process.wait(timeout=60) == -signal.SIGKILL
    assert_consistent(data_dir, tmp_path)
    after = content(data_dir)
    if point in {"published", "engines-synced"}:
        assert any("fault-note" in q for q in after)
    else:
        assert after == old
    with running(tmp_path / "first") as server:
        health = engines_ready(server.url)
        assert health["status"] == "ok"
        note = httpx.get(f"{server.url}/api/entities/fault-note", timeout=30)
        assert note.status_code == (200 if point in {"published", "engines-synced"} else 404)
    done = casegraph(data_dir, "check")
    assert done.returncode == 0, done.stdout + done.stderr


@contextlib.contextmanager
def loading(data_dir: Path, path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`casegraph load --no-validate` running in the background; killed and reaped on exit."""
    process = subprocess.Popen(
        [str(CASEGRAPH), "load", "--no-sync", "--json", "--no-validate", str(path)],
        env=environment(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def folder_size(path: Path) -> int:
    total = 0
    for file in path.rglob("*"):
        with contextlib.suppress(OSError):
            total += file.stat().st_size if file.is_file() else 0
    return total


@pytest.mark.parametrize("grown_mb", [4, 30])
def test_kill_during_a_bulk_load_keeps_documents_whole(
    grown_mb: int, tmp_path: Path, big_file: tuple[Path, int]
) -> None:
    path, triples = big_file
    data_dir = tmp_path / "data"
    assert casegraph(data_dir, "load", "--no-sync", str(SMALL)).returncode == 0
    old = content(data_dir)
    base = folder_size(data_dir / "oxigraph")
    with loading(data_dir, path) as process:
        deadline = time.monotonic() + 120
        while folder_size(data_dir / "oxigraph") < base + grown_mb * 1_000_000:
            assert process.poll() is None, "the load ended before the kill"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
    assert_consistent(data_dir, tmp_path)
    after = content(data_dir)
    assert after == old or sum(1 for q in after if NAME in q) >= triples
    # Loading again completes and is idempotent.
    first = casegraph(data_dir, "load", "--no-sync", "--json", "--no-validate", str(path))
    assert first.returncode == 0, first.stderr
    second = casegraph(data_dir, "load", "--no-sync", "--json", "--no-validate", str(path))
    assert all(g["unchanged"] for g in json.loads(second.stdout)["graphs"])


READER = """
import json, sys, time
from pathlib import Path
from graph.store import Store, doc_graph

store_path, name, stop = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
while not stop.exists():
    store = Store(store_path, read_only=True)
    try:
        doc = store.document(name)
        rows = store.query(
            "SELECT (COUNT(*) AS ?n) { GRAPH <%s> { ?s ?p ?o } }" % doc_graph(name)
        )
        count = int(next(iter(rows))["n"].value)
        print(json.dumps({"registered": doc.triples if doc else 0, "count": count}), flush=True)
    finally:
        store.close()
    time.sleep(0.02)
"""


def test_readers_see_the_old_or_the_new_document(
    tmp_path: Path, big_file: tuple[Path, int]
) -> None:
    """Another process reads the last published version over and over while a document is
    replaced: never an error, never a mix."""
    new_path, new_total = big_file
    old_path = tmp_path / "v1" / NAME
    old_total = write(old_path, OLD_TRIPLES, seed=1)
    data_dir = tmp_path / "data"
    loaded = casegraph(data_dir, "load", "--no-sync", "--no-validate", str(old_path))
    assert loaded.returncode == 0, loaded.stderr
    stop = tmp_path / "stop-reader"
    seen: list[dict[str, int]] = []
    with subprocess.Popen(
        [sys.executable, "-c", READER, str(data_dir / "oxigraph"), NAME, str(stop)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as reader:
        assert reader.stdout is not None
        try:
            lines = iter(reader.stdout.readline, "")
            seen.extend(json.loads(next(lines)) for _ in range(5))
            with loading(data_dir, new_path) as process:
                for line in lines:
                    seen.append(json.loads(line))
                    if sum(1 for s in seen if s["count"] == new_total) >= 10:
                        break
                    assert process.poll() in (None, 0)
        finally:
            stop.touch()
            output, errors = reader.communicate(timeout=30)
    assert reader.returncode == 0, errors
    seen.extend(json.loads(line) for line in output.splitlines())
    for observed in seen:
        assert observed["count"] == observed["registered"], observed
        assert observed["count"] in {old_total, new_total}, observed
    assert seen[0]["count"] == old_total
    assert seen[-1]["count"] == new_total
