"""A SPARQL 1.1 lexer (with Oxigraph's SPARQL 1.2 additions) for checking query text before an
engine sees it: which keywords occur as code, how deep the text nests, how many operators it has.

It splits the text into the grammar's terminals (https://www.w3.org/TR/sparql11-query/#grammar):
strings in all four forms, IRIs, prefixed names, variables, blank-node labels, language tags,
numbers, bare words (keywords and function names), punctuation; comments and white space are
skipped. Two places need more than a regular lexer:

- `<` starts an IRI or is the less-than operator. Oxigraph decides by grammar context, so this
  lexer does too: `<` is an operator only inside an expression, right after an operand
  (`FILTER(?a<?b)`), and an IRI everywhere else. Expressions only occur inside parentheses, so a
  stack of open brackets tells which parentheses hold an expression (after `FILTER`, `BIND`, a
  function name, in `SELECT`, `GROUP BY`, `ORDER BY`, `HAVING`) and which hold a collection, a
  `VALUES` row or a property path.
- Where the lexer cannot be sure that it reads the text as the engine does, it does not guess:
  `ambiguous` names the spot, and the guard refuses the text (see `graph.query_guard`).

Anything the lexer does not recognise becomes a one-character `OTHER` token and lexing goes on,
so a malformed string or IRI exposes more text as code, never less.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

__all__ = ["Kind", "Lexed", "Token", "decode_escapes", "lex"]


class Kind(Enum):
    IRI = "iri"
    STRING = "string"
    PNAME = "prefixed name"
    VAR = "variable"
    BNODE = "blank node"
    LANGTAG = "language tag"
    NUMBER = "number"
    WORD = "word"
    PUNCT = "punctuation"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    start: int


@dataclass(slots=True)
class Lexed:
    """The tokens of a text and what was measured while reading them."""

    tokens: list[Token] = field(default_factory=list)
    max_depth: int = 0
    """Deepest nesting: open (), {}, [], << plus the unary operators (`!`, `-`, `+`) applying."""
    operators: int = 0
    """Operators and pattern-combining keywords: each adds a level to the engine's tree."""
    ambiguous: list[int] = field(default_factory=list)
    """Offsets of `<` that may be an operator or an IRI depending on how the text is parsed."""


_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS_U = _BASE + "_"
_CHARS = _CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"

