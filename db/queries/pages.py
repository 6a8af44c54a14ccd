"""Keyset pagination shared by every collection: pages ordered by a unique key."""

from __future__ import annotations

from collections.abc import Sequence
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
    geometry: str  # the column spatial filters apply to
    status: str | None = None  # the lifecycle status column, for records that have one
    pending_status: str | None = None  # the status of a pending change of a published record


def pending_columns(alias: str) -> str:
    """An editable record's pending change, with its proposer's name."""
    return (
        f"{alias}.pending, {alias}.pending_status,"
        f" CASE WHEN {alias}.pending_by IS NOT NULL THEN"
        f" (SELECT u.name FROM app_user u WHERE u.id = {alias}.pending_by) END AS pending_by_name"
    )


def fetch_page(
    conn: Connection, collection: Collection, where: Where, after: Any, limit: int
) -> list[dict[str, Any]]:
    """Up to ``limit`` rows whose key comes after ``after`` (None: from the start)."""
    after_clause = f"{collection.key} > :page_after" if after is not None else "true"
    sql = text(
        f"SELECT {collection.columns} FROM {collection.source} "
        f"WHERE {after_clause} AND {where.sql()} "
        f"ORDER BY {collection.key} LIMIT :page_limit"
    )
    params = {**where.params, "page_after": after, "page_limit": limit}
    return [dict(row) for row in conn.execute(sql, params).mappings()]


def count_rows(conn: Connection, collection: Collection, where: Where) -> int:
    sql = text(f"SELECT count(*) FROM {collection.source} WHERE {where.sql()}")
    return int(conn.execute(sql, where.params).scalar_one())


def rows_by_key(conn: Connection, collection: Collection, keys: Sequence[Any]) -> dict[Any, Any]:
    """The rows whose key is one of ``keys``, by key, whatever their status."""
    key_name = collection.key.split(".")[-1]
    sql = text(
        f"SELECT {collection.columns} FROM {collection.source} WHERE {collection.key} = ANY(:keys)"
    )
    rows = conn.execute(sql, {"keys": list(keys)}).mappings()
    return {row[key_name]: dict(row) for row in rows}


def published_in_areas(
    conn: Connection, collection: Collection, area_column: str, codes: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Published rows held by each area or by any area inside it (codes embed their
    parents' codes), in key order."""
    sql = text(
        f"SELECT a.code AS for_key, {collection.columns}"
        f" FROM admin_area a JOIN {collection.source} ON {area_column} LIKE a.code || '%'"
        f" WHERE a.code = ANY(:codes) AND {collection.status} = 'published'"
        f" ORDER BY a.code, {collection.key}"
    )
    found: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
    for row in conn.execute(sql, {"codes": list(codes)}).mappings():
        found[row["for_key"]].append(dict(row))
    return found
