"""Checking the filter arguments every collection shares, and turning them into SQL."""

from __future__ import annotations

from typing import Any

from gis.filters import (
    Where,
    add_bbox,
    add_intersects,
    add_within,
    check_bbox,
    check_point,
    check_radius,
)
from gis.geojson import parse_geometry
from resolvers.areas import check_area_code
from schema.inputs import WithinInput


def spatial_filters(
    where: Where,
    geometry_column: str,
    bbox: list[float] | None,
    within: WithinInput | None,
    intersects: Any | None,
) -> Where:
    if bbox is not None:
        add_bbox(where, geometry_column, check_bbox(bbox, "bbox"))
    if within is not None:
        point = check_point(within.point.lon, within.point.lat, "within.point")
        add_within(
            where, geometry_column, point, check_radius(within.radius_meters, "within.radiusMeters")
        )
    if intersects is not None:
        add_intersects(where, geometry_column, parse_geometry(intersects, "intersects"))
    return where


def in_area_filter(where: Where, code_column: str, in_area: str | None) -> Where:
    """Records held by an area or any area inside it (codes embed their parents' codes)."""
    if in_area is not None:
        where.add(f"{code_column} LIKE :in_area || '%'", in_area=check_area_code(in_area, "inArea"))
    return where
