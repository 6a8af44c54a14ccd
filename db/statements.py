"""Reads as data: one SQL statement with its parameters, and batched lookups by key.

A read written this way runs either way: on a SQLAlchemy connection in a worker thread
(``Statement.rows``), or on the event loop itself through ``db.async_reads``, which sends
it with psycopg2's asynchronous protocol and pays neither a thread hop nor SQLAlchemy's
per-execution work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, TextClause

K = TypeVar("K")
Row = dict[str, Any]


@dataclass(frozen=True)
class Statement:
    """One read statement and its bound parameters."""

    sql: TextClause
    params: Mapping[str, Any]
    # Sent again and again with other values (compiled reads): kept prepared on each
    # connection that sends it from the event loop, so PostgreSQL plans it once there.
    prepare: bool = False

    def rows(self, conn: Connection) -> list[Row]:
        return [dict(row) for row in conn.execute(self.sql, dict(self.params)).mappings()]


@dataclass(frozen=True)
class Lookup(Generic[K]):
    """One statement for many keys, its rows arranged by the column ``key``: at most one
    row a key, or (``many``) a list a key, in the statement's order."""

    statement: Callable[[Sequence[K]], Statement]
    key: str
    many: bool = False

    def arrange(self, keys: Sequence[K], rows: list[Row]) -> dict[K, Any]:
        if not self.many:
            return {row[self.key]: row for row in rows}
        found: dict[K, list[Row]] = {key: [] for key in keys}
        for row in rows:
            found[row[self.key]].append(row)
        return found

    def __call__(self, conn: Connection, keys: Sequence[K]) -> dict[K, Any]:
        return self.arrange(keys, self.statement(keys).rows(conn))
