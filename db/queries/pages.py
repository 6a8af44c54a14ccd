"""Keyset pagination shared by every collection: pages ordered by a unique key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from gis.filters import Where


@dataclass(frozen=True)
class Collection:
    """Where a collection's rows come from; all fragments are fixed SQL, never client text."""

    source: str  # FROM clause, with its alias
    key: str  # unique, ordered: pages follow it
    columns: str
    base_filter: str  # what every reader sees (e.g. published records only)
    geometry: str  # the column spatial filters apply to


def fetch_page(
    conn: Connection, collection: Collection, where: Where, after: Any, limit: int
) -> list[dict[str, Any]]:
    """Up to ``limit`` rows whose key comes after ``after`` (None: from the start)."""
    after_clause = f"{collection.key} > :page_after" if after is not None else "true"
    sql = text(
        f"SELECT {collection.columns} FROM {collection.source} "
        f"WHERE {collection.base_filter} AND {after_clause} AND {where.sql()} "
        f"ORDER BY {collection.key} LIMIT :page_limit"
    )
    params = {**where.params, "page_after": after, "page_limit": limit}
    return [dict(row) for row in conn.execute(sql, params).mappings()]


def count_rows(conn: Connection, collection: Collection, where: Where) -> int:
    sql = text(
        f"SELECT count(*) FROM {collection.source} WHERE {collection.base_filter} AND {where.sql()}"
    )
    return int(conn.execute(sql, where.params).scalar_one())
