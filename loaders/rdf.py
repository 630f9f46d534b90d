"""RDF documents (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) read with Oxigraph's parsers.

The format comes from the file extension (`.ttl`, `.trig`, `.nt`, `.nq`, `.jsonld`, `.json-ld`,
`.rdf`, `.owl`, `.xml`) unless one is given. Parsing streams; before it, one pass over the bytes
rejects what the parsers would let through or report badly: an empty document, bytes that are
not UTF-8 or contain NUL (binary data), with the offset, line and column of the first bad byte.

Safety, as checked against pyoxigraph 0.5 (see tests/unit/test_rdf_loader.py):

- JSON-LD: pyoxigraph never fetches a context. A document whose `@context` (or `@import`) is an
  IRI fails inside the parser; the error is re-raised here as "remote JSON-LD contexts are
  disabled", naming the context IRI and its line. No network access is attempted.
- RDF/XML: pyoxigraph does not read external entities (`<!ENTITY x SYSTEM "...">` is a syntax
  error), but it *does* expand internal entities, recursively and without a limit, at
  declaration time: a "billion laughs" document allocates gigabytes. So before parsing, every
  `<!ENTITY` declaration is checked: external ones, and ones whose value refers to another
  entity, are rejected, and the total text produced by entity references is capped at
  `ENTITY_EXPANSION_FACTOR` times the document size (plus 1 MiB) against quadratic blow-up.
  Plain declarations (`<!ENTITY owl "http://www.w3.org/2002/07/owl#">`, as Protégé writes
  them) still load. The check looks for `<!ENTITY` anywhere in the file, since the parser
  accepts a DOCTYPE anywhere.

Datasets: the store loads one document into one named graph, so the loader yields triples. The
quads of a TriG, N-Quads or JSON-LD document in named graphs are flattened into that graph,
with a warning in `report.warnings` naming the graphs. Blank nodes get fresh ids so that two
documents never share one. Relative IRIs are an error unless a base IRI is given.
"""

from __future__ import annotations

import codecs
import io
import mmap
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Final

import pyoxigraph as ox
from pyoxigraph import Triple

from loaders.base import LoadReport
from ontology.errors import LoadError

FORMATS: Final[dict[str, ox.RdfFormat]] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "n-triples": ox.RdfFormat.N_TRIPLES,
    "n-quads": ox.RdfFormat.N_QUADS,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdf-xml": ox.RdfFormat.RDF_XML,
}
"""Format names accepted by `format=`; extensions and media types are accepted too."""

EXTENSIONS: Final[dict[str, ox.RdfFormat]] = {
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
}

ENTITY_EXPANSION_FACTOR: Final = 10
"""RDF/XML entity references may produce at most this many times the document's size."""

_CHUNK: Final = 1 << 20
_MAX_GRAPHS_LISTED: Final = 1000
_MAX_ENTITY_VALUE: Final = 1 << 16  # as in _ENTITY_DECL
_BOM: Final = codecs.BOM_UTF8
_POSITION = re.compile(
    r"^Parser error (?:at line (?P<line>\d+) (?:between )?columns? (?P<col>\d+)(?: and \d+)?"
    r"|between line (?P<line2>\d+) column (?P<col2>\d+) and line \d+ column \d+): "
)
_CONTEXT_REF = re.compile(rb'"@(?:context|import)"\s*:\s*\[?\s*"(?P<iri>[^"\\]{0,2000})"')
_ENTITY_DECL = re.compile(
    rb'<!ENTITY\s+(?:%\s*)?(?P<name>[^\s"\'<>%]+)\s+'
    rb'(?:"(?P<value>[^"]{0,65536})"|(?P<other>\S{0,16}))'
)
_ENTITY_REF = re.compile(rb"&(?P<name>[^\s&;<>\"'#%]{1,512});")
_NESTED_REF = re.compile(rb"&(?!#|(?:amp|lt|gt|quot|apos);)")


def rdf_format(name: str) -> ox.RdfFormat:
    """The parser format for a name (`turtle`), an extension (`ttl`) or a media type."""
    key = name.strip().lower().removeprefix(".")
    if key in FORMATS:
        return FORMATS[key]
    if key in EXTENSIONS:
        return EXTENSIONS[key]
    by_media_type = ox.RdfFormat.from_media_type(key)
    if by_media_type is not None and by_media_type in FORMATS.values():
        return by_media_type
    known = ", ".join([*FORMATS, *(f".{ext}" for ext in EXTENSIONS)])
    raise LoadError(f"unknown RDF format {name!r}; known: {known}")


def format_for_path(path: Path, override: str | None = None) -> ox.RdfFormat:
    """The format named by `override`, else the one the file extension says."""
    if override is not None:
        return rdf_format(override)
    suffix = path.suffix.lower().removeprefix(".")
    if suffix not in EXTENSIONS:
        raise LoadError(
            f"cannot tell the RDF format from the extension {path.suffix!r}; "
            f"known: {', '.join(f'.{ext}' for ext in EXTENSIONS)} (or give a format)",
            file=str(path),
        )
    return EXTENSIONS[suffix]


