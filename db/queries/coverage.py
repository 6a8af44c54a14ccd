"""Coverage: which villages of an area have a service within reach, straight or by road.

A village is measured from its representative point; by road, from its nearest network
node to the nearest network node of a service, along the road network (pgRouting).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from gis.filters import geodesic_box_sql

# The whole network, as pgRouting reads it: every road can be driven both ways.
ROAD_EDGES_SQL = (
    "SELECT id, source, target, length_m AS cost, length_m AS reverse_cost FROM road_edge"
)

_VILLAGES_OF_AREA = """
    SELECT v.code, v.name, v.level, v.parent_code, v.households, v.elderly, v.rep_point
    FROM admin_area v
    WHERE v.level = 'village' AND v.code LIKE :area_code || '%'
"""

_COVERAGE_BY_RADIUS = text(
    f"""
    SELECT v.code, v.name, v.level, v.parent_code, v.households, v.elderly,
           EXISTS (
               SELECT 1 FROM service s
               WHERE s.status = 'published' AND s.kind = ANY(:kinds)
                 AND s.geom && {geodesic_box_sql("v.rep_point", ":radius_m")}
                 AND ST_DWithin(s.geom::geography, v.rep_point::geography, :radius_m)
           ) AS covered
    FROM ({_VILLAGES_OF_AREA}) v
    ORDER BY v.code
    """
)

_COVERAGE_BY_ROAD = text(
    f"""
    WITH service_nodes AS (
        SELECT DISTINCT nearest.id
        FROM service s
        CROSS JOIN LATERAL (
            SELECT n.id FROM road_node n ORDER BY n.geom <-> s.geom LIMIT 1
        ) nearest
        WHERE s.status = 'published' AND s.kind = ANY(:kinds)
    ),
    reached AS (
        SELECT DISTINCT node FROM pgr_drivingDistance(
            :edges_sql, (SELECT array_agg(id) FROM service_nodes), :road_m,
            directed => false, equicost => true)
    )
    SELECT v.code, v.name, v.level, v.parent_code, v.households, v.elderly,
           EXISTS (SELECT 1 FROM reached r WHERE r.node = nearest.id) AS covered
    FROM ({_VILLAGES_OF_AREA}) v
    CROSS JOIN LATERAL (
        SELECT n.id FROM road_node n ORDER BY n.geom <-> v.rep_point LIMIT 1
    ) nearest
    ORDER BY v.code
    """
)


def coverage_by_radius(
    conn: Connection, area_code: str, kinds: Sequence[str], radius_m: float
) -> list[dict[str, Any]]:
    """Every village of the area with ``covered``: a service within ``radius_m`` geodesic metres."""
    params = {"area_code": area_code, "kinds": list(kinds), "radius_m": radius_m}
    return [dict(row) for row in conn.execute(_COVERAGE_BY_RADIUS, params).mappings()]


def coverage_by_road(
    conn: Connection, area_code: str, kinds: Sequence[str], road_m: float
) -> list[dict[str, Any]]:
    """Every village of the area with ``covered``: a service within ``road_m`` along the roads."""
    params = {
        "area_code": area_code,
        "kinds": list(kinds),
        "road_m": road_m,
        "edges_sql": ROAD_EDGES_SQL,
    }
    return [dict(row) for row in conn.execute(_COVERAGE_BY_ROAD, params).mappings()]


def area_exists(conn: Connection, code: str) -> bool:
    return bool(
        conn.execute(text("SELECT 1 FROM admin_area WHERE code = :c"), {"c": code}).scalar()
    )
