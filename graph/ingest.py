"""Loading documents: read and check every one, then write them all in one write, or nothing.

`prepare` reads each document, resolves its references (against the other documents of the
load and the read model's ids) and validates the lot against the shapes; any bad document
raises, having written nothing. `commit` writes the prepared documents in one
`graph.pipeline` session (derived statements, read model and temporal relations included),
refuses — unless forced — a load that would leave other documents pointing at ids it removes,
and relinks dataset records to curated entities when datasets are loaded.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pyoxigraph as ox

from graph import pipeline
from graph.linking import LinkResult
from graph.pipeline import GraphChange, Session
from graph.store import Change, doc_graph
from graph.workspace import Workspace
from loaders.base import LoadReport, sha256_file
from loaders.case_yaml import CaseYAMLLoader, ParsedCaseFile, parse_case_file
from loaders.registry import (
    BULK_FORMATS,
    CURATED_LOADERS,
    FORMATS,
    collect_paths,
    format_of,
    make_loader,
)
from ontology.errors import Conflict, LoadError, NotFound, ValidationError
from ontology.namespaces import CGID, split_entity_iri

type Progress = Callable[[str, int], None]
"""Called with (document name, rows read so far)."""

__all__ = [
    "FORMATS",
    "LoadResult",
    "Prepared",
    "Progress",
    "commit",
    "drop",
    "load",
    "prepare",
]


@dataclass(slots=True)
class Prepared:
    """A document read and validated, ready to commit."""

    name: str
    path: Path
    loader: str
    sha256: str
    triples: list[ox.Triple] | None
    report: LoadReport
    unchanged: bool = False
    bulk: tuple[Path, ox.RdfFormat] | None = None
    seconds: float = 0.0


@dataclass(slots=True)
class LoadResult:
    changes: list[Change] = field(default_factory=list)
    derived: Change | None = None
    warnings: list[str] = field(default_factory=list)
    rejected: dict[str, LoadReport] = field(default_factory=dict)
    linking: LinkResult | None = None
    rates: dict[str, tuple[int, float]] = field(default_factory=dict)
    """Document name -> (rows or records read, seconds spent reading and checking)."""
    version: int | None = None


class IdIndex:
    """Record ids known to the read model: their kind, and the documents that label them."""

    def __init__(self, workspace: Workspace, ids: Sequence[str]) -> None:
        self.kinds: dict[str, str] = {}
        self.owners: dict[str, set[str]] = {}
        graphs = {iri: name for iri, (name, _kind, _rev) in workspace.model.graphs().items()}
        with workspace.model.read() as conn:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT e.id, e.kind, s.facts FROM entity e JOIN subject s ON s.sid = e.sid "
                    f"WHERE e.id IN ({marks})",
                    chunk,
                ).fetchall()
                for record_id, kind, facts in rows:
                    self.kinds[record_id] = kind
                    by_graph = orjson.loads(facts)
                    self.owners[record_id] = {
                        graphs[g]
                        for g, items in by_graph.items()
                        if g in graphs and any(f[0].endswith("#label") for f in items)
                    }


def prepare(
    workspace: Workspace,
    paths: Sequence[Path],
    *,
    format: str | None = None,
    validate: bool = True,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
) -> list[Prepared]:
    """Read and check every document; raise on the first bad one, having written nothing."""
    files = collect_paths(paths)
    names: dict[str, Path] = {}
    for path in files:
        if path.name in names:
            raise LoadError(
                f"two documents named {path.name!r} in one load (also {names[path.name]}); "
                "a document is identified by its file name",
                file=str(path),
            )
        names[path.name] = path
    formats = {path: format_of(path, format) for path in files}
    cases = {p: parse_case_file(p) for p in files if formats[p] == "case-yaml"}
    resolve = _resolver(workspace, cases)
    registry = {doc.name: doc for doc in workspace.store.documents()}
    prepared = []
    for path in files:
        started = time.perf_counter()
        sha = sha256_file(path)
        fmt = formats[path]
        report = LoadReport()
        current = registry.get(path.name)
        if current is not None and current.sha256 == sha and current.loader == fmt:
            prepared.append(Prepared(path.name, path, fmt, sha, None, report, unchanged=True))
            continue
        if fmt == "case-yaml":
            triples = list(CaseYAMLLoader(resolve).triples(cases[path], report))
        elif fmt == "rdf" and not validate and path.suffix in BULK_FORMATS:
            # Fast path: Oxigraph parses the file while writing it; a syntax error undoes the
            # whole write (see graph.store).
            bulk = (path, BULK_FORMATS[path.suffix])
            prepared.append(Prepared(path.name, path, fmt, sha, None, report, bulk=bulk))
            continue
        else:
            loader = make_loader(fmt, skip_bad_rows=skip_bad_rows)
            triples = []
            for triple in loader.read(path, report):
                triples.append(triple)
                if progress is not None and len(triples) % 10_000 == 0:
                    progress(path.name, report.rows)
        if progress is not None:
            progress(path.name, report.rows)
        elapsed = time.perf_counter() - started
        prepared.append(Prepared(path.name, path, fmt, sha, triples, report, seconds=elapsed))
    if validate:
        _validate([doc for doc in prepared if doc.triples is not None], cases)
    return prepared


def _resolver(
    workspace: Workspace, cases: dict[Path, ParsedCaseFile]
) -> Callable[[str], str | None]:
    batch: dict[str, tuple[str, Path]] = {}
    replacing = {path.name for path in cases}
    wanted = sorted(
        {record.id for parsed in cases.values() for *_rest, record in parsed.records()}
        | {ref for parsed in cases.values() for ref in _references(parsed)}
    )
    index = IdIndex(workspace, wanted)
    for path, parsed in cases.items():
        for key, kind, position, record in parsed.records():
            other = batch.get(record.id)
            owners = index.owners.get(record.id, set()) - replacing - {path.name}
            if other is not None:
                raise LoadError(
                    f"duplicate id {record.id!r}: also defined in {other[1]}",
                    file=str(path),
                    line=parsed.line_of((key, position, "id")),
                    record=record.id,
                    field=f"{key}.{position}.id",
                )
            if owners:
                raise LoadError(
                    f"duplicate id {record.id!r}: already defined by the loaded document "
                    f"{sorted(owners)[0]!r}",
                    file=str(path),
                    line=parsed.line_of((key, position, "id")),
                    record=record.id,
                    field=f"{key}.{position}.id",
                )
            batch[record.id] = (kind, path)

    def resolve(ref: str) -> str | None:
        if ref in batch:
            return batch[ref][0]
        if ref in index.kinds and not index.owners.get(ref, set()) <= replacing:
            return index.kinds[ref]
        return None

    return resolve


def _references(parsed: ParsedCaseFile) -> set[str]:
    """Every string in the case file that may be an id (cheap over-approximation)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            if re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
                found.add(value)
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(parsed.document.model_dump())
    return found


