"""Errors and request ids for every HTTP endpoint outside GraphQL (tiles, OGC API, health).

Each request gets an id (the client's ``X-Request-ID`` when it sends a sane one), kept
for the log of anything that goes wrong and returned in the ``X-Request-ID`` header.
Errors become ``{"code", "description"}`` (as OGC API exceptions are written) with the
status of their code, through the one error policy (``db.error_policy.public_error``).
"""

from __future__ import annotations

import itertools
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg2
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from db.error_policy import REQUEST_ID, public_error
from domain.errors import HTTP_STATUSES, LANGUAGE, LANGUAGES, RegistryError, code_for

REQUEST_ID_HEADER = "x-request-id"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Ids made here: a random prefix per process and a counter, unique without a system call
# per request (uuid4 reads the kernel's random pool every time, which costs here).
_PREFIX = secrets.token_hex(4)
_COUNTER = itertools.count(1)


def preferred_language(accept_language: str) -> str:
    """The language of the messages, from an Accept-Language header: Chinese (the default,
    and for any zh-*) or English, whichever the client ranks higher; q=0 refuses one."""
    best, best_q = LANGUAGES[0], -1.0
    for position, item in enumerate(accept_language.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES and primary != "*":
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if primary == "*":
            primary = LANGUAGES[0]
        # Ties go to the one listed first, as clients list them in their order.
        if q > 0 and q - position * 1e-6 > best_q:
            best, best_q = primary, q - position * 1e-6
    return best


def new_request_id() -> str:
    return f"{_PREFIX}{next(_COUNTER):012x}"


def error_body(error: BaseException) -> tuple[dict[str, object], int]:
    shown = public_error(error)
    code = code_for(shown)
    body: dict[str, object] = {"code": code, "description": shown.message}
    if shown.field:
        body["field"] = shown.field
    body.update(shown.extensions)
    return body, HTTP_STATUSES.get(code, 500)


async def error_response(request: Request, error: Exception) -> Response:
    body, status = error_body(error)
    return JSONResponse(body, status)


def exception_handlers() -> dict[Any, Callable[[Request, Exception], Awaitable[Response]]]:
    """Starlette's handlers for every endpoint outside GraphQL: the errors the policy knows
    are answered where they arise; anything else too, and then also logged by the server."""
    return {
        RegistryError: error_response,
        SQLAlchemyError: error_response,
        psycopg2.Error: error_response,  # from the reads sent on the event loop
        Exception: error_response,
    }


class RequestIds:
    """Pure ASGI middleware: one id per request or WebSocket connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_headers = dict(scope.get("headers") or [])
        given = request_headers.get(REQUEST_ID_HEADER.encode(), b"")
        text = given.decode("latin-1")
        request_id = text if text and _SANE_ID.fullmatch(text) else new_request_id()
        token = REQUEST_ID.set(request_id)
        asked = request_headers.get(b"accept-language", b"").decode("latin-1")
        language = LANGUAGE.set(preferred_language(asked))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                headers.append((b"vary", b"Accept-Language"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            LANGUAGE.reset(language)
            REQUEST_ID.reset(token)
