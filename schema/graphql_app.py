"""The GraphQL HTTP endpoint: strawberry's ASGI app with the registry's context."""

from __future__ import annotations

from typing import Any

import orjson
import strawberry
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.http import process_result as format_result
from strawberry.types import ExecutionResult

from db.engine import Database
from db.queries.users import user_for_token
from resolvers.auth import PUBLIC, Actor
from schema.context import Loaders, RegistryContext
from schema.errors import classify_errors
from schema.graphiql import offline_ide_html


class RegistryGraphQL(GraphQL[RegistryContext, None]):
    def __init__(self, schema: strawberry.Schema, database: Database, **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)
        self.database = database
        self._ide_html = offline_ide_html()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Resolves the bearer token before GraphQL sees the request: a bad one is a 401."""
        actor = PUBLIC
        if scope["type"] in ("http", "websocket"):
            header = dict(scope.get("headers") or []).get(b"authorization")
            if header is not None:
                found = self._actor_for(header.decode("latin-1"))
                if found is None:
                    response = JSONResponse(
                        {
                            "errors": [
                                {
                                    "message": "the bearer token is unknown or revoked",
                                    "extensions": {"code": "UNAUTHENTICATED"},
                                }
                            ]
                        },
                        status_code=401,
                        headers={"WWW-Authenticate": 'Bearer realm="registry"'},
                    )
                    await response(scope, receive, send)
                    return
                actor = found
        scope.setdefault("state", {})["actor"] = actor
        await super().__call__(scope, receive, send)

    def _actor_for(self, header: str) -> Actor | None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        with self.database.connect() as conn:
            user = user_for_token(conn, token.strip())
        return Actor(id=user["id"], name=user["name"], role=user["role"]) if user else None

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RegistryContext:
        return RegistryContext(
            database=self.database,
            loaders=Loaders(self.database),
            actor=request.scope.get("state", {}).get("actor", PUBLIC),
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = classify_errors(result.errors)
        return format_result(result)

    def encode_json(self, data: object) -> str:
        # Text, not bytes: graphql-transport-ws sends every message as a text frame.
        return orjson.dumps(data).decode()

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._ide_html)
