"""The REST API, Cypher, SPARQL updates and Linked Data over real HTTP (`casegraph serve` on
loopback). The Graph Store is tested in `test_spec_graph_store.py`.

Two servers: `server` is only read from; `writable` takes the write tests.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from tests.integration.exchanges import wait_for_engines
from tests.integration.server import TOKEN, Server, running, start_server

pytestmark = pytest.mark.timeout(300)

SUMMARY_KEYS = {
    "id",
    "iri",
    "type",
    "types",
    "label",
    "description",
    "start",
    "end",
    "date_edtf",
    "status",
}
PROBLEM_KEYS = {"type", "title", "status", "detail"}
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory.mktemp("api-read")) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with (
        running(tmp_path_factory.mktemp("api-write")) as srv,
        httpx.Client(base_url=srv.url, timeout=60) as c,
    ):
        yield c


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    return body  # type: ignore[no-any-return]


def ids(items: list[dict[str, object]]) -> list[object]:
    return [item["id"] for item in items]


# -- meta -------------------------------------------------------------------------------------


def test_health(client: httpx.Client) -> None:
    body = client.get("/api/health").json()
    assert set(body) == {"status", "triples", "version", "cypher_backend", "engines"}
    assert body["status"] == "ok"
    assert isinstance(body["triples"], int) and body["triples"] > 100
    assert isinstance(body["version"], int) and body["version"] >= 1
    assert body["cypher_backend"] in {"falkordb", "neo4j"}
    for engine in body["engines"].values():
        assert engine["state"] in {"starting", "syncing", "ok", "failed", "unavailable"}


def test_openapi_documents_every_path_with_examples(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    for path in [
        "/api/health",
        "/api/entities",
        "/api/entities/{id}",
        "/api/events",
        "/api/cases",
        "/api/cases/{id}",
        "/api/compare",
        "/api/causal-chains",
        "/api/entities/{id}/causes",
        "/api/entities/{id}/effects",
        "/api/entities/{id}/neighbors",
        "/api/claims",
        "/api/sources",
        "/api/sources/{id}",
        "/api/stats",
        "/sparql",
        "/graph-store",
        "/cypher",
        "/id/{kind}/{slug}",
    ]:
        assert path in paths, path
    health = schema["components"]["schemas"]["Health"]
    assert health["examples"][0]["status"] == "ok"
    assert "Problem" in schema["components"]["schemas"]
    not_found = schema["paths"]["/api/entities/{id}"]["get"]["responses"]["404"]
    assert "application/problem+json" in not_found["content"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_stats(client: httpx.Client) -> None:
    body = client.get("/api/stats").json()
    assert body["classes"]["Event"] >= 6
    assert body["claims"] == 7
    names = {g["name"] for g in body["graphs"]}
    assert {"small-case.yaml", "api-mexico.yaml", "ontology", "temporal"} <= names
    assert {"derived:small-case.yaml", "derived:api-mexico.yaml"} <= names


def test_unknown_route_and_method_are_problems(client: httpx.Client) -> None:
    assert_problem(client.get("/api/nothing-here"), 404)
    assert_problem(client.delete("/api/health"), 405)


# -- entities ---------------------------------------------------------------------------------


def test_search_ignores_case_and_accents(client: httpx.Client) -> None:
    body = client.get("/api/entities", params={"q": "calderon"}).json()
    assert body["items"][0]["id"] == "fx-calderon"
    assert body["items"][0]["label"] == "Felipe Calderón"
    assert set(body["items"][0]) == SUMMARY_KEYS
    assert body["total"] == len(body["items"])
    upper = client.get("/api/entities", params={"q": "MICHOACÁN"}).json()
    assert ids(upper["items"])[0] == "fx-michoacan"


def test_search_matches_aliases_and_ranks_exact_first(client: httpx.Client) -> None:
    alias = client.get("/api/entities", params={"q": "gobierno de mexico"}).json()
    assert ids(alias["items"]) == ["fx-government-mexico"]
    ranked = client.get("/api/entities", params={"q": "michoacan"}).json()
    assert ids(ranked["items"])[0] == "fx-michoacan"  # exact label before "Operation Michoacán"
    assert "fx-michoacan-operation" in ids(ranked["items"])


def test_search_type_limit_offset(client: httpx.Client) -> None:
    people = client.get("/api/entities", params={"type": "Person"}).json()
    assert {"fx-calderon", "fx-analyst", "test-analyst"} <= set(ids(people["items"]))
    assert all("Person" in item["types"] for item in people["items"])
    first = client.get("/api/entities", params={"type": "Agent", "limit": 2}).json()
    second = client.get("/api/entities", params={"type": "Agent", "limit": 2, "offset": 2}).json()
    assert len(first["items"]) == 2 and first["total"] == second["total"] >= 4
    assert not set(ids(first["items"])) & set(ids(second["items"]))
    assert_problem(client.get("/api/entities", params={"limit": 0}), 422)


def test_entity_detail(client: httpx.Client) -> None:
    body = client.get("/api/entities/fx-michoacan-operation").json()
    assert SUMMARY_KEYS | {"properties", "relations", "claims", "sources", "same_as"} <= set(body)
    assert set(body) - SUMMARY_KEYS - {
        "properties",
        "relations",
        "claims",
        "sources",
        "same_as",
    } <= {
        "temporal",
        "value",
    }
    assert body["type"] == "MilitaryOperation" and "Event" in body["types"]
    assert body["start"] == body["end"] == "2006-12-11"
    assert body["date_edtf"] == "2006-12-11" and body["status"] == "VERIFIED"
    out = {
        (r["predicate"], r["target"]["id"]) for r in body["relations"] if r["direction"] == "out"
    }
    assert {("cg:participant", "fx-calderon"), ("cg:place", "fx-michoacan")} <= out
    incoming = {
        (r["predicate"], r["target"]["id"]) for r in body["relations"] if r["direction"] == "in"
    }
    assert ("cg:partOf", "fx-kingpin-arrest") in incoming
    assert ids(body["sources"]) == ["fx-report"]
    assert ids(body["claims"]) == ["fx-claim-operation-arrest"]
    claim = body["claims"][0]
    assert claim["stance"] == "supports" and claim["confidence"] == 0.9
    assert claim["relation"] == "cg:enables"
    calderon = client.get("/api/entities/fx-calderon").json()
    assert calderon["same_as"] == ["http://www.wikidata.org/entity/Q160424"]


def test_unknown_entity_is_404_problem(client: httpx.Client) -> None:
    body = assert_problem(client.get("/api/entities/no-such-thing"), 404)
    assert "no-such-thing" in str(body["detail"])
    assert_problem(client.get("/api/sources/no-such-thing"), 404)
    assert_problem(client.get("/api/cases/no-such-thing"), 404)
    assert_problem(client.get("/api/entities/no-such-thing/causes"), 404)


# -- events -----------------------------------------------------------------------------------


def test_events_in_time_order_with_period(client: httpx.Client) -> None:
    body = client.get("/api/events", params={"from": "2010", "to": "2010-12"}).json()
    assert ids(body["items"]) == ["test-offensive", "fx-kingpin-arrest"]
    everything = client.get("/api/events").json()["items"]
    starts = [e["start"] for e in everything if e["start"]]
    assert starts == sorted(starts)
    day = client.get("/api/events", params={"from": "2006-12-11", "to": "2006-12-11"}).json()
    assert ids(day["items"]) == ["fx-michoacan-operation"]
    open_ended = client.get("/api/events", params={"from": "2030"}).json()
    assert ids(open_ended["items"]) == ["test-war"]  # 2012-07/.. has no end


def test_events_filters(client: httpx.Client) -> None:
    def event_ids(**params: str) -> list[object]:
        return ids(client.get("/api/events", params=params).json()["items"])

    assert event_ids(case="fx-afghanistan") == ["fx-strikes"]
    assert event_ids(actor="fx-cartel") == ["fx-michoacan-operation", "fx-kingpin-arrest"]
    assert event_ids(place="fx-mexico-country") == ["fx-michoacan-operation", "fx-kingpin-arrest"]
    assert event_ids(type="Arrest") == ["fx-kingpin-arrest", "test-arrest"]
    assert event_ids(type="AirCampaign", **{"from": "2018"}) == ["fx-strikes"]


@pytest.mark.parametrize("value", ["2020-13", "20-01", "yesterday", "2021-02-30", "2020/01"])
def test_bad_date_is_422(client: httpx.Client, value: str) -> None:
    body = assert_problem(client.get("/api/events", params={"from": value}), 422)
    assert "from" in str(body["detail"])


def test_reversed_period_is_422(client: httpx.Client) -> None:
    assert_problem(client.get("/api/events", params={"from": "2012", "to": "2010"}), 422)


def test_event_filter_on_unknown_id_is_404(client: httpx.Client) -> None:
    assert_problem(client.get("/api/events", params={"case": "nope"}), 404)


# -- cases ------------------------------------------------------------------------------------


def test_cases(client: httpx.Client) -> None:
    body = client.get("/api/cases").json()
    by_id = {c["id"]: c for c in body["items"]}
    assert {"fx-mexico", "fx-afghanistan", "test-case"} <= set(by_id)
    assert by_id["fx-mexico"]["event_count"] == 2
    detail = client.get("/api/cases/fx-mexico").json()
    assert ids(detail["events"]) == ["fx-michoacan-operation", "fx-kingpin-arrest"]
    assert "fx-calderon" in ids(detail["actors"])
    assert {"fx-claim-arrest-fragmentation", "fx-claim-disputed"} <= set(ids(detail["claims"]))
    assert detail["first"] == "2006-12-11"
    assert_problem(client.get("/api/cases/fx-calderon"), 404)


def test_compare(client: httpx.Client) -> None:
    body = client.get("/api/compare", params={"cases": "fx-mexico,fx-afghanistan"}).json()
    assert ids(body["cases"]) == ["fx-mexico", "fx-afghanistan"]
    assert body["cases"][1]["event_types"] == {"AirCampaign": 1}
    assert body["shared_actors"] == []
    assert_problem(client.get("/api/compare", params={"cases": "fx-mexico"}), 422)
    assert_problem(client.get("/api/compare", params={"cases": "fx-mexico,nope"}), 404)
    assert_problem(client.get("/api/compare"), 422)


def test_compare_with_outcomes(client: httpx.Client) -> None:
    """Each case's outcomes, as `casegraph analyze outcomes` gives them, with their claims."""
    body = client.get("/api/compare", params={"cases": "test-case,fx-afghanistan"}).json()
    outcomes = {case["case"]: case for case in body["outcomes"]}
    assert list(outcomes) == ["test-case", "fx-afghanistan"]
    assert outcomes["fx-afghanistan"]["outcomes"] == []
    reached = {o["id"]: o for o in outcomes["test-case"]["outcomes"]}
    fragmentation = reached["test-fragmentation"]
    assert fragmentation["steps"] == 1
    assert fragmentation["reached_from"] == ["test-arrest"]
    claim = {c["id"]: c for c in fragmentation["claims"]}["test-claim-disputes"]
    assert claim["stance"] == "disputes"
    assert claim["asserted_by"] == ["test-government"]
    assert claim["sources"] == ["test-report"]
    assert body["shared_outcomes"] == {}


