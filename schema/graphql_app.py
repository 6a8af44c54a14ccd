"""The GraphQL HTTP endpoint: strawberry's ASGI app with the registry's context."""

from __future__ import annotations

from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from db.engine import Database
from schema.context import Loaders, RegistryContext
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

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._ide_html)
