"""JSON responses built from the read model: encoded once with orjson, kept per version.

A route gives a function of a `graph.readmodel.read.Reader`; `from_read_model` runs it in one
read transaction, encodes the result (pre-encoded entity summaries are spliced in as they are),
and caches the bytes under the request's path and query until the next write. The response
models of `api.schemas` describe these bodies in OpenAPI; the tests check the bodies against
them, rather than every request paying for validation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import AppState
from graph.readmodel.read import Reader, UnknownType

JSON = "application/json"


def encode(value: Any) -> bytes:
    return orjson.dumps(value)


def json_response(data: bytes, status_code: int = 200) -> Response:
    return Response(data, status_code=status_code, media_type=JSON)


def _build(state: AppState, build: Callable[[Reader], Any]) -> bytes:
    with state.workspace.model.read() as conn:
        try:
            return encode(build(Reader(conn)))
        except UnknownType as e:
            raise RequestValidationError(
                [{"loc": ("query", "type"), "msg": str(e), "type": "value_error"}]
            ) from e


async def from_read_model(
    state: AppState, request: Request, build: Callable[[Reader], Any], *, offload: bool = False
) -> Response:
    """The response of `build`, from the cache when this version already answered it."""
    key = f"{request.url.path}?{request.url.query}"
    version = state.version
    data = state.cache.get(version, key)
    if data is None:
        data = await run_in_threadpool(_build, state, build) if offload else _build(state, build)
        state.cache.put(version, key, data)
    return json_response(data)


__all__ = ["JSON", "encode", "from_read_model", "json_response"]
