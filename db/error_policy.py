"""The one error policy: what a client is told of any exception, on every transport.

A ``RegistryError`` is shown as it is.  A failure of the database itself (no answer, a
timeout, a dropped connection) becomes ``Unavailable``, with the detail in the log only.
Anything else is logged with its traceback and the request id, and the client is told
"Internal server error" and that id: never a host, a port, SQL text or a stack trace.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar

import psycopg2
from sqlalchemy.exc import DBAPIError

from db.metrics import DATABASE_FAILURES, STATEMENT_TIMEOUTS, SUPPRESSED_LOG_LINES
from domain.errors import BadUserInput, InternalError, RegistryError, Text, Unavailable

log = logging.getLogger("registry")


class OncePerSecond(logging.Filter):
    """At most one line a second of each kind of failure (its message template): an outage
    hit by thousands of requests a second is one line a second in the log, not a flood;
    the lines left out are counted (and their number written on the next line)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.clock = clock
        self._last: dict[str, float] = {}
        self._left_out: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        kind = str(record.msg)
        now = self.clock()
        last = self._last.get(kind)
        if last is not None and now - last < 1.0:
            self._left_out[kind] = self._left_out.get(kind, 0) + 1
            SUPPRESSED_LOG_LINES.labels(kind[:40]).inc()
            return False
        self._last[kind] = now
        left_out = self._left_out.pop(kind, 0)
        if left_out:
            record.msg = f"{record.msg} [{left_out} more like this not logged]"
        return True


log.addFilter(OncePerSecond())

# The id of the request being answered, for the log and for the client's error report.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)

# psycopg2 reports a statement_timeout as SQLSTATE 57014 (query_canceled).
QUERY_CANCELED = "57014"
# Classes of SQLSTATE that say the server or the connection failed, not the statement:
# 08 connection exception, 53 insufficient resources, 57 operator intervention.
OUTAGE_CLASSES = ("08", "53", "57")


# What psycopg2 says of a string holding U+0000, which PostgreSQL's text cannot hold: the
# client's input, wherever it came in, not a fault of the server.
NUL_IN_TEXT = "cannot contain NUL (0x00) characters"


def public_error(error: BaseException) -> RegistryError:
    if isinstance(error, RegistryError):
        return error
    if isinstance(error, ValueError) and NUL_IN_TEXT in str(error):
        return BadUserInput(
            "文本不得含 NUL 字符（U+0000）/ text may not hold the NUL character (U+0000)"
        )
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
        STATEMENT_TIMEOUTS.inc()
        return Unavailable(
            Text(
                "查询超过服务器允许的时长，请缩小范围后重试",
                "the query ran longer than the server allows; narrow it and retry",
            )
        )
    outage = (
        invalidated
        or isinstance(driver_error, psycopg2.OperationalError | psycopg2.InterfaceError)
        or code[:2] in OUTAGE_CLASSES
    )
    if not outage:
        return None
    DATABASE_FAILURES.inc()
    log.error("database failure (request %s): %s", REQUEST_ID.get(), _first_line(driver_error))
    return Unavailable(
        Text("数据库未响应，请稍后重试", "the database is not answering; retry shortly")
    )


def _first_line(error: BaseException | None) -> str:
    lines = str(error).strip().splitlines() if error is not None else []
    return lines[0] if lines else type(error).__name__
