"""The query guard on its own: which texts it refuses and why (graph.query_guard).

The engines themselves (does an accepted text really open no connection, does a text at the
limits really parse) are tested in tests/integration/test_query_guard_engines.py.
"""

from __future__ import annotations

import contextlib

import pytest

from graph import query_guard as guard
from graph.query_guard import QueryRefused
from ontology.errors import QueryError

URL = "<http://127.0.0.1:9/sparql>"

SERVICE_QUERIES = [
    f"SELECT * WHERE {{ SERVICE {URL} {{ ?s ?p ?o }} }}",
    f"select * where {{ service silent {URL} {{ ?s ?p ?o }} }}",
    f"SELECT ?x WHERE {{ {{}} .SERVICE {URL} {{ ?x ?p ?o }} }}",  # finding 1
    f"SELECT * {{ {{}}SERVICE{URL}{{}} }}",
    f"SELECT * {{ FILTER(1<2)SERVICE {URL} {{}} }}",
    f'SELECT * {{ ?s ?p "x"SERVICE {URL} {{}} }}',
    f"SELECT * {{ ?s ?p 1SERVICE {URL} {{}} }}",
    f"SELECT * {{ ?s ?p trueSERVICE {URL} {{}} }}",
    f"SELECT * {{ ?s ?p ?o # a comment\nSERVICE {URL} {{}} }}",
    f"SELECT * {{ ?s ?p ?o }} # }}\n SELECT * {{ SERVICE {URL} {{}} }}",
    f"SELECT * {{ SeRvIcE/**/{URL} {{}} }}",
    f"SELECT * {{ \\u0053ERVICE {URL} {{}} }}",
    f'SELECT * {{ ?s ?p "\\u0022 SERVICE {URL} {{}} \\u0022" }}',
    "PREFIX : <http://127.0.0.1:9/> SELECT * { SERVICE:x {} }",
    "PREFIX x: <http://127.0.0.1:9/> SELECT * { SERVICEx:y {} }",
    f"SELECT * {{ {{ SELECT * {{ SERVICE {URL} {{}} }} }} }}",
    f"ASK {{ FILTER EXISTS {{ SERVICE {URL} {{}} }} }}",
    f"SELECT * {{ ?s ?p ?o }} VALUES ?x {{ 1 }} SERVICE {URL}",
]


@pytest.mark.parametrize("text", SERVICE_QUERIES)
def test_service_is_refused_wherever_it_is_code(text: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE"):
        guard.check_sparql_query(text)
    with pytest.raises(QueryRefused, match="SERVICE"):
        guard.check_sparql_update(f"INSERT {{ <a> <b> <c> }} WHERE {{ {text} }}")


def test_a_less_than_that_could_read_as_an_iri_is_refused() -> None:
    # `<?b)SERVICE#>` is an IRI to a context-free scan, but Oxigraph reads `?a < ?b`, SERVICE,
    # and a comment: the old text scan let this through.
    text = f"SELECT * {{ FILTER(?a<?b)SERVICE#>\n{URL}{{ ?s ?p ?o }} }}"
    with pytest.raises(QueryRefused):
        guard.check_sparql_query(text)
    with pytest.raises(QueryRefused, match="space after '<'"):
        guard.check_sparql_query("SELECT * { FILTER(?a<'x'&&?b>1) }")


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s rdfs:label "SERVICE" } LIMIT 1',
        "SELECT * WHERE { ?s rdfs:label '''SERVICE <x> {}''' }",
        "SELECT * WHERE { ?s ?p <http://schema.org/Service> }",
        "SELECT ?service WHERE { ?service a ?type }",
        "SELECT * WHERE { ?s ex:service ?o }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <x> {}",
        "SELECT * WHERE { ?s <http://x.org/a#SERVICE> ?o . FILTER(?o < 3) }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o<3 && ?o>1) }",
        "SELECT * WHERE { VALUES (?a ?b) { (<http://x#1> <http://x#2>) } }",
        "DESCRIBE <http://x#a> <http://x#b>",
        "SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x <http://fn#f>(?o)",
        'SELECT * WHERE { ?s ?p "a\\"SERVICE\\"b" }',
    ],
)
def test_service_in_strings_iris_names_and_comments_is_not_code(text: str) -> None:
    guard.check_sparql_query(text)


