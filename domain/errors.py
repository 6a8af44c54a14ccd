"""Domain errors: one small hierarchy, one table of the code each carries.

Every transport answers with these codes (GraphQL ``extensions.code`` over HTTP and
WebSocket; the JSON body and status of the tile and OGC endpoints).  Anything that is not
a ``RegistryError`` is an internal error: logged on the server with the request id, shown
to the client as "Internal server error" and nothing more.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

INTERNAL_ERROR_CODE = "INTERNAL_SERVER_ERROR"

# The languages messages are written in; the first is the default.
LANGUAGES = ("zh", "en")
# The language of the request being answered (from its Accept-Language; set by the
# transports, once per request or WebSocket).
LANGUAGE: ContextVar[str] = ContextVar("language", default=LANGUAGES[0])


@dataclass(frozen=True, slots=True)
class Text:
    """A message in Chinese and in English; shown in the request's language."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.en if LANGUAGE.get() == "en" else self.zh

    def __add__(self, other: Text) -> Text:
        return Text(self.zh + other.zh, self.en + other.en)


INTERNAL_ERROR_MESSAGE = Text("服务器内部错误", "Internal server error")


class RegistryError(Exception):
    """An error whose message is safe to show to the client.  ``message`` is given as a
    ``Text`` (Chinese and English) and read in the request's language."""

    def __init__(
        self,
        message: str | Text,
        field: str | None = None,
        extensions: dict[str, object] | None = None,
    ) -> None:
        self.text = message if isinstance(message, Text) else Text(message, message)
        super().__init__(self.text.en)
        self.field = field
        self.extensions = extensions or {}

    @property
    def message(self) -> str:
        return str(self.text)


class BadUserInput(RegistryError):
    """An argument is malformed or out of range; ``field`` names it."""


class Unauthenticated(RegistryError):
    """The bearer token is unknown or revoked."""


class NotFound(RegistryError):
    """A referenced record does not exist."""


class Forbidden(RegistryError):
    """The caller's role may not do this."""


class VersionConflict(RegistryError):
    """An edit names a version that is no longer the current one."""


class Unavailable(RegistryError):
    """The database did not answer in time; the client may retry."""


class QueryTooComplex(RegistryError):
    """A query asks for more than one request may cost (depth, aliases, tokens, estimated
    cost or response size); ``extensions`` name the limit and the figure."""


class RateLimited(RegistryError):
    """The caller sent more requests than its rate allows; ``extensions.retryAfter`` says
    how many seconds to wait."""


class InternalError(RegistryError):
    """Anything unexpected, as the client sees it: no detail, only the request id that
    finds the detail in the server's log."""

    def __init__(self, request_id: str | None) -> None:
        super().__init__(
            INTERNAL_ERROR_MESSAGE, extensions={"requestId": request_id} if request_id else None
        )


ERROR_CODES: dict[type[RegistryError], str] = {
    BadUserInput: "BAD_USER_INPUT",
    Unauthenticated: "UNAUTHENTICATED",
    NotFound: "NOT_FOUND",
    Forbidden: "FORBIDDEN",
    VersionConflict: "VERSION_CONFLICT",
    Unavailable: "SERVICE_UNAVAILABLE",
    QueryTooComplex: "QUERY_TOO_COMPLEX",
    RateLimited: "RATE_LIMITED",
    InternalError: INTERNAL_ERROR_CODE,
}

# The endpoints outside GraphQL (tiles, OGC API, health) answer with these statuses; a
# GraphQL response over HTTP has the statuses of GraphQL over HTTP (endpoints.graphql_http).
HTTP_STATUSES: dict[str, int] = {
    "BAD_USER_INPUT": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "VERSION_CONFLICT": 409,
    "QUERY_TOO_COMPLEX": 400,
    "RATE_LIMITED": 429,
    "SERVICE_UNAVAILABLE": 503,
    INTERNAL_ERROR_CODE: 500,
}


def code_for(error: RegistryError) -> str:
    for cls in type(error).__mro__:
        if cls in ERROR_CODES:
            return ERROR_CODES[cls]
    return INTERNAL_ERROR_CODE
