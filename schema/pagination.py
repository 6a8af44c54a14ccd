"""Relay-style cursors and page sizes, shared by every collection."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from resolvers.errors import BadUserInput

MAX_PAGE_SIZE = 500
T = TypeVar("T")


@strawberry.type(description="Where a page ends and whether more follow.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type(description="A page of records in key order; totalCount counts all pages.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], int]]

    @strawberry.field(description="How many records match the filters, on all pages.")
    def total_count(self) -> int:
        return self.count()


def make_connection(
    rows: list[dict[str, Any]],
    first: int,
    to_node: Callable[[dict[str, Any]], T],
    cursor_kind: str,
    key: str,
    count: Callable[[], int],
) -> Connection[T]:
    """A page from up to ``first + 1`` rows: the extra row only says another page follows."""
    edges = [
        Edge(node=to_node(row), cursor=encode_cursor(cursor_kind, row[key])) for row in rows[:first]
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None
        ),
        count=count,
    )


def check_first(first: int, maximum: int = MAX_PAGE_SIZE, field: str = "first") -> int:
    if first <= 0 or first > maximum:
        raise BadUserInput(f"{field} must be between 1 and {maximum}, got {first}", field)
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
        raise BadUserInput(f"{field} is not a cursor from this collection", field)
    return key


def decode_int_cursor(cursor: str | None, kind: str, field: str = "after") -> int | None:
    key = decode_cursor(cursor, kind, field)
    if key is None:
        return None
    if not key.isdigit():
        raise BadUserInput(f"{field} is not a cursor from this collection", field)
    return int(key)
