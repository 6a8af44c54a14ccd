"""Fetching one page of a collection and its lazily counted total."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strawberry.types import Info

from db.queries.pages import Collection, count_rows, fetch_page
from gis.filters import Where
from schema.context import RegistryContext
from schema.pagination import Connection, T, make_connection


def page_of(
    info: Info[RegistryContext, None],
    collection: Collection,
    where: Where,
    first: int,
    after: Any,
    to_node: Callable[[dict[str, Any]], T],
    cursor_kind: str,
    key: str = "id",
) -> Connection[T]:
    database = info.context.database
    with database.connect() as conn:
        rows = fetch_page(conn, collection, where, after, first + 1)

    def count() -> int:
        # Only when the client asks for totalCount.
        with database.connect() as conn:
            return count_rows(conn, collection, where)

    return make_connection(rows, first, to_node, cursor_kind, key, count)