class RDFLoader:
    """Reads one RDF document into triples (see the module docstring for the checks)."""

    name = "rdf"

    def __init__(self, *, format: str | None = None, base_iri: str | None = None) -> None:
        self.format = format
        self.base_iri = base_iri
        if format is not None:
            rdf_format(format)  # fail early on an unknown name

    def read(self, path: Path, report: LoadReport) -> Iterator[Triple]:
        """Yield the document's triples; raise `LoadError` on bad input."""
        fmt = format_for_path(path, self.format)
        name = str(path)

        def remote_context() -> LoadError:
            with path.open("rb") as handle, _mapped(handle) as buffer:
                return _remote_context_error(name, buffer)

        try:
            with path.open("rb") as handle:
                bom = _check_stream(handle, name)
                if fmt == ox.RdfFormat.RDF_XML:
                    with _mapped(handle) as buffer:
                        _check_entities(buffer, name)
                if bom:
                    handle.seek(len(_BOM))
                    quads = _parse(handle, fmt, self.base_iri, name)
                else:
                    quads = _parse(path, fmt, self.base_iri, name)
                yield from _triples(quads, fmt, name, report, remote_context)
        except OSError as e:
            raise LoadError(f"cannot read the document: {e.strerror or e}", file=name) from e


def parse_rdf_bytes(
    data: bytes,
    format: str,
    name: str,
    *,
    base_iri: str | None = None,
    report: LoadReport | None = None,
) -> list[Triple]:
    """The triples of an RDF document given as bytes, with the same checks as `RDFLoader`.

    `format` is a format name, an extension or a media type; `name` is used in error messages.
    """
    fmt = rdf_format(format)
    bom = _check_stream(io.BytesIO(data), name)
    if fmt == ox.RdfFormat.RDF_XML:
        _check_entities(data, name)
    body = data[len(_BOM) :] if bom else data
    quads = _parse(body, fmt, base_iri, name)

    def remote_context() -> LoadError:
        return _remote_context_error(name, data)

    return list(_triples(quads, fmt, name, report or LoadReport(), remote_context))


type _Buffer = bytes | mmap.mmap


def _mapped(handle: IO[bytes]) -> mmap.mmap:
    return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _parse(
    source: bytes | IO[bytes] | Path, fmt: ox.RdfFormat, base_iri: str | None, name: str
) -> ox.QuadParser:
    try:
        if isinstance(source, Path):
            return ox.parse(path=source, format=fmt, base_iri=base_iri, rename_blank_nodes=True)
        return ox.parse(source, fmt, base_iri=base_iri, rename_blank_nodes=True)
    except ValueError as e:
        raise LoadError(f"cannot parse {fmt.name}: {e}", file=name) from e


def _triples(
    quads: ox.QuadParser,
    fmt: ox.RdfFormat,
    name: str,
    report: LoadReport,
    remote_context: Callable[[], LoadError],
) -> Iterator[Triple]:
    graphs: set[str] = set()
    try:
        for quad in quads:
            graph = quad.graph_name
            if not isinstance(graph, ox.DefaultGraph) and len(graphs) <= _MAX_GRAPHS_LISTED:
                graphs.add(str(graph))
            report.rows += 1
            yield ox.Triple(quad.subject, quad.predicate, quad.object)
    except SyntaxError as e:
        if "LoadDocumentCallback" in str(e) or "remote context" in str(e):
            raise remote_context() from e
        raise _syntax_error(e, fmt, name) from e
    except (ValueError, OSError) as e:
        raise LoadError(f"cannot parse {fmt.name}: {e}", file=name) from e
    if graphs:
        shown = ", ".join(sorted(graphs)[:5])
        more = f" and {len(graphs) - 5} more" if len(graphs) > 5 else ""
        count = f"over {_MAX_GRAPHS_LISTED}" if len(graphs) > _MAX_GRAPHS_LISTED else len(graphs)
        report.warnings.append(
            f"{name}: the quads in {count} named graph(s) ({shown}{more}) were merged "
            "into the document's graph; the graph names are not kept"
        )
    if report.rows == 0:
        report.warnings.append(f"{name}: the document has no triples")


def _syntax_error(error: SyntaxError, fmt: ox.RdfFormat, name: str) -> LoadError:
    message = str(error.msg or error)
    line, column = error.lineno, error.offset
    match = _POSITION.match(message)
    if match is not None:
        message = message[match.end() :]
        line = line or int(match["line"] or match["line2"])
        column = column or int(match["col"] or match["col2"])
    return LoadError(f"{fmt.name} syntax error: {message}", file=name, line=line, column=column)


