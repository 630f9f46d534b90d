"""Loading documents into the store: read, check, validate every document, then commit each.

Two phases keep a failed load from writing anything: first every document is read, its
references resolved and its triples validated against the shapes; only when all of them pass
is each committed (atomically, see `graph.store`), after which the derived statements are
recomputed and the Cypher engines re-synced.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from api.linking import CURATED_LOADERS, relink
from graph.derive import rederive
from graph.linking import LinkResult
from graph.store import Change, Store
from loaders.base import Loader, LoadReport, sha256_file
from loaders.detect import detect_format
from ontology.errors import LoadError, ValidationError
from ontology.namespaces import CGID, RDFS, split_entity_iri
from ontology.paths import ONTOLOGY_PATH

if TYPE_CHECKING:
    from loaders.case_yaml import ParsedCaseFile

KNOWN_SUFFIXES = {
    ".yaml",
    ".yml",
    ".ttl",
    ".trig",
    ".nt",
    ".nq",
    ".jsonld",
    ".json",
    ".rdf",
    ".owl",
    ".xml",
    ".csv",
}
BULK_FORMATS = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
}
"""Formats that `--no-validate` loads straight into the store with Oxigraph's bulk loader."""
FORMATS = ("case-yaml", "rdf", "wikidata", "ucdp-ged", "acled", "cdc-vsrr")

type Progress = Callable[[str, int], None]
"""Called with (document name, rows read so far)."""


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


def collect_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the loadable files under each folder (sorted, recursive)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in KNOWN_SUFFIXES)
            )
        elif path.exists():
            out.append(path)
        else:
            raise LoadError("no such file or folder", file=str(path))
    return out


def make_loader(name: str, *, skip_bad_rows: bool = False) -> Loader:
    """The loader for a format name."""
    if name == "rdf":
        from loaders.rdf import RDFLoader

        return RDFLoader()
    if name == "wikidata":
        from loaders.wikidata import WikidataLoader

        return WikidataLoader()
    if name == "ucdp-ged":
        from loaders.ucdp_ged import UcdpGedLoader

        return UcdpGedLoader(skip_bad_rows=skip_bad_rows)
    if name == "acled":
        from loaders.acled import AcledLoader

        return AcledLoader(skip_bad_rows=skip_bad_rows)
    if name == "cdc-vsrr":
        from loaders.cdc_vsrr import CdcVsrrLoader

        return CdcVsrrLoader(skip_bad_rows=skip_bad_rows)
    raise LoadError(f"unknown format {name!r}; known: {', '.join(FORMATS)}")


class IdIndex:
    """Record ids known to the store, and which document defines each."""

    QUERY = f"""
        SELECT DISTINCT ?s ?name WHERE {{
          GRAPH ?g {{ ?s <{RDFS}label> ?label }}
          GRAPH <https://w3id.org/casegraph/graph/meta> {{ ?g cg:documentName ?name }}
          FILTER(STRSTARTS(STR(?s), "{CGID}"))
        }}
    """

    def __init__(self, store: Store) -> None:
        self.kinds: dict[str, str] = {}
        self.owner: dict[str, str] = {}
        for row in store.select(self.QUERY):
            split = split_entity_iri(row["s"].value)
            if split is not None and "/" not in split[1]:
                self.kinds[split[1]] = split[0]
                self.owner[split[1]] = row["name"].value


def ensure_ontology(store: Store) -> Change:
    """Load (or refresh) the ontology graph so queries and derivations can use it."""
    sha = sha256_file(ONTOLOGY_PATH)
    return store.commit(
        name="ontology",
        kind="ontology",
        loader="ontology",
        sha256=sha,
        source=ONTOLOGY_PATH.as_uri(),
        bulk_file=(ONTOLOGY_PATH, ox.RdfFormat.TURTLE),
    )


