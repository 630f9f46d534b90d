"""Checks on SPARQL and Cypher text before any engine parses it: no query can make the server
open a connection, and none can crash an engine or tie up its parser.

    QueryError (ontology.errors)
    └── QueryRefused     the text is refused before an engine sees it (HTTP 400, exit 1)

Connections. pyoxigraph runs `SERVICE <url>` (queries and updates) and `LOAD <url>` (updates)
by making the request itself, and has no switch to turn that off; FalkorDB's `LOAD CSV` reads
`https://` and `file://` URLs; Neo4j's `LOAD CSV` and procedures (APOC) read URLs too. So the
text is read with a real lexer (`graph.sparql_lexer`, `graph.cypher_lexer`) and refused when
`SERVICE` or, in an update, `LOAD` occurs as code (strings, IRIs and comments do not count),
whatever its case or neighbours; in Cypher, `LOAD CSV` and a `CALL` of any procedure but the
read-only metadata ones both engines have (`CYPHER_PROCEDURES`). Where the lexer could read the
text in two ways, it is refused as well. `\\uXXXX` escapes: the SPARQL grammar decodes them
before parsing, Oxigraph only inside strings and IRIs, Neo4j's parser has done it everywhere:
a text with escapes is checked both as written and decoded.

Size. pyoxigraph parses and evaluates recursively: deep nesting (about 2,200 nested groups,
4,600 nested parentheses, 900 nested function calls, 9,300 `!`) or long chains (2,600 `BIND`s
or `MINUS`es, 6,800 `+`) overflow the stack and kill the process (SIGSEGV). FalkorDB parses
nested expressions in time that doubles with each level (depth 14: about 0.1 s, 18: 2 s, 25:
over 30 s, and the query timeout does not cover parsing) and crashes on 47,000 chained
operators. So every text is measured before parsing: characters, nesting depth (brackets plus
unary operators), operators (SPARQL) and a parse cost (Cypher, `graph.cypher_lexer`); the
limits below keep each engine far from what was measured (docs/security.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph import cypher_lexer, sparql_lexer
from ontology.errors import QueryError

__all__ = [
    "CYPHER_MAX_CHARS",
    "CYPHER_MAX_COST",
    "CYPHER_MAX_DEPTH",
    "CYPHER_PROCEDURES",
    "SPARQL_MAX_CHARS",
    "SPARQL_MAX_DEPTH",
    "SPARQL_MAX_OPERATORS",
    "CypherFacts",
    "QueryRefused",
    "SparqlFacts",
    "check_cypher",
    "check_sparql_query",
    "check_sparql_update",
    "has_dataset_clause",
    "has_using_clause",
]

SPARQL_MAX_CHARS = 512 * 1024
"""Longest SPARQL query or update text, in characters (`CASEGRAPH_SPARQL_MAX_CHARS`)."""
SPARQL_MAX_DEPTH = 64
"""Deepest nesting of (), {}, [] plus unary operators (pyoxigraph crashed from 920)."""
SPARQL_MAX_OPERATORS = 500
"""Most operators and pattern-combining keywords (pyoxigraph crashed from 2,600 in a chain)."""
CYPHER_MAX_CHARS = 64 * 1024
"""Longest Cypher query text, in characters (`CASEGRAPH_CYPHER_MAX_CHARS`)."""
CYPHER_MAX_DEPTH = 10
"""Deepest nesting of (), [], {} plus unary operators (FalkorDB: about 10 ms at 10, 0.1 s at 14)."""
CYPHER_MAX_COST = 8192
"""Largest sum over tokens of 2 ** depth: four expressions nested 10 deep, or 8,192 flat tokens."""
CYPHER_PROCEDURES = frozenset({"db.labels", "db.relationshiptypes", "db.propertykeys"})
"""Procedures `/cypher` may CALL (lower case): read-only metadata, on FalkorDB and Neo4j 5."""

_ESCAPE = re.compile(r"\\[uU]")


class QueryRefused(QueryError):
    """The query text was refused before any engine parsed it."""


@dataclass(frozen=True, slots=True)
class SparqlFacts:
    """What the guard measured on a SPARQL text it accepted."""

    chars: int
    depth: int
    operators: int
    words: frozenset[str]
    """The bare words (keywords, function names), in lower case."""

    @property
    def has_dataset_clause(self) -> bool:
        """The query names its own dataset (`FROM` or `FROM NAMED`)."""
        return "from" in self.words

    @property
    def has_using_clause(self) -> bool:
        return "using" in self.words


@dataclass(frozen=True, slots=True)
class CypherFacts:
    """What the guard measured on a Cypher text it accepted."""

    chars: int
    depth: int
    cost: int


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _readings(text: str) -> list[str]:
    """The text as written and, when it has `\\u` escapes, decoded."""
    if _ESCAPE.search(text) is None:
        return [text]
    decoded = sparql_lexer.decode_escapes(text)
    return [text] if decoded == text else [text, decoded]


def _size(text: str, max_chars: int, language: str) -> None:
    if len(text) > max_chars:
        raise QueryRefused(
            f"the {language} text has {len(text):,} characters; at most {max_chars:,} are accepted"
        )


# -- SPARQL -------------------------------------------------------------------------------------


def _sparql_code_words(tokens: list[sparql_lexer.Token]) -> list[tuple[str, int]]:
    """Lower-case text that a SPARQL engine could read as a keyword, with its offset.

    Bare words and language tags whole, the prefix of a prefixed name (Oxigraph matches keywords
    without a word boundary: `SERVICEx:y {}` is `SERVICE x:y {}`), and the parts of a prefixed
    name's local part after a `.`, `:` or escape.
    """
    Kind = sparql_lexer.Kind
    out: list[tuple[str, int]] = []
    for token in tokens:
        if token.kind in {Kind.WORD, Kind.LANGTAG}:
            out.append((token.text.lower(), token.start))
        elif token.kind is Kind.PNAME:
            prefix, _, local = token.text.partition(":")
            out.append((prefix.lower(), token.start))
            parts = re.split(r"[.:]|%[0-9A-Fa-f]{2}|\\.", local)
            out.extend((part.lower(), token.start) for part in parts[1:] if part)
    return out


def _check_sparql(text: str, *, update: bool, max_chars: int) -> SparqlFacts:
    language = "SPARQL update" if update else "SPARQL query"
    _size(text, max_chars, language)
    depth = operators = 0
    words: set[str] = set()
    for reading in _readings(text):
        lexed = sparql_lexer.lex(reading)
        if lexed.ambiguous:
            raise QueryRefused(
                f"'<' at {_where(reading, lexed.ambiguous[0])} reads as less-than here but as an "
                "IRI up to the next '>' elsewhere; put a space after '<' when comparing"
            )
        for word, offset in _sparql_code_words(lexed.tokens):
            if "service" in word:
                raise QueryRefused(
                    f"SERVICE (federated query) at {_where(reading, offset)} is not allowed: "
                    "it would make the server call other hosts"
                )
            if update and "load" in word:
                raise QueryRefused(
                    f"LOAD at {_where(reading, offset)} is not allowed: it would make the server "
                    "fetch a URL (no scheme is allowed, http, https and file alike); "
                    "use the Graph Store protocol or `casegraph load`"
                )
        depth = max(depth, lexed.max_depth)
        operators = max(operators, lexed.operators)
        words.update(t.text.lower() for t in lexed.tokens if t.kind is sparql_lexer.Kind.WORD)
    if depth > SPARQL_MAX_DEPTH:
        raise QueryRefused(
            f"the {language} nests {depth} levels deep (brackets and unary operators); "
            f"at most {SPARQL_MAX_DEPTH} are accepted"
        )
    if operators > SPARQL_MAX_OPERATORS:
        raise QueryRefused(
            f"the {language} has {operators:,} operators and pattern keywords "
            f"(UNION, OPTIONAL, MINUS, BIND, FILTER, ...); at most {SPARQL_MAX_OPERATORS:,} "
            "are accepted"
        )
    return SparqlFacts(len(text), depth, operators, frozenset(words))


def check_sparql_query(text: str, *, max_chars: int = SPARQL_MAX_CHARS) -> SparqlFacts:
    """Refuse a query that could call out (`SERVICE`) or is too large or deep to parse safely."""
    return _check_sparql(text, update=False, max_chars=max_chars)


def check_sparql_update(text: str, *, max_chars: int = SPARQL_MAX_CHARS) -> SparqlFacts:
    """Refuse an update that could call out (`SERVICE`, `LOAD`) or is too large or deep."""
    return _check_sparql(text, update=True, max_chars=max_chars)


def has_dataset_clause(text: str) -> bool:
    """True when a query says `FROM` or `FROM NAMED` (as code, not in a string or IRI)."""
    return any(
        t.kind is sparql_lexer.Kind.WORD and t.text.lower() == "from"
        for t in sparql_lexer.lex(text).tokens
    )


def has_using_clause(text: str) -> bool:
    """True when an update says `USING` or `USING NAMED`."""
    return any(
        t.kind is sparql_lexer.Kind.WORD and t.text.lower() == "using"
        for t in sparql_lexer.lex(text).tokens
    )


# -- Cypher -------------------------------------------------------------------------------------


def _name(token: cypher_lexer.Token) -> str | None:
    if token.kind is cypher_lexer.Kind.NAME:
        return token.text.lower()
    if token.kind is cypher_lexer.Kind.QUOTED:
        return token.text[1:-1].replace("``", "`").lower()
    return None


def _procedure(tokens: list[cypher_lexer.Token], i: int) -> str | None:
    """The dotted procedure name after `CALL` at `i`; None for a subquery `CALL {` / `CALL (`."""
    parts: list[str] = []
    j = i + 1
    while j < len(tokens):
        name = _name(tokens[j])
        if name is None:
            break
        parts.append(name)
        if j + 1 < len(tokens) and tokens[j + 1].text == ".":
            j += 2
        else:
            break
    return ".".join(parts) if parts else None


_QUANTIFIERS = frozenset({"all", "any", "none", "single", "reduce"})


def _binding(tokens: list[cypher_lexer.Token], i: int) -> list[str]:
    """The names bound in the scope of the bracket at `i`: `[x IN ...`, `all(x IN ...`, ...,
    `reduce(acc = ..., x IN ...`; [] when the bracket binds nothing."""

    def name_at(j: int) -> str | None:
        return _name(tokens[j]) if j < len(tokens) else None

    def is_in(j: int) -> bool:
        return j < len(tokens) and (_name(tokens[j]) or "") == "in"

    opener = tokens[i].text
    before = _name(tokens[i - 1]) if i > 0 else None
    if opener == "[" and name_at(i + 1) is not None and is_in(i + 2):
        return [tokens[i + 1].text.strip("`")]
    if opener != "(" or before not in _QUANTIFIERS:
        return []
    if before != "reduce":
        return [tokens[i + 1].text.strip("`")] if name_at(i + 1) and is_in(i + 2) else []
    if name_at(i + 1) is None:
        return []
    names = [tokens[i + 1].text.strip("`")]
    depth = 0
    for j in range(i, len(tokens) - 2):
        value = tokens[j].text
        depth += value in {"(", "[", "{"}
        depth -= value in {")", "]", "}"}
        if depth == 0:
            break
        if depth == 1 and value == "," and name_at(j + 1) is not None and is_in(j + 2):
            names.append(tokens[j + 1].text.strip("`"))
            break
    return names


def _check_reduce_scopes(text: str, tokens: list[cypher_lexer.Token]) -> None:
    """Refuse a `reduce` that re-binds a variable in scope: FalkorDB aborts on
    `WITH 1 AS x RETURN reduce(s = 0, x IN [1] | s)` (and hangs the connection)."""
    query_level: set[str] = set()
    scopes: list[set[str]] = [set()]
    for i, token in enumerate(tokens):
        value = token.text
        if token.kind is cypher_lexer.Kind.PUNCT and value in {"(", "[", "{"}:
            names = _binding(tokens, i)
            if i > 0 and (_name(tokens[i - 1]) or "") == "reduce" and names:
                in_scope = query_level.union(*scopes)
                shadowed = [name for name in names if name in in_scope]
                if shadowed:
                    raise QueryRefused(
                        f"reduce() at {_where(text, tokens[i - 1].start)} re-binds "
                        f"{shadowed[0]!r}, a variable already in use: FalkorDB crashes on "
                        "that; rename it"
                    )
            scopes.append(set(names))
            continue
        if token.kind is cypher_lexer.Kind.PUNCT and value in {")", "]", "}"}:
            if len(scopes) > 1:
                scopes.pop()
            continue
        if token.kind not in {cypher_lexer.Kind.NAME, cypher_lexer.Kind.QUOTED}:
            continue
        before = tokens[i - 1].text if i > 0 else ""
        after = tokens[i + 1].text if i + 1 < len(tokens) else ""
        if before in {".", ":"} or after in {":", "("}:
            continue  # a property, label, map key or function
        name = value.strip("`")
        if not any(name in scope for scope in scopes):
            query_level.add(name)


def _check_cypher_tokens(text: str, tokens: list[cypher_lexer.Token]) -> None:
    _check_reduce_scopes(text, tokens)
    for i, token in enumerate(tokens):
        word = _name(token) if token.kind is cypher_lexer.Kind.NAME else None
        if word == "load" and i + 1 < len(tokens):
            following = _name(tokens[i + 1]) or ""
            if following.startswith("csv"):
                raise QueryRefused(
                    f"LOAD CSV at {_where(text, token.start)} is not allowed: it would make the "
                    "engine read a URL or a file"
                )
        if word == "call":
            procedure = _procedure(tokens, i)
            if procedure is not None and procedure not in CYPHER_PROCEDURES:
                allowed = ", ".join(sorted(CYPHER_PROCEDURES))
                raise QueryRefused(
                    f"CALL {procedure} at {_where(text, token.start)} is not allowed; "
                    f"the procedures allowed are {allowed} (subqueries, CALL {{ ... }}, are fine)"
                )


def check_cypher(text: str, *, max_chars: int = CYPHER_MAX_CHARS) -> CypherFacts:
    """Refuse Cypher that could read a URL or file, call a procedure off the allowlist, or
    make the engine's parser slow (too deep or too costly)."""
    _size(text, max_chars, "Cypher")
    depth = cost = 0
    for reading in _readings(text):
        lexed = cypher_lexer.lex(reading)
        _check_cypher_tokens(reading, lexed.tokens)
        depth = max(depth, lexed.max_depth)
        cost = max(cost, lexed.cost)
    if depth > CYPHER_MAX_DEPTH:
        raise QueryRefused(
            f"the Cypher query nests {depth} levels deep (brackets and NOT/-/+); at most "
            f"{CYPHER_MAX_DEPTH} are accepted (FalkorDB's parser slows down twofold per level)"
        )
    if cost > CYPHER_MAX_COST:
        raise QueryRefused(
            f"the Cypher query is too costly to parse ({cost:,} units, at most "
            f"{CYPHER_MAX_COST:,}: each token counts 2 ** its nesting depth); "
            "pass long lists as $parameters"
        )
    return CypherFacts(len(text), depth, cost)