def test_centrality(client: httpx.Client) -> None:
    """The causal subgraph's central nodes, as `casegraph analyze centrality` ranks them."""
    body = client.get("/api/analytics/centrality", params={"top": 3}).json()
    assert body["by"] == "betweenness"
    assert body["total"] == len(body["items"]) == 3
    betweenness = [item["betweenness"] for item in body["items"]]
    assert betweenness == sorted(betweenness, reverse=True)
    assert body["items"][0]["id"] == "fx-kingpin-arrest"  # between the operation and the rise
    agents = client.get(
        "/api/analytics/centrality", params={"kind": "agent", "by": "reach"}
    ).json()["items"]
    assert {a["kind"] for a in agents} == {"agent"}
    assert {a["id"] for a in agents} >= {"fx-calderon", "fx-government-mexico"}
    assert all(a["events"] >= 1 for a in agents)
    assert_problem(client.get("/api/analytics/centrality", params={"by": "fame"}), 422)
    assert_problem(client.get("/api/analytics/centrality", params={"top": 0}), 422)


# -- causal -----------------------------------------------------------------------------------


def test_causal_chain(client: httpx.Client) -> None:
    body = client.get(
        "/api/causal-chains", params={"from": "fx-michoacan-operation", "to": "fx-violence"}
    ).json()
    assert len(body["chains"]) == 1
    chain = body["chains"][0]
    assert [s["cause"]["id"] for s in chain["steps"]] == [
        "fx-michoacan-operation",
        "fx-kingpin-arrest",
        "fx-fragmentation",
    ]
    assert chain["score"] == pytest.approx(0.9 * 0.8 * 0.6 * (1 - 0.3))
    last = chain["steps"][-1]
    assert last["relation"] == "cg:causes"
    claims = {c["id"]: c for c in last["claims"]}
    assert set(claims["fx-claim-disputed"]) == {
        "id",
        "relation",
        "asserted_by",
        "source",
        "stance",
        "confidence",
        "consistency",
    }
    assert claims["fx-claim-disputed"]["stance"] == "disputes"
    assert last["kind"] == "causes" and last["links"] == []
    assert set(last["asserted_by"]) == {"fx-analyst", "fx-government-mexico"}
    strict = client.get(
        "/api/causal-chains",
        params={"from": "fx-michoacan-operation", "to": "fx-violence", "min_confidence": 0.85},
    ).json()
    assert strict["chains"] == []
    short = client.get(
        "/api/causal-chains",
        params={"from": "fx-michoacan-operation", "to": "fx-violence", "max_depth": 2},
    ).json()
    assert short["chains"] == []
    assert_problem(client.get("/api/causal-chains", params={"from": "x", "to": "fx-violence"}), 404)
    assert_problem(client.get("/api/causal-chains", params={"from": "fx-violence"}), 422)


