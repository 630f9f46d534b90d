"""The OpenAPI document made true to the server, and its pages served without a CDN.

`install(app)` wraps `app.openapi()` with `refine`, which, once per app:

- makes `application/problem+json` with the `Problem` schema the only content of every 4xx and
  5xx response (FastAPI documents 422 as `application/json` with its `HTTPValidationError`,
  which this server never sends) and drops the unused `HTTPValidationError` schemas;
- documents 413 (`api.http`'s body cap) on every operation that takes a body;
- declares the write token as an HTTP bearer scheme on the operations that answer 401
  (optional on `POST /sparql`, where only updates need it);
- gives every operation a unique `operationId` (a route with several methods shares one);
- turns an operation's `x-one-of-required` (query parameters of which at least one must be
  given, e.g. `case` or `ids`) into one exploded object parameter whose schema says so;
- says what `api.http` adds to every path (HEAD, OPTIONS, CORS, the caps) in the description.

`/docs` (Swagger UI) and `/redoc` (ReDoc) load their scripts and styles from `/docs/assets/`
(vendored in `api/static/`, see its README), under a Content-Security-Policy that lets them
reach nothing but this server.
"""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel

import api.problems
import api.schemas
from api.problems import PROBLEM_JSON, title_of
from ontology.errors import NotFound

STATIC = Path(__file__).resolve().parent / "static"
PROBLEM_REF = "#/components/schemas/Problem"
ASSETS: dict[str, tuple[str, str]] = {
    "swagger-ui-bundle.js": ("swagger-ui/swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": ("swagger-ui/swagger-ui.css", "text/css"),
    "favicon.png": ("swagger-ui/favicon-32x32.png", "image/png"),
    "redoc.standalone.js": ("redoc/redoc.standalone.js", "text/javascript"),
}
PAGE_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP, "X-Content-Type-Options": "nosniff"}

OPTIONAL_AUTH = {("/sparql", "post")}
"""Operations that work without the token (queries) and need it only for some requests."""

HTTP_NOTES = """

**HTTP, on every path.** `HEAD` answers every `GET` (same headers, no body). `OPTIONS` answers
204 with the path's true `Allow`. CORS is off unless `CASEGRAPH_CORS_ORIGINS` lists origins;
then preflights for any method and for `Authorization` and `Content-Type` succeed from them.
A request body over its cap is refused with 413 before it is read
(`CASEGRAPH_SPARQL_MAX_BODY_BYTES`, `CASEGRAPH_CYPHER_MAX_BODY_BYTES`,
`CASEGRAPH_UPLOAD_MAX_BODY_BYTES` for Graph Store, `CASEGRAPH_MAX_BODY_BYTES` elsewhere).
Queries stop after `CASEGRAPH_QUERY_TIMEOUT_S` (503); a result over
`CASEGRAPH_SPARQL_MAX_BYTES` or `CASEGRAPH_CYPHER_MAX_ROWS`/`_BYTES` is 422."""

_METHODS = ("get", "head", "post", "put", "delete", "patch", "options", "trace")


def refine(schema: dict[str, Any]) -> dict[str, Any]:
    """The changes listed in the module docstring, made in place; returns `schema`."""
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})["bearer"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "`CASEGRAPH_WRITE_TOKEN`; needed for writes.",
    }
    ids = Counter(
        op.get("operationId")
        for item in schema.get("paths", {}).values()
        for method, op in item.items()
        if method in _METHODS
    )
    taken = {operation_id for operation_id, n in ids.items() if n == 1}
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            if method not in _METHODS:
                continue
            _group_parameters(op)
            responses = op.setdefault("responses", {})
            if "requestBody" in op and "413" not in responses:
                responses["413"] = {"description": title_of(413)}
            for code, response in responses.items():
                if code[:1] in ("4", "5"):
                    response["content"] = {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}
                    if code == "422" and response.get("description") == "Validation Error":
                        response["description"] = "Invalid parameters or body"
            if "401" in responses and method not in ("get", "head"):
                bearer: dict[str, list[str]] = {"bearer": []}
                op["security"] = [{}, bearer] if (path, method) in OPTIONAL_AUTH else [bearer]
            operation_id = op.get("operationId")
            if operation_id and ids[operation_id] > 1:
                base = operation_id
                for suffix in _METHODS:
                    base = base.removesuffix(f"_{suffix}")
                new_id, n = f"{base}_{method}", 1
                while new_id in taken:
                    n += 1
                    new_id = f"{base}_{method}_{n}"
                op["operationId"] = new_id
                taken.add(new_id)
    schemas = components.get("schemas", {})
    for name, schema_of in _models().items():
        # FastAPI drops every null from the document, those of the examples too, which leaves
        # them invalid: put back the examples as the models give them.
        if name in schemas and (examples := schema_of.model_json_schema().get("examples")):
            schemas[name]["examples"] = examples
    for name in ("HTTPValidationError", "ValidationError"):  # in this order: one uses the other
        if name in schemas:
            definition = schemas.pop(name)
            if _used(schema, name):
                schemas[name] = definition
    info = schema.setdefault("info", {})
    info["description"] = info.get("description", "") + HTTP_NOTES
    return schema


