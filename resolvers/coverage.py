"""Resolvers for coverage analytics."""

from __future__ import annotations

import math

from strawberry.types import Info

from db.queries.coverage import area_exists, coverage_by_radius, coverage_by_road
from resolvers.errors import BadUserInput
from resolvers.filters import check_area_code
from schema.context import RegistryContext
from schema.coverage import CoverageReport
from schema.service import ServiceKind

MAX_DISTANCE_M = 100_000.0


def check_distances(
    radius_meters: float | None, road_distance_meters: float | None
) -> tuple[str, float]:
    """("radius" or "road", metres): exactly one of the two, more than 0 and at most 100 km."""
    given = [
        (name, field, value)
        for name, field, value in (
            ("radius", "radiusMeters", radius_meters),
            ("road", "roadDistanceMeters", road_distance_meters),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise BadUserInput(
            "radiusMeters, roadDistanceMeters: give exactly one of the two", "radiusMeters"
        )
    name, field, value = given[0]
    assert value is not None
    if not math.isfinite(value) or value <= 0 or value > MAX_DISTANCE_M:
        raise BadUserInput(
            f"{field} must be more than 0 and at most {MAX_DISTANCE_M:,.0f} metres, got {value:g}",
            field,
        )
    return name, value


def check_kinds(kinds: list[ServiceKind]) -> list[str]:
    if not kinds:
        raise BadUserInput("kinds must name at least one kind of service", "kinds")
    return sorted({kind.value for kind in kinds})


def coverage(
    info: Info[RegistryContext, None],
    area_code: str,
    kinds: list[ServiceKind],
    radius_meters: float | None = None,
    road_distance_meters: float | None = None,
) -> CoverageReport:
    code = check_area_code(area_code, "areaCode")
    kind_codes = check_kinds(kinds)
    mode, metres = check_distances(radius_meters, road_distance_meters)
    with info.context.database.connect() as conn:
        if not area_exists(conn, code):
            raise BadUserInput(f"areaCode: no area has code {code}", "areaCode")
        if mode == "radius":
            rows = coverage_by_radius(conn, code, kind_codes, metres)
        else:
            rows = coverage_by_road(conn, code, kind_codes, metres)
    return CoverageReport.from_villages(code, rows)
