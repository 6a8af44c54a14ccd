"""Place names and village roads: collections, lookups by id, by area, and designations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from db.queries.pages import Collection, pending_columns, published_in_areas, rows_by_key
from gis import OUTPUT_DECIMALS

PLACE_NAME_COLUMNS = f"""
    p.id, p.standard_name, p.specific_part, p.generic_part, p.pinyin, p.category, p.meaning,
    p.origin, p.former_names, p.area_code, p.status, p.version,
    ST_AsGeoJSON(p.geom, {OUTPUT_DECIMALS})::json AS geometry,
    ARRAY(SELECT d.designation FROM place_name_designation d
          WHERE d.place_name_id = p.id ORDER BY d.designation) AS designations,
    {pending_columns("p")}
"""

PLACE_NAMES = Collection(
    source="place_name p",
    key="p.id",
    columns=PLACE_NAME_COLUMNS,
    geometry="p.geom",
    status="p.status",
    pending_status="p.pending_status",
)

VILLAGE_ROAD_COLUMNS = f"""
    r.id, r.name, r.pinyin, r.village_code, r.length_m, r.status, r.version,
    ST_AsGeoJSON(r.geom, {OUTPUT_DECIMALS})::json AS geometry, {pending_columns("r")}
"""

VILLAGE_ROADS = Collection(
    source="village_road r",
    key="r.id",
    columns=VILLAGE_ROAD_COLUMNS,
    geometry="r.geom",
    status="r.status",
    pending_status="r.pending_status",
)


def place_names_in_areas(conn: Connection, codes: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Published place names of each area and of the areas inside it."""
    return published_in_areas(conn, PLACE_NAMES, "p.area_code", codes)


def village_roads_in_areas(
    conn: Connection, codes: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Published village roads of each area and of the areas inside it."""
    return published_in_areas(conn, VILLAGE_ROADS, "r.village_code", codes)


def place_names_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    return rows_by_key(conn, PLACE_NAMES, ids)


def village_roads_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    return rows_by_key(conn, VILLAGE_ROADS, ids)
