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
        "pool_pre_ping": True,
        "connect_args": {
            "options": f"-c statement_timeout={settings.statement_timeout_ms}",
            "application_name": "weihai-registry",
        },
    }
    options.update(overrides)
    return create_engine(url or settings.url_for(), **options)


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

    def dispose(self) -> None:
        self.engine.dispose()


class SharedConnectionDatabase(Database):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection.engine)
        self.connection = connection

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        yield self.connection

    def dispose(self) -> None:
        pass
