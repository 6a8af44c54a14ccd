"""Reading collections: keyset pages with filters, rows by key, published rows by area."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from db.kinds import Collection, EditableKind
from gis import SRID
from gis.spatial import Where

Row = dict[str, Any]


def fetch_page(
    conn: Connection, collection: Collection, where: Where, after: Any, limit: int
) -> list[Row]:
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


def rows_by_key(conn: Connection, collection: Collection, keys: Sequence[Any]) -> dict[Any, Row]:
    """The rows whose key is one of ``keys``, by key, whatever their status."""
    key_name = collection.key.split(".")[-1]
    sql = text(
        f"SELECT {collection.columns} FROM {collection.source} WHERE {collection.key} = ANY(:keys)"
    )
    rows = conn.execute(sql, {"keys": list(keys)}).mappings()
    return {row[key_name]: dict(row) for row in rows}


def rows_by_id(conn: Connection, kind: EditableKind, ids: Sequence[int]) -> dict[int, Row]:
    """Records of an editable kind by id, whatever their status."""
    return rows_by_key(conn, kind.collection, ids)


def published_in_areas(
    conn: Connection, kind: EditableKind, codes: Sequence[str]
) -> dict[str, list[Row]]:
    """Published records held by each area or by any area inside it (codes embed their
    parents' codes), in id order."""
    collection = kind.collection
    sql = text(
        f"SELECT a.code AS for_key, {collection.columns}"
        f" FROM admin_area a JOIN {collection.source} ON {kind.area_key} LIKE a.code || '%'"
        f" WHERE a.code = ANY(:codes) AND {collection.status} = 'published'"
        f" ORDER BY a.code, {collection.key}"
    )
    found: dict[str, list[Row]] = {code: [] for code in codes}
    for row in conn.execute(sql, {"codes": list(codes)}).mappings():
        found[row["for_key"]].append(dict(row))
    return found


def row_within(
    conn: Connection,
    kind: EditableKind,
    record_id: int,
    bbox: tuple[float, float, float, float] | None,
) -> Row | None:
    """The record, if it intersects ``bbox`` (None: anywhere)."""
    collection = kind.collection
    sql = text(
        f"SELECT {collection.columns} FROM {collection.source} WHERE {collection.key} = :id"
        f" AND (CAST(:x1 AS float8) IS NULL OR ST_Intersects({collection.geometry},"
        f" ST_MakeEnvelope(:x1, :y1, :x2, :y2, {SRID})))"
    )
    x1, y1, x2, y2 = bbox if bbox is not None else (None, None, None, None)
    found = conn.execute(sql, {"id": record_id, "x1": x1, "y1": y1, "x2": x2, "y2": y2})
    row = found.mappings().first()
    return dict(row) if row is not None else None
