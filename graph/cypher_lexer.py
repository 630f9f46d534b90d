"""A Cypher lexer for checking query text before an engine sees it (FalkorDB or Neo4j).

It reads identifiers, `$parameters`, numbers, strings (single or double quotes, backslash
escapes, which may span lines), backtick names (a doubled backtick inside is one backtick, as
in Neo4j) and punctuation, and skips white space and comments (`// ...` and `/* ... */`).
An unterminated string, name or comment becomes a one-character `OTHER` token and lexing goes on,
so malformed input exposes more text as code, never less.

While reading, it measures what makes FalkorDB's parser slow: the nesting depth of (), [], {}
and `CASE ... END`, plus the unary operators (`NOT`, `-`, `+`) applying at each point, and a
cost, the sum over tokens of 2 ** depth, because FalkorDB re-reads a nested expression about
twice per level (docs/security.md has the measurements).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

__all__ = ["Kind", "Lexed", "Token", "lex"]


class Kind(Enum):
    NAME = "name"
    QUOTED = "quoted name"
    PARAM = "parameter"
    NUMBER = "number"
    STRING = "string"
    PUNCT = "punctuation"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    start: int


@dataclass(slots=True)
class Lexed:
    tokens: list[Token] = field(default_factory=list)
    max_depth: int = 0
    cost: int = 0


_NAME = re.compile(r"[^\W\d]\w*")
_PARAM = re.compile(r"\$(?:[^\W\d]\w*|\d+|`(?:[^`]|``)*`)")
_NUMBER = re.compile(
    r"0[xX][0-9A-Fa-f_]+|0[oO][0-7_]+|"
    r"(?:[0-9][0-9_]*)?\.[0-9][0-9_]*(?:[eE][+-]?[0-9]+)?|[0-9][0-9_]*(?:[eE][+-]?[0-9]+)?"
)
_PUNCT2 = ("<>", "!=", "<=", ">=", "=~", "+=", "->", "<-", "..", "::", "||")
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = frozenset(_OPEN.values())
_KEYWORDS = frozenset(
    (  # noqa: SIM905 - a word list reads better as text
        "all and any as asc ascending by call case contains create delete desc descending detach "
        "distinct else end ends exists foreach in is limit load match merge none not null optional "
        "or order remove return set single skip starts then union unwind use when where with xor "
        "yield"
    ).split()
)
"""Words after which `-` or `+` is a sign rather than a subtraction or addition."""
_DIGITS = frozenset("0123456789")


def _quoted_end(text: str, i: int, quote: str) -> int | None:
    n = len(text)
    j = i + 1
    while j < n:
        c = text[j]
        if quote != "`" and c == "\\":
            j += 2
        elif c == quote:
            if quote == "`" and j + 1 < n and text[j + 1] == "`":
                j += 2
                continue
            return j + 1
        else:
            j += 1
    return None


def _is_operand(token: Token | None) -> bool:
    if token is None:
        return False
    if token.kind is Kind.NAME:
        return token.text.lower() not in _KEYWORDS
    if token.kind is Kind.PUNCT:
        return token.text in _CLOSE
    return token.kind is not Kind.OTHER


def _after(text: str, token: Token) -> int:
    """The offset of the next non-space character after a token."""
    i = token.start + len(token.text)
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def lex(text: str) -> Lexed:
    """Tokens, nesting depth and parse cost of a Cypher text."""
    out = Lexed()
    stack: list[list[int]] = [[0, 0, 0]]  # per open bracket: [depth inside, unary, is CASE]
    prev: Token | None = None
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if text.startswith("//", i):
            j = i + 2
            while j < n and text[j] not in "\r\n":
                j += 1
            i = j
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end >= 0:
                i = end + 2
                continue
            token = Token(Kind.OTHER, c, i)
        elif c in "'\"`":
            end_q = _quoted_end(text, i, c)
            if end_q is None:
                token = Token(Kind.OTHER, c, i)
            else:
                kind = Kind.QUOTED if c == "`" else Kind.STRING
                token = Token(kind, text[i:end_q], i)
        elif c == "$" and (match := _PARAM.match(text, i)) is not None:
            token = Token(Kind.PARAM, match.group(), i)
        elif (c in _DIGITS or c == ".") and (match := _NUMBER.match(text, i)) is not None:
            token = Token(Kind.NUMBER, match.group(), i)
        elif (match := _NAME.match(text, i)) is not None:
            token = Token(Kind.NAME, match.group(), i)
        elif text.startswith(_PUNCT2, i):
            token = Token(Kind.PUNCT, text[i : i + 2], i)
        elif c.isprintable():
            token = Token(Kind.PUNCT, c, i)
        else:
            token = Token(Kind.OTHER, c, i)

        frame = stack[-1]
        depth = frame[0] + frame[1]
        value = token.text
        word = value.lower() if token.kind is Kind.NAME else ""
        member = prev is not None and prev.text == "."  # `n.case`, `n.end`: properties
        case = word == "case" and not member and not text.startswith(":", _after(text, token))
        end = word == "end" and not member and frame[2] == 1
        if not (token.kind is Kind.PUNCT and value in _CLOSE) and not end:
            out.cost += 1 << min(depth, 62)
        if (token.kind is Kind.PUNCT and value in _OPEN) or case:
            stack.append([depth + 1, 0, 1 if case else 0])
            frame[1] = 0
            out.max_depth = max(out.max_depth, depth + 1)
        elif (token.kind is Kind.PUNCT and value in _CLOSE) or end:
            if len(stack) > 1:
                stack.pop()
            stack[-1][1] = 0
        elif (token.kind is Kind.NAME and value.lower() == "not") or (
            token.kind is Kind.PUNCT and value in {"-", "+"} and not _is_operand(prev)
        ):
            frame[1] += 1
            out.max_depth = max(out.max_depth, frame[0] + frame[1])
        elif token.kind is Kind.PUNCT or (
            word in _KEYWORDS and not text.startswith("(", _after(text, token))
        ):
            # An operator, comma or clause word ends the operand the unary operators apply
            # to; a name does not (`NOT all(...)`, `- n.x`): its call or property follows.
            frame[1] = 0
        out.tokens.append(token)
        prev = token
        i = token.start + len(value)
    return out
