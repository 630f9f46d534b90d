"""Reading a SPARQL update's text for what it may touch, without a full parser.

The scan blanks strings, IRIs and comments (keeping every offset), so keywords are found only
where they are keywords. It gives the IRIs the text names (full, prefixed with the declared or
casegraph's prefixes, relative ones resolved against the base), whether a graph is given by a
variable (`GRAPH ?g` in a template), and the `CLEAR`/`DROP` operations on `ALL`, `NAMED` or
`DEFAULT`, which the store carries out graph by graph (its own graphs are not the client's to
drop).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_STRINGS_AND_COMMENTS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|#[^\n\r]*",
    re.DOTALL,
)
_IRIREF = re.compile(r'<([^<>"{}|^`\\\s]*)>')
_PNAME = re.compile(r"(?<![\w:?$<])([A-Za-z][\w.\-]*)?:([\w\-.%]*[\w\-%])?(?![\w:])")
_PREFIX_DECL = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.\-]*)?:\s*<([^>]*)>")
_BASE_DECL = re.compile(r"(?i)\bBASE\s*<([^>]*)>")
_VARIABLE_GRAPH = re.compile(r"(?i)(?<![\w:])(GRAPH|WITH|USING)\s+(NAMED\s+)?[?$]")
_BULK_OP = re.compile(r"(?i)(?<![\w:])(CLEAR|DROP)\s+(SILENT\s+)?(ALL|NAMED|DEFAULT)(?![\w:])")


def _decode(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    try:
        return chr(code)
    except ValueError:
        return match.group(0)


def decoded(text: str) -> str:
    """The text with `\\u` escapes decoded (the grammar decodes them before parsing)."""
    return _CODEPOINT.sub(_decode, text)


def blank(text: str) -> str:
    """Strings and comments replaced by spaces, IRIs by `<` spaces `>`: same length."""
    out = _STRINGS_AND_COMMENTS.sub(lambda m: " " * len(m.group(0)), text)
    return _IRIREF.sub(lambda m: "<" + " " * (len(m.group(0)) - 2) + ">", out)


@dataclass(frozen=True, slots=True)
class BulkOp:
    """A `CLEAR`/`DROP` of `ALL`, `NAMED` or `DEFAULT` at [start, end) of the text."""

    start: int
    end: int
    verb: str
    silent: bool
    target: str


@dataclass(slots=True)
class UpdateScan:
    """What an update's text says about the graphs it may touch."""

    iris: set[str] = field(default_factory=set)
    variable_graph: bool = False
    bulk_ops: list[BulkOp] = field(default_factory=list)


def scan_update(
    text: str, *, base_iri: str | None = None, prefixes: Mapping[str, str] | None = None
) -> UpdateScan:
    """See the module doc. Prefixed names resolve with the text's `PREFIX` declarations first."""
    source = decoded(text)
    code = blank(source)
    scan = UpdateScan()
    known = dict(prefixes or {})
    for match in _PREFIX_DECL.finditer(_decl_text(source, code)):
        known[match.group(1) or ""] = match.group(2)
    base_match = _BASE_DECL.search(_decl_text(source, code))
    base = base_match.group(1) if base_match else base_iri
    for match in _IRIREF.finditer(source):
        if code[match.start()] != "<":
            continue
        iri = match.group(1)
        scan.iris.add(urljoin(base, iri) if base and ":" not in iri else iri)
    for match in _PNAME.finditer(code):
        prefix = match.group(1) or ""
        if prefix in known:
            scan.iris.add(known[prefix] + (match.group(2) or ""))
    scan.variable_graph = _VARIABLE_GRAPH.search(code) is not None
    for match in _BULK_OP.finditer(code):
        scan.bulk_ops.append(
            BulkOp(
                match.start(),
                match.end(),
                match.group(1).upper(),
                match.group(2) is not None,
                match.group(3).upper(),
            )
        )
    scan.iris.discard("")
    return scan


def _decl_text(source: str, code: str) -> str:
    """The text with strings and comments blanked but IRIs kept (for PREFIX and BASE)."""
    return _STRINGS_AND_COMMENTS.sub(lambda m: " " * len(m.group(0)), source)


def expand_bulk_ops(text: str, scan: UpdateScan, graphs: Iterable[str]) -> str:
    """The update with each `CLEAR`/`DROP` `ALL`/`NAMED` spelled out over `graphs` (named
    graphs) and the default graph, so the store's own graphs are left alone."""
    source = decoded(text)
    named = sorted(graphs)
    out, position = [], 0
    for op in scan.bulk_ops:
        out.append(source[position : op.start])
        silent = " SILENT" if op.silent else ""
        parts = (
            [f"{op.verb} SILENT GRAPH <{iri}>" for iri in named] if op.target != "DEFAULT" else []
        )
        if op.target in {"ALL", "DEFAULT"}:
            parts.append(f"{op.verb}{silent} DEFAULT")
        if not parts:
            parts.append("CLEAR SILENT GRAPH <urn:x-casegraph:nothing>")
        out.append(" ;\n".join(parts))
        position = op.end
    out.append(source[position:])
    return "".join(out)


__all__ = ["BulkOp", "UpdateScan", "blank", "decoded", "expand_bulk_ops", "scan_update"]
