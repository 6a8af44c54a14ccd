"""Nearest services: to a point, and to the representative points of areas."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from db.kinds import SERVICE
from db.statements import Lookup, Statement
from gis import SRID
from gis.spatial import Point, geodesic_box_sql

PUBLISHED = "s.status = 'published'"

SERVICE_COLUMNS = SERVICE.collection.columns

# The k nearest by the GiST index (KNN on degrees) bound the answer: no service farther
# than the farthest of them can be among the k nearest.  Their distance on the sphere,
# widened by 0.6 % (more than sphere and spheroid ever differ), gives a box that the index
# searches again; only the few services in it get exact geodesic metres on the WGS84
# spheroid, and are ranked by them, ties by id.
NEAREST_FROM_ORIGINS = f"""
SELECT o.key AS for_key, n.*
FROM ({{origins}}) o
CROSS JOIN LATERAL (
    SELECT max(ST_Distance(knn.geom::geography, o.g::geography, false)) * 1.006 + 1 AS r
    FROM (
        SELECT s.geom FROM service s
        WHERE {PUBLISHED} AND s.kind = ANY(:kinds)
        ORDER BY s.geom <-> o.g
        LIMIT :k
    ) knn
) reach
CROSS JOIN LATERAL (
    SELECT * FROM (
        SELECT {SERVICE_COLUMNS},
               ST_Distance(s.geom::geography, o.g::geography) AS distance_m
        FROM service s
        WHERE {PUBLISHED} AND s.kind = ANY(:kinds)
          AND s.geom && {geodesic_box_sql("o.g", "reach.r")}
    ) candidate
    WHERE candidate.distance_m <= :max_m
    ORDER BY candidate.distance_m, candidate.id
    LIMIT :k
) n
ORDER BY o.key, n.distance_m, n.id
"""

NEAREST_TO_POINT = text(
    NEAREST_FROM_ORIGINS.format(
        origins=f"SELECT '' AS key, ST_SetSRID(ST_MakePoint(:lon, :lat), {SRID}) AS g"
    )
)

NEAREST_TO_AREAS = text(
    NEAREST_FROM_ORIGINS.format(
        origins="SELECT code AS key, rep_point AS g FROM admin_area WHERE code = ANY(:codes)"
    )
)

# A distance beyond any on Earth: "no limit" without a second statement shape.
NO_LIMIT_M = 1e9


def nearest_to_point(point: Point, kinds: Sequence[str], k: int, max_m: float | None) -> Statement:
    """The k nearest services to a point, nearest first, with distance_m."""
    params = {
        "lon": point.lon,
        "lat": point.lat,
        "kinds": list(kinds),
        "k": k,
        "max_m": max_m or NO_LIMIT_M,
    }
    return Statement(NEAREST_TO_POINT, params)


def nearest_services(
    conn: Connection, point: Point, kinds: Sequence[str], k: int, max_m: float | None
) -> list[dict[str, Any]]:
    return nearest_to_point(point, kinds, k, max_m).rows(conn)


def nearest_to_areas(kinds: Sequence[str], k: int, max_m: float | None) -> Lookup[str]:
    """The k nearest services to each area's representative point, in one statement."""
    params = {"kinds": list(kinds), "k": k, "max_m": max_m or NO_LIMIT_M}
    return Lookup(
        lambda codes: Statement(NEAREST_TO_AREAS, {"codes": list(codes), **params}),
        key="for_key",
        many=True,
    )


# --- By road ----------------------------------------------------------------------------
# The clicked point joins the network as villages and services do (road_link_of).  Only
# edges near enough can lie on a way shorter than the bound, since no way is shorter than
# the straight line: pgRouting reads just those, in a box made by the database from the
# bound parameters (format's %L quotes the value; nothing is spliced into SQL here).
_CLICK = f"SELECT * FROM road_link_of(ST_SetSRID(ST_MakePoint(:lon, :lat), {SRID}))"
_EDGES_NEAR = f"""
    format(
        'SELECT id, source, target, length_m AS cost, length_m AS reverse_cost FROM road_edge'
        ' WHERE geom && %L::geometry',
        {geodesic_box_sql(f"ST_SetSRID(ST_MakePoint(:lon, :lat), {SRID})", ":bound")}
    )
"""

NEAREST_BY_ROAD = text(
    f"""
    WITH p AS MATERIALIZED ({_CLICK}),
    p_end AS (
        SELECT source AS node, leg_m + to_source_m AS cost FROM p
        UNION ALL SELECT target, leg_m + to_target_m FROM p
    ),
    walk AS (
        SELECT from_v, node, agg_cost FROM pgr_drivingDistance(
            {_EDGES_NEAR}, (SELECT array_agg(node) FROM p_end), :bound,
            directed => false, equicost => false)
    ),
    reached AS (
        SELECT w.node, min(pe.cost + w.agg_cost) AS cost
        FROM walk w JOIN p_end pe ON pe.node = w.from_v GROUP BY w.node
    ),
    ways AS (
        SELECT l.service_id, r.cost + l.leg_m + l.to_source_m AS metres
        FROM reached r JOIN service_road_link l ON l.source = r.node
        UNION ALL
        SELECT l.service_id, r.cost + l.leg_m + l.to_target_m
        FROM reached r JOIN service_road_link l ON l.target = r.node
        UNION ALL
        SELECT l.service_id, p.leg_m + l.leg_m + ST_Length(ST_LineSubstring(
            e.geom, least(p.fraction, l.fraction), greatest(p.fraction, l.fraction))::geography)
        FROM p JOIN service_road_link l ON l.edge_id = p.edge_id
        JOIN road_edge e ON e.id = p.edge_id
    )
    SELECT {SERVICE_COLUMNS},
           ST_Distance(s.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), {SRID})::geography)
               AS distance_m,
           w.metres AS road_distance_m
    FROM (SELECT service_id, min(metres) AS metres FROM ways GROUP BY service_id) w
    JOIN service s ON s.id = w.service_id
    WHERE {PUBLISHED} AND s.kind = ANY(:kinds) AND w.metres <= :bound
    ORDER BY w.metres, s.id
    LIMIT :k
    """
)


