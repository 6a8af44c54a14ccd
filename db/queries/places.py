"""Place names and village roads: collections, lookups by id, by area, and designations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from db.queries.pages import Collection
from gis import OUTPUT_DECIMALS

PLACE_NAME_COLUMNS = f"""
    p.id, p.standard_name, p.specific_part, p.generic_part, p.pinyin, p.category, p.meaning,
    p.origin, p.former_names, p.area_code, p.status, p.version,
    ST_AsGeoJSON(p.geom, {OUTPUT_DECIMALS})::json AS geometry,
    ARRAY(SELECT d.designation FROM place_name_designation d
          WHERE d.place_name_id = p.id ORDER BY d.designation) AS designations
"""

PLACE_NAMES = Collection(
    source="place_name p",
    key="p.id",
    columns=PLACE_NAME_COLUMNS,
    geometry="p.geom",
    status="p.status",
)

VILLAGE_ROAD_COLUMNS = f"""
    r.id, r.name, r.pinyin, r.village_code, r.length_m, r.status, r.version,
    ST_AsGeoJSON(r.geom, {OUTPUT_DECIMALS})::json AS geometry
"""

VILLAGE_ROADS = Collection(
    source="village_road r",
    key="r.id",
    columns=VILLAGE_ROAD_COLUMNS,
    geometry="r.geom",
    status="r.status",
)


def _grouped(rows: Any, codes: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
    for row in rows:
        found[row["for_key"]].append(dict(row))
    return found


def place_names_in_areas(conn: Connection, codes: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Published place names of each area and of the areas inside it."""
    rows = conn.execute(
        text(
            f"""
            SELECT a.code AS for_key, {PLACE_NAME_COLUMNS}
            FROM admin_area a JOIN place_name p ON p.area_code LIKE a.code || '%'
            WHERE a.code = ANY(:codes) AND p.status = 'published'
            ORDER BY a.code, p.id
            """
        ),
        {"codes": list(codes)},
    ).mappings()
    return _grouped(rows, codes)


def village_roads_in_areas(
    conn: Connection, codes: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Published village roads of each area and of the areas inside it."""
    rows = conn.execute(
        text(
            f"""
            SELECT a.code AS for_key, {VILLAGE_ROAD_COLUMNS}
            FROM admin_area a JOIN village_road r ON r.village_code LIKE a.code || '%'
            WHERE a.code = ANY(:codes) AND r.status = 'published'
            ORDER BY a.code, r.id
            """
        ),
        {"codes": list(codes)},
    ).mappings()
    return _grouped(rows, codes)


def place_names_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    rows = conn.execute(
        text(f"SELECT {PLACE_NAME_COLUMNS} FROM place_name p WHERE p.id = ANY(:ids)"),
        {"ids": list(ids)},
    ).mappings()
    return {row["id"]: dict(row) for row in rows}


def village_roads_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    rows = conn.execute(
        text(f"SELECT {VILLAGE_ROAD_COLUMNS} FROM village_road r WHERE r.id = ANY(:ids)"),
        {"ids": list(ids)},
    ).mappings()
    return {row["id"]: dict(row) for row in rows}
