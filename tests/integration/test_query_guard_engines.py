"""The query guard against the real engines: no accepted text opens a connection, and every text
at the guard's limits parses and runs without crashing the engine.

A loopback socket listens on a free port; generated SPARQL queries and updates (pyoxigraph
Store) and Cypher queries (embedded FalkorDB) put `SERVICE`, `LOAD` and `LOAD CSV` aimed at it
inside and outside strings, IRIs, comments and names, in any case, with escapes and every kind
of neighbour. Whatever the guard accepts is run on the engine; the socket must never see a
connection. Each test first shows that the engine, without the guard, does connect.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import query_guard as guard
from graph.cypher import FalkorDBBackend
from graph.errors import CasegraphError
from graph.query_guard import QueryRefused

REPO = Path(__file__).resolve().parents[2]
PROPERTY = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Listener:
    port: int
    hits: list[str] = field(default_factory=list)

    def wait_quiet(self) -> list[str]:
        """The connections seen so far, after giving a late one a moment to arrive."""
        time.sleep(0.05)
        return list(self.hits)


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    found = Listener(server.getsockname()[1])

    def accept() -> None:
        while True:
            try:
                conn, peer = server.accept()
            except OSError:
                return
            found.hits.append(str(peer))
            conn.close()  # the engine gets an error at once instead of waiting

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.close()
        thread.join(timeout=5)


def random_case(draw: st.DrawFn, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.lower() if flip else c.upper() for c, flip in zip(word, flips, strict=True))


def escaped(draw: st.DrawFn, word: str) -> str:
    """The word with some letters written as \\u escapes (the grammar decodes them first)."""
    out = []
    for c in word:
        form = draw(st.sampled_from(["plain", "plain", "u", "U"]))
        out.append(
            c if form == "plain" else f"\\u{ord(c):04X}" if form == "u" else f"\\U{ord(c):08X}"
        )
    return "".join(out)


def keyword(draw: st.DrawFn, word: str, *, escapes: bool = True) -> str:
    text = random_case(draw, word)
    return escaped(draw, text) if escapes and draw(st.booleans()) else text


SPARQL_GAPS = [" ", "", "\n", "\t", " # a comment\n", "#\n"]
SPARQL_BEFORE = [
    "",
    " ",
    ".",
    " . ",
    "{}",
    "{} .",
    "\n",
    "# c\n",
    "FILTER(1<2)",
    "FILTER(?a<?b)",
    "OPTIONAL { ?s ?p ?o }",
    "BIND(1 AS ?z)",
    '?s ?p "x"',
    "?s ?p 1",
    "?s ?p true",
    "?s ?p ?o ",
    "}{",
    "} UNION {",
    "MINUS {} ",
]


@dataclass(frozen=True)
class Case:
    text: str
    code: bool | None
    """The dangerous keyword is code (must be refused), or inside a string, IRI, comment or name
    (must be accepted); None when escapes make it depend on the reading (either is fine)."""


@st.composite
def sparql_queries(draw: st.DrawFn, port: int) -> Case:
    url = f"<http://127.0.0.1:{port}/sparql>"
    word = keyword(draw, "SERVICE")
    silent = draw(st.sampled_from(["", " SILENT", " silent", "SILENT"]))
    gap = draw(st.sampled_from(SPARQL_GAPS))
    body = draw(st.sampled_from(["{ ?s ?p ?o }", "{}", "{ ?x ?y ?z . }"]))
    service = f"{word}{silent}{gap}{url}{draw(st.sampled_from(SPARQL_GAPS))}{body}"
    where = draw(st.sampled_from(["outside", "string", "long string", "comment", "iri", "name"]))
    before = draw(st.sampled_from(SPARQL_BEFORE))
    if where == "outside":
        inner, code = f"{before}{service}", True
    elif where == "string":
        quote = draw(st.sampled_from(['"', "'"]))
        inner, code = f"?s ?p {quote}{service.replace(chr(10), ' ')}{quote}", False
    elif where == "long string":
        inner, code = f'?s ?p """{service}"""', False
    elif where == "comment":
        inner, code = f"?s ?p ?o # {service.replace(chr(10), ' ')}\n", False
    elif where == "iri":
        inner, code = f"?s ?p <http://127.0.0.1:{port}/{random_case(draw, 'service')}>", False
    else:
        inner, code = f"?{random_case(draw, 'service')} ex:{random_case(draw, 'service')} ?o", False
    code_or_unknown = code if code or "\\" not in inner else None
    shape = draw(
        st.sampled_from(
            [
                "SELECT * WHERE {{ {} }}",
                "SELECT * WHERE {{ ?s ?p ?o {} }}",
                "ASK {{ {{ SELECT * WHERE {{ {} }} }} }}",
                "SELECT * WHERE {{ FILTER EXISTS {{ {} }} }}",
                "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {} }}",
            ]
        )
    )
    return Case("PREFIX ex: <http://example.org/>\n" + shape.format(inner), code_or_unknown)


@st.composite
def sparql_updates(draw: st.DrawFn, port: int) -> Case:
    kind = draw(st.sampled_from(["load", "service", "hidden load"]))
    first = draw(st.sampled_from(["", "CLEAR SILENT GRAPH <http://example.org/g>"]))
    sep = draw(st.sampled_from([";", " ; ", ";\n", " ;# c\n"])) if first else ""
    if kind == "load":
        word = keyword(draw, "LOAD")
        silent = draw(st.sampled_from(["", " SILENT", "SILENT"]))
        scheme = draw(st.sampled_from(["http", "https", "file"]))
        target = (
            f"<{scheme}://127.0.0.1:{port}/data.ttl>" if scheme != "file" else "<file:///dev/null>"
        )
        into = draw(st.sampled_from(["", " INTO GRAPH <http://example.org/g>"]))
        gap = draw(st.sampled_from(SPARQL_GAPS))
        return Case(f"{first}{sep}{word}{silent}{gap}{target}{into}", True)
    if kind == "service":
        query = draw(sparql_queries(port))
        inner = query.text.split("WHERE", 1)[-1] if "WHERE" in query.text else "{}"
        update = f"INSERT {{ <http://example.org/a> <http://example.org/b> ?s }} WHERE {inner}"
        prefix = "PREFIX ex: <http://example.org/>\n"
        return Case(f"{prefix}{first}{sep}{update}", query.code)
    literal = draw(st.sampled_from(['"LOAD <{u}>"', "'''LOAD <{u}>'''"]))
    url = f"http://127.0.0.1:{port}/data.ttl"
    triple = f"<http://example.org/a> <http://example.org/b> {literal.format(u=url)}"
    text = f"INSERT DATA {{ {triple} }}"
    return Case(f"{first}{sep}{text}", False)


def sample_store() -> ox.Store:
    store = ox.Store()
    ex = "http://example.org/"
    store.add(ox.Quad(ox.NamedNode(f"{ex}s"), ox.NamedNode(f"{ex}p"), ox.Literal("o")))
    return store


def run_sparql(text: str, *, update: bool) -> None:
    store = sample_store()
    try:
        if update:
            store.update(text, base_iri="http://example.org/")
        else:
            result = store.query(text)
            if isinstance(result, ox.QuerySolutions | ox.QueryTriples):
                list(result)
    except (SyntaxError, OSError, RuntimeError):
        pass  # an engine error is fine; a connection is not


def test_the_engine_connects_without_the_guard(listener: Listener) -> None:
    before = len(listener.hits)
    run_sparql(
        f"SELECT * {{ {{}} .SERVICE <http://127.0.0.1:{listener.port}/x> {{ ?s ?p ?o }} }}",
        update=False,
    )
    run_sparql(f"LOAD <http://127.0.0.1:{listener.port}/x.ttl>", update=True)
    assert len(listener.wait_quiet()) == before + 2


@PROPERTY
@given(data=st.data())
def test_no_accepted_sparql_query_connects(listener: Listener, data: st.DataObject) -> None:
    case = data.draw(sparql_queries(listener.port))
    before = len(listener.hits)
    try:
        guard.check_sparql_query(case.text)
    except QueryRefused:
        assert case.code is not False, f"refused a harmless text:\n{case.text}"
        return
    assert case.code is not True, f"accepted SERVICE as code:\n{case.text}"
    run_sparql(case.text, update=False)
    assert len(listener.wait_quiet()) == before, f"connected:\n{case.text}"


@PROPERTY
@given(data=st.data())
def test_no_accepted_sparql_update_connects(listener: Listener, data: st.DataObject) -> None:
    case = data.draw(sparql_updates(listener.port))
    before = len(listener.hits)
    try:
        guard.check_sparql_update(case.text)
    except QueryRefused:
        assert case.code is not False, f"refused a harmless text:\n{case.text}"
        return
    assert case.code is not True, f"accepted SERVICE or LOAD as code:\n{case.text}"
    run_sparql(case.text, update=True)
    assert len(listener.wait_quiet()) == before, f"connected:\n{case.text}"


# -- Cypher on the embedded FalkorDB ------------------------------------------------------------

CYPHER_GAPS = [" ", "\n", "\t", "/* c */", " // c\n", "/**/"]


@st.composite
def cypher_queries(draw: st.DrawFn, port: int) -> Case:
    url = f"https://127.0.0.1:{port}/x.csv"
    quote = draw(st.sampled_from(["'", '"']))
    load = keyword(draw, "LOAD")
    csv = keyword(draw, "CSV")
    headers = draw(st.sampled_from(["", " WITH HEADERS", " with headers"]))
    gap = draw(st.sampled_from(CYPHER_GAPS))
    clause = f"{load}{gap}{csv}{headers} FROM {quote}{url}{quote} AS row"
    before = draw(st.sampled_from(["", "WITH 1 AS x ", "WITH 1 AS x\n", "MATCH (n) WITH n "]))
    where = draw(st.sampled_from(["outside", "string", "comment", "block comment", "backticks"]))
    if where == "outside":
        text, code = f"{before}{clause} RETURN row", True
    elif where == "string":
        inner = clause.replace("\\", "\\\\").replace(quote, "\\" + quote)
        text, code = f"{before}RETURN {quote}{inner}{quote} AS s", False
    elif where == "comment":
        text, code = f"{before}RETURN 1 AS s // {clause.replace(chr(10), ' ')}\n", False
    elif where == "block comment":
        text, code = f"{before}RETURN 1 /* {clause.replace('*/', '')} */ AS s", False
    else:
        text, code = f"{before}RETURN 1 AS `{clause.replace('`', '')}`", False
    return Case(text, code if code or "\\" not in text else None)


def run_cypher(backend: FalkorDBBackend, text: str) -> None:
    with contextlib.suppress(CasegraphError):  # an engine error is fine; a connection is not
        backend.query(text, read_only=True, timeout_s=5)


def test_falkordb_connects_without_the_guard(
    falkordb_backend: FalkorDBBackend, listener: Listener
) -> None:
    before = len(listener.hits)
    run_cypher(
        falkordb_backend,
        f"LOAD CSV FROM 'https://127.0.0.1:{listener.port}/x.csv' AS row RETURN row",
    )
    assert len(listener.wait_quiet()) == before + 1


@settings(PROPERTY, max_examples=150)
@given(data=st.data())
def test_no_accepted_cypher_connects(
    falkordb_backend: FalkorDBBackend, listener: Listener, data: st.DataObject
) -> None:
    case = data.draw(cypher_queries(listener.port))
    before = len(listener.hits)
    try:
        guard.check_cypher(case.text)
    except QueryRefused:
        assert case.code is not False, f"refused a harmless text:\n{case.text}"
        return
    assert case.code is not True, f"accepted LOAD CSV as code:\n{case.text}"
    run_cypher(falkordb_backend, case.text)
    assert len(listener.wait_quiet()) == before, f"connected:\n{case.text}"


# -- texts at the limits run --------------------------------------------------------------------

AT_LIMIT = textwrap.dedent(
    """
    import sys, threading
    import pyoxigraph as ox
    from graph import query_guard as guard
    text, update = sys.stdin.read(), sys.argv[1] == "update"
    (guard.check_sparql_update if update else guard.check_sparql_query)(text)
    threading.stack_size(2 * 1024 * 1024)
    def run():
        store = ox.Store()
        try:
            if update:
                store.update(text)
            else:
                result = store.query(text)
                if not isinstance(result, ox.QueryBoolean):
                    list(result)
        except SyntaxError as e:
            print("syntax error", e)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    print("done")
    """
)


def at_limit_sparql() -> list[tuple[str, str]]:
    """The deepest and longest texts the guard accepts, in the shapes that use the most stack."""
    depth, ops = guard.SPARQL_MAX_DEPTH, guard.SPARQL_MAX_OPERATORS
    calls = depth - 2
    chain = ops // 2 - 2
    shapes = [
        ("nested calls", "SELECT * { FILTER(" + "STR(" * calls + "1" + ")" * calls + ") }"),
        (
            "nested IF",
            "SELECT * { FILTER(" + "IF(true, " * calls + "1" + ", 0)" * calls + ") }",
        ),
        ("nested groups", "SELECT * { " + "{" * (depth - 1) + "}" * (depth - 1) + " }"),
        ("nested !", "SELECT * { FILTER(" + "!" * calls + "true) }"),
        (
            "nested OPTIONAL",
            "SELECT * { ?s ?p ?o "
            + "OPTIONAL { ?s ?p ?o " * (depth - 1)
            + "}" * (depth - 1)
            + " }",
        ),
        (
            "nested NOT EXISTS",
            "SELECT * { FILTER("
            + "NOT EXISTS { FILTER(STR(" * ((depth - 1) // 4)
            + "1"
            + ")) }" * ((depth - 1) // 4)
            + ") }",
        ),
        (
            "nested subqueries",
            "SELECT * { "
            + "{ SELECT * { " * ((depth - 1) // 2)
            + "?s ?p ?o"
            + " } }" * ((depth - 1) // 2)
            + " }",
        ),
        (
            "BIND chain",
            "SELECT * { " + "".join(f"BIND(1 AS ?v{i}) " for i in range(chain)) + "}",
        ),
        (
            "projection chain",
            "SELECT " + " ".join(f"(1 AS ?v{i})" for i in range(ops - 2)) + " {}",
        ),
        ("MINUS chain", "SELECT * { ?s ?p ?o " + "MINUS { ?s ?p ?o } " * chain + "}"),
        ("+ chain", "SELECT * { FILTER(" + "1 + " * (ops - 4) + "1 > 0) }"),
        (
            "BIND chain then nested calls",
            "SELECT * { "
            + "".join(f"BIND(1 AS ?v{i}) " for i in range((ops - depth) // 2))
            + "FILTER("
            + "STR(" * calls
            + "1"
            + ")" * calls
            + ") }",
        ),
        (
            "update with nested groups",
            "DELETE { ?s ?p ?o } WHERE { " + "{" * (depth - 1) + "}" * (depth - 1) + " }",
        ),
    ]
    return shapes


@pytest.mark.parametrize(("name", "text"), at_limit_sparql(), ids=lambda v: str(v)[:30])
def test_sparql_at_the_limits_runs_in_a_2_mib_stack(name: str, text: str) -> None:
    """A quarter of the 8 MiB that Linux gives Python's threads and main thread by default."""
    update = name.startswith("update")
    guard.check_sparql_update(text) if update else guard.check_sparql_query(text)
    result = subprocess.run(
        [sys.executable, "-c", AT_LIMIT, "update" if update else "query"],
        input=text,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{name}: exit {result.returncode}\n{result.stderr[-2000:]}"
    assert result.stdout.rstrip().endswith("done")
