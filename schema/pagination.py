"""Relay-style cursors and page sizes, shared by every collection."""

from __future__ import annotations

import base64
import binascii

import strawberry

from resolvers.errors import BadUserInput

MAX_PAGE_SIZE = 500


@strawberry.type(description="Where a page ends and whether more follow.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


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
