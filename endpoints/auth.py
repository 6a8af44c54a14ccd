"""Who is asking: the bearer token of a request, checked against the users' tokens.

GraphQL takes the token from the Authorization header only.  Downloads and reports, which
a planner opens by pasting a link into a browser, also take it as ``?access_token=`` (RFC
6750, section 2.3); such links hold a secret and are for the planner's own use.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Scope

from db.engine import Database
from db.notifications import Notifications
from db.queries.users import user_for_token
from db.settings import Settings
from domain.errors import Text, Unauthenticated
from domain.roles import PUBLIC, Actor
from resolvers.context import Loaders, RegistryContext


def bearer_token(scope: Scope) -> str | None:
    """The token of the Authorization header; None without the header."""
    header: bytes | None = dict(scope.get("headers") or []).get(b"authorization")
    if header is None:
        return None
    scheme, _, token = header.decode("latin-1").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated(Text("令牌无效或已吊销", "the bearer token is unknown or revoked"))
    return token


async def actor_for(database: Database, token: str | None) -> Actor:
    """The user a token belongs to; the public without a token."""
    if token is None:
        return PUBLIC
    user = await database.read(lambda conn: user_for_token(conn, token))
    if user is None:
        raise Unauthenticated(Text("令牌无效或已吊销", "the bearer token is unknown or revoked"))
    return Actor(id=user["id"], name=user["name"], role=user["role"])


class RequestContexts:
    """The registry's context for a plain HTTP request, with its caller."""

    def __init__(self, database: Database, settings: Settings, notifications: Notifications):
        self.database = database
        self.settings = settings
        self.notifications = notifications

    async def __call__(self, request: Request) -> RegistryContext:
        token = bearer_token(request.scope)
        if token is None:
            token = request.query_params.get("access_token") or None
        actor: Actor = await actor_for(self.database, token)
        return RegistryContext(
            database=self.database,
            settings=self.settings,
            notifications=self.notifications,
            loaders=Loaders(self.database),
            actor=actor,
        )
