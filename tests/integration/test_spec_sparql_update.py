"""What an update does to the store, against SPARQL 1.1 Update (W3C Recommendation, 21 March
2013), over real HTTP: a request is all or nothing (§2.2); what `INSERT DATA` writes into a
graph `<G>` (§3.1.1) `DROP GRAPH <G>` drops; `CLEAR` (§3.1.5) and `DROP` (§3.2.2) of
`DEFAULT`, `NAMED` and `ALL`, with the token.

The store's default graph is its own (what clients wrote without a graph name); its named
graphs are the clients' graphs and the documents loaded from files, which `DROP` removes as
`casegraph drop` would (their derived statements too). casegraph's own graphs (the ontology,
the registry, what is derived) are not the client's and stay (docs/store.md). Each bulk test
starts from `reset`: the two fixture documents, a client graph and one statement in the
default graph. Each test is named after the section it checks; docs/conformance.md maps every
requirement to its test.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.exchanges import AUTH, detail, solutions
from tests.integration.server import FIXTURES, Server, running

pytestmark = pytest.mark.timeout(300)

CGG = "https://w3id.org/casegraph/graph/"
CLIENT = "http://example.org/update/client"
WATCHED = {
    "small-case.yaml": f"{CGG}doc/small-case.yaml",
    "api-mexico.yaml": f"{CGG}doc/api-mexico.yaml",
    CLIENT: CLIENT,
    "ontology": f"{CGG}ontology",
}
DOCUMENTS = ["small-case.yaml", "api-mexico.yaml"]
COUNTS = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory.mktemp("sparql-update")) as srv:
        yield srv


@pytest.fixture
def reset(client: httpx.Client) -> None:
    """The fixture documents (loaded again through `POST /api/load`), a client graph and a
    statement in the store's default graph."""
    files = [("file", (path.name, path.read_bytes(), "application/yaml")) for path in FIXTURES]
    loaded = client.post("/api/load", files=files, headers=AUTH)
    assert loaded.status_code == 200, loaded.text
    setup = (
        f'INSERT DATA {{ GRAPH <{CLIENT}> {{ <{CLIENT}#s> <{CLIENT}#p> "named" }} }} ;\n'
        f'INSERT DATA {{ <{CLIENT}#s> <{CLIENT}#p> "default" }}'
    )
    assert update(client, setup).status_code == 200
    assert all(contents(client).values())


def update(client: httpx.Client, text: str) -> httpx.Response:
    return client.post("/sparql", data={"update": text}, headers=AUTH)


def contents(client: httpx.Client) -> dict[str, int]:
    """How many statements each watched graph holds in the store (0: empty or gone), and the
    store's default graph under `default`."""
    counts = {
        r["g"]: int(r["n"]) for r in solutions(client.get("/sparql", params={"query": COUNTS}))
    }
    held = {name: counts.get(iri, 0) for name, iri in WATCHED.items()}
    default = client.get(
        "/graph-store", params={"default": ""}, headers={"Accept": "application/n-triples"}
    )
    assert default.status_code == 200, default.text
    held["default"] = len([line for line in default.text.splitlines() if line.strip()])
    return held


def registry(client: httpx.Client) -> dict[str, int]:
    """Registered graph name → revision (`/api/stats`)."""
    return {g["name"]: g["revision"] for g in client.get("/api/stats").json()["graphs"]}


def bulk(client: httpx.Client, operation: str) -> tuple[dict[str, int], dict[str, int], set[str]]:
    """Run `operation`; (contents before, contents after, the graphs the answer says changed)."""
    before = contents(client)
    done = update(client, operation)
    assert done.status_code == 200, done.text
    return before, contents(client), {g["name"] for g in done.json()["graphs"]}


# -- 2.2 SPARQL 1.1 Update Services -----------------------------------------------------------


def test_update_2_2_a_request_is_all_or_nothing(client: httpx.Client, reset: None) -> None:
    before, names = contents(client), registry(client)
    failing = update(client, f"DROP ALL ; CLEAR GRAPH <{CLIENT}/missing>")
    assert "does not exist" in detail(failing, 400)
    assert (contents(client), registry(client)) == (before, names)
    half = f"{CLIENT}/half"
    refused = update(
        client,
        f'INSERT DATA {{ GRAPH <{half}> {{ <{half}#s> <{half}#p> "x" }} }} ;\n'
        f'INSERT DATA {{ GRAPH <{CGG}meta> {{ <{half}#s> <{half}#p> "x" }} }}',
    )
    detail(refused, 409)
    detail(client.get("/graph-store", params={"graph": half}), 404)


