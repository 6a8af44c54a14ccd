"""What the registry tells its operators: one JSON line per request (with its request id,
the same as the ``X-Request-ID`` header the client got), a warning for each request
slower than ``slow_request_ms``, and the Prometheus figures served at ``/metrics``."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from db.error_policy import REQUEST_ID
from db.metrics import LATENCY, POOL_IN_USE, REJECTED, REQUESTS, WEBSOCKETS, exposition
from db.settings import Settings

access_log = logging.getLogger("registry.access")
# Access lines wait at most this long before they are written.
FLUSH_SECONDS = 0.25
# The connections-in-use figure is brought up to date at most this often.
POOL_FIGURE_SECONDS = 0.1
slow_log = logging.getLogger("registry.slow")

# The first segment of a path names its endpoint in the figures (bounded: anything else
# is "other").
ENDPOINTS = frozenset(
    {"graphql", "tiles", "ogc", "exports", "reports", "healthz", "metrics", "map", "assets"}
)
# Refusals made before any answer says which limit (the rate limiter's), by outcome.
LIMIT_OUTCOMES = {"rate_limited": "rate"}


def endpoint_of(path: str) -> str:
    first = path.strip("/").split("/", 1)[0]
    return first if first in ENDPOINTS else ("map" if first == "" else "other")


class Observability:
    """Pure ASGI middleware around every request and WebSocket."""

    def __init__(
        self, app: ASGIApp, settings: Settings, connections_in_use: Callable[[], int]
    ) -> None:
        self.app = app
        self.slow_seconds = settings.slow_request_ms / 1000
        self.connections_in_use = connections_in_use
        self._lines = ACCESS_LINES
        self._pool_set_at = 0.0
        # Each figure's labelled series, looked up once (the labels are few and bounded).
        self._requests: dict[tuple[str, str, str], Any] = {}
        self._latency: dict[str, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            WEBSOCKETS.inc()
            try:
                await self.app(scope, receive, send)
            finally:
                WEBSOCKETS.dec()
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        sent = 0

        async def watch(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            self._record(scope, status, sent, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, sent: int, seconds: float) -> None:
        endpoint = endpoint_of(scope.get("path", ""))
        state = scope.get("state") or {}
        answer = state.get("graphql")
        operation = getattr(answer, "operation", None) or ""
        outcome = getattr(answer, "outcome", None) or _outcome(status)
        limit = getattr(answer, "limit", None) or LIMIT_OUTCOMES.get(outcome)
        key = (endpoint, operation, outcome)
        requests = self._requests.get(key)
        if requests is None:
            requests = self._requests[key] = REQUESTS.labels(*key)
        requests.inc()
        latency = self._latency.get(endpoint)
        if latency is None:
            latency = self._latency[endpoint] = LATENCY.labels(endpoint)
        latency.observe(seconds)
        if limit:
            REJECTED.labels(limit).inc()
        now = time.monotonic()
        if now - self._pool_set_at > POOL_FIGURE_SECONDS:
            self._pool_set_at = now
            POOL_IN_USE.set(self.connections_in_use())
        line = {
            "time": round(time.time(), 3),
            "requestId": REQUEST_ID.get(),
            "client": (scope.get("client") or ("", 0))[0],
            "method": scope.get("method"),
            "path": scope.get("path"),
            "status": status,
            "bytes": sent,
            "ms": round(seconds * 1000, 1),
            "operation": operation or None,
            "outcome": outcome,
        }
        if access_log.isEnabledFor(logging.INFO):
            self._lines.add(orjson.dumps(line).decode())
        if self.slow_seconds and seconds >= self.slow_seconds:
            query = getattr(answer, "query", None)
            slow_log.warning(
                orjson.dumps({**line, "slow": True, "query": (query or "")[:1000]}).decode()
            )


class AccessLines:
    """The access log's lines, handed to ``logging`` a few at a time: one JSON line per
    request all the same, without a log record's cost on every request."""

    def __init__(self) -> None:
        self._waiting: list[str] = []

    def add(self, line: str) -> None:
        self._waiting.append(line)
        if len(self._waiting) == 1:
            try:
                asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush)
            except RuntimeError:  # no event loop: written at once
                self.flush()

    def flush(self) -> None:
        lines, self._waiting = self._waiting, []
        if lines:
            access_log.info("\n".join(lines))


# One per process: what the workers' event loops have not written yet, flushed at shutdown.
ACCESS_LINES = AccessLines()


def _outcome(status: int) -> str:
    if status == 429:
        return "rate_limited"
    if status == 413:
        return "payload_too_large"
    if status >= 500:
        return "unavailable" if status == 503 else "error"
    return "ok" if status < 400 else "refused"


async def metrics(request: Request) -> Response:
    body, content_type = exposition()
    return Response(body, media_type=content_type)


def metrics_routes() -> list[Route]:
    return [Route("/metrics", metrics, methods=["GET"])]
