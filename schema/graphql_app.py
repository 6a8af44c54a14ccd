"""The GraphQL HTTP endpoint: strawberry's ASGI app with the registry's context."""

from __future__ import annotations

from typing import Any

import orjson
import strawberry
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.http import process_result as format_result
from strawberry.types import ExecutionResult

from db.engine import Database
from schema.context import Loaders, RegistryContext
from schema.errors import classify_errors
from schema.graphiql import offline_ide_html


class RegistryGraphQL(GraphQL[RegistryContext, None]):
    def __init__(self, schema: strawberry.Schema, database: Database, **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)
        self.database = database
        self._ide_html = offline_ide_html()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RegistryContext:
        return RegistryContext(database=self.database, loaders=Loaders(self.database))

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = classify_errors(result.errors)
        return format_result(result)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._ide_html)