@pytest.mark.parametrize(
    "text",
    [
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "load silent <file:///etc/passwd> INTO GRAPH <http://g>",
        "CLEAR SILENT GRAPH <http://g> ; LOAD <https://127.0.0.1:9/x>",
        "PREFIX : <http://127.0.0.1:9/> LOAD:x",
        "\\u004cOAD <http://127.0.0.1:9/x>",
    ],
)
def test_load_is_refused_in_updates_whatever_the_scheme(text: str) -> None:
    with pytest.raises(QueryRefused, match="no scheme is allowed"):
        guard.check_sparql_update(text)


def test_load_in_strings_and_iris_is_fine() -> None:
    guard.check_sparql_update('INSERT DATA { <http://x/load> <http://x/p> "LOAD <x>" }')


def test_refusals_are_query_errors_answered_400() -> None:
    assert issubclass(QueryRefused, QueryError)


def test_dataset_clause() -> None:
    assert guard.has_dataset_clause("SELECT * FROM <http://g> { ?s ?p ?o }")
    assert guard.has_dataset_clause("select * from named <http://g> { }")
    assert not guard.has_dataset_clause('SELECT * { ?s ?p "FROM" } # FROM <g>')
    assert not guard.has_dataset_clause("SELECT ?from { ?from ?p <http://x/FROM> }")
    assert guard.check_sparql_query("SELECT * FROM <http://g> {}").has_dataset_clause
    assert guard.has_using_clause("DELETE { } USING <http://g> WHERE { }")
    assert not guard.has_using_clause('INSERT DATA { <a> <b> "USING" }')


# -- size and nesting ---------------------------------------------------------------------------


def nested_calls(depth: int) -> str:
    """A query whose nesting depth is exactly `depth` ({ and FILTER( count two)."""
    inner = depth - 2
    return "SELECT * { FILTER(" + "STR(" * inner + "1" + ")" * inner + ") }"


def test_sparql_depth_limit() -> None:
    limit = guard.SPARQL_MAX_DEPTH
    assert guard.check_sparql_query(nested_calls(limit)).depth == limit
    with pytest.raises(QueryRefused, match="levels deep"):
        guard.check_sparql_query(nested_calls(limit + 1))


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { " + "{" * 3000 + "}" * 3000 + " }",  # the four crashes
        "SELECT * { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
        "SELECT * { FILTER(" + "!" * 20000 + "true) }",
        "SELECT * { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 3000 + "}" * 3000 + " }",
        "SELECT * { FILTER(" + "- " * 200 + "1 > 0) }",
    ],
)
def test_deep_sparql_is_refused(text: str) -> None:
    with pytest.raises(QueryRefused, match="deep"):
        guard.check_sparql_query(text)


def test_sparql_operator_limit() -> None:
    limit = guard.SPARQL_MAX_OPERATORS

    def binds(n: int) -> str:  # BIND and AS count one each; SELECT's * and the { one each
        return "SELECT * { " + "".join(f"BIND(1 AS ?v{i}) " for i in range(n)) + "}"

    ok = (limit - 2) // 2
    assert guard.check_sparql_query(binds(ok)).operators == 2 * ok + 2 <= limit
    with pytest.raises(QueryRefused, match="operators"):
        guard.check_sparql_query(binds(ok + 1))
    with pytest.raises(QueryRefused, match="operators"):
        guard.check_sparql_query("SELECT * { FILTER(" + "1+" * 10_000 + "1 > 0) }")


