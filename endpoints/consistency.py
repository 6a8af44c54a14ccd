"""Every request's ``Route`` (see ``db.routing``): the consistency token it carries in, the
one its writes carry out, and which servers answered it.

``X-Consistency-Token`` on a request: a WAL position from an earlier response; no server
that has not replayed past it answers.  On a response: the position after this request's
writes (also in a GraphQL response's ``extensions.consistencyToken``).
``X-Served-By`` on a response names the servers that answered (``primary``, ``replica1``…).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from db.routing import ROUTE, ConsistencyTokenError, Route, parse_lsn
from domain.errors import BadUserInput, Text
from endpoints.errors import error_response

CONSISTENCY_HEADER = "X-Consistency-Token"
SERVED_BY_HEADER = "X-Served-By"


def route_for(token: str | None) -> Route:
    """A request's route, or ``BAD_USER_INPUT`` naming the header."""
    if not token:
        return Route()
    try:
        return Route(min_lsn=parse_lsn(token))
    except ConsistencyTokenError:
        raise BadUserInput(
            Text(
                f"{CONSISTENCY_HEADER} 须为先前响应给出的 WAL 位置（如 0/16B3748）",
                f"{CONSISTENCY_HEADER} must be a WAL position an earlier response gave"
                " (such as 0/16B3748)",
            ),
            field=CONSISTENCY_HEADER,
        ) from None


class Consistency:
    """Pure ASGI middleware: sets the request's route; a WebSocket (subscriptions, which
    LISTEN on the primary) is routed to the primary for its whole life."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        token = headers.get(CONSISTENCY_HEADER.lower().encode(), b"").decode("latin-1")
        if scope["type"] == "websocket":
            route = Route()
            route.pin_to_primary()
        else:
            try:
                route = route_for(token.strip() or None)
            except BadUserInput as error:
                response = await error_response(Request(scope), error)
                await response(scope, receive, send)
                return
        reset = ROUTE.set(route)

        async def send_with_route(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = []
                if route.consistency_token is not None:
                    extra.append((CONSISTENCY_HEADER.encode(), route.consistency_token.encode()))
                if route.served_by:
                    served_by = ",".join(sorted(route.served_by))
                    extra.append((SERVED_BY_HEADER.encode(), served_by.encode()))
                if extra:
                    message = {**message, "headers": [*(message.get("headers") or []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_route)
        finally:
            ROUTE.reset(reset)
