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


Answer = Callable[[], Awaitable[bool]]


def known(answer: bool) -> Answer:
    """An answer already known, in the form of one that is asked for on demand."""

    async def given() -> bool:
        return answer

    return given


@dataclass(frozen=True)
class Page:
    """Rows in key order, whether rows follow and precede them (each asked for only when a
    client wants it), and the total on demand."""

    rows: list[Row]
    has_next: Answer
    cursor_kind: str
    key: str
    count: Callable[[], Awaitable[int]]
    has_previous: Answer

    def cursor(self, row: Row) -> str:
        return encode_cursor(self.cursor_kind, row[self.key])


@dataclass(frozen=True)
class Slice:
    """Which part of a collection a client asks for, as Relay's connections ask for it:
    ``size`` rows after the cursor (``first``/``after``), or, ``backward``, the last
    ``size`` rows before it (``last``/``before``); ``cursor`` is the raw text given."""

    size: int
    cursor: str | None
    backward: bool = False

    @property
    def cursor_field(self) -> str:
        return "before" if self.backward else "after"


def check_slice(
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    default: int,
    maximum: int = MAX_PAGE_SIZE,
) -> Slice:
    """Forward (``first``, ``after``) or backward (``last``, ``before``), never both."""
    if last is None and before is None:
        return Slice(check_first(first, default, maximum), after)
    if first is not None or after is not None:
        given = "first" if first is not None else "after"
        raise BadUserInput(
            Text(
                f"{given} 与 last/before 不能同时使用：向前翻用 first/after，向后翻用 last/before",
                f"{given} cannot be combined with last/before: page forward with first and"
                " after, backward with last and before",
            ),
            given,
        )
    return Slice(check_first(last, default, maximum, "last"), before, backward=True)


def check_first(
    first: int | None, default: int, maximum: int = MAX_PAGE_SIZE, field: str = "first"
) -> int:
    """A page size (``first``, or ``last`` as ``field``): ``default`` when not given, else
    between 1 and ``maximum``."""
    first = default if first is None else first
    if first <= 0 or first > maximum:
        raise BadUserInput(
            Text(
                f"{field} 须在 1 至 {maximum} 之间，收到 {first}",
                f"{field} must be between 1 and {maximum}, got {first}",
            ),
            field,
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


def page_of_rows(rows: list[Row], *, part: Slice, cursor_kind: str, key: str) -> Page:
    """A page of rows already in hand and in order; the cursor is one of theirs."""
    keys = [str(row[key]) for row in rows]
    at = decode_cursor(part.cursor, cursor_kind, part.cursor_field)
    if at is not None and at not in keys:
        raise BadUserInput(
            Text(
                f"{part.cursor_field} 不是本列表的游标",
                f"{part.cursor_field} is not a cursor of this list",
            ),
            part.cursor_field,
        )
    if part.backward:
        end = keys.index(at) if at is not None else len(rows)
        start = max(0, end - part.size)
    else:
        start = keys.index(at) + 1 if at is not None else 0
        end = min(len(rows), start + part.size)
    total = len(rows)

    async def count() -> int:
        return total

    return Page(
        rows=rows[start:end],
        has_next=known(end < total),
        cursor_kind=cursor_kind,
        key=key,
        count=count,
        has_previous=known(start > 0),
    )


@dataclass(frozen=True, kw_only=True)
class PageRequest:
    """A page of a collection, its input checked: the rows that match ``where``, ``first``
    of them after the key ``after`` (None: from the start), or, ``backward``, the last
    ``first`` before the key ``before`` (None: up to the end)."""

    collection: Collection
    where: Where
    first: int
    after: Any
    cursor_kind: str
    key: str = "id"
    before: Any = None
    backward: bool = False


async def page_of(ctx: RegistryContext, request: PageRequest) -> Page:
    """One page of the rows a request asks for."""
    collection, where, size = request.collection, request.where, request.first
    at = request.before if request.backward else request.after
    rows = await ctx.database.fetch(
        collections.page(collection, where, at, size + 1, backward=request.backward)
    )
    more = len(rows) > size
    rows = rows[:size]
    if request.backward:
        rows.reverse()

    async def count() -> int:
        # Only when the client asks for totalCount.
        (found,) = await ctx.database.fetch(collections.count(collection, where))
        return int(found["count"])

    async def beyond() -> bool:
        # Rows on the cursor's far side: asked only when the client wants to know.
        if at is None:
            return False
        found = await ctx.database.fetch(
            collections.any_beyond(collection, where, at, before=not request.backward)
        )
        return bool(found[0]["found"])

    if request.backward:
        return Page(rows, beyond, request.cursor_kind, request.key, count, known(more))
    return Page(rows, known(more), request.cursor_kind, request.key, count, beyond)


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

    return Page(
        rows[: query.first],
        known(len(rows) > query.first),
        kind.entity,
        "id",
        count,
        known(query.after is not None),
    )