def test_flat_data_is_not_counted_as_operators() -> None:
    rows = " ".join(f"(<http://x/{i}> -{i} {i}.5)" for i in range(5000))
    facts = guard.check_sparql_query(f"SELECT * {{ VALUES (?a ?b ?c) {{ {rows} }} }}")
    assert facts.operators < 10
    data = " ".join(f"<http://x/{i}> <http://x/p> -{i} ." for i in range(5000))
    assert guard.check_sparql_update(f"INSERT DATA {{ {data} }}").operators < 10


def test_sparql_size_limit() -> None:
    text = "SELECT * { ?s ?p ?o }" + " " * 100
    guard.check_sparql_query(text, max_chars=len(text))
    with pytest.raises(QueryRefused, match="characters"):
        guard.check_sparql_query(text, max_chars=len(text) - 1)
    with pytest.raises(QueryRefused, match="characters"):
        guard.check_sparql_update("#" * (guard.SPARQL_MAX_CHARS + 1))


def test_lexing_is_linear_on_hostile_text() -> None:
    # Regular expressions in the lexer must not backtrack badly on long runs.
    for piece in ["a.", "ex:a.", "?", "<", '"', "'''", "_:a.", "\\u", "%", "@a-", "ex:a%"]:
        with contextlib.suppress(QueryRefused):
            guard.check_sparql_query(piece * 20_000)


# -- Cypher -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "LOAD CSV FROM 'https://127.0.0.1:9/x.csv' AS r RETURN r",
        "load csv with headers from 'file:///etc/passwd' as r return r",
        "WITH 1 AS x\nLOAD/* c */CSV FROM 'x' AS r RETURN r",
        "WITH 1 AS x // c\nLOAD\nCSV FROM 'x' AS r RETURN r",
        "\\u004cOAD CSV FROM 'x' AS r RETURN r",
    ],
)
def test_load_csv_is_refused(text: str) -> None:
    with pytest.raises(QueryRefused, match="LOAD CSV"):
        guard.check_cypher(text)


@pytest.mark.parametrize(
    "text",
    [
        "CALL apoc.load.json('http://127.0.0.1:9/')",
        "CALL dbms.procedures()",
        "CALL algo.BFS(a, 3, 'R')",
        "CALL db.idx.fulltext.createNodeIndex('L', 'p')",
        "CALL `apoc`.`load`.`json`('x')",
        "CALL apoc . load . json('x')",
        "MATCH (n) CALL apoc.do.it(n) YIELD x RETURN x",
    ],
)
def test_procedures_off_the_allowlist_are_refused(text: str) -> None:
    with pytest.raises(QueryRefused, match="not allowed"):
        guard.check_cypher(text)


@pytest.mark.parametrize(
    "text",
    [
        "CALL db.labels()",
        "CALL db.labels() YIELD label RETURN label",
        "CALL db.relationshipTypes",
        "call DB.PROPERTYKEYS()",
        "CALL { RETURN 1 AS x } RETURN x",
        "WITH 1 AS a CALL (a) { RETURN a AS b } RETURN b",
        "MATCH (call) RETURN call.load AS csv",
        "MATCH (n) RETURN CASE n.end WHEN 1 THEN n.case END AS x, {case: 1, end: 2} AS m",
        "RETURN 'LOAD CSV FROM x' AS s, \"CALL apoc.x()\" AS t // LOAD CSV\n",
        "RETURN 1 AS `LOAD CSV` /* CALL apoc.x() */",
        "MATCH (n:Event) WHERE n.label =~ '.*load csv.*' RETURN n LIMIT 1",
    ],
)
def test_allowed_cypher(text: str) -> None:
    guard.check_cypher(text)


