"""What one client may take of a worker: requests per second (token buckets, per client
address and per token), WebSockets per address, and well-formed WebSocket messages.

The buckets live in the worker's memory: with N workers a client gets up to N times its
rate, which bounds it all the same and costs no round trip to the database.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, cast

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message as WSMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import OperationMessage

from db.settings import Settings
from domain.errors import RateLimited, Text
from endpoints.errors import error_body

# Buckets kept per worker (least recently used dropped first): enough for every active
# client, bounded against a flood of addresses.
MAX_BUCKETS = 100_000
# Unknown tokens an address may bring: a burst of this many, then one a second; past
# that its requests with a token are refused for a while (guessing tokens gets nowhere).
FAILED_TOKENS_BURST = 20
FAILED_TOKENS_RATE = 1.0
# Map and GIS clients ask in many small, cacheable GETs (a tile each, GDAL's pages of ten
# features) what a GraphQL client asks in one request: each costs this share of one.
SMALL_READ_PREFIXES = ("/tiles/", "/ogc/")
SMALL_READ_COST = 0.25


def request_cost(scope: Scope) -> float:
    path = scope.get("path", "")
    if scope.get("method") == "GET" and path.startswith(SMALL_READ_PREFIXES):
        return SMALL_READ_COST
    return 1.0


class TooManySockets(RateLimited):
    """More WebSockets from one address than it may open."""

    def __init__(self) -> None:
        super().__init__(
            Text("此地址打开的 WebSocket 过多", "too many WebSockets open from this address"),
            extensions={"retryAfter": 5},
        )


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class SocketsPerAddress:
    def __init__(self, most: int) -> None:
        self.most = most
        self._open: dict[str, int] = {}

    def open(self, address: str) -> bool:
        count = self._open.get(address, 0)
        if count >= self.most:
            return False
        self._open[address] = count + 1
        return True

    def close(self, address: str) -> None:
        count = self._open.get(address, 0) - 1
        if count > 0:
            self._open[address] = count
        else:
            self._open.pop(address, None)


class TokenBuckets:
    """``rate`` requests a second per key, in bursts of up to ``burst``."""

    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str, cost: float = 1.0) -> float:
        """0 when the request may go ahead; else the seconds until it could."""
        now = self.clock()
        level, then = self._buckets.pop(key, (self.burst, now))
        level = min(self.burst, level + (now - then) * self.rate)
        if level >= cost:
            self._buckets[key] = (level - cost, now)
            wait = 0.0
        else:
            self._buckets[key] = (level, now)
            wait = (cost - level) / self.rate
        while len(self._buckets) > MAX_BUCKETS:
            self._buckets.popitem(last=False)
        return wait

    def wait(self, key: str) -> float:
        """Seconds until ``key`` could take one, without taking it."""
        if key not in self._buckets:
            return 0.0
        level, then = self._buckets[key]
        level = min(self.burst, level + (self.clock() - then) * self.rate)
        return 0.0 if level >= 1 else (1 - level) / self.rate


def _token_key(scope: Scope) -> str | None:
    """A digest of the request's token (header or ``access_token``), never the token."""
    token = dict(scope.get("headers") or []).get(b"authorization")
    if token is None and b"access_token=" in scope.get("query_string", b""):
        token = scope["query_string"]
    if token is None:
        return None
    return hashlib.blake2b(token, digest_size=16).hexdigest()


class RateLimits:
    """Pure ASGI middleware: 429 with ``Retry-After`` for a client over its rate (HTTP),
    close 1013 for a WebSocket opened over it.  Without a token a request counts against
    its address; with one, against the token (at the higher rate) — and an address whose
    requests bring unknown tokens again and again is refused for a while."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        burst = settings.rate_burst_seconds
        self.public = _buckets(settings.public_rate, burst)
        self.tokens = _buckets(settings.token_rate, burst)
        self.failed_tokens = TokenBuckets(FAILED_TOKENS_RATE, FAILED_TOKENS_BURST)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        token = _token_key(scope)
        cost = request_cost(scope)
        if token is None:
            wait = self.public.take(address, cost) if self.public else 0.0
        else:
            wait = self.failed_tokens.wait(address)
            if not wait and self.tokens:
                wait = self.tokens.take(token, cost)
        if wait > 0:
            await self._refuse(scope, send, wait)
            return
        if token is None:
            await self.app(scope, receive, send)
            return

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                self.failed_tokens.take(address)
            await send(message)

        await self.app(scope, receive, watch)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, wait: float) -> None:
        seconds = max(1, math.ceil(wait))
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013, "reason": "RATE_LIMITED"})
            return
        error = RateLimited(
            Text(
                f"请求过于频繁，请 {seconds} 秒后重试", f"too many requests; retry in {seconds} s"
            ),
            extensions={"retryAfter": seconds},
        )
        body, status = error_body(error)
        payload = orjson.dumps(body)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"retry-after", str(seconds).encode()),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _buckets(rate: int, burst_seconds: int) -> TokenBuckets | None:
    return TokenBuckets(rate, rate * burst_seconds) if rate else None


class TransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    """graphql-transport-ws, with every message that is not a JSON object closed 4400 as
    the protocol asks (strawberry's handler fails on ``null`` or an array)."""

    async def handle_message(self, message: Any) -> None:
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.handle_invalid_message(
                str(Text("消息须为含 type 的 JSON 对象", "invalid message"))
            )
            return
        await super().handle_message(cast(WSMessage, message))


class WSHandler(BaseGraphQLWSHandler[Any, Any]):
    """The older graphql-ws protocol, with the same answer to a message that is not a JSON
    object with a type: closed 4400 (strawberry's handler fails on it)."""

    async def handle_message(self, message: Any) -> None:
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.websocket.close(
                4400, str(Text("消息须为含 type 的 JSON 对象", "invalid message"))
            )
            return
        await super().handle_message(cast(OperationMessage, message))