def nearest_by_road(point: Point, kinds: Sequence[str], k: int, bound_m: float) -> Statement:
    """The k nearest services by road within ``bound_m``, nearest first, with distance_m
    (straight) and road_distance_m."""
    params = {"lon": point.lon, "lat": point.lat, "kinds": list(kinds), "k": k, "bound": bound_m}
    return Statement(NEAREST_BY_ROAD, params)


ROAD_ROUTES = text(
    f"""
    WITH p AS MATERIALIZED ({_CLICK}),
    s AS MATERIALIZED (
        SELECT l.*, sv.geom AS at FROM service_road_link l JOIN service sv ON sv.id = l.service_id
        WHERE l.service_id = ANY(:ids)
    ),
    p_end AS (
        SELECT source AS node, leg_m + to_source_m AS cost, 0.0::float8 AS f FROM p
        UNION ALL SELECT target, leg_m + to_target_m, 1.0 FROM p
    ),
    s_end AS (
        SELECT service_id, source AS node, leg_m + to_source_m AS cost, 0.0::float8 AS f FROM s
        UNION ALL SELECT service_id, target, leg_m + to_target_m, 1.0 FROM s
    ),
    paths AS (
        SELECT start_vid, end_vid, edge, agg_cost, cost FROM pgr_dijkstra(
            {_EDGES_NEAR}, (SELECT array_agg(node) FROM p_end),
            (SELECT array_agg(DISTINCT node) FROM s_end), directed => false)
    ),
    totals AS (
        SELECT start_vid, end_vid, max(agg_cost + cost) AS cost FROM paths GROUP BY 1, 2
        UNION ALL SELECT node, node, 0 FROM p_end
    ),
    ways AS (
        SELECT se.service_id, pe.node AS p_node, pe.f AS p_f, se.node AS s_node, se.f AS s_f,
               pe.cost + t.cost + se.cost AS metres
        FROM p_end pe JOIN totals t ON t.start_vid = pe.node
        JOIN s_end se ON se.node = t.end_vid
        UNION ALL
        SELECT s.service_id, NULL, NULL, NULL, NULL,
               p.leg_m + s.leg_m + ST_Length(ST_LineSubstring(
                   e.geom, least(p.fraction, s.fraction), greatest(p.fraction, s.fraction)
               )::geography)
        FROM p JOIN s ON s.edge_id = p.edge_id JOIN road_edge e ON e.id = p.edge_id
    ),
    best AS (
        SELECT DISTINCT ON (service_id) * FROM ways ORDER BY service_id, metres
    )
    SELECT b.service_id, b.metres,
           -- The pieces meet at points computed two ways (closest point, substring end)
           -- that may differ in the 15th decimal: snapped to the output's 7 decimals
           -- first, they join into one line.
           (SELECT ST_AsGeoJSON(ST_LineMerge(ST_SnapToGrid(ST_Collect(piece.geom), 1e-7)), 7)
            FROM (
                SELECT ST_MakeLine(ST_SetSRID(ST_MakePoint(:lon, :lat), {SRID}), p.point) AS geom
                UNION ALL
                SELECT CASE WHEN b.p_node IS NULL
                            THEN ST_LineSubstring(pe.geom, least(p.fraction, s.fraction),
                                                  greatest(p.fraction, s.fraction))
                            ELSE ST_LineSubstring(pe.geom, least(p.fraction, b.p_f),
                                                  greatest(p.fraction, b.p_f)) END
                UNION ALL
                SELECT e.geom FROM paths x JOIN road_edge e ON e.id = x.edge
                WHERE x.start_vid = b.p_node AND x.end_vid = b.s_node
                UNION ALL
                SELECT ST_LineSubstring(se.geom, least(s.fraction, b.s_f),
                                        greatest(s.fraction, b.s_f))
                WHERE b.s_node IS NOT NULL
                UNION ALL
                SELECT ST_MakeLine(s.point, s.at)
            ) piece
            WHERE GeometryType(piece.geom) = 'LINESTRING' AND ST_Length(piece.geom) > 0
           ) AS route
    FROM best b
    CROSS JOIN p
    JOIN s ON s.service_id = b.service_id
    JOIN road_edge pe ON pe.id = p.edge_id
    JOIN road_edge se ON se.id = s.edge_id
    """
)


def road_routes(point: Point, bound_m: float) -> Lookup[int]:
    """The way by road from a point to each service, as GeoJSON (route) with its metres."""
    return Lookup(
        lambda ids: Statement(
            ROAD_ROUTES, {"lon": point.lon, "lat": point.lat, "ids": list(ids), "bound": bound_m}
        ),
        key="service_id",
    )