_WS = frozenset(" \t\r\n")
_NAME = re.compile(rf"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?")
_LOCAL = re.compile(
    rf"(?:[{_CHARS_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
)
_VARNAME = re.compile(rf"[{_CHARS_U}0-9][{_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
_BNODE = re.compile(rf"_:[{_CHARS_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?")
_LANGTAG = re.compile(r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
_NUMBER = re.compile(
    r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+(?:[eE][+-]?[0-9]+)?"
)
# What Oxigraph can read as an IRI: no ASCII space or control, none of <>"{}|^`, and a
# backslash only in a \u or \U escape (Oxigraph decodes those inside IRIs).
_IRI = re.compile(r'<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>')
_PUNCT2 = ("&&", "||", "!=", "<=", ">=", "^^", "<<", ">>")
_PUNCT1 = frozenset("{}()[].,;*/|^?+-!=<>~")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

_OPERATORS = frozenset({"&&", "||", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "|", "^"})
_COMBINING = frozenset(
    {"union", "optional", "minus", "bind", "filter", "graph", "service", "values", "lateral", "as"}
)
"""Keywords that add a level to the engine's algebra each time they occur (joins, extends)."""
_LIST_WORDS = frozenset({"a", "true", "false", "undef"})
"""Bare words after which `(` opens a collection, not a call."""
_OPERAND_WORDS = frozenset({"true", "false"})
_OPERAND_KINDS = frozenset(
    {Kind.IRI, Kind.STRING, Kind.PNAME, Kind.VAR, Kind.BNODE, Kind.LANGTAG, Kind.NUMBER}
)
_QUERY_FORMS = frozenset({"select", "construct", "describe", "ask", "group", "order", "having"})
_DIGITS = frozenset("0123456789")


def decode_escapes(text: str) -> str:
    r"""The text with `\uXXXX` and `\UXXXXXXXX` decoded everywhere, as the grammar says to do
    before parsing (Oxigraph itself decodes them only inside strings and IRIs)."""

    def one(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return match.group(0)
        return chr(code)

    return _ESCAPE.sub(one, text)


class _Frame:
    """An open bracket (`{` `[` `(` `<<`, or the top level): what it holds, how deep it is."""

    __slots__ = ("base", "calls", "expr", "kind", "run")

    def __init__(self, kind: str, base: int, *, expr: bool, calls: bool) -> None:
        self.kind = kind
        self.base = base
        self.expr = expr  # an expression in parentheses: `<` after an operand is less-than
        self.calls = calls  # every `(` directly inside opens an expression
        self.run = 0  # unary operators applying at this level


def _string_end(text: str, i: int) -> int | None:
    """The end of the string literal starting at `i`, or None when it is not well formed."""
    quote = text[i]
    n = len(text)
    if text.startswith(quote * 3, i):
        j = i + 3
        while j < n:
            c = text[j]
            if c == "\\":
                j += 2
            elif text.startswith(quote * 3, j):
                return j + 3
            else:
                j += 1
        return None
    j = i + 1
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
        elif c == quote:
            return j + 1
        elif c in "\r\n":
            return None
        else:
            j += 1
    return None


def _is_operand(token: Token | None) -> bool:
    if token is None:
        return False
    if token.kind in _OPERAND_KINDS:
        return True
    if token.kind is Kind.WORD:
        return token.text.lower() in _OPERAND_WORDS
    return token.kind is Kind.PUNCT and token.text in {")", "]", ">>"}


def lex(text: str) -> Lexed:
    """Tokens, nesting depth, operator count and ambiguous spots of a SPARQL text."""
    out = Lexed()
    tokens = out.tokens
    # At the top level, parentheses hold expressions (SELECT, GROUP BY, ORDER BY, HAVING) or
    # variable lists; `<` there is always an IRI (`DESCRIBE <a> <b>`).
    stack: list[_Frame] = [_Frame("top", 0, expr=False, calls=True)]
    prev: Token | None = None
    before: Token | None = None
    n = len(text)
    i = 0

    def depth() -> int:
        frame = stack[-1]
        return frame.base + frame.run

    while i < n:
        c = text[i]
        if c in _WS:
            i += 1
            continue
        if c == "#":
            j = i + 1
            while j < n and text[j] not in "\r\n":
                j += 1
            i = j
            continue
        frame = stack[-1]
        token: Token
        if c in "\"'":
            end = _string_end(text, i)
            token = Token(Kind.STRING, text[i:end], i) if end else Token(Kind.OTHER, c, i)
        elif c == "<":
            token = _angle(text, i, frame, prev, out)
        elif c in "?$":
            match = _VARNAME.match(text, i + 1)
            if match:
                token = Token(Kind.VAR, text[i : match.end()], i)
            else:
                token = Token(Kind.PUNCT, c, i) if c == "?" else Token(Kind.OTHER, c, i)
        elif c == "_" and text.startswith("_:", i):
            match = _BNODE.match(text, i)
            token = Token(Kind.BNODE, match.group(), i) if match else Token(Kind.OTHER, c, i)
        elif c == "@":
            match = _LANGTAG.match(text, i)
            token = Token(Kind.LANGTAG, match.group(), i) if match else Token(Kind.OTHER, c, i)
        elif c in _DIGITS or (c == "." and i + 1 < n and text[i + 1] in _DIGITS):
            match = _NUMBER.match(text, i)
            assert match is not None
            token = Token(Kind.NUMBER, match.group(), i)
        elif c == ":":
            token = _prefixed(text, i, i)
        elif (match := _NAME.match(text, i)) is not None:
            end = match.end()
            if end < n and text[end] == ":":
                token = _prefixed(text, i, end)
            else:
                token = Token(Kind.WORD, match.group(), i)
        elif text.startswith(_PUNCT2, i):
            token = Token(Kind.PUNCT, text[i : i + 2], i)
        elif c in _PUNCT1:
            token = Token(Kind.PUNCT, c, i)
        else:
            token = Token(Kind.OTHER, c, i)

        kind, value = token.kind, token.text
        if (
            kind is Kind.PUNCT
            and value in {"-", "+"}
            and not frame.expr
            and (match := _NUMBER.match(text, i + 1)) is not None
        ):
            # A signed number in a pattern or a VALUES row (no arithmetic there): one literal.
            token = Token(Kind.NUMBER, text[i : match.end()], i)
            kind, value = token.kind, token.text
        if kind is Kind.PUNCT and value in {"{", "[", "(", "<<"}:
            expr = value == "(" and (frame.calls or _opens_call(prev, before))
            child = _Frame(value, depth() + 1, expr=expr, calls=expr)
            frame.run = 0
            stack.append(child)
            out.max_depth = max(out.max_depth, child.base)
            if value == "{":
                out.operators += 1
        elif kind is Kind.PUNCT and value in {"}", "]", ")", ">>"}:
            if len(stack) > 1 and _closes(stack[-1].kind, value):
                stack.pop()
            stack[-1].run = 0
        elif (kind is Kind.PUNCT and value == "!") or (
            kind is Kind.PUNCT and value in {"-", "+"} and not _is_operand(prev)
        ):
            frame.run += 1
            out.max_depth = max(out.max_depth, depth())
            out.operators += 1
        else:
            if kind is Kind.PUNCT:
                # An operator or comma ends the operand the unary operators apply to; a
                # function name does not (`!BOUND(?x)`): its arguments follow.
                frame.run = 0
            if kind is Kind.PUNCT and value in _OPERATORS:
                out.operators += 1
            elif kind is Kind.WORD:
                word = value.lower()
                if word in _COMBINING:
                    out.operators += 1
                if word in _QUERY_FORMS:
                    frame.calls = True  # a subquery: its projection and modifiers
        tokens.append(token)
        before, prev = prev, token
        i = token.start + len(token.text)
    return out


def _closes(opened: str, closer: str) -> bool:
    return {"{": "}", "[": "]", "(": ")", "<<": ">>"}.get(opened) == closer


def _opens_call(prev: Token | None, before: Token | None) -> bool:
    """Whether `(` after `prev` (inside a pattern) opens an expression rather than a collection:
    after `FILTER`, `BIND`, a function name, or `FILTER <iri>` / `FILTER prefix:name`."""
    if prev is None:
        return False
    if prev.kind is Kind.WORD:
        return prev.text.lower() not in _LIST_WORDS
    if prev.kind in {Kind.IRI, Kind.PNAME}:
        return before is not None and before.kind is Kind.WORD and before.text.lower() == "filter"
    return False


def _angle(text: str, i: int, frame: _Frame, prev: Token | None, out: Lexed) -> Token:
    """`<` as an IRI, `<<`, `<=` or the less-than operator, by grammar context."""
    iri = _IRI.match(text, i)
    operator = frame.expr and _is_operand(prev)
    if iri is not None and not operator:
        return Token(Kind.IRI, iri.group(), i)
    if iri is not None and any(ch in iri.group() for ch in "#'"):
        # Read as an operator, but the text up to `>` would be an IRI holding a comment or a
        # quote: if this reading were wrong, the rest of the line would be read differently.
        out.ambiguous.append(i)
    for two in ("<<", "<="):
        if text.startswith(two, i):
            return Token(Kind.PUNCT, two, i)
    return Token(Kind.PUNCT, "<", i)


def _prefixed(text: str, start: int, colon: int) -> Token:
    local = _LOCAL.match(text, colon + 1)
    end = local.end() if local else colon + 1
    return Token(Kind.PNAME, text[start:end], start)
