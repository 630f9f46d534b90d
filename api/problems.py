"""The one place that maps errors to HTTP status codes and `application/problem+json` (RFC 9457).

    CasegraphError (ontology.errors)      status
    ├── LoadError                         400  (a request body that does not parse)
    │   └── ValidationError               422  (it parsed but broke the shapes)
    ├── QueryError                        400  (SPARQL or Cypher syntax, a read-only violation)
    │   ├── QueryTimeout                  503  (the query ran past its time; no Retry-After)
    │   └── ResultTooLarge                422  (the result is over the rows or bytes cap)
    ├── NotFound                          404
    ├── Conflict                          409  (casegraph's own graphs; dangling references)
    ├── StoreLocked                       503  (the store is open read-only or held elsewhere)
    ├── BackendUnavailable                503
    └── HTTPProblem                       its own `status` (defined here: protocol errors)
        ├── Unauthorized                  401  (no bearer token on a write)
        ├── Forbidden                     403  (a wrong token, or writes are disabled)
        ├── NotAcceptable                 406
        ├── UnsupportedMediaType          415
        └── BadRequest                    400  (a malformed protocol request)

FastAPI's own request validation (bad query parameters) and Starlette's HTTP errors (unknown
route, wrong method, and `ContentTooLarge`, the 413 of `api.http`'s body cap) come out in the
same shape.

A query that ran out of time gets no `Retry-After`: the same query would most likely run out
again, and clients that retry 503s on their own would repeat the expensive work. An oversized
result is 422, not 413: 413 speaks of the request's content, and the client can fix the request
(a `LIMIT`, a narrower pattern).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from http import HTTPStatus
from types import MappingProxyType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ontology.errors import (
    BackendUnavailable,
    CasegraphError,
    Conflict,
    LoadError,
    NotFound,
    QueryError,
    QueryTimeout,
    ResultTooLarge,
    StoreLocked,
    ValidationError,
)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://w3id.org/casegraph/problems/"

log = logging.getLogger("casegraph.api")


class HTTPProblem(CasegraphError):
    """An error of the HTTP surface itself, carrying its status and extra headers."""

    status = HTTPStatus.BAD_REQUEST
    headers: Mapping[str, str] = MappingProxyType({})


class BadRequest(HTTPProblem):
    status = HTTPStatus.BAD_REQUEST


class Unauthorized(HTTPProblem):
    status = HTTPStatus.UNAUTHORIZED
    headers: Mapping[str, str] = MappingProxyType({"WWW-Authenticate": 'Bearer realm="casegraph"'})


class Forbidden(HTTPProblem):
    status = HTTPStatus.FORBIDDEN


class NotAcceptable(HTTPProblem):
    status = HTTPStatus.NOT_ACCEPTABLE


class UnsupportedMediaType(HTTPProblem):
    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE


class ContentTooLarge(StarletteHTTPException):
    """413: the request body is over its cap (raised by `api.http` while the body streams in).

    An `HTTPException`, so that FastAPI's body parsing lets it through unchanged."""

    def __init__(self, limit: int, setting: str) -> None:
        self.limit = limit
        super().__init__(
            413,
            f"the request body is over {limit} bytes (CASEGRAPH_{setting.upper()})",
            headers={"Connection": "close"},
        )


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": f"{PROBLEM_BASE}not-found",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "no entity with id 'no-such-thing'",
                    "instance": "/api/entities/no-such-thing",
                }
            ]
        },
    )

    type: str = Field(examples=[f"{PROBLEM_BASE}not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no entity with id 'no-such-thing'"])
    instance: str | None = Field(default=None, examples=["/api/entities/no-such-thing"])


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting problem+json for the given statuses.

    `api.openapi` makes problem+json the only content of every 4xx and 5xx response."""
    return {
        status: {
            "model": Problem,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            "description": title_of(status),
        }
        for status in statuses
    }


def status_of(error: CasegraphError) -> int:
    """The HTTP status for an error of the tree."""
    if isinstance(error, HTTPProblem):
        return int(error.status)
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, ValidationError):
        return 422
    if isinstance(error, LoadError):
        return 400
    if isinstance(error, QueryTimeout):
        return 503
    if isinstance(error, ResultTooLarge):
        return 422
    if isinstance(error, QueryError):
        return 400
    if isinstance(error, StoreLocked | BackendUnavailable):
        return 503
    return 500


_TITLES = {413: "Content Too Large"}
"""RFC 9110's name for 413 (Python 3.12's `HTTPStatus` has the older one). 422 keeps the
title and `type` it always had here, so clients matching on them go on working."""


def title_of(status: int) -> str:
    return _TITLES.get(status) or HTTPStatus(status).phrase


def _slug(title: str) -> str:
    return title.lower().replace(" ", "-").replace("'", "")


def problem_body(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    kind: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The problem document; `kind` names its `type` (default: the status's title)."""
    body: dict[str, Any] = {
        "type": f"{PROBLEM_BASE}{kind or _slug(title_of(status))}",
        "title": title_of(status),
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    if extra:
        body.update(extra)
    return body


def problem(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    kind: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body = problem_body(status, detail, instance=instance, kind=kind, extra=extra)
    return JSONResponse(
        jsonable_encoder(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def problem_bytes(status: int, detail: str, *, instance: str | None = None) -> bytes:
    """A problem document encoded, for answers sent below the routing (`api.http`)."""
    return json.dumps(
        problem_body(status, detail, instance=instance), ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


async def _casegraph_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CasegraphError)
    status = status_of(exc)
    extra: dict[str, Any] = {}
    kind = None
    if isinstance(exc, ValidationError) and exc.report:
        extra["report"] = exc.report
    if isinstance(exc, LoadError):
        # Where the input went wrong, as fields a client can read (the detail says it too).
        where = {"file": exc.file, "line": exc.line, "column": exc.column}
        where |= {"record": exc.record, "field": exc.field}
        extra.update({k: v for k, v in where.items() if v is not None})
    if isinstance(exc, ResultTooLarge):
        kind = "result-too-large"
    elif isinstance(exc, QueryTimeout):
        kind = "query-timeout"
    if status >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, exc)
    headers = dict(exc.headers) if isinstance(exc, HTTPProblem) else None
    return problem(
        status, str(exc), instance=request.url.path, headers=headers, kind=kind, extra=extra
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    return problem(422, detail, instance=request.url.path, extra={"errors": errors})


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else title_of(exc.status_code)
    return problem(exc.status_code, detail, instance=request.url.path, headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "internal error (logged on the server)", instance=request.url.path)


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(CasegraphError, _casegraph_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


__all__ = [
    "PROBLEM_JSON",
    "BadRequest",
    "ContentTooLarge",
    "Forbidden",
    "HTTPProblem",
    "NotAcceptable",
    "Problem",
    "QueryTimeout",
    "ResultTooLarge",
    "Unauthorized",
    "UnsupportedMediaType",
    "install",
    "problem",
    "problem_body",
    "problem_bytes",
    "problem_responses",
    "status_of",
    "title_of",
]