def test_causes_effects_neighbors(client: httpx.Client) -> None:
    causes = client.get("/api/entities/fx-violence/causes", params={"depth": 3}).json()
    assert [(i["entity"]["id"], i["depth"]) for i in causes["items"]] == [
        ("fx-fragmentation", 1),
        ("fx-kingpin-arrest", 2),
        ("fx-michoacan-operation", 3),
    ]
    effects = client.get("/api/entities/fx-kingpin-arrest/effects").json()
    assert [i["entity"]["id"] for i in effects["items"]] == ["fx-fragmentation"]
    near = client.get("/api/entities/fx-michoacan/neighbors").json()
    assert {"fx-michoacan-operation", "fx-mexico-country"} <= set(ids(near["nodes"]))
    assert any(e["type"] == "LOCATED_IN" for e in near["edges"])
    assert_problem(client.get("/api/entities/fx-violence/causes", params={"depth": 0}), 422)


# -- claims and sources -----------------------------------------------------------------------


def test_claims_filters(client: httpx.Client) -> None:
    about = client.get("/api/claims", params={"about": "fx-fragmentation"}).json()
    assert set(ids(about["items"])) == {
        "fx-claim-arrest-fragmentation",
        "fx-claim-fragmentation-violence",
        "fx-claim-disputed",
    }
    disputes = client.get("/api/claims", params={"stance": "disputes"}).json()
    assert set(ids(disputes["items"])) == {"fx-claim-disputed", "test-claim-disputes"}
    by_source = client.get("/api/claims", params={"source": "test-report"}).json()
    assert by_source["total"] == 3
    assert_problem(client.get("/api/claims", params={"stance": "maybe"}), 422)


