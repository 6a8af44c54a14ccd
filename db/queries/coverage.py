"""Coverage: which villages of an area have a service within reach, straight or by road.

A village is measured from its representative point; by road, from its nearest network
node to the nearest network node of a service, along the road network (pgRouting).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from db.statements import Lookup, Statement
from gis.spatial import geodesic_box_sql

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


def villages_of(conn: Connection, area_code: str) -> list[dict[str, Any]]:
    """The villages of an area (or the village itself), by code."""
    sql = text(f"SELECT * FROM ({_VILLAGES_OF_AREA}) v ORDER BY v.code")
    return [dict(row) for row in conn.execute(sql, {"area_code": area_code}).mappings()]


def area_exists(conn: Connection, code: str) -> bool:
    return bool(
        conn.execute(text("SELECT 1 FROM admin_area WHERE code = :c"), {"c": code}).scalar()
    )


_SERVICE_NODES = """
    SELECT s.id, s.supply, nearest.id AS node
    FROM (SELECT id, geom, coalesce(beds, meal_capacity, 0) AS supply FROM service
          WHERE status = 'published' AND kind = ANY(:kinds)) s
    CROSS JOIN LATERAL (
        SELECT n.id FROM road_node n ORDER BY n.geom <-> s.geom LIMIT 1
    ) nearest
"""

_VILLAGE_NODES = """
    SELECT v.code, v.elderly, nearest.id AS node
    FROM admin_area v
    CROSS JOIN LATERAL (
        SELECT n.id FROM road_node n ORDER BY n.geom <-> v.rep_point LIMIT 1
    ) nearest
    WHERE v.level = 'village'
"""

_PAIRS_BY_RADIUS = text(
    f"""
    SELECT v.code, v.elderly, s.id AS service_id, coalesce(s.beds, s.meal_capacity, 0) AS supply
    FROM admin_area v
    JOIN service s
      ON s.status = 'published' AND s.kind = ANY(:kinds)
     AND s.geom && {geodesic_box_sql("v.rep_point", ":metres")}
     AND ST_DWithin(s.geom::geography, v.rep_point::geography, :metres)
    WHERE v.level = 'village'
    """
)

_PAIRS_BY_ROAD = text(
    f"""
    WITH service_nodes AS ({_SERVICE_NODES}),
    reach AS (
        SELECT from_v, node FROM pgr_drivingDistance(
            :edges_sql, (SELECT array_agg(DISTINCT node) FROM service_nodes), :metres,
            directed => false, equicost => false)
    ),
    village_nodes AS ({_VILLAGE_NODES})
    SELECT vn.code, vn.elderly, sn.id AS service_id, sn.supply
    FROM service_nodes sn
    JOIN reach r ON r.from_v = sn.node
    JOIN village_nodes vn ON vn.node = r.node
    """
)

_VILLAGE_PAIRS_BY_RADIUS = text(
    f"""
    SELECT c.code AS site, d.code AS reached
    FROM admin_area c
    JOIN admin_area d
      ON d.level = 'village' AND d.code = ANY(:demand)
     AND d.rep_point && {geodesic_box_sql("c.rep_point", ":metres")}
     AND ST_DWithin(d.rep_point::geography, c.rep_point::geography, :metres)
    WHERE c.code = ANY(:candidates)
    """
)

_VILLAGE_PAIRS_BY_ROAD = text(
    f"""
    WITH village_nodes AS ({_VILLAGE_NODES}),
    candidates AS (SELECT * FROM village_nodes WHERE code = ANY(:candidates)),
    reach AS (
        SELECT from_v, node FROM pgr_drivingDistance(
            :edges_sql, (SELECT array_agg(DISTINCT node) FROM candidates), :metres,
            directed => false, equicost => false)
    )
    SELECT c.code AS site, d.code AS reached
    FROM candidates c
    JOIN reach r ON r.from_v = c.node
    JOIN village_nodes d ON d.node = r.node AND d.code = ANY(:demand)
    """
)


def village_service_pairs(
    conn: Connection, kinds: Sequence[str], mode: str, metres: float
) -> list[dict[str, Any]]:
    """Every (village, service) pair within reach, city-wide, with the village's elderly and
    the service's supply (beds, or meals a day)."""
    statement = _PAIRS_BY_RADIUS if mode == "radius" else _PAIRS_BY_ROAD
    params = {"kinds": list(kinds), "metres": metres, "edges_sql": ROAD_EDGES_SQL}
    return [dict(row) for row in conn.execute(statement, params).mappings()]


def village_reach(
    conn: Connection, candidates: Sequence[str], demand: Sequence[str], mode: str, metres: float
) -> list[tuple[str, str]]:
    """(site, reached) pairs: demand villages within reach of each candidate village."""
    if not candidates or not demand:
        return []
    statement = _VILLAGE_PAIRS_BY_RADIUS if mode == "radius" else _VILLAGE_PAIRS_BY_ROAD
    params = {
        "candidates": list(candidates),
        "demand": list(demand),
        "metres": metres,
        "edges_sql": ROAD_EDGES_SQL,
    }
    return [(row[0], row[1]) for row in conn.execute(statement, params)]


_CAPACITY_OF = text(
    """
    SELECT a.code,
           coalesce(sum(s.beds), 0)::int AS beds,
           coalesce(sum(s.nursing_beds), 0)::int AS nursing_beds,
           coalesce(sum(s.meal_capacity), 0)::int AS meals
    FROM admin_area a
    LEFT JOIN service s ON s.area_code LIKE a.code || '%' AND s.status = 'published'
    WHERE a.code = ANY(:codes)
    GROUP BY a.code
    """
)
# Beds, nursing beds and daily meals of the published services in each area.
capacity_of: Lookup[str] = Lookup(
    lambda codes: Statement(_CAPACITY_OF, {"codes": list(codes)}), key="code"
)
