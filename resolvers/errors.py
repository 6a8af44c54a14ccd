"""Domain errors and the GraphQL error code each one carries.

Resolvers raise these; ``schema.errors`` turns them into GraphQL errors with
``extensions.code``.  Anything else that escapes a resolver is masked as an internal error:
a client never sees a stack trace or SQL text.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError

log = logging.getLogger("registry")

# psycopg2 reports a statement_timeout as SQLSTATE 57014 (query_canceled).
QUERY_CANCELED = "57014"


class RegistryError(Exception):
    """An error whose message is safe to show to the client."""

    def __init__(
        self, message: str, field: str | None = None, extensions: dict[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extensions = extensions or {}


class BadUserInput(RegistryError):
    """An argument is malformed or out of range; ``field`` names it."""


class NotFound(RegistryError):
    """A referenced record does not exist."""


class Forbidden(RegistryError):
    """The caller's role may not do this."""


class VersionConflict(RegistryError):
    """An edit names a version that is no longer the current one."""


class Unavailable(RegistryError):
    """The database did not answer in time; the client may retry."""


ERROR_CODES: dict[type[RegistryError], str] = {
    BadUserInput: "BAD_USER_INPUT",
    NotFound: "NOT_FOUND",
    Forbidden: "FORBIDDEN",
    VersionConflict: "VERSION_CONFLICT",
    Unavailable: "SERVICE_UNAVAILABLE",
}

INTERNAL_ERROR_CODE = "INTERNAL_SERVER_ERROR"


def code_for(error: RegistryError) -> str:
    for cls in type(error).__mro__:
        if cls in ERROR_CODES:
            return ERROR_CODES[cls]
    return INTERNAL_ERROR_CODE


# The HTTP endpoints outside GraphQL (tiles, OGC API Features) answer with these statuses.
HTTP_STATUSES: dict[str, int] = {
    "BAD_USER_INPUT": 400,
    "NOT_FOUND": 404,
    "FORBIDDEN": 403,
    "VERSION_CONFLICT": 409,
    "SERVICE_UNAVAILABLE": 503,
}


def unavailable(error: OperationalError) -> Unavailable:
    """What a client is told when the database fails it: a timeout, or no answer at all."""
    if getattr(error.orig, "pgcode", None) == QUERY_CANCELED:
        return Unavailable("the query ran longer than the server allows; narrow it and retry")
    log.error("database error", exc_info=error)
    return Unavailable("the database is not answering; retry shortly")
