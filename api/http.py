"""HTTP hygiene for every route, as one pure ASGI middleware (no threadpool hop, no Request object).

- **HEAD** on every GET route: the request runs as GET and the body is dropped, so the headers
  (Content-Length, Content-Type, ETag...) are the GET's.
- **OPTIONS** on every route: 204 with the true `Allow` (every method some route takes on that
  path, found by asking the router, plus HEAD and OPTIONS); an unknown path is 404. A 405 from a
  route gets the same true `Allow` (Starlette's lists only the methods of one route).
- **CORS** (`CASEGRAPH_CORS_ORIGINS`, off by default): a preflight from an allowed origin gets
  `Access-Control-Allow-Origin`, `-Methods` (the path's true methods), `-Headers` (including
  Authorization and Content-Type) and `-Max-Age`; every answer to an allowed origin gets
  `Access-Control-Allow-Origin` and `-Expose-Headers`; with CORS configured every answer says
  `Vary: Origin`. No cookies are used, so no `Allow-Credentials`.
- **Body caps** per surface (`BODY_LIMITS`; `CASEGRAPH_*_MAX_BODY_BYTES`): a declared
  Content-Length over the cap is refused with 413 before anything is read (the app never runs);
  a body that streams past the cap (chunked, or a Content-Length that lied) stops the app's
  `receive` with `ContentTooLarge`, which the problem handlers answer as 413. The app never
  receives more than the cap.
- **Kept answers**: a GET (or HEAD) whose exact path, query string and Accept header were
  answered whole at the version readers see (`api.deps.answer_key`: REST, `/sparql`, `/id`)
  is sent from the response cache here, before any routing, with the headers above.
- **Access log**: one line per request on the `casegraph.access` logger: method, path, status,
  milliseconds. The query string is never logged (it can carry tokens, and SPARQL queries are
  long), nor any header.

Read/drain policy after a 413. A client that writes its whole body before reading (curl without
`Expect`, httpx, urllib) would see a reset if the server closed the connection on unread data.
So the 413 is sent complete first (headers and body, `Connection: close`); then, unless the
client asked for `100-continue` and so sends nothing, up to `CASEGRAPH_BODY_DRAIN_BYTES` of the
rest of the body are read and thrown away (never stored) for at most `DRAIN_SECONDS`; then the
connection is closed. A body whose declared rest is over that budget is not drained at all: the
connection closes at once and the client reads the 413 it already has (Linux keeps it readable;
httpx reads it after its write fails).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Iterable

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.allow import AllowedMethods
from api.deps import answer_key
from api.problems import PROBLEM_JSON, ContentTooLarge, problem_bytes
from api.settings import Settings

access_log = logging.getLogger("casegraph.access")

BODY_LIMITS: tuple[tuple[str, str], ...] = (
    ("/sparql", "sparql_max_body_bytes"),
    ("/cypher", "cypher_max_body_bytes"),
    ("/graph-store", "upload_max_body_bytes"),
    ("/api/load", "upload_max_body_bytes"),
)
"""(path prefix, setting) for the surfaces that take bodies; other paths: `max_body_bytes`."""

DRAIN_SECONDS = 2.0
ALL_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
CORS_ALLOW_HEADERS = b"Accept, Accept-Language, Content-Language, Content-Type, Authorization"
CORS_EXPOSE_HEADERS = b"Allow, Content-Disposition, Location, Retry-After, WWW-Authenticate"
CORS_MAX_AGE = b"600"


class HTTPMiddleware:
    """HEAD, OPTIONS, the true Allow, CORS, body caps and the access log (see the module)."""

    def __init__(self, app: ASGIApp, *, settings: Settings, fastapi: FastAPI) -> None:
        self.app = app
        self.fastapi = fastapi
        self.limits = [(prefix, int(getattr(settings, name)), name) for prefix, name in BODY_LIMITS]
        self.default_limit = (settings.max_body_bytes, "max_body_bytes")
        self.drain_bytes = settings.body_drain_bytes
        origins = [o.encode("latin-1") for o in settings.cors_origins]
        self.cors = bool(origins)
        self.any_origin = b"*" in origins
        self.origins = frozenset(origins)
        self.log = settings.access_log
        self.allow = AllowedMethods(fastapi.router).allow

    def limit_for(self, path: str) -> tuple[int, str]:
        for prefix, limit, name in self.limits:
            if path == prefix or path.startswith(prefix + "/"):
                return limit, name
        return self.default_limit

    def origin_allowed(self, origin: bytes | None) -> bool:
        return origin is not None and (self.any_origin or origin.lower() in self.origins)

    # -- the request ----------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(self, scope, receive, send)
        try:
            await exchange.run()
        finally:
            if self.log and access_log.isEnabledFor(logging.INFO):
                path = scope["path"]
                if not path.isprintable():
                    path = path.encode("unicode_escape").decode("ascii")
                access_log.info(
                    "%s %s %d %.2fms",
                    scope["method"],
                    path,
                    exchange.status or 500,
                    (time.perf_counter() - exchange.started) * 1000,
                )


class _Exchange:
    """One request's state: its headers of interest, the status sent, the body counted."""

    __slots__ = (
        "accept",
        "body_done",
        "chunked",
        "continue_expected",
        "length",
        "limit",
        "middleware",
        "origin",
        "overflowed",
        "raw_receive",
        "raw_send",
        "receive_called",
        "received",
        "replaced",
        "scope",
        "started",
        "status",
    )

    def __init__(self, middleware: HTTPMiddleware, scope: Scope, receive: Receive, send: Send):
        self.started = time.perf_counter()
        self.middleware = middleware
        self.scope = scope
        self.raw_receive = receive
        self.raw_send = send
        self.status = 0
        self.length: int | None = None
        self.chunked = False
        self.origin: bytes | None = None
        self.accept = ""
        self.continue_expected = False
        self.received = 0
        self.body_done = False
        self.receive_called = False
        self.overflowed = False
        self.replaced = False
        self.limit = middleware.default_limit
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    self.length = int(value)
                except ValueError:
                    self.length = None
            elif name == b"transfer-encoding":
                self.chunked = True
            elif name == b"origin":
                self.origin = value
            elif name == b"accept" and not self.accept:
                self.accept = value.decode("latin-1")
            elif name == b"expect":
                self.continue_expected = value.lower() == b"100-continue"

    async def run(self) -> None:
        mw, scope = self.middleware, self.scope
        method = scope["method"]
        if method == "OPTIONS":
            await self.options()
            return
        self.limit = mw.limit_for(scope["path"])
        if self.length is not None and self.length > self.limit[0]:
            await self.too_large()
            return
        if (self.length is None and not self.chunked) or self.length == 0:
            self.body_done = True
        send = self.send_head if method == "HEAD" else self.send
        if method in {"GET", "HEAD"} and await self.kept(send):
            return
        if method == "HEAD":
            scope = dict(scope)
            scope["method"] = "GET"
        await mw.app(scope, self.receive, send)

    async def kept(self, send: Send) -> bool:
        """Send the answer the response cache keeps for this GET, if any."""
        state = getattr(self.middleware.fastapi.state, "casegraph", None)
        if state is None:
            return False
        scope = self.scope
        query = scope.get("query_string", b"").decode("latin-1")
        answer = state.cache.get(state.version, answer_key(scope["path"], query, self.accept))
        if not isinstance(answer, tuple):
            return False
        headers, body = answer
        length = (b"content-length", str(len(body)).encode())
        await send(_start(200, [*headers, length]))
        await send({"type": "http.response.body", "body": body})
        return True

    # -- receive: count, stop at the cap --------------------------------------------------------

    async def receive(self) -> Message:
        self.receive_called = True
        message = await self.raw_receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if not message.get("more_body", False):
                self.body_done = True
            if self.received > self.limit[0]:
                self.overflowed = True
                raise ContentTooLarge(*self.limit)
        return message

    # -- send: status, headers, HEAD, the drain after a 413 --------------------------------------

    async def send(self, message: Message) -> None:
        if self.replaced:
            return
        if message["type"] == "http.response.start":
            status = int(message["status"])
            if self.overflowed and status != 413:
                # The app turned the overflow into something else: the client gets the 413.
                self.replaced = True
                await self.too_large()
                return
            self.status = status
            message = self.start(message, status)
        elif (
            message["type"] == "http.response.body"
            and self.status == 413
            and not message.get("more_body", False)
        ):
            await self.finish_413(message)
            return
        await self.raw_send(message)

    async def send_head(self, message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {
                "type": "http.response.body",
                "body": b"",
                "more_body": message.get("more_body", False),
            }
        await self.send(message)

    def start(self, message: Message, status: int) -> Message:
        mw = self.middleware
        if not mw.cors and status not in (405, 413):
            return message
        headers = list(message.get("headers", []))
        if status == 405:
            allow = mw.allow(self.scope["path"], self.scope.get("root_path", ""))
            headers = [(k, v) for k, v in headers if k.lower() != b"allow"]
            headers.append((b"allow", allow.encode("latin-1")))
        if status == 413:
            headers = [(k, v) for k, v in headers if k.lower() != b"connection"]
            headers.append((b"connection", b"close"))
        if mw.cors:
            self.cors_headers(headers)
        return {**message, "headers": headers}

    def cors_headers(self, headers: list[tuple[bytes, bytes]]) -> None:
        for index, (name, value) in enumerate(headers):
            if name.lower() == b"vary":
                if b"origin" not in value.lower():
                    headers[index] = (name, value + b", Origin")
                break
        else:
            headers.append((b"vary", b"Origin"))
        if self.middleware.origin_allowed(self.origin):
            assert self.origin is not None
            headers.append((b"access-control-allow-origin", self.origin))
            headers.append((b"access-control-expose-headers", CORS_EXPOSE_HEADERS))

    async def finish_413(self, message: Message) -> None:
        """Send the 413's last bytes, drain what the policy allows, then end (and close)."""
        await self.raw_send({**message, "more_body": True})
        await self.drain()
        await self.raw_send({"type": "http.response.body", "body": b"", "more_body": False})

    async def drain(self) -> None:
        if self.body_done:
            return
        if self.continue_expected and not self.receive_called:
            return  # the client waits for 100 Continue, which it will not get: no body comes
        budget = self.middleware.drain_bytes
        if self.length is not None and self.length - self.received > budget:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DRAIN_SECONDS
        drained = 0
        while drained <= budget:
            left = deadline - loop.time()
            if left <= 0:
                return
            try:
                message = await asyncio.wait_for(self.raw_receive(), left)
            except TimeoutError:
                return
            if message["type"] != "http.request":
                return
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    # -- answers of our own -----------------------------------------------------------------------

    async def too_large(self) -> None:
        limit, name = self.limit
        error = ContentTooLarge(limit, name)
        body = problem_bytes(413, str(error.detail), instance=self.scope["path"])
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        self.status = 413
        self.replaced = True
        await self.raw_send(self.start(_start(413, headers), 413))
        await self.finish_413({"type": "http.response.body", "body": body})

    async def options(self) -> None:
        mw, scope = self.middleware, self.scope
        path = scope["path"]
        allow = ALL_METHODS if path == "*" else mw.allow(path, scope.get("root_path", ""))
        if not allow:
            body = problem_bytes(404, "Not Found", instance=path)
            headers = [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ]
            await self.send(_start(404, headers))
            await self.send({"type": "http.response.body", "body": body})
            return
        headers = [(b"allow", allow.encode("latin-1"))]
        preflight = any(k == b"access-control-request-method" for k, _ in scope["headers"])
        if mw.cors and preflight and mw.origin_allowed(self.origin):
            methods = ", ".join(m for m in allow.split(", ") if m not in ("HEAD", "OPTIONS"))
            headers += [
                (b"access-control-allow-methods", methods.encode("latin-1")),
                (b"access-control-allow-headers", CORS_ALLOW_HEADERS),
                (b"access-control-max-age", CORS_MAX_AGE),
            ]
        await self.send(_start(204, headers))
        await self.send({"type": "http.response.body", "body": b""})


def _start(status: int, headers: Iterable[tuple[bytes, bytes]]) -> Message:
    return {"type": "http.response.start", "status": status, "headers": list(headers)}


def configure_access_log(settings: Settings) -> None:
    """Give `casegraph.access` a stderr handler unless logging was configured for it already."""
    if settings.access_log and not access_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middleware (inside Starlette's error middleware, outside the routing)."""
    configure_access_log(settings)
    app.add_middleware(HTTPMiddleware, settings=settings, fastapi=app)


def without_middleware(app: FastAPI) -> FastAPI:
    """The app with `HTTPMiddleware` taken out again (for the benchmark that prices it)."""
    app.user_middleware = [
        m for m in app.user_middleware if getattr(m, "cls", None) is not HTTPMiddleware
    ]
    return app


__all__ = [
    "BODY_LIMITS",
    "DRAIN_SECONDS",
    "HTTPMiddleware",
    "access_log",
    "configure_access_log",
    "install",
    "without_middleware",
]