GROUP_KEY = "x-one-of-required"


def _group_parameters(op: dict[str, Any]) -> None:
    """Query parameters of which at least one is required, as one object parameter.

    OpenAPI cannot say "give `case` or `ids`" of separate parameters; an exploded form object
    serialises the same way (`?case=...`) and its schema can (`anyOf` of `required`)."""
    group = op.pop(GROUP_KEY, None)
    if not group:
        return
    names = set(group["parameters"])
    members = [p for p in op.get("parameters", []) if p.get("in") == "query" and p["name"] in names]
    op["parameters"] = [p for p in op.get("parameters", []) if p not in members]
    properties = {}
    for member in members:
        schema = dict(member.get("schema", {}))
        # FastAPI's `str | None` is an `anyOf` with null: in the object, absent means None.
        branches = [b for b in schema.pop("anyOf", []) if b.get("type") != "null"]
        if branches:
            schema = {**branches[0], **schema}
        schema.setdefault("type", "string")
        schema["pattern"] = "[A-Za-z0-9]"  # not blank
        if "description" in member:
            schema["description"] = member["description"]
        properties[member["name"]] = schema
    op["parameters"].insert(
        0,
        {
            "name": group["name"],
            "in": "query",
            "style": "form",
            "explode": True,
            "required": True,
            "description": group["description"],
            "schema": {
                "type": "object",
                "properties": properties,
                "additionalProperties": False,
                "anyOf": [{"required": [name]} for name in group["parameters"]],
            },
        },
    )


def _models() -> dict[str, type[BaseModel]]:
    return {
        name: obj
        for module in (api.schemas, api.problems)
        for name, obj in vars(module).items()
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel
    }


def _used(schema: dict[str, Any], name: str) -> bool:
    return f"#/components/schemas/{name}'" in repr(schema)


router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} — Swagger UI",
        swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
        swagger_favicon_url=f"{root}/docs/assets/favicon.png",
        swagger_ui_parameters={"validatorUrl": None},
    )
    page.headers.update(PAGE_HEADERS)
    return page


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} — ReDoc",
        redoc_js_url=f"{root}/docs/assets/redoc.standalone.js",
        redoc_favicon_url=f"{root}/docs/assets/favicon.png",
        with_google_fonts=False,
    )
    page.headers.update(PAGE_HEADERS)
    return page


@router.get("/docs/assets/{name}")
async def asset(name: Annotated[str, PathParam(max_length=100)]) -> FileResponse:
    found = ASSETS.get(name)
    if found is None:
        raise NotFound(f"no asset {name!r}")
    file, media_type = found
    return FileResponse(
        STATIC / file,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


def install(app: FastAPI) -> None:
    """Refine `app.openapi()` and serve `/docs`, `/redoc` and their assets.

    The app must be made with `docs_url=None, redoc_url=None` (FastAPI's pages use a CDN)."""
    if app.docs_url or app.redoc_url:
        raise ValueError("create the app with docs_url=None and redoc_url=None")
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            with warnings.catch_warnings():
                # A route with several methods (GET and HEAD /graph-store) gets one id for all
                # of them; `refine` gives each its own.
                warnings.filterwarnings("ignore", "Duplicate Operation ID", UserWarning)
                app.openapi_schema = refine(original())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.include_router(router)


__all__ = ["ASSETS", "PAGE_CSP", "install", "refine"]
