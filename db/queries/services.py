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