# -- 3.1 Graph Update -------------------------------------------------------------------------


def test_update_3_2_2_drop_graph_g_drops_what_insert_data_wrote_as_g(
    client: httpx.Client,
) -> None:
    graph = "http://example.org/update/insert-data"
    inserted = update(
        client, f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#a> <{graph}#b> "in g" }} }}'
    )
    assert inserted.status_code == 200, inserted.text
    read = client.get(
        "/graph-store", params={"graph": graph}, headers={"Accept": "application/n-triples"}
    )
    assert read.status_code == 200 and '"in g"' in read.text
    union = client.get("/sparql", params={"query": 'ASK { ?s ?p "in g" }'})
    assert union.json()["boolean"] is True  # client graphs are part of the union default graph
    assert graph in registry(client)
    assert update(client, f"DROP GRAPH <{graph}>").status_code == 200
    detail(client.get("/graph-store", params={"graph": graph}), 404)
    assert (
        client.get("/sparql", params={"query": 'ASK { ?s ?p "in g" }'}).json()["boolean"] is False
    )
    assert graph not in registry(client)


def test_update_3_1_5_clear_default_empties_only_the_stores_default_graph(
    client: httpx.Client, reset: None
) -> None:
    revisions = registry(client)
    before, after, changed = bulk(client, "CLEAR DEFAULT")
    assert after == before | {"default": 0}
    assert changed == {"default"}
    untouched = [*DOCUMENTS, CLIENT, *(f"derived:{name}" for name in DOCUMENTS)]
    now = registry(client)
    assert [now[n] for n in untouched] == [revisions[n] for n in untouched], (
        "the documents are untouched, not written again"
    )


def test_update_3_1_5_clear_named_empties_documents_and_client_graphs(
    client: httpx.Client, reset: None
) -> None:
    before, after, changed = bulk(client, "CLEAR NAMED")
    assert after == before | {"small-case.yaml": 0, "api-mexico.yaml": 0, CLIENT: 0}
    assert changed >= {*DOCUMENTS, CLIENT} and "default" not in changed
    detail(client.get("/api/entities/test-offensive"), 404)


def test_update_3_1_5_clear_all_empties_every_graph_but_casegraphs_own(
    client: httpx.Client, reset: None
) -> None:
    before, after, _changed = bulk(client, "CLEAR ALL")
    assert after == {name: 0 for name in before} | {"ontology": before["ontology"]}
    assert set(DOCUMENTS) <= set(registry(client)), "CLEAR empties a graph; it stays"


# -- 3.2 Graph Management ---------------------------------------------------------------------


def test_update_3_2_2_drop_default_empties_only_the_stores_default_graph(
    client: httpx.Client, reset: None
) -> None:
    before, after, changed = bulk(client, "DROP DEFAULT")
    assert after == before | {"default": 0}
    assert changed == {"default"}


def test_update_3_2_2_drop_named_drops_documents_as_casegraph_drop_would(
    client: httpx.Client, reset: None
) -> None:
    before, after, changed = bulk(client, "DROP NAMED")
    assert after == before | {"small-case.yaml": 0, "api-mexico.yaml": 0, CLIENT: 0}
    assert changed >= {*DOCUMENTS, CLIENT}
    names = set(registry(client))
    gone = {*DOCUMENTS, CLIENT, *(f"derived:{name}" for name in DOCUMENTS)}
    assert not gone & names and {"default", "ontology"} <= names
    detail(client.get("/api/entities/test-offensive"), 404)


def test_update_3_2_2_drop_all_drops_every_graph_but_casegraphs_own(
    client: httpx.Client, reset: None
) -> None:
    before, after, _changed = bulk(client, "DROP ALL")
    assert after == {name: 0 for name in before} | {"ontology": before["ontology"]}
    assert not {*DOCUMENTS, CLIENT} & set(registry(client))


def test_update_3_2_2_drop_all_without_the_token_changes_nothing(
    client: httpx.Client, reset: None
) -> None:
    before = contents(client)
    detail(client.post("/sparql", data={"update": "DROP ALL"}), 401)
    wrong = {"Authorization": "Bearer not-the-token"}
    detail(client.post("/sparql", data={"update": "CLEAR ALL"}, headers=wrong), 403)
    assert contents(client) == before
