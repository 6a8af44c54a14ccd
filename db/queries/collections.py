"""Reading collections: keyset pages with filters, rows by key, published rows by area."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from db.kinds import Collection, EditableKind
from db.statements import Lookup, Statement
from gis import SRID
from gis.spatial import Where

Row = dict[str, Any]


def page(
    collection: Collection, where: Where, at: Any, limit: int, *, backward: bool = False
) -> Statement:
    """Up to ``limit`` rows whose key comes after ``at`` (None: from the start), in key
    order; ``backward``: those before ``at`` (None: from the end), last first."""
    if backward:
        at_clause, order = f"{collection.key} < :page_at", "DESC"
    else:
        at_clause, order = f"{collection.key} > :page_at", "ASC"
    sql = text(
        f"SELECT {collection.columns} FROM {collection.source} "
        f"WHERE {at_clause if at is not None else 'true'} AND {where.sql()} "
        f"ORDER BY {collection.key} {order} LIMIT :page_limit"
    )
    return Statement(sql, {**where.params, "page_at": at, "page_limit": limit})


def any_beyond(collection: Collection, where: Where, at: Any, *, before: bool) -> Statement:
    """Whether a matching row's key comes before ``at`` (or is it), or, not ``before``,
    after it (or is it): in a column found."""
    comparison = "<=" if before else ">="
    sql = text(
        f"SELECT EXISTS (SELECT 1 FROM {collection.source}"
        f" WHERE {collection.key} {comparison} :page_at AND {where.sql()}) AS found"
    )
    return Statement(sql, {**where.params, "page_at": at})


def count(collection: Collection, where: Where) -> Statement:
    """How many rows match, in a column named count."""
    sql = text(f"SELECT count(*) AS count FROM {collection.source} WHERE {where.sql()}")
    return Statement(sql, where.params)


def by_key(collection: Collection) -> Lookup[Any]:
    """The rows whose key is one of the keys asked for, whatever their status."""
    sql = text(
        f"SELECT {collection.columns} FROM {collection.source} WHERE {collection.key} = ANY(:keys)"
    )
    return Lookup(
        lambda keys: Statement(sql, {"keys": list(keys)}), key=collection.key.split(".")[-1]
    )


def records_by_id(kind: EditableKind) -> Lookup[int]:
    """Records of an editable kind by id, whatever their status."""
    return by_key(kind.collection)


def rows_by_id(conn: Connection, kind: EditableKind, ids: Sequence[int]) -> dict[int, Row]:
    return records_by_id(kind)(conn, ids)


def published_in(kind: EditableKind) -> Lookup[str]:
    """Published records held by each area or by any area inside it (codes embed their
    parents' codes), in id order."""
    collection = kind.collection
    sql = text(
        f"SELECT a.code AS for_key, {collection.columns}"
        f" FROM admin_area a JOIN {collection.source} ON {kind.area_key} LIKE a.code || '%'"
        f" WHERE a.code = ANY(:codes) AND {collection.status} = 'published'"
        f" ORDER BY a.code, {collection.key}"
    )
    return Lookup(lambda codes: Statement(sql, {"codes": list(codes)}), key="for_key", many=True)


@dataclass(frozen=True)
class AreaPage:
    """The same page of every area asked about: ``size`` records (one more is read, to
    tell whether more follow) after the key ``at``, or before it when ``backward``; only
    those whose kind column is in ``kinds`` when given."""

    size: int
    at: int | None = None
    backward: bool = False
    kinds: tuple[str, ...] | None = None


def published_in_pages(kind: EditableKind, page: AreaPage) -> Lookup[str]:
    """A page of each area's published records (its own and those of the areas inside
    it), in one statement for all the areas: ranked per area, cut per area."""
    collection = kind.collection
    comparison, order = ("<", "DESC") if page.backward else (">", "ASC")
    kinds = (
        f" AND {kind.alias}.{kind.kind_column} = ANY(:kinds)"
        if page.kinds is not None and kind.kind_column
        else ""
    )
    sql = text(
        f"SELECT * FROM (SELECT a.code AS for_key, {collection.columns},"
        f" row_number() OVER (PARTITION BY a.code ORDER BY {collection.key} {order}) AS page_n"
        f" FROM admin_area a JOIN {collection.source} ON {kind.area_key} LIKE a.code || '%'"
        f" WHERE a.code = ANY(:codes) AND {collection.status} = 'published'{kinds}"
        f" AND (CAST(:at AS bigint) IS NULL OR {collection.key} {comparison} :at)) ranked"
        f" WHERE page_n <= :limit ORDER BY for_key, page_n"
    )
    params = {"at": page.at, "limit": page.size + 1, "kinds": list(page.kinds or ())}
    return Lookup(
        lambda codes: Statement(sql, {**params, "codes": list(codes)}), key="for_key", many=True
    )


def published_in_counts(kind: EditableKind, kinds: tuple[str, ...] | None) -> Lookup[str]:
    """How many published records each area holds (its own and its inner areas')."""
    collection = kind.collection
    condition = (
        f" AND {kind.alias}.{kind.kind_column} = ANY(:kinds)"
        if kinds is not None and kind.kind_column
        else ""
    )
    sql = text(
        f"SELECT a.code AS for_key, count({collection.key}) AS count"
        f" FROM admin_area a LEFT JOIN {collection.source} ON {kind.area_key} LIKE a.code || '%'"
        f" AND {collection.status} = 'published'{condition}"
        " WHERE a.code = ANY(:codes) GROUP BY a.code"
    )
    return Lookup(
        lambda codes: Statement(sql, {"codes": list(codes), "kinds": list(kinds or ())}),
        key="for_key",
    )


def record_within(
    kind: EditableKind, record_id: int, bbox: tuple[float, float, float, float] | None
) -> Statement:
    """The record, if it intersects ``bbox`` (None: anywhere)."""
    collection = kind.collection
    sql = text(
        f"SELECT {collection.columns} FROM {collection.source} WHERE {collection.key} = :id"
        f" AND (CAST(:x1 AS float8) IS NULL OR ST_Intersects({collection.geometry},"
        f" ST_MakeEnvelope(:x1, :y1, :x2, :y2, {SRID})))"
    )
    x1, y1, x2, y2 = bbox if bbox is not None else (None, None, None, None)
    return Statement(sql, {"id": record_id, "x1": x1, "y1": y1, "x2": x2, "y2": y2})
