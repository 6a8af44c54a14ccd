"""Read statements sent from the event loop itself, with psycopg2's asynchronous protocol.

Most requests make one or two small reads.  Sent this way, a read waits on the socket
through the event loop like any other I/O: no worker thread, and none of SQLAlchemy's
per-execution work (here, a read costs about a quarter of the CPU it costs through a
thread and a SQLAlchemy connection).  Connections are psycopg2's own, made with the
engine's URL (statement timeout and application name included), always in autocommit, as
reads need; work that writes, or runs several statements, goes through ``Database.read``
and ``Database.write`` instead.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from typing import Any

import psycopg2
import psycopg2.extensions
from sqlalchemy import Engine, text
from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2

from db.statements import Row, Statement

_DIALECT = PGDialect_psycopg2()  # type: ignore[no-untyped-call]
# Distinct statement texts whose psycopg2 form is kept (most are module constants).
COMPILED_CACHE_SIZE = 1024


@functools.lru_cache(maxsize=COMPILED_CACHE_SIZE)
def psycopg2_sql(sql: str) -> str:
    """SQLAlchemy's ``:name`` parameters as psycopg2's ``%(name)s``, ``%`` escaped."""
    return str(text(sql).compile(dialect=_DIALECT))


class AsyncReads:
    def __init__(self, engine: Engine, size: int) -> None:
        self._connect_args, self._connect_kwargs = engine.dialect.create_connect_args(engine.url)
        self.size = size
        self._idle: list[Any] = []
        # A semaphore belongs to one event loop; tests run several loops in turn.
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    async def fetch(self, statement: Statement) -> list[Row]:
        sql, params = psycopg2_sql(str(statement.sql)), dict(statement.params)
        async with self._slot():
            reused = bool(self._idle)
            connection = self._idle.pop() if reused else await self._connect()
            try:
                return await self._run(connection, sql, params)
            except psycopg2.extensions.QueryCanceledError:
                raise  # a timeout: sending it again would only take as long again
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                if not reused:
                    raise
            # A connection that sat idle may have been dropped by the server (a restart,
            # an idle timeout): the read is sent once more, on a new connection.
            return await self._run(await self._connect(), sql, params)

    async def _run(self, connection: Any, sql: str, params: dict[str, Any]) -> list[Row]:
        try:
            cursor = connection.cursor()
            cursor.execute(sql, params)
            await _wait(connection)
            columns = [column.name for column in cursor.description or ()]
            rows = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
            cursor.close()
        except BaseException:
            # Failed, timed out or cancelled mid-statement: never handed out again.
            connection.close()
            raise
        self._idle.append(connection)
        return rows

    def _slot(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        slot = self._slots.get(loop)
        if slot is None:
            slot = self._slots[loop] = asyncio.Semaphore(self.size)
        return slot

    async def _connect(self) -> Any:
        connection = psycopg2.connect(*self._connect_args, **self._connect_kwargs, async_=1)
        try:
            await _wait(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()


async def _wait(connection: Any) -> None:
    """Until psycopg2 has done what it was asked, waiting on its socket in the loop."""
    loop = asyncio.get_running_loop()
    while True:
        state = connection.poll()
        if state == psycopg2.extensions.POLL_OK:
            return
        ready: asyncio.Future[None] = loop.create_future()
        descriptor = connection.fileno()
        if state == psycopg2.extensions.POLL_READ:
            loop.add_reader(descriptor, _done, ready)
            try:
                await ready
            finally:
                loop.remove_reader(descriptor)
        elif state == psycopg2.extensions.POLL_WRITE:
            loop.add_writer(descriptor, _done, ready)
            try:
                await ready
            finally:
                loop.remove_writer(descriptor)
        else:
            raise psycopg2.OperationalError(f"unexpected poll state {state}")


def _done(ready: asyncio.Future[None]) -> None:
    if not ready.done():
        ready.set_result(None)
