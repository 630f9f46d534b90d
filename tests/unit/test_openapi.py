"""The OpenAPI document says what the server does (`api/openapi.py`, `api/schemas.py`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import pytest

import api.problems
import api.schemas
from api.app import create_app
from api.openapi import ASSETS, STATIC
from api.settings import Settings

METHODS = {"get", "head", "post", "put", "delete", "patch"}


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("openapi")))
    document: dict[str, Any] = app.openapi()  # warnings are errors here: none may be raised
    return document


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def test_every_problem_status_is_problem_json_with_the_problem_schema(
    spec: dict[str, Any],
) -> None:
    seen = 0
    for path, method, op in operations(spec):
        for status, response in op["responses"].items():
            if status[0] in "45":
                seen += 1
                assert response["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (path, method, status)
    assert seen > 50


def test_no_fastapi_validation_error_schema_left(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "ValidationError" not in schemas
    assert "HTTPValidationError" not in repr(spec)


def test_operation_ids_are_unique(spec: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in operations(spec)]
    assert len(ids) == len(set(ids))
    graph_store = {m: op["operationId"] for p, m, op in operations(spec) if p == "/graph-store"}
    assert graph_store["get"] != graph_store["head"]


def test_every_response_model_has_a_valid_example(spec: dict[str, Any]) -> None:
    models = {
        name: obj
        for module in (api.schemas, api.problems)
        for name, obj in vars(module).items()
        if isinstance(obj, type) and issubclass(obj, pydantic.BaseModel)
    }
    schemas = spec["components"]["schemas"]
    assert len(schemas) >= 28
    for name, schema in schemas.items():
        examples = schema.get("examples")
        assert examples, f"{name} has no example"
        for example in examples:
            models[name].model_validate(example)


def test_body_operations_document_413(spec: dict[str, Any]) -> None:
    with_body = [(p, m, op) for p, m, op in operations(spec) if "requestBody" in op]
    assert {(p, m) for p, m, _ in with_body} >= {
        ("/sparql", "post"),
        ("/cypher", "post"),
        ("/graph-store", "put"),
        ("/graph-store", "post"),
    }
    for path, method, op in with_body:
        assert "413" in op["responses"], (path, method)


def test_cypher_documents_its_statuses(spec: dict[str, Any]) -> None:
    responses = spec["paths"]["/cypher"]["post"]["responses"]
    assert set(responses) == {"200", "400", "413", "415", "422", "503"}
    parameters = spec["components"]["schemas"]["CypherRequest"]["properties"]["parameters"]
    assert parameters["propertyNames"]["pattern"] == "^[A-Za-z_][A-Za-z0-9_]*$"
    assert "patternProperties" not in parameters


def test_write_operations_declare_the_bearer_scheme(spec: dict[str, Any]) -> None:
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for method in ("put", "post", "delete"):
        assert spec["paths"]["/graph-store"][method]["security"] == [{"bearer": []}]
    assert spec["paths"]["/sparql"]["post"]["security"] == [{}, {"bearer": []}]
    assert "security" not in spec["paths"]["/sparql"]["get"]


def test_api_md_rest_writes_are_in_openapi_with_the_bearer_scheme(spec: dict[str, Any]) -> None:
    """`POST /api/load` and `DELETE /api/graphs/{name}` are documented, with the token and
    the statuses docs/api.md (*REST writes*) gives them."""
    load = spec["paths"]["/api/load"]["post"]
    drop = spec["paths"]["/api/graphs/{name}"]["delete"]
    for operation in (load, drop):
        assert operation["security"] == [{"bearer": []}]
        assert {"401", "403", "409"} <= set(operation["responses"])
    assert {"200", "400", "413", "415", "422"} <= set(load["responses"])
    assert {"multipart/form-data", "text/turtle"} <= set(load["requestBody"]["content"])
    assert {"204", "404"} <= set(drop["responses"])


def test_vendored_assets_are_there_with_their_licenses() -> None:
    for file, _media in ASSETS.values():
        assert (STATIC / file).stat().st_size > 0, file
    for folder in ("swagger-ui", "redoc"):
        assert (STATIC / folder / "LICENSE").is_file()
    readme = (STATIC / "README.md").read_text(encoding="utf-8")
    assert "Apache-2.0" in readme and "MIT" in readme
    assert Path(STATIC / "redoc" / "redoc.standalone.js").read_text().count("cdn.redoc.ly") == 0


def _valid(schema: dict[str, Any], value: Any) -> bool:
    import jsonschema_rs

    return bool(jsonschema_rs.validator_for(schema).is_valid(value))


def test_timeline_says_case_or_ids(spec: dict[str, Any]) -> None:
    parameters = spec["paths"]["/view/timeline"]["get"]["parameters"]
    names = [p["name"] for p in parameters]
    assert "case" not in names and "ids" not in names
    (group,) = [p for p in parameters if p["name"] == "what"]
    assert group["in"] == "query" and group["style"] == "form" and group["explode"] is True
    schema = group["schema"]
    assert _valid(schema, {"case": "fx-mexico"})
    assert _valid(schema, {"ids": "a,b"})
    assert _valid(schema, {"case": "fx-mexico", "ids": "a"})
    assert not _valid(schema, {})
    assert not _valid(schema, {"case": " "}), "blank is not an id"
    assert "x-one-of-required" not in spec["paths"]["/view/timeline"]["get"]


@pytest.mark.parametrize("method", ["get", "put", "delete", "post"])
def test_graph_store_says_exactly_one_of_graph_or_default(
    spec: dict[str, Any], method: str
) -> None:
    (target,) = spec["paths"]["/graph-store"][method]["parameters"]
    schema = target["schema"]
    assert _valid(schema, {"graph": "https://example.org/g"})
    assert _valid(schema, {"default": ""})
    assert not _valid(schema, {"graph": "https://example.org/g", "default": ""})
    assert not _valid(schema, {"graph": "relative"})
    assert _valid(schema, {}) is (method == "post"), "only POST addresses the store itself"
    assert target["required"] is (method != "post")


def test_query_and_rdf_strings_name_their_format(spec: dict[str, Any]) -> None:
    get = spec["paths"]["/sparql"]["get"]["parameters"]
    assert next(p for p in get if p["name"] == "query")["schema"]["format"] == "sparql-query"
    post = spec["paths"]["/sparql"]["post"]["requestBody"]["content"]
    assert post["application/sparql-update"]["schema"]["format"] == "sparql-update"
    put = spec["paths"]["/graph-store"]["put"]["requestBody"]["content"]
    assert put["text/turtle"]["schema"]["format"] == "turtle"
    created = spec["paths"]["/graph-store"]["post"]["responses"]["201"]
    assert "Location" in created["headers"]