def prepare(
    store: Store,
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
    from loaders.case_yaml import CaseYAMLLoader, parse_case_file

    formats = {path: format or detect_format(path) for path in files}
    cases = {p: parse_case_file(p) for p in files if formats[p] == "case-yaml"}
    resolve = _resolver(store, cases)
    prepared = []
    for path in files:
        started = time.perf_counter()
        sha = sha256_file(path)
        fmt = formats[path]
        report = LoadReport()
        if store.is_current(path.name, sha, fmt):
            prepared.append(Prepared(path.name, path, fmt, sha, None, report, unchanged=True))
            continue
        if fmt == "case-yaml":
            triples = list(CaseYAMLLoader(resolve).triples(cases[path], report))
        elif fmt == "rdf" and not validate and path.suffix in BULK_FORMATS:
            # Fast path: Oxigraph parses the file while writing it into an unregistered
            # graph; a syntax error discards that graph (see Store.commit).
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


def _resolver(store: Store, cases: dict[Path, ParsedCaseFile]) -> Callable[[str], str | None]:
    index = IdIndex(store)
    batch: dict[str, tuple[str, Path]] = {}
    replacing = {path.name for path in cases}
    for path, parsed in cases.items():
        for key, kind, position, record in parsed.records():
            other = batch.get(record.id)
            owner = index.owner.get(record.id)
            if other is not None:
                raise LoadError(
                    f"duplicate id {record.id!r}: also defined in {other[1]}",
                    file=str(path),
                    line=parsed.line_of((key, position, "id")),
                    record=record.id,
                    field=f"{key}.{position}.id",
                )
            if owner is not None and owner not in replacing and owner != path.name:
                raise LoadError(
                    f"duplicate id {record.id!r}: already defined by the loaded document {owner!r}",
                    file=str(path),
                    line=parsed.line_of((key, position, "id")),
                    record=record.id,
                    field=f"{key}.{position}.id",
                )
            batch[record.id] = (kind, path)
    own_names = replacing

    def resolve(ref: str) -> str | None:
        if ref in batch:
            return batch[ref][0]
        if ref in index.kinds and index.owner.get(ref) not in own_names:
            return index.kinds[ref]
        return None

    return resolve


def _validate(documents: Sequence[Prepared], cases: Mapping[Path, ParsedCaseFile]) -> None:
    """Validate the documents of one load together (one pySHACL run; references across them
    resolve), then report the first violation against the document that states its focus."""
    if not documents:
        return
    from graph.validate import validate_triples

    started = time.perf_counter()
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


def commit(store: Store, prepared: Sequence[Prepared]) -> LoadResult:
    """Commit prepared documents one by one, then recompute the derived graph."""
    result = LoadResult()
    ensure_ontology(store)
    for doc in prepared:
        result.warnings.extend(doc.report.warnings)
        if not doc.unchanged:
            result.rates[doc.name] = (doc.report.rows, doc.seconds)
        if doc.report.rejected:
            result.rejected[doc.name] = doc.report
        if doc.unchanged:
            current = store.document(doc.name)
            graph = current.graph if current else ""
            result.changes.append(Change(doc.name, graph, 0, 0, unchanged=True))
            continue
        result.changes.append(
            store.commit(
                name=doc.name,
                kind="doc",
                loader=doc.loader,
                sha256=doc.sha256,
                source=doc.path.resolve().as_uri(),
                triples=doc.triples,
                bulk_file=doc.bulk,
            )
        )
    if any(not c.unchanged for c in result.changes) and any(
        doc.loader not in {*CURATED_LOADERS, "link"}
        for doc in store.documents()
        if doc.kind == "doc"
    ):
        result.linking, _ = relink(store)
    result.derived = rederive(store)
    return result


def load(
    store: Store,
    paths: Sequence[Path],
    *,
    format: str | None = None,
    validate: bool = True,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
) -> LoadResult:
    """Prepare and commit: the whole load, or nothing when any document is bad."""
    prepared = prepare(
        store,
        paths,
        format=format,
        validate=validate,
        skip_bad_rows=skip_bad_rows,
        progress=progress,
    )
    return commit(store, prepared)


def drop(store: Store, name: str) -> LoadResult:
    """Remove a document graph and recompute what was derived from it."""
    result = LoadResult(changes=[store.drop(name)])
    result.derived = rederive(store)
    return result
