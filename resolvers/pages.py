"""Fetching one page of a collection and its lazily counted total."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from strawberry.types import Info

from db.queries.edits import Editable, count_records_as_of, records_as_of
from db.queries.pages import Collection, count_rows, fetch_page
from gis.filters import Where
from resolvers.auth import require
from resolvers.errors import BadUserInput
from resolvers.filters import check_area_code
from schema.context import RegistryContext
from schema.lifecycle import LifecycleStatus
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


def page_as_of(
    info: Info[RegistryContext, None],
    spec: Editable,
    as_of: datetime,
    first: int,
    after: int | None,
    status: LifecycleStatus | None,
    in_area: str | None,
    kinds: list[str] | None,
    unsupported: dict[str, Any],
    to_node: Callable[[dict[str, Any]], T],
    cursor_kind: str,
) -> Connection[T]:
    """Time travel: records as they were at ``as_of``, rebuilt from the revisions written
    since.  Attribute filters only; ``unsupported`` holds the arguments that cannot be
    combined with it, by GraphQL name."""
    require(info.context.actor, "planner", "asOf")
    for name, value in unsupported.items():
        if value is not None:
            raise BadUserInput(f"{name} cannot be combined with asOf", name)
    if as_of.tzinfo is None:
        raise BadUserInput("asOf needs a time zone (e.g. 2026-11-29T10:00:00+08:00)", "asOf")
    filters = {
        "as_of": as_of,
        "status": (status or LifecycleStatus.PUBLISHED).value,
        "kinds": kinds,
        "in_area": check_area_code(in_area, "inArea") if in_area is not None else None,
    }
    database = info.context.database
    with database.connect() as conn:
        rows = records_as_of(conn, spec, filters, after or 0, first + 1)

    def count() -> int:
        with database.connect() as conn:
            return count_records_as_of(conn, spec, filters)

    return make_connection(rows, first, to_node, cursor_kind, "id", count)