def _remote_context_error(name: str, data: _Buffer) -> LoadError:
    match = _CONTEXT_REF.search(data)
    iri = match["iri"].decode("utf-8", "replace") if match else None
    line = 1 + _newlines(data, 0, match.start()) if match else None
    what = f"the @context {iri!r}" if iri else "a @context given by IRI"
    return LoadError(
        f"remote JSON-LD contexts are disabled: {what} would have to be fetched, and casegraph "
        "never fetches documents while loading; put the context object inline instead",
        file=name,
        line=line,
        field="@context",
    )


def _check_stream(handle: IO[bytes], name: str) -> bool:
    """Reject empty, non-UTF-8 and binary input; return whether it starts with a UTF-8 BOM."""
    head = handle.read(_CHUNK)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LoadError(
            "the document is UTF-16 (it starts with a UTF-16 byte order mark); RDF documents "
            "must be UTF-8",
            file=name,
            line=1,
            column=1,
        )
    bom = head.startswith(_BOM)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    line, column = 1, 0  # line of the next character, characters already on it
    blank = True
    chunk = head[len(_BOM) :] if bom else head
    offset = len(_BOM) if bom else 0  # bytes consumed before `chunk`
    while chunk:
        pending = decoder.getstate()[0]
        problem: str | None = None
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as e:
            good = (pending + chunk)[: e.start]
            text = good.decode("utf-8")
            bad = pending + chunk
            problem = (
                f"not UTF-8: byte 0x{bad[e.start]:02x} at offset {offset - len(pending) + e.start}"
                " cannot start or continue a character (RDF documents must be UTF-8)"
            )
        nul = text.find("\x00")
        if nul >= 0:
            byte_offset = offset - len(pending) + len(text[:nul].encode("utf-8"))
            text = text[:nul]
            problem = (
                f"binary data: a NUL byte at offset {byte_offset} (this is not an RDF text "
                "document)"
            )
        newlines = text.count("\n")
        if newlines:
            line += newlines
            column = len(text) - text.rfind("\n") - 1
        else:
            column += len(text)
        if blank and text.strip():
            blank = False
        if problem is not None:
            raise LoadError(problem, file=name, line=line, column=column + 1)
        offset += len(chunk)
        chunk = handle.read(_CHUNK)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise LoadError(
            "not UTF-8: the document ends in the middle of a character",
            file=name,
            line=line,
            column=column + 1,
        ) from None
    if blank:
        raise LoadError("empty document", file=name)
    return bom


def _check_entities(buffer: _Buffer, name: str) -> None:
    """Reject RDF/XML entity declarations that could expand without bound (module docstring)."""
    start = buffer.find(b"<!ENTITY")
    if start < 0:
        return
    sizes: dict[bytes, int] = {}
    line, counted = 1, 0
    while start >= 0:
        line, counted = line + _newlines(buffer, counted, start), start
        match = _ENTITY_DECL.match(buffer, start)
        if match is None or match["value"] is None:
            other = (match["other"] or b"") if match else b""
            if other.upper().startswith((b"SYSTEM", b"PUBLIC")):
                reason = "external entities are not allowed (casegraph never reads or fetches them)"
            elif other.startswith(b'"'):
                reason = f"entity value is unterminated or longer than {_MAX_ENTITY_VALUE} bytes"
            else:
                reason = "malformed entity declaration (the value must be in double quotes)"
            raise LoadError(f"RDF/XML {reason}", file=name, line=line, field="<!ENTITY")
        entity = match["name"]
        value = match["value"]
        if _NESTED_REF.search(value):
            raise LoadError(
                f"RDF/XML entity {entity.decode('utf-8', 'replace')!r} refers to another entity; "
                "nested entities are not allowed because they can expand exponentially "
                "(the 'billion laughs' attack)",
                file=name,
                line=line,
                field="<!ENTITY",
            )
        sizes[entity] = max(sizes.get(entity, 0), len(value))
        start = buffer.find(b"<!ENTITY", match.end())
    budget = ENTITY_EXPANSION_FACTOR * len(buffer) + (1 << 20)
    total = 0
    for ref in _ENTITY_REF.finditer(buffer):
        total += sizes.get(ref["name"], 0)
        if total > budget:
            raise LoadError(
                f"RDF/XML entity references expand to more than {ENTITY_EXPANSION_FACTOR} times "
                "the document's size; refusing to expand them",
                file=name,
                line=1 + _newlines(buffer, 0, ref.start()),
                field="<!ENTITY",
            )


def _newlines(buffer: _Buffer, start: int, end: int) -> int:
    if isinstance(buffer, bytes):
        return buffer.count(b"\n", start, end)
    count = 0
    for position in range(start, end, _CHUNK):
        count += buffer[position : min(end, position + _CHUNK)].count(b"\n")
    return count
