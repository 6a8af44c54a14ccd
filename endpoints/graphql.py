"""The GraphQL endpoint, over HTTP and graphql-transport-ws: strawberry's ASGI app with
the registry's context, behind the bearer-token check."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from db.engine import Database
from db.error_policy import public_error
from db.notifications import Notifications
from db.settings import Settings
from domain.errors import HTTP_STATUSES, code_for
from domain.roles import PUBLIC, Actor
from endpoints.assets import offline_ide_html
from endpoints.auth import actor_for, bearer_token
from endpoints.compiled_reads import CompiledReads
from endpoints.graphql_http import GraphQLOverHTTP
from endpoints.limits import (
    SocketsPerAddress,
    TooManySockets,
    TransportWSHandler,
    WSHandler,
    client_address,
)
from resolvers.context import Loaders, RegistryContext
from schema import RegistrySchema

# Close codes of a WebSocket refused before it starts: graphql-ws's "unauthorized", and
# the standard "try again later" for a database that does not answer.
CLOSE_CODES = {"UNAUTHENTICATED": 4401, "SERVICE_UNAVAILABLE": 1013, "RATE_LIMITED": 1013}
WEBSOCKET_PROTOCOLS = ("graphql-transport-ws", "graphql-ws")


def _asks_for_ide(scope: Scope) -> bool:
    """A browser opening /graphql (GET, HTML accepted, no query): the GraphiQL page."""
    if scope.get("method") != "GET" or b"query=" in scope.get("query_string", b""):
        return False
    return "text/html" in Headers(scope=scope).get("accept", "")


class RegistryGraphQL(GraphQL[RegistryContext, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = WSHandler

    def __init__(
        self,
        schema: RegistrySchema,
        *,
        database: Database,
        settings: Settings,
        notifications: Notifications,
        **kwargs: Any,
    ) -> None:
        super().__init__(schema, **kwargs)
        self.database = database
        self.settings = settings
        self.notifications = notifications
        self._ide_html = offline_ide_html()
        self.max_subscriptions_per_connection = settings.max_subscriptions_per_socket
        self.http = GraphQLOverHTTP(
            schema, settings, CompiledReads(schema, database, settings), self.context_for
        )
        self.sockets = SocketsPerAddress(settings.max_sockets_per_address)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Resolves the bearer token before GraphQL sees the request: a bad one is a 401,
        a database that cannot check it a 503."""
        if scope["type"] in ("http", "websocket"):
            try:
                actor = await self._actor(scope)
            except Exception as error:
                await self._refuse(scope, receive, send, error)
                return
            scope.setdefault("state", {})["actor"] = actor
            if scope["type"] == "http" and not _asks_for_ide(scope):
                answer = await self.http(scope, receive, send, actor)
                scope["state"]["graphql"] = answer
                return
            if scope["type"] == "websocket":
                address = client_address(scope)
                if not self.sockets.open(address):
                    await self._refuse(scope, receive, send, TooManySockets())
                    return
                try:
                    await super().__call__(scope, receive, send)
                finally:
                    self.sockets.close(address)
                return
        await super().__call__(scope, receive, send)

    async def _actor(self, scope: Scope) -> Actor:
        return await actor_for(self.database, bearer_token(scope))

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, error: Exception) -> None:
        shown = public_error(error)
        code = code_for(shown)
        if scope["type"] == "websocket":
            websocket = WebSocket(scope, receive, send)
            offered = [
                p for p in WEBSOCKET_PROTOCOLS if p in websocket.scope.get("subprotocols", [])
            ]
            await websocket.accept(subprotocol=offered[0] if offered else None)
            reason = f"{code}: {shown.message}".encode()
            # A close frame's reason holds at most 123 bytes (Chinese takes 3 a character).
            shortened = reason[:123].decode(errors="ignore")
            await websocket.close(CLOSE_CODES.get(code, 1011), shortened)
            return
        headers = (
            {"WWW-Authenticate": 'Bearer realm="registry"'} if code == "UNAUTHENTICATED" else {}
        )
        response = JSONResponse(
            {
                "errors": [
                    {"message": shown.message, "extensions": {**shown.extensions, "code": code}}
                ]
            },
            status_code=HTTP_STATUSES.get(code, 500),
            headers=headers,
        )
        await response(scope, receive, send)

    def context_for(self, actor: Actor) -> RegistryContext:
        return RegistryContext(
            database=self.database,
            settings=self.settings,
            notifications=self.notifications,
            loaders=Loaders(self.database),
            actor=actor,
        )

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RegistryContext:
        return self.context_for(request.scope.get("state", {}).get("actor", PUBLIC))

    def encode_json(self, data: object) -> str:
        # Text, not bytes: graphql-transport-ws sends every message as a text frame.
        return orjson.dumps(data).decode()

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self._ide_html)
