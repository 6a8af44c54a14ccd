"""Engines and the ``Database`` handle that the API uses to get connections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine

from db.settings import Settings


def make_engine(settings: Settings, url: str | None = None, **overrides: object) -> Engine:
    options: dict[str, object] = {
        "pool_size": settings.pool_size,
        "max_overflow": settings.pool_size,
        # A connection the server dropped fails one request and is replaced; pinging
        # before every checkout would cost a round trip on every request instead.
        "pool_recycle": 3600,
        "connect_args": {
            "options": f"-c statement_timeout={settings.statement_timeout_ms}",
            "application_name": "weihai-registry",
        },
    }
    options.update(overrides)
    return create_engine(url or settings.url_for(), **options)


def make_read_engine(settings: Settings, url: str | None = None, **overrides: object) -> Engine:
    """An engine whose connections commit each statement on its own: a request that only
    reads pays no BEGIN and ROLLBACK round trips.  Writes take a transaction explicitly."""
    return make_engine(settings, url, isolation_level="AUTOCOMMIT", **overrides)


class Database:
    """Hands out connections from an engine.

    Tests give every request the same connection inside a transaction that they roll
    back, through ``SharedConnectionDatabase``.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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

    def dispose(self) -> None:
        self.engine.dispose()


class SharedConnectionDatabase(Database):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection.engine)
        self.connection = connection

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        yield self.connection

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        # A savepoint inside the test's transaction: a failed write is undone alone.
        with self.connection.begin_nested():
            yield self.connection

    def dispose(self) -> None:
        pass
