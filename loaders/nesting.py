"""How deeply a JSON-LD or RDF/XML document nests, checked before the parser sees it.

pyoxigraph's JSON-LD parser crashes the process (SIGSEGV, stack overflow) on about 3,250 nested
objects (a 45 KB document), its RDF/XML parser on about 100,000 nested elements (and slows
down well before). Turtle, TriG, N-Triples and N-Quads are parsed without recursion (200,000
nested collections parse), so they are not checked. The scan counts `{` and `[` outside JSON
strings, and start tags less end tags outside XML comments, CDATA sections, processing
instructions and the DOCTYPE.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from ontology.errors import LoadError

__all__ = ["MAX_NESTING", "check_nesting"]

MAX_NESTING = 256
"""Deepest nesting accepted: far below the crashes, far above what real documents use."""

_JSON_TOKENS = re.compile(rb'[\[\]{}"]')
_JSON_STRING_END = re.compile(rb'["\\]')
_START_TAG = re.compile(rb"""<[^\s/>!?]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>""")
_SKIPS = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))


def _refuse(data: bytes, offset: int, depth: int, name: str) -> LoadError:
    line = data.count(b"\n", 0, offset) + 1
    return LoadError(
        f"nested {depth} levels deep; at most {MAX_NESTING} are accepted "
        "(deeper documents crash the parser)",
        file=name,
        line=line,
    )


def _json_depth(data: bytes, name: str, limit: int) -> None:
    depth = 0
    pos = 0
    while (match := _JSON_TOKENS.search(data, pos)) is not None:
        char = match.group()
        pos = match.end()
        if char == b'"':
            while (end := _JSON_STRING_END.search(data, pos)) is not None:
                pos = end.end() + (1 if end.group() == b"\\" else 0)
                if end.group() == b'"':
                    break
            else:
                return  # an unterminated string: the parser reports it
        elif char in b"{[":
            depth += 1
            if depth > limit:
                raise _refuse(data, match.start(), depth, name)
        else:
            depth -= 1


def _xml_depth(data: bytes, name: str, limit: int) -> None:
    depth = 0
    pos = data.find(b"<")
    while pos >= 0:
        for opener, closer in _SKIPS:
            if data.startswith(opener, pos):
                end = data.find(closer, pos + len(opener))
                pos = -1 if end < 0 else end + len(closer)
                break
        else:
            if data.startswith(b"<!", pos):  # DOCTYPE, with an internal subset in [ ]
                close = data.find(b">", pos)
                bracket = data.find(b"[", pos, close if close >= 0 else None)
                if bracket >= 0:
                    close = data.find(b"]", bracket)
                    close = data.find(b">", close) if close >= 0 else -1
                pos = -1 if close < 0 else close + 1
            elif data.startswith(b"</", pos):
                depth -= 1
                close = data.find(b">", pos)
                pos = -1 if close < 0 else close + 1
            else:
                tag = _START_TAG.match(data, pos)
                if tag is None:
                    pos += 1
                else:
                    if not tag.group(1):
                        depth += 1
                        if depth > limit:
                            raise _refuse(data, pos, depth, name)
                    pos = tag.end()
        if pos < 0:
            return
        pos = data.find(b"<", pos)


def check_nesting(
    data: bytes, rdf_format: ox.RdfFormat, name: str, *, limit: int = MAX_NESTING
) -> None:
    """Raise `LoadError` when a JSON-LD or RDF/XML document nests deeper than `limit`."""
    if rdf_format == ox.RdfFormat.JSON_LD:
        _json_depth(data, name, limit)
    elif rdf_format == ox.RdfFormat.RDF_XML:
        _xml_depth(data, name, limit)