def test_sources(client: httpx.Client) -> None:
    listing = client.get("/api/sources").json()
    counts = {s["id"]: s["cited_by_count"] for s in listing["items"]}
    assert counts["fx-audit"] == 1
    detail = client.get("/api/sources/fx-report").json()
    assert {"fx-michoacan-operation", "fx-kingpin-arrest"} <= set(ids(detail["entities"]))
    assert len(detail["claims"]) == 4
    assert detail["properties"]["cg:publisher"] == ["Fixture Institute"]
    assert_problem(client.get("/api/sources/fx-calderon"), 404)


# -- Cypher -----------------------------------------------------------------------------------


def test_cypher_read(client: httpx.Client) -> None:
    response = client.post(
        "/cypher",
        json={
            "query": "MATCH (e:Event) WHERE e.id = $id RETURN e.id AS id, e.label AS label, e",
            "parameters": {"id": "fx-michoacan-operation"},
        },
    )
    if response.status_code == 503:
        pytest.fail(f"Cypher engine not available: {response.json()['detail']}")
    body = response.json()
    assert body["columns"][:2] == ["id", "label"]
    assert body["rows"][0][:2] == ["fx-michoacan-operation", "Joint Operation Michoacán"]
    json.dumps(body)  # JSON-safe all the way down
    node = body["rows"][0][2]
    assert isinstance(node, dict)


