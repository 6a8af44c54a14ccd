"""Nearest services: to a point a client clicks, and to an area."""

from __future__ import annotations

from typing import Any

from db.queries.services import nearest_by_road, nearest_to_point
from db.statements import Statement
from db.tables import SERVICE_KINDS
from domain.errors import BadUserInput, Text
from gis.chinese_crs import CoordinateSystem
from gis.spatial import Point, check_radius
from resolvers.context import RegistryContext
from resolvers.filters import point_in_wgs84
from resolvers.pages import check_first

MAX_NEAREST = 100
DEFAULT_NEAREST = 5
# Ranking by road searches the network out to a bound that grows until enough services
# are found; a service farther than this by road counts as not reachable.
MAX_ROAD_SEARCH_M = 100_000.0
FIRST_ROAD_SEARCH_M = 2_000.0
MEASURES = ("straight", "road", "both")
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
    by: str = "straight",
) -> list[Row]:
    """The nearest services to a point given in ``crs`` (distances do not depend on it),
    nearest first, each with distance_m in geodesic metres; by road (``by`` "road" or
    "both"), ranked by road_distance_m, the services no road reaches last, by distance_m."""
    if by not in MEASURES:
        raise BadUserInput(Text(f"by: 未知的度量 {by}", f"by: unknown measure {by}"), "by")
    if by == "straight":
        statement = nearest_in_straight_line(
            near, kinds=kinds, first=first, max_distance_meters=max_distance_meters, crs=crs
        )
        return await ctx.database.fetch(statement)
    point = point_in_wgs84(near, crs, "near")
    k = check_first(first, DEFAULT_NEAREST, MAX_NEAREST)
    max_m = check_max_distance(max_distance_meters)
    return await _nearest_by_road(ctx, point, kind_codes(kinds), k, max_m)


def nearest_in_straight_line(
    near: Point,
    *,
    kinds: list[str] | None,
    first: int | None,
    max_distance_meters: float | None,
    crs: CoordinateSystem,
) -> Statement:
    """The statement for the nearest services in a straight line, its input checked."""
    point = point_in_wgs84(near, crs, "near")
    k = check_first(first, DEFAULT_NEAREST, MAX_NEAREST)
    max_m = check_max_distance(max_distance_meters)
    return nearest_to_point(point, kind_codes(kinds), k, max_m)


def origin_in_wgs84(near: Point, crs: CoordinateSystem) -> Point:
    return point_in_wgs84(near, crs, "near")


async def _nearest_by_road(
    ctx: RegistryContext, point: Point, kinds: tuple[str, ...], k: int, max_m: float | None
) -> list[Row]:
    """Widens the search until k services are found within the bound: every service within
    the bound by road is then found, so the k nearest of them are the k nearest of all."""
    bound = max_m if max_m is not None else FIRST_ROAD_SEARCH_M
    while True:
        rows = await ctx.database.fetch(nearest_by_road(point, kinds, k, bound))
        if len(rows) >= k or max_m is not None or bound >= MAX_ROAD_SEARCH_M:
            break
        bound = min(bound * 4, MAX_ROAD_SEARCH_M)
    if len(rows) < k and max_m is None:
        # The nearest in a straight line that no road within reach leads to, road distance null.
        found = {row["id"] for row in rows}
        straight = await ctx.database.fetch(nearest_to_point(point, kinds, k + len(rows), None))
        rows += [{**row, "road_distance_m": None} for row in straight if row["id"] not in found][
            : k - len(rows)
        ]
    for row in rows:
        row["search_bound_m"] = bound
    return rows


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
