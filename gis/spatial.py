"""Spatial filters and SQL helpers: checked in Python, turned into SQL with bound parameters.

A filter is a fixed SQL fragment plus its parameters; no value a client sends is ever
formatted into SQL text, and geometry travels as WKB.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely

from domain.errors import BadUserInput, Text
from gis import SRID
from gis.geojson import check_position

MAX_RADIUS_M = 50_000.0
# Metres per degree of latitude, rounded down (it is 110,574 at the equator and more
# elsewhere): a box drawn with it holds the whole geodesic circle, so that the GiST index
# can answer a radius query.
_M_PER_DEG = 110_000.0
_DEG_PER_M = 1.0 / _M_PER_DEG


def geodesic_box_sql(point: str, metres: str) -> str:
    """SQL for a lon/lat box around ``point`` holding every point within ``metres`` of it;
    both arguments are SQL expressions (columns or bound parameters), never client text."""
    dlat = f"({metres}) / {_M_PER_DEG}"
    dlon = f"{dlat} / cos(radians(least(89.9, abs(ST_Y({point})) + {dlat})))"
    return f"ST_Expand({point}, {dlon}, {dlat})"


@dataclass(frozen=True)
class Point:
    lon: float
    lat: float


def check_point(lon: float, lat: float, field: str) -> Point:
    check_position([lon, lat], field)
    return Point(lon, lat)


def check_radius(radius_m: float, field: str, maximum: float = MAX_RADIUS_M) -> float:
    if not math.isfinite(radius_m):
        raise BadUserInput(
            Text(f"{field} 须为有限的米数", f"{field} must be a finite number of metres"), field
        )
    if radius_m <= 0 or radius_m > maximum:
        raise BadUserInput(
            Text(
                f"{field} 须大于 0 且不超过 {maximum:,.0f} 米，收到 {radius_m:g}",
                f"{field} must be more than 0 and at most {maximum:,.0f} metres, got {radius_m:g}",
            ),
            field,
        )
    return radius_m


def check_bbox(bbox: Sequence[float], field: str = "bbox") -> tuple[float, float, float, float]:
    if len(bbox) != 4:
        raise BadUserInput(
            Text(
                f"{field} 须为 [最小经度, 最小纬度, 最大经度, 最大纬度] 四个数",
                f"{field} is [minLon, minLat, maxLon, maxLat]: four numbers",
            ),
            field,
        )
    min_lon, min_lat = check_position([bbox[0], bbox[1]], field)
    max_lon, max_lat = check_position([bbox[2], bbox[3]], field)
    if min_lon > max_lon or min_lat > max_lat:
        raise BadUserInput(
            Text(
                f"{field}: 最小值不得大于最大值",
                f"{field}: the minimum must not exceed the maximum",
            ),
            field,
        )
    return min_lon, min_lat, max_lon, max_lat


def radius_envelope(point: Point, radius_m: float) -> tuple[float, float, float, float]:
    """A lon/lat box that holds every point within ``radius_m`` of ``point``."""
    dlat = radius_m * _DEG_PER_M
    far_lat = min(89.9, abs(point.lat) + dlat)
    dlon = min(180.0, dlat / max(math.cos(math.radians(far_lat)), 1e-6))
    return point.lon - dlon, point.lat - dlat, point.lon + dlon, point.lat + dlat


@dataclass
class Where:
    """SQL conditions joined by AND, with their bound parameters."""

    clauses: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def add(self, clause: str, **params: Any) -> None:
        self.clauses.append(clause)
        self.params.update(params)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "true"


def add_bbox(where: Where, column: str, bbox: tuple[float, float, float, float]) -> None:
    where.add(
        f"ST_Intersects({column}, ST_MakeEnvelope(:bbox_x1, :bbox_y1, :bbox_x2, :bbox_y2, {SRID}))",
        bbox_x1=bbox[0],
        bbox_y1=bbox[1],
        bbox_x2=bbox[2],
        bbox_y2=bbox[3],
    )


def add_within(where: Where, column: str, point: Point, radius_m: float) -> None:
    """Geodesic radius: the box lets the GiST index pick candidates, then exact metres decide."""
    x1, y1, x2, y2 = radius_envelope(point, radius_m)
    where.add(
        f"{column} && ST_MakeEnvelope(:within_x1, :within_y1, :within_x2, :within_y2, {SRID}) "
        f"AND ST_DWithin({column}::geography, "
        f"ST_SetSRID(ST_MakePoint(:within_lon, :within_lat), {SRID})::geography, :within_m)",
        within_x1=x1,
        within_y1=y1,
        within_x2=x2,
        within_y2=y2,
        within_lon=point.lon,
        within_lat=point.lat,
        within_m=radius_m,
    )


def add_intersects(where: Where, column: str, geom: shapely.Geometry) -> None:
    where.add(
        f"ST_Intersects({column}, ST_GeomFromWKB(:intersects_wkb, {SRID}))",
        intersects_wkb=shapely.to_wkb(geom),
    )
