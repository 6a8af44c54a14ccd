"""Engines and the ``Database`` handle the application gets its connections from.

SQLAlchemy and psycopg2 block; the application is asynchronous.  No database call blocks
the event loop (other requests, WebSockets, /healthz):

- a single read statement (``db.statements``) goes through ``Database.fetch``, sent with
  psycopg2's asynchronous protocol and waited for on the loop (``db.async_reads``);
- any other work is a plain function of a connection, run in a worker thread by
  ``Database.read`` (autocommit), ``Database.write`` (one transaction) or ``Database.run``.

At most as many threads (and asynchronous reads) work at once as the pool keeps
connections: a burst waits its turn instead of exhausting PostgreSQL's connections.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, make_url

from db.async_reads import AsyncReads
from db.settings import Settings
from db.statements import Row, Statement

T = TypeVar("T")
APPLICATION_NAME = "weihai-registry"


def make_engine(settings: Settings, url: str | None = None, **overrides: object) -> Engine:
    options: dict[str, object] = {
        "pool_size": settings.pool_size,
        "max_overflow": settings.pool_size,
        # A connection the server dropped fails one request and is replaced; pinging
        # before every checkout would cost a round trip on every request instead.
        "pool_recycle": 3600,
    }
    options.update(overrides)
    # In the URL rather than in connect_args, so that every connection made from it (the
    # asynchronous ones of db.async_reads too) has them.
    full_url = make_url(url or settings.url_for()).update_query_dict(
        {
            # JIT compiling costs a few hundred milliseconds that these short statements
            # never win back.
            "options": f"-c statement_timeout={settings.statement_timeout_ms} -c jit=off",
            "application_name": APPLICATION_NAME,
        }
    )
    return create_engine(full_url, **options)


def make_read_engine(settings: Settings, url: str | None = None, **overrides: object) -> Engine:
    """An engine whose connections commit each statement on its own: a request that only
    reads pays no BEGIN and ROLLBACK round trips.  Writes take a transaction explicitly."""
    return make_engine(settings, url, isolation_level="AUTOCOMMIT", **overrides)


class Database:
    """Hands out connections from an engine, to work run off the event loop."""

    def __init__(self, engine: Engine, threads: int | None = None) -> None:
        self.engine = engine
        # The pool's steady size: each thread holds at most one pooled connection at a
        # time, and the pool's overflow is left for short-lived extra ones.
        pool_size = getattr(engine.pool, "size", lambda: 5)()
        self.threads = threads or max(1, pool_size)
        # A plain executor: a hop through it costs about two thirds of anyio's
        # to_thread (measured here: 140 against 200 µs of CPU), and every read pays one.
        self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="database")
        self._reads = AsyncReads(engine, self.threads)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection inside a READ COMMITTED transaction: committed when the block ends,
        rolled back (nothing written) when it raises."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="READ COMMITTED")
            with conn.begin():
                yield conn

    async def fetch(self, statement: Statement) -> list[Row]:
        """The rows of one read statement, waited for on the event loop (no thread)."""
        return await self._reads.fetch(statement)

    async def run(self, work: Callable[[Database], T]) -> T:
        """``work(self)`` in a worker thread: for work that takes its own connections."""
        # The request's context (its id, for the log) goes with the work into the thread.
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, context.run, work, self)

    async def read(self, work: Callable[[Connection], T]) -> T:
        """``work(conn)`` in a worker thread, on a connection that commits each statement."""

        def on_connection(database: Database) -> T:
            with database.connect() as conn:
                return work(conn)

        return await self.run(on_connection)

    async def write(self, work: Callable[[Connection], T]) -> T:
        """``work(conn)`` in a worker thread, inside one transaction: all of it or none."""

        def in_transaction(database: Database) -> T:
            with database.transaction() as conn:
                return work(conn)

        return await self.run(in_transaction)

    def connections_in_use(self) -> int:
        """Connections working for requests now: checked out of the pool, and reads sent
        from the event loop."""
        checked_out = getattr(self.engine.pool, "checkedout", lambda: 0)()
        return int(checked_out) + self._reads.busy

    def dispose(self) -> None:
        self._executor.shutdown(wait=False)
        self._reads.close()
        self.engine.dispose()


class SharedConnectionDatabase(Database):
    """Every request on one connection, inside a transaction the tests roll back.

    One thread at a time uses it: a connection serves one statement at a time."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection.engine, threads=1)
        self.connection = connection
        self._lock = threading.RLock()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._lock:
            yield self.connection

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        # A savepoint inside the test's transaction: a failed write is undone alone.
        with self._lock, self.connection.begin_nested():
            yield self.connection

    def dispose(self) -> None:
        self._executor.shutdown(wait=False)

    async def fetch(self, statement: Statement) -> list[Row]:
        # On the test's own connection, inside its transaction: what the test wrote shows.
        return await self.read(statement.rows)
