"""The one error policy: what a client is told of any exception, on every transport.

A ``RegistryError`` is shown as it is.  A failure of the database itself (no answer, a
timeout, a dropped connection) becomes ``Unavailable``, with the detail in the log only.
Anything else is logged with its traceback and the request id, and the client is told
"Internal server error" and that id: never a host, a port, SQL text or a stack trace.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

import psycopg2
from sqlalchemy.exc import DBAPIError

from domain.errors import InternalError, RegistryError, Unavailable

log = logging.getLogger("registry")

# The id of the request being answered, for the log and for the client's error report.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)

# psycopg2 reports a statement_timeout as SQLSTATE 57014 (query_canceled).
QUERY_CANCELED = "57014"
# Classes of SQLSTATE that say the server or the connection failed, not the statement:
# 08 connection exception, 53 insufficient resources, 57 operator intervention.
OUTAGE_CLASSES = ("08", "53", "57")


def public_error(error: BaseException) -> RegistryError:
    if isinstance(error, RegistryError):
        return error
    failure = database_failure(error)
    if failure is not None:
        return failure
    request_id = REQUEST_ID.get()
    log.error("unexpected error (request %s)", request_id, exc_info=error)
    return InternalError(request_id)


def database_failure(error: BaseException) -> Unavailable | None:
    """``Unavailable`` for a failure of the database itself, or None.  ``error`` may be
    SQLAlchemy's wrapper or psycopg2's own (from a raw connection)."""
    if isinstance(error, DBAPIError):
        driver_error: BaseException | None = error.orig
        invalidated = error.connection_invalidated
    elif isinstance(error, psycopg2.Error):
        driver_error, invalidated = error, False
    else:
        return None
    code = getattr(driver_error, "pgcode", None) or ""
    if code == QUERY_CANCELED:
        return Unavailable("the query ran longer than the server allows; narrow it and retry")
    outage = (
        invalidated
        or isinstance(driver_error, psycopg2.OperationalError | psycopg2.InterfaceError)
        or code[:2] in OUTAGE_CLASSES
    )
    if not outage:
        return None
    log.error("database failure (request %s): %s", REQUEST_ID.get(), _first_line(driver_error))
    return Unavailable("the database is not answering; retry shortly")


def _first_line(error: BaseException | None) -> str:
    lines = str(error).strip().splitlines() if error is not None else []
    return lines[0] if lines else type(error).__name__