def _validate(documents: Sequence[Prepared], cases: Mapping[Path, ParsedCaseFile]) -> None:
    """Validate the documents of one load together (one pySHACL run; references across them
    resolve), then report the first violation against the document that states its focus."""
    if not documents:
        return
    started = time.perf_counter()
    from graph.validate import validate_triples  # pyshacl: half a second to import

    violations = validate_triples([t for doc in documents for t in doc.triples or ()])
    share = (time.perf_counter() - started) / len(documents)
    for doc in documents:
        doc.seconds += share
    if not violations:
        return
    first = violations[0]
    owner = next(
        (
            doc
            for doc in documents
            if any(str(t.subject) == f"<{first.focus}>" for t in doc.triples or ())
        ),
        documents[0],
    )
    split = split_entity_iri(first.focus)
    record = split[1] if split else first.focus
    line = None
    parsed = cases.get(owner.path)
    if parsed is not None and split is not None:
        for key, _kind, position, rec in parsed.records():
            if rec.id == record:
                line = parsed.line_of((key, position))
    field_name = re.sub(r".*[#/]", "", first.path) if first.path else None
    more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
    raise ValidationError(
        f"{first.message}{more}",
        report="\n".join(f"{v.focus} {v.path or ''}: {v.message}" for v in violations),
        file=str(owner.path),
        line=line,
        record=record,
        field=field_name,
    )


