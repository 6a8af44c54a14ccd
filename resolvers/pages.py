"""Pages of a collection: cursors, page sizes, and a page with its lazily counted total."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.kinds import Collection, EditableKind
from db.queries import collections
from db.queries.edits import count_records_as_of, records_as_of
from domain.codes import check_area_code
from domain.errors import BadUserInput, Text
from domain.roles import require
from gis.spatial import Where
from resolvers.context import RegistryContext

MAX_PAGE_SIZE = 500
Row = dict[str, Any]


@dataclass(frozen=True)
class Page:
    """Up to ``first`` rows in key order, whether more follow, and the total on demand."""

    rows: list[Row]
    has_next: bool
    cursor_kind: str
    key: str
    count: Callable[[], Awaitable[int]]

    def cursor(self, row: Row) -> str:
        return encode_cursor(self.cursor_kind, row[self.key])


def check_first(first: int | None, default: int, maximum: int = MAX_PAGE_SIZE) -> int:
    """A page size: ``default`` when not given, else between 1 and ``maximum``."""
    first = default if first is None else first
    if first <= 0 or first > maximum:
        raise BadUserInput(
            Text(
                f"first 须在 1 至 {maximum} 之间，收到 {first}",
                f"first must be between 1 and {maximum}, got {first}",
            ),
            "first",
        )
    return first


def encode_cursor(kind: str, key: object) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode()


def decode_cursor(cursor: str | None, kind: str, field: str = "after") -> str | None:
    """The key inside a cursor made by ``encode_cursor`` for the same kind of record."""
    if cursor is None:
        return None
    try:
        prefix, _, key = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        prefix, key = "", ""
    if prefix != kind or not key:
        raise BadUserInput(
            Text(f"{field} 不是本集合的游标", f"{field} is not a cursor from this collection"),
            field,
        )
    return key


def decode_int_cursor(cursor: str | None, kind: str, field: str = "after") -> int | None:
    key = decode_cursor(cursor, kind, field)
    if key is None:
        return None
    if not key.isdigit():
        raise BadUserInput(
            Text(f"{field} 不是本集合的游标", f"{field} is not a cursor from this collection"),
            field,
        )
    return int(key)


def page_of_rows(
    rows: list[Row], *, first: int, after: str | None, cursor_kind: str, key: str
) -> Page:
    """A page of rows already in hand and in order; ``after`` is a cursor of one of them."""
    start = 0
    after_key = decode_cursor(after, cursor_kind)
    if after_key is not None:
        keys = [str(row[key]) for row in rows]
        if after_key not in keys:
            raise BadUserInput(
                Text("after 不是本列表的游标", "after is not a cursor of this list"), "after"
            )
        start = keys.index(after_key) + 1
    total = len(rows)

    async def count() -> int:
        return total

    return Page(
        rows=rows[start : start + first],
        has_next=start + first < total,
        cursor_kind=cursor_kind,
        key=key,
        count=count,
    )


@dataclass(frozen=True, kw_only=True)
class PageRequest:
    """A page of a collection, its input checked: the rows that match ``where``, up to
    ``first`` of them after the key ``after`` (None: from the start)."""

    collection: Collection
    where: Where
    first: int
    after: Any
    cursor_kind: str
    key: str = "id"


async def page_of(ctx: RegistryContext, request: PageRequest) -> Page:
    """One page of the rows a request asks for."""
    collection, where, first = request.collection, request.where, request.first
    rows = await ctx.database.fetch(collections.page(collection, where, request.after, first + 1))

    async def count() -> int:
        # Only when the client asks for totalCount.
        (found,) = await ctx.database.fetch(collections.count(collection, where))
        return int(found["count"])

    return Page(rows[:first], len(rows) > first, request.cursor_kind, request.key, count)


@dataclass(frozen=True, kw_only=True)
class AsOfQuery:
    """Records of a kind as they were at ``as_of``, with the filters time travel allows."""

    as_of: datetime
    first: int
    after: int | None
    status: str | None
    in_area: str | None
    kinds: list[str] | None
    # Arguments that cannot be combined with asOf, by GraphQL name: given ones are refused.
    unsupported: dict[str, Any]


async def page_as_of(ctx: RegistryContext, kind: EditableKind, query: AsOfQuery) -> Page:
    """Time travel: records as they were at ``query.as_of``, rebuilt from the revisions
    written since."""
    require(ctx.actor, "planner", "asOf")
    for name, value in query.unsupported.items():
        if value is not None:
            raise BadUserInput(
                Text(f"{name} 不能与 asOf 同时使用", f"{name} cannot be combined with asOf"), name
            )
    if query.as_of.tzinfo is None:
        raise BadUserInput(
            Text(
                "asOf 须带时区（如 2026-11-29T10:00:00+08:00）",
                "asOf needs a time zone (e.g. 2026-11-29T10:00:00+08:00)",
            ),
            "asOf",
        )
    filters = {
        "as_of": query.as_of,
        "status": query.status or "published",
        "kinds": query.kinds,
        "in_area": check_area_code(query.in_area, "inArea") if query.in_area is not None else None,
    }
    after, limit = query.after or 0, query.first + 1
    rows = await ctx.database.read(lambda conn: records_as_of(conn, kind, filters, after, limit))

    async def count() -> int:
        return await ctx.database.read(lambda conn: count_records_as_of(conn, kind, filters))

    return Page(rows[: query.first], len(rows) > query.first, kind.entity, "id", count)
