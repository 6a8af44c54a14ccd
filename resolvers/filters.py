"""Checking the filter arguments every collection shares, and turning them into SQL."""

from __future__ import annotations

import re
from typing import Any

from db.queries.pages import Collection
from gis.chinese_crs import CoordinateSystem, bbox_to_wgs84, geojson_to_wgs84, to_wgs84
from gis.filters import (
    Point,
    Where,
    add_bbox,
    add_intersects,
    add_within,
    check_bbox,
    check_point,
    check_radius,
)
from gis.geojson import parse_geometry
from resolvers.auth import Actor
from resolvers.errors import BadUserInput, Forbidden
from schema.inputs import PointInput, WithinInput
from schema.lifecycle import LifecycleStatus

PUBLIC_STATUSES = (LifecycleStatus.PUBLISHED, LifecycleStatus.RETIRED)

# City 4 digits, county 6, township 9, village 12 (NBS statistical division codes).
AREA_CODE = re.compile(r"\d{4}(\d{2}(\d{3}(\d{3})?)?)?")


def check_area_code(code: str, field: str = "code") -> str:
    code = code.strip()
    if not AREA_CODE.fullmatch(code):
        raise BadUserInput(
            f"{field}: an area code has 4, 6, 9 or 12 digits (e.g. 3710, 371002), got {code!r}",
            field,
        )
    return code


def point_in_wgs84(point: PointInput, crs: CoordinateSystem, field: str) -> Point:
    """A point given in ``crs``, checked, in the registry's WGS84."""
    check_point(point.lon, point.lat, field)
    return Point(*to_wgs84(crs, point.lon, point.lat))


def spatial_filters(
    where: Where,
    geometry_column: str,
    bbox: list[float] | None,
    within: WithinInput | None,
    intersects: Any | None,
    crs: CoordinateSystem = CoordinateSystem.WGS84,
) -> Where:
    """bbox, within and intersects, each given in ``crs``."""
    if bbox is not None:
        add_bbox(where, geometry_column, bbox_to_wgs84(check_bbox(bbox, "bbox"), crs))
    if within is not None:
        point = point_in_wgs84(within.point, crs, "within.point")
        add_within(
            where, geometry_column, point, check_radius(within.radius_meters, "within.radiusMeters")
        )
    if intersects is not None:
        geom = parse_geometry(intersects, "intersects")  # the input is checked as given
        if crs is not CoordinateSystem.WGS84:
            geom = parse_geometry(geojson_to_wgs84(intersects, crs), "intersects")
        add_intersects(where, geometry_column, geom)
    return where


def in_area_filter(where: Where, code_column: str, in_area: str | None) -> Where:
    """Records held by an area or any area inside it (codes embed their parents' codes)."""
    if in_area is not None:
        where.add(f"{code_column} LIKE :in_area || '%'", in_area=check_area_code(in_area, "inArea"))
    return where


def status_filter(
    where: Where, collection: Collection, status: LifecycleStatus | None, actor: Actor
) -> Where:
    """Published records unless another status is asked for; records still in review (and
    published records with a change in review) are for planners and above."""
    status = status or LifecycleStatus.PUBLISHED
    if status not in PUBLIC_STATUSES and not actor.may("planner"):
        raise Forbidden(
            f"status: {status.name} records are visible to planners, editors and reviewers only",
            "status",
        )
    assert collection.status is not None
    if collection.pending_status and status in (LifecycleStatus.PROPOSED, LifecycleStatus.APPROVED):
        # Published records whose pending change is at that stage are in review too.
        where.add(
            f"({collection.status} = :status OR {collection.pending_status} = :status)",
            status=status.value,
        )
    else:
        where.add(f"{collection.status} = :status", status=status.value)
    return where