def commit(
    workspace: Workspace, prepared: Sequence[Prepared], *, force: bool = False
) -> LoadResult:
    """Write the prepared documents in one write (see the module doc)."""
    result = LoadResult()
    what = "load " + ", ".join(doc.name for doc in prepared)
    with pipeline.session(workspace, what[:200]) as session:
        for doc in prepared:
            result.warnings.extend(doc.report.warnings)
            if not doc.unchanged:
                result.rates[doc.name] = (doc.report.rows, doc.seconds)
            if doc.report.rejected:
                result.rejected[doc.name] = doc.report
            if doc.unchanged:
                current = session.writer.document(doc.name)
                graph = current.graph if current else ""
                result.changes.append(Change(doc.name, graph, 0, 0, unchanged=True))
                continue
            result.changes.append(
                session.replace(
                    GraphChange(
                        name=doc.name,
                        graph=doc_graph(doc.name),
                        kind="doc",
                        loader=doc.loader,
                        sha256=doc.sha256,
                        source=doc.path.resolve().as_uri(),
                        triples=doc.triples,
                        bulk_file=doc.bulk,
                    )
                )
            )
        if any(not c.unchanged for c in result.changes):
            before = _entity_iris(session, result.changes)
            session.settle()
            if not force:
                _refuse_dangling(session, before, {c.graph for c in result.changes})
            if any(
                doc.loader not in {*CURATED_LOADERS, "link"}
                for doc in session.writer.documents()
                if doc.kind == "doc"
            ):
                from graph.relink import relink

                result.linking = relink(session)
    result.version = workspace.store.version
    return result


def _entity_iris(session: Session, changes: Sequence[Change]) -> set[str]:
    """The entities the changed graphs described before this write."""
    found: set[str] = set()
    for change in changes:
        if change.unchanged:
            continue
        rows = session.conn.execute(
            "SELECT e.iri FROM graph_subject g JOIN entity e ON e.sid = g.sid WHERE g.graph=?",
            (change.graph,),
        )
        found.update(iri for (iri,) in rows)
    return found


def _refuse_dangling(session: Session, before: set[str], graphs: set[str]) -> None:
    """Refuse a write after which other graphs point at entities it removed."""
    conn = session.conn
    gone = sorted(
        iri
        for iri in before
        if conn.execute("SELECT 1 FROM entity WHERE iri=?", (iri,)).fetchone() is None
    )
    if not gone:
        return
    from graph.checks import referrers

    found = referrers(conn, gone, ignore_graphs=graphs)
    if found:
        lines = [f"{curie_of(src)} -> {curie_of(dst)} ({graph})" for src, dst, graph in found[:20]]
        more = f" (and {len(found) - 20} more)" if len(found) > 20 else ""
        raise Conflict(
            f"the load removes {len(gone)} id(s) that other documents still refer to{more}: "
            + "; ".join(lines)
            + " — load those documents too, or use --force"
        )


def curie_of(iri: str) -> str:
    split = split_entity_iri(iri)
    return f"{split[0]}:{split[1]}" if split else iri.removeprefix(CGID)


def load(
    workspace: Workspace,
    paths: Sequence[Path],
    *,
    format: str | None = None,
    validate: bool = True,
    skip_bad_rows: bool = False,
    force: bool = False,
    progress: Progress | None = None,
) -> LoadResult:
    """Prepare and commit: the whole load, or nothing when any document is bad."""
    prepared = prepare(
        workspace,
        paths,
        format=format,
        validate=validate,
        skip_bad_rows=skip_bad_rows,
        progress=progress,
    )
    return commit(workspace, prepared, force=force)


def drop(workspace: Workspace, name: str, *, force: bool = False) -> LoadResult:
    """Remove a document's graph and what was derived from it."""
    result = LoadResult()
    if workspace.store.document(name) is None:
        raise NotFound(f"no graph named {name!r} (see `casegraph stats` for the list)")
    with pipeline.session(workspace, f"drop {name}") as session:
        current = session.writer.document(name)
        graph = current.graph if current is not None else ""
        before = _entity_iris(session, [Change(name, graph, 0, 0, unchanged=False)])
        result.changes.append(session.drop(name))
        session.settle()
        if not force:
            _refuse_dangling(session, before, {graph})
    result.version = workspace.store.version
    return result
