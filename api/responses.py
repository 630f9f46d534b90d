"""JSON responses built from the read model: encoded once with orjson, kept per version.

A route gives a function of a `graph.readmodel.read.Reader`; `from_read_model` runs it in one
read transaction, encodes the result (pre-encoded entity summaries are spliced in as they are),
and caches the bytes under the request's path and query until the next write. The response
models of `api.schemas` describe these bodies in OpenAPI; the tests check the bodies against
them, rather than every request paying for validation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import Send

from api.deps import Answer, AppState, answer_key
from graph.readmodel.read import Reader, UnknownType
from ontology.errors import QueryError

logger = logging.getLogger("casegraph.api")

JSON = "application/json"


def encode(value: Any) -> bytes:
    return orjson.dumps(value)


def json_response(data: bytes, status_code: int = 200) -> Response:
    return Response(data, status_code=status_code, media_type=JSON)


def answer_response(answer: Answer) -> Response:
    """A kept answer as a response (`api.http` sends them itself before any routing)."""
    headers, body = answer
    response = Response(body)
    response.raw_headers = [*headers, (b"content-length", str(len(body)).encode())]
    return response


def remember(
    state: AppState,
    version: int | None,
    request: Request,
    body: bytes,
    media_type: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Keep a whole 200 answer to a GET for this version (see `api.deps.answer_key`), and
    return it as a response."""
    raw = (
        (b"content-type", media_type.encode("latin-1")),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()),
    )
    answer: Answer = (raw, body)
    key = answer_key(request.url.path, request.url.query, request.headers.get("accept", ""))
    state.cache.put(version, key, answer)
    return answer_response(answer)


def kept(state: AppState, request: Request) -> Response | None:
    """The answer kept for this GET at the version readers see, if any."""
    key = answer_key(request.url.path, request.url.query, request.headers.get("accept", ""))
    answer = state.cache.get(state.version, key)
    return answer_response(answer) if isinstance(answer, tuple) else None


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
    version = state.version
    found = kept(state, request)
    if found is not None:
        return found
    data = await run_in_threadpool(_build, state, build) if offload else _build(state, build)
    return remember(state, version, request, data, JSON)


class ResultStream(StreamingResponse):
    """A query result sent as it is produced: `first`, then the chunks of `rest`.

    The status is sent with the first bytes, so a query that fails after them (its deadline,
    the result cap, a crashed worker: a `QueryError` from `rest`) cannot become an error
    status. The response then ends without its last chunk and the server closes the
    connection: the client sees a broken transfer, never a complete-looking truncated result.
    """

    def __init__(
        self, first: bytes, rest: Iterator[bytes], media_type: str, headers: Mapping[str, str]
    ) -> None:
        super().__init__(iter(()), media_type=media_type, headers=headers)
        self.first, self.rest = first, rest

    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.first, "more_body": True})
        sent = len(self.first)
        try:
            while (chunk := await run_in_threadpool(next, self.rest, None)) is not None:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                sent += len(chunk)
        except QueryError as e:
            logger.warning("result cut after %d bytes: %s", sent, e)
            return  # no last chunk: the server closes the connection
        finally:
            close = getattr(self.rest, "close", None)
            if callable(close):
                close()
        await send({"type": "http.response.body", "body": b"", "more_body": False})


__all__ = [
    "JSON",
    "ResultStream",
    "answer_response",
    "encode",
    "from_read_model",
    "json_response",
    "kept",
    "remember",
]
