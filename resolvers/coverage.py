"""Resolvers for coverage analytics."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Connection
from strawberry.types import Info

from db.queries.coverage import (
    area_exists,
    coverage_by_radius,
    coverage_by_road,
    village_reach,
    village_service_pairs,
    villages_of,
)
from resolvers.analytics import greedy_sites, two_step_fca
from resolvers.errors import BadUserInput
from resolvers.filters import check_area_code
from schema.area import AdminArea
from schema.context import RegistryContext
from schema.coverage import CoverageReport, SiteSuggestions, SuggestedSite, VillageAccessibility
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


def _check_area_exists(conn: Connection, code: str) -> None:
    if not area_exists(conn, code):
        raise BadUserInput(f"areaCode: no area has code {code}", "areaCode")


def _village_coverage(
    conn: Connection, code: str, kinds: list[str], mode: str, metres: float
) -> list[dict[str, Any]]:
    query = coverage_by_radius if mode == "radius" else coverage_by_road
    return query(conn, code, kinds, metres)


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
        _check_area_exists(conn, code)
        rows = _village_coverage(conn, code, kind_codes, mode, metres)
    return CoverageReport.from_villages(code, rows)


# Kinds whose services have a capacity for 2SFCA: beds, and meals a day.
CAPACITY_KINDS = frozenset({ServiceKind.ELDER_CARE_INSTITUTION, ServiceKind.ELDER_DINING_TABLE})
MAX_SITES = 50


def check_capacity_kind(kind: ServiceKind) -> str:
    if kind not in CAPACITY_KINDS:
        raise BadUserInput(
            "kind: accessibility needs a kind with a capacity "
            "(ELDER_CARE_INSTITUTION: beds, ELDER_DINING_TABLE: meals)",
            "kind",
        )
    return kind.value


def accessibility(
    info: Info[RegistryContext, None],
    area_code: str,
    kind: ServiceKind,
    radius_meters: float | None = None,
    road_distance_meters: float | None = None,
) -> list[VillageAccessibility]:
    """2SFCA scores of the area's villages, by code; catchments reach across the area's
    border, since services and elderly there share them."""
    code = check_area_code(area_code, "areaCode")
    kind_code = check_capacity_kind(kind)
    mode, metres = check_distances(radius_meters, road_distance_meters)
    with info.context.database.connect() as conn:
        _check_area_exists(conn, code)
        pairs = village_service_pairs(conn, [kind_code], mode, metres)
        villages = villages_of(conn, code)
    scores = two_step_fca(
        ((p["code"], p["service_id"], float(p["supply"]), p["elderly"]) for p in pairs),
        [v["code"] for v in villages],
    )
    return [
        VillageAccessibility(
            area=AdminArea.from_row(v),
            elderly=v["elderly"],
            score=scores[v["code"]],
            score_per_100_elderly=scores[v["code"]] * 100,
        )
        for v in villages
    ]


def suggest_sites(
    info: Info[RegistryContext, None],
    area_code: str,
    kind: ServiceKind,
    count: int = 3,
    radius_meters: float | None = None,
    road_distance_meters: float | None = None,
) -> SiteSuggestions:
    code = check_area_code(area_code, "areaCode")
    if count < 1 or count > MAX_SITES:
        raise BadUserInput(f"count must be between 1 and {MAX_SITES}, got {count}", "count")
    mode, metres = check_distances(radius_meters, road_distance_meters)
    with info.context.database.connect() as conn:
        _check_area_exists(conn, code)
        rows = _village_coverage(conn, code, [kind.value], mode, metres)
        # Sites go where nothing is within reach yet, and serve the villages still uncovered.
        uncovered = [r["code"] for r in rows if not r["covered"]]
        reach = village_reach(conn, uncovered, uncovered, mode, metres)
    by_code = {r["code"]: r for r in rows}
    chosen = greedy_sites(reach, {c: by_code[c]["elderly"] for c in uncovered}, count)
    newly: set[str] = set()
    reached_by: dict[str, set[str]] = {}
    for site, village in reach:
        reached_by.setdefault(site, set()).add(village)
    for site, _, _ in chosen:
        newly |= reached_by.get(site, set())
    after_rows = [{**r, "covered": r["covered"] or r["code"] in newly} for r in rows]
    return SiteSuggestions(
        sites=[
            SuggestedSite(
                area=AdminArea.from_row(by_code[site]), added_elderly=gain, added_villages=n
            )
            for site, gain, n in chosen
        ],
        before=CoverageReport.from_villages(code, rows),
        after=CoverageReport.from_villages(code, after_rows),
    )
