"""PostgreSQL LISTEN/NOTIFY, fanned out: one listening connection per process, shared by
every subscriber of every channel.

PostgreSQL delivers a NOTIFY only after its transaction commits, so a subscriber never
hears of a change that was rolled back.  The connection is opened (off the event loop)
when the first subscriber arrives and closed when the last one leaves; its socket is
watched by the event loop, so no thread waits on it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from psycopg2 import sql
from sqlalchemy import Engine

from db.metrics import SUBSCRIPTIONS
from domain.errors import Unavailable

# A subscriber that falls this far behind is dropped rather than let its queue grow.
MAX_QUEUED = 1_000


class _Closed:
    """Put in a subscriber's queue when it can hear nothing more."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class Notifications:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Any = None  # psycopg2's own connection: poll(), notifies
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queues: dict[str, set[asyncio.Queue[str | _Closed]]] = {}
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[asyncio.Queue[str | _Closed]]:
        """A queue of the channel's payloads for as long as the block lasts."""
        queue: asyncio.Queue[str | _Closed] = asyncio.Queue(MAX_QUEUED)
        async with self._lock:
            await self._listen(channel)
            self._queues.setdefault(channel, set()).add(queue)
        SUBSCRIPTIONS.inc()
        try:
            yield queue
        finally:
            SUBSCRIPTIONS.dec()
            async with self._lock:
                self._queues.get(channel, set()).discard(queue)
                if not self._queues.get(channel):
                    self._queues.pop(channel, None)
                if not self._queues:
                    self._close()

    async def payloads(self, channel: str) -> AsyncIterator[str]:
        """The channel's payloads as they come; ends with ``Unavailable`` if the
        connection is lost."""
        async with self.subscribe(channel) as queue:
            while True:
                item = await queue.get()
                if isinstance(item, _Closed):
                    raise Unavailable(item.reason)
                yield item

    async def _listen(self, channel: str) -> None:
        if self._connection is None:
            self._connection = await anyio.to_thread.run_sync(self._connect)
            self._loop = asyncio.get_running_loop()
        elif channel in self._queues:
            return
        connection, loop = self._connection, self._loop
        assert loop is not None

        def listen() -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))

        # One thread at a time uses the connection: the event loop stops watching it while
        # a worker thread sends LISTEN, and hands on what arrived meanwhile.
        loop.remove_reader(connection.fileno())
        try:
            await anyio.to_thread.run_sync(listen)
        except Exception:
            self._fail("the database stopped answering; subscribe again shortly")
            raise
        loop.add_reader(connection.fileno(), self._readable)
        self._deliver()

    def _connect(self) -> Any:
        raw = self.engine.raw_connection()
        raw.detach()  # its own for as long as anyone listens, never back to the pool
        connection = raw.dbapi_connection
        assert connection is not None
        connection.autocommit = True
        return connection

    def _readable(self) -> None:
        try:
            self._connection.poll()
        except Exception:  # the server went away: every subscriber is told, and ends
            self._fail("the database stopped answering; subscribe again shortly")
            return
        self._deliver()

    def _deliver(self) -> None:
        connection = self._connection
        while connection.notifies:
            notice = connection.notifies.pop(0)
            for queue in list(self._queues.get(notice.channel, ())):
                try:
                    queue.put_nowait(notice.payload)
                except asyncio.QueueFull:
                    self._queues[notice.channel].discard(queue)
                    with contextlib.suppress(asyncio.QueueFull):
                        queue.get_nowait()
                        queue.put_nowait(_Closed("the subscriber fell too far behind"))

    def _fail(self, reason: str) -> None:
        for queues in self._queues.values():
            for queue in queues:
                with contextlib.suppress(asyncio.QueueFull):
                    while not queue.empty():
                        queue.get_nowait()
                    queue.put_nowait(_Closed(reason))
        self._queues.clear()
        self._close()

    def _close(self) -> None:
        if self._connection is None:
            return
        if self._loop is not None:
            with contextlib.suppress(Exception):
                self._loop.remove_reader(self._connection.fileno())
        with contextlib.suppress(Exception):
            self._connection.close()
        self._connection = None
        self._loop = None

    async def close(self) -> None:
        async with self._lock:
            self._fail("the server is shutting down")