@pytest.mark.parametrize(
    "text",
    [
        "WITH 1 AS x RETURN reduce(s = 0, x IN [1] | s) AS a",
        "UNWIND [1] AS x RETURN reduce(s = 0, x IN [1] | s) AS a",
        "MATCH (x) RETURN reduce(s = 0, x IN [1] | s) AS a",
        "RETURN all(x IN [1] WHERE reduce(s = 0, x IN [1] | s) = 0) AS a",
        "RETURN [x IN [1] | reduce(s = 0, x IN [1] | s)] AS a",
        "RETURN reduce(x = 0, y IN [1] | reduce(t = 0, x IN [1] | t)) AS a",
        "WITH 1 AS `s` RETURN reduce(`s` = 0, y IN [1] | `s`) AS a",
    ],
)
def test_a_reduce_that_rebinds_a_variable_is_refused(text: str) -> None:
    # FalkorDB aborts (heap corruption in AR_REDUCE) and leaves the connection hanging.
    with pytest.raises(QueryRefused, match="re-binds"):
        guard.check_cypher(text)


@pytest.mark.parametrize(
    "text",
    [
        "MATCH (n) RETURN reduce(s = 0, x IN n.list | s + x) AS total",
        "RETURN reduce(s = 0, x IN [1, 2] | s + x) AS a, reduce(t = 0, x IN [3] | t + x) AS b",
        "MATCH (n {x: 1}) RETURN n.x, reduce(s = 0, x IN [1] | s) AS a",
        "RETURN [x IN [1] | x] AS a, reduce(t = 0, x IN [3] | t + x) AS b",
        "RETURN [y IN [1] | reduce(s = 0, x IN [y] | s + x)] AS a",
    ],
)
def test_a_reduce_with_fresh_names_is_fine(text: str) -> None:
    guard.check_cypher(text)


def parens(depth: int) -> str:
    return "RETURN " + "(" * depth + "1" + ")" * depth


def test_cypher_depth_limit() -> None:
    limit = guard.CYPHER_MAX_DEPTH
    assert guard.check_cypher(parens(limit)).depth == limit
    for text in [
        parens(limit + 1),
        "RETURN " + "NOT " * (limit + 1) + "true",
        "RETURN " + "- " * (limit + 1) + "1",
        "RETURN " + "[" * (limit + 1) + "1" + "]" * (limit + 1),
        "RETURN " + "NOT (" * 6 + "true" + ")" * 6,
        "RETURN " + "(" * 25 + "1" + ")" * 25,  # finding 3's hang
        "RETURN " + "CASE WHEN true THEN " * (limit + 1) + "1" + " END" * (limit + 1),
        "RETURN " + "- abs(" * 6 + "1" + ")" * 6,  # the sign applies to the call
        "RETURN " + "NOT all(x IN [1] WHERE " * 6 + "true" + ")" * 6,
    ]:
        with pytest.raises(QueryRefused, match="levels deep"):
            guard.check_cypher(text)


def test_cypher_cost_limit() -> None:
    deep = "(" * guard.CYPHER_MAX_DEPTH + "1" + ")" * guard.CYPHER_MAX_DEPTH
    guard.check_cypher("RETURN " + " + ".join([deep] * 3))
    with pytest.raises(QueryRefused, match="costly"):
        guard.check_cypher("RETURN " + " + ".join([deep] * 5))
    with pytest.raises(QueryRefused, match="costly"):
        guard.check_cypher("RETURN " + "1+" * 5_000 + "1")


def test_binary_minus_is_not_a_unary_run() -> None:
    assert guard.check_cypher("RETURN " + " - ".join(["a"] * 50)).depth == 0
    assert guard.check_cypher("RETURN -1 - -1").depth == 1


def test_cypher_size_limit() -> None:
    with pytest.raises(QueryRefused, match="characters"):
        guard.check_cypher("RETURN 1 " + " " * guard.CYPHER_MAX_CHARS)


def test_cypher_lexing_is_linear_on_hostile_text() -> None:
    for piece in ["'", '"', "`", "/*", "//", "$", "0x", ".", "\\u", "(", "-"]:
        with contextlib.suppress(QueryRefused):
            guard.check_cypher(piece * 10_000)
