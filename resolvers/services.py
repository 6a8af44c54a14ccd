"""Nearest services: to a point a client clicks, and to an area."""

from __future__ import annotations

from typing import Any

from db.queries.services import nearest_to_point
from db.tables import SERVICE_KINDS
from gis.chinese_crs import CoordinateSystem
from gis.spatial import Point, check_radius
from resolvers.context import RegistryContext
from resolvers.filters import point_in_wgs84
from resolvers.pages import check_first

MAX_NEAREST = 100
DEFAULT_NEAREST = 5
Row = dict[str, Any]


def kind_codes(kinds: list[str] | None) -> tuple[str, ...]:
    """None means every kind; an empty list means none."""
    return SERVICE_KINDS if kinds is None else tuple(sorted(set(kinds)))


def check_max_distance(max_distance_meters: float | None) -> float | None:
    if max_distance_meters is None:
        return None
    return check_radius(max_distance_meters, "maxDistanceMeters")


async def nearest_services(
    ctx: RegistryContext,
    near: Point,
    *,
    kinds: list[str] | None,
    first: int | None,
    max_distance_meters: float | None,
    crs: CoordinateSystem,
) -> list[Row]:
    """The nearest services to a point given in ``crs`` (distances do not depend on it),
    nearest first, each with distance_m in geodesic metres."""
    point = point_in_wgs84(near, crs, "near")
    k = check_first(first, DEFAULT_NEAREST, MAX_NEAREST)
    max_m = check_max_distance(max_distance_meters)
    wanted = kind_codes(kinds)
    return await ctx.database.fetch(nearest_to_point(point, wanted, k, max_m))


async def nearest_services_to_area(
    ctx: RegistryContext,
    code: str,
    *,
    kinds: list[str] | None,
    first: int | None,
    max_distance_meters: float | None,
) -> list[Row]:
    """The same question asked of an area's representative point; every area of a list
    asking it shares one statement."""
    loader = ctx.loaders.nearest_to_area(
        kind_codes(kinds),
        check_first(first, DEFAULT_NEAREST, MAX_NEAREST),
        check_max_distance(max_distance_meters),
    )
    return await loader.load(code)