def test_cypher_is_read_only_and_reports_errors(client: httpx.Client) -> None:
    write = client.post("/cypher", json={"query": "CREATE (n:Entity {id: 'x'}) RETURN n"})
    assert_problem(write, 400)
    bad = client.post("/cypher", json={"query": "MATCH (n RETURN n"})
    assert_problem(bad, 400)
    assert_problem(client.post("/cypher", json={"parameters": {}}), 422)


def test_cypher_parameter_names_are_identifiers(client: httpx.Client) -> None:
    assert_problem(client.post("/cypher", json={"query": "RETURN 1", "parameters": {"": 1}}), 422)
    nested = client.post("/cypher", json={"query": "RETURN $m", "parameters": {"m": {"": 1}}})
    assert_problem(nested, 400)


# -- Linked Data ------------------------------------------------------------------------------


def _graph(data: bytes | str, fmt: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    if fmt == "json-ld":
        # rdflib's JSON-LD parser still builds a (deprecated) ConjunctiveGraph internally.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            graph.parse(data=data, format=fmt)
    else:
        graph.parse(data=data, format=fmt)
    return graph


def _oxigraph_jsonld(data: bytes) -> rdflib.Graph:
    """JSON-LD expanded by a second processor (Oxigraph's), as an rdflib graph."""
    quads = ox.parse(data, format=ox.RdfFormat.JSON_LD)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    return _graph(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", "nt")


def test_linked_data_html(client: httpx.Client) -> None:
    page = client.get("/id/event/fx-kingpin-arrest", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "Arrest of a cartel leader" in text
    assert "2010-12~" in text and "approximate" in text
    assert 'href="/id/event/fx-michoacan-operation"' in text
    assert "contributes" in text.lower() or "cg:contributesTo" in text
    assert 'href="/view/entity/fx-kingpin-arrest"' in text
    assert 'href="/id/source/fx-report"' in text


def test_linked_data_jsonld_expands_to_the_turtle_triples(client: httpx.Client) -> None:
    url = "/id/event/fx-michoacan-operation"
    turtle = client.get(url, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    jsonld = client.get(url, headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    document = jsonld.json()
    assert "@context" in document and isinstance(document["@context"], dict)
    ttl_graph = _graph(turtle.text, "turtle")
    assert len(ttl_graph) > 10
    assert isomorphic(_graph(jsonld.text, "json-ld"), ttl_graph)
    assert isomorphic(_oxigraph_jsonld(jsonld.content), ttl_graph)
    assert any(not key.startswith(("http:", "https:")) for key in _keys(document))  # compacted
    for accept, fmt in [("application/n-triples", "nt"), ("application/rdf+xml", "xml")]:
        other = client.get(url, headers={"Accept": accept})
        assert other.headers["content-type"].startswith(accept)
        assert isomorphic(_graph(other.text, fmt), ttl_graph)


def _keys(document: object) -> set[str]:
    if isinstance(document, dict):
        return set(document) | {k for v in document.values() for k in _keys(v)}
    if isinstance(document, list):
        return {k for v in document for k in _keys(v)}
    return set()


def test_linked_data_errors(client: httpx.Client) -> None:
    assert_problem(client.get("/id/event/no-such-event"), 404)
    assert_problem(client.get("/id/agent/fx-michoacan-operation"), 404)  # wrong kind
    assert_problem(client.get("/id/event/fx-strikes", headers={"Accept": "image/png"}), 406)


# -- writes -----------------------------------------------------------------------------------

NEW_AGENT = """
INSERT DATA {
  <https://w3id.org/casegraph/id/agent/fx-new-actor> a cg:Person ;
    rdfs:label "Señora <script>alert(1)</script> Nueva" ;
    skos:altLabel "Nueva" .
  <https://w3id.org/casegraph/id/event/fx-michoacan-operation>
    cg:participant <https://w3id.org/casegraph/id/agent/fx-new-actor> .
}
"""


def test_update_needs_the_token(writable: httpx.Client) -> None:
    form = {"update": NEW_AGENT}
    missing = assert_problem(writable.post("/sparql", data=form), 401)
    assert "Bearer" in str(missing["detail"])
    wrong = writable.post("/sparql", data=form, headers={"Authorization": "Bearer nope"})
    assert_problem(wrong, 403)
    assert writable.get("/api/entities", params={"q": "nueva"}).json()["total"] == 0


def test_update_with_token_is_visible_everywhere(writable: httpx.Client) -> None:
    done = writable.post("/sparql", data={"update": NEW_AGENT}, headers=AUTH)
    assert done.status_code == 200, done.text
    wait_for_engines(writable, done.json()["version"])
    found = writable.get("/api/entities", params={"q": "senora nueva"}).json()
    assert ids(found["items"]) == ["fx-new-actor"]
    detail = writable.get("/api/entities/fx-new-actor").json()
    assert detail["type"] == "Person" and "Agent" in detail["types"]  # class closure re-derived
    assert ("cg:participant", "fx-michoacan-operation") in {
        (r["predicate"], r["target"]["id"]) for r in detail["relations"]
    }
    events = writable.get("/api/events", params={"actor": "fx-new-actor"}).json()
    assert ids(events["items"]) == ["fx-michoacan-operation"]
    page = writable.get("/id/agent/fx-new-actor", headers={"Accept": "text/html"}).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    cypher = writable.post(
        "/cypher",
        json={
            "query": "MATCH (a:Person {id: $id})<-[:PARTICIPANT]-(e:Event) RETURN e.id",
            "parameters": {"id": "fx-new-actor"},
        },
    )
    assert cypher.status_code == 200, cypher.text
    assert cypher.json()["rows"] == [["fx-michoacan-operation"]]


def test_cypher_answers_from_the_published_version(writable: httpx.Client) -> None:
    """/cypher right after a write, without waiting: it waits for the engine's sync itself,
    so it never answers from a graph older than what REST and SPARQL serve."""
    update = """INSERT DATA {
      <https://w3id.org/casegraph/id/agent/fx-cypher-step> a cg:Person ; rdfs:label "Step" .
    }"""
    done = writable.post("/sparql", data={"update": update}, headers=AUTH)
    assert done.status_code == 200, done.text
    cypher = writable.post(
        "/cypher", json={"query": "MATCH (a:Person {id: 'fx-cypher-step'}) RETURN a.label"}
    )
    assert cypher.status_code == 200, cypher.text
    assert cypher.json()["rows"] == [["Step"]]


def test_update_default_graph_is_the_stores_own(writable: httpx.Client) -> None:
    """An update's default graph is the store's own default graph (docs/store.md): deleting
    there leaves the loaded documents' statements alone, and casegraph's own graphs refuse."""
    update = r"DELETE WHERE { cgid:agent\/fx-calderon rdfs:label ?l }"
    done = writable.post("/sparql", data={"update": update}, headers=AUTH)
    assert done.status_code == 200, done.text
    assert writable.get("/api/entities/fx-calderon").json()["label"] == "Felipe Calderón"
    meta = "DELETE WHERE { GRAPH <https://w3id.org/casegraph/graph/meta> { ?s ?p ?o } }"
    assert_problem(writable.post("/sparql", data={"update": meta}, headers=AUTH), 409)


def test_no_token_configured_refuses_writes(tmp_path: Path) -> None:
    with running(tmp_path, cases=(), token=None) as srv, httpx.Client(base_url=srv.url) as c:
        update = {"update": "INSERT DATA { <https://e.org/a> <https://e.org/b> 1 }"}
        body = assert_problem(
            c.post("/sparql", data=update, headers={"Authorization": "Bearer anything"}), 403
        )
        assert "disabled" in str(body["detail"])
        assert c.get("/api/health").json()["status"] == "ok"


def test_health_is_503_naming_what_cannot_be_read(tmp_path: Path) -> None:
    """A data folder that goes away under a running server (a detached volume): health says
    503 and which path, not "ok" from the files it still holds open; back, it is 200."""
    server = start_server(tmp_path / "server")
    try:
        # The engines start in the background and write into the data folder: let them finish
        # first, so that nothing but the server's open files is left behind the move.
        for _ in range(600):
            health = httpx.get(f"{server.url}/api/health", timeout=30)
            assert health.status_code == 200
            if all(e["state"] in {"ok", "unavailable"} for e in health.json()["engines"].values()):
                break
            time.sleep(0.1)
        moved = tmp_path / "moved"
        server.data_dir.rename(moved)
        gone = httpx.get(f"{server.url}/api/health", timeout=30)
        assert gone.status_code == 503, gone.text
        assert gone.headers["content-type"].startswith("application/problem+json")
        assert str(server.data_dir) in gone.json()["detail"]
        moved.rename(server.data_dir)
        assert httpx.get(f"{server.url}/api/health", timeout=30).status_code == 200
    finally:
        server.stop()
