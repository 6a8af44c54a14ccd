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
import contextlib
import functools
import re
import weakref
from collections.abc import AsyncIterator
from typing import Any

import psycopg2
import psycopg2.extensions
from sqlalchemy import Engine, text
from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2

from db.statements import Row, Statement

_UNPREPARABLE: set[str] = set()
_DIALECT = PGDialect_psycopg2()  # type: ignore[no-untyped-call]
# Distinct statement texts whose psycopg2 form is kept (most are module constants).
COMPILED_CACHE_SIZE = 1024


# Statements kept prepared on one connection; beyond this the connection forgets them all.
PREPARED_PER_CONNECTION = 256
# A bound parameter in SQLAlchemy's text(): ``:name``, not a ``::`` cast.
_PARAMETER = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")


@functools.lru_cache(maxsize=COMPILED_CACHE_SIZE)
def psycopg2_sql(sql: str) -> str:
    """SQLAlchemy's ``:name`` parameters as psycopg2's ``%(name)s``, ``%`` escaped."""
    return str(text(sql).compile(dialect=_DIALECT))


@functools.lru_cache(maxsize=COMPILED_CACHE_SIZE)
def positional_sql(sql: str) -> tuple[str, tuple[str, ...]]:
    """``:name`` parameters as ``$1``, ``$2``… for PREPARE, and the names in that order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return _PARAMETER.sub(number, sql), tuple(names)


class PreparingConnection(psycopg2.extensions.connection):  # type: ignore[misc]
    """A connection that remembers the statements it has prepared, by their text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prepared: dict[str, str] = {}


class AsyncReads:
    def __init__(self, engine: Engine, size: int) -> None:
        self._connect_args, self._connect_kwargs = engine.dialect.create_connect_args(engine.url)
        self.size = size
        # Reads being sent or waited for now (the figures' "connections in use").
        self.busy = 0
        self._idle: list[Any] = []
        # A semaphore belongs to one event loop; tests run several loops in turn.
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    async def fetch(self, statement: Statement) -> list[Row]:
        if statement.prepare and statement.sql.text not in _UNPREPARABLE:
            sql, params = statement.sql.text, dict(statement.params)
            run = self._run_prepared
        else:
            sql, params = psycopg2_sql(statement.sql.text), dict(statement.params)
            run = self._run
        async with self._slot(), self._counted():
            reused = bool(self._idle)
            connection = self._idle.pop() if reused else await self._connect()
            try:
                return await run(connection, sql, params)
            except psycopg2.extensions.QueryCanceledError:
                raise  # a timeout: sending it again would only take as long again
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                if not reused:
                    raise
            # A connection that sat idle may have been dropped by the server (a restart,
            # an idle timeout): the read is sent once more, on a new connection.
            return await run(await self._connect(), sql, params)

    async def _run_prepared(self, connection: Any, sql: str, params: dict[str, Any]) -> list[Row]:
        """The statement prepared once on this connection, then executed by name."""
        positional, names = positional_sql(sql)
        name = connection.prepared.get(sql)
        if name is None:
            if len(connection.prepared) >= PREPARED_PER_CONNECTION:
                await self._execute(connection, "DEALLOCATE ALL", None)
                connection.prepared.clear()
            name = f"registry_{len(connection.prepared) + 1}"
            try:
                await self._execute(connection, f"PREPARE {name} AS {positional}", None)
            except psycopg2.ProgrammingError:
                # PostgreSQL could not tell a parameter's type: sent as it is from now on
                # (the connection was closed with the failed statement).
                _UNPREPARABLE.add(sql)
                return await self._run(await self._connect(), psycopg2_sql(sql), params)
            connection.prepared[sql] = name
        arguments = ", ".join(["%s"] * len(names))
        execute = f"EXECUTE {name}({arguments})" if names else f"EXECUTE {name}"
        return await self._run(connection, execute, tuple(params[n] for n in names))

    async def _run(self, connection: Any, sql: str, params: Any) -> list[Row]:
        rows = await self._execute(connection, sql, params)
        self._idle.append(connection)
        return rows

    async def _execute(self, connection: Any, sql: str, params: Any) -> list[Row]:
        try:
            cursor = connection.cursor()
            cursor.execute(sql, params)
            await _wait(connection)
            columns = [column.name for column in cursor.description or ()]
            found = cursor.fetchall() if cursor.description is not None else []
            rows = [dict(zip(columns, values, strict=True)) for values in found]
            cursor.close()
        except BaseException:
            # Failed, timed out or cancelled mid-statement: never handed out again.
            connection.close()
            raise
        return rows

    @contextlib.asynccontextmanager
    async def _counted(self) -> AsyncIterator[None]:
        self.busy += 1
        try:
            yield
        finally:
            self.busy -= 1

    def _slot(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        slot = self._slots.get(loop)
        if slot is None:
            slot = self._slots[loop] = asyncio.Semaphore(self.size)
        return slot

    async def _connect(self) -> Any:
        connection = psycopg2.connect(
            *self._connect_args,
            **self._connect_kwargs,
            connection_factory=PreparingConnection,
            async_=1,
        )
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
