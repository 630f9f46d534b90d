"""Looking at SPARQL text without parsing it: which keywords occur outside strings, IRIs, comments.

Used to refuse `SERVICE` (and `LOAD` in updates): Oxigraph as shipped in pyoxigraph evaluates
`SERVICE <url> { ... }` by making an HTTP request from the server (checked with 0.5.13: it POSTs
the inner pattern to the URL), which would let any client reach hosts the server can reach
(SSRF). pyoxigraph has no switch to turn federation off, so the protocol layer refuses such
queries with 400. And to tell whether a query names its own dataset (`FROM` / `FROM NAMED`),
which decides whether the API's union default graph applies.

The scan mirrors the SPARQL grammar where it matters: `\\uXXXX` escapes are decoded first (the
grammar applies them before parsing), then strings, IRIs, comments and `\\`-escapes in
prefixed names are blanked, so a keyword hidden in any of them is ignored and one outside is
found, whatever its case.
"""

from __future__ import annotations

import re

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|\\."
    r"|#[^\n\r]*",
    re.DOTALL,
)


def _decode(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    try:
        return chr(code)
    except ValueError:
        return match.group(0)


def code_only(text: str) -> str:
    """The text with escapes decoded and strings, IRIs and comments blanked out."""
    return _OPAQUE.sub(" ", _CODEPOINT.sub(_decode, text))


def _keyword(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w:?$.\-]){word}(?![\w:\-])", re.IGNORECASE)


_SERVICE = _keyword("SERVICE")
_LOAD = _keyword("LOAD")
_FROM = _keyword("FROM")
_USING = _keyword("USING")


def uses_service(text: str) -> bool:
    return _SERVICE.search(code_only(text)) is not None


def uses_load(text: str) -> bool:
    return _LOAD.search(code_only(text)) is not None


def has_dataset_clause(text: str) -> bool:
    """True when a query says `FROM` or `FROM NAMED`."""
    return _FROM.search(code_only(text)) is not None


def has_using_clause(text: str) -> bool:
    return _USING.search(code_only(text)) is not None


__all__ = ["code_only", "has_dataset_clause", "has_using_clause", "uses_load", "uses_service"]
