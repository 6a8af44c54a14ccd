"""Coverage analytics: which villages have a service within reach, 2SFCA accessibility,
and where to build next."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from db.queries.coverage import (
    area_exists,
    coverage_by_radius,
    coverage_by_road,
    village_reach,
    village_service_pairs,
    villages_of,
)
from domain.analytics import greedy_sites, two_step_fca
from domain.codes import check_area_code
from domain.errors import BadUserInput
from resolvers.context import RegistryContext

MAX_DISTANCE_M = 100_000.0
MAX_SITES = 50
# Kinds whose services have a capacity for 2SFCA: beds, and meals a day.
CAPACITY_KINDS = ("elder_care_institution", "elder_dining_table")
Row = dict[str, Any]


@dataclass(frozen=True)
class Reach:
    """How far counts as within reach: "radius" (geodesic) or "road", in metres."""

    mode: str
    metres: float


@dataclass(frozen=True)
class VillageScore:
    village: Row
    score: float


@dataclass(frozen=True)
class SiteChoice:
    """Chosen sites (the village, the elderly and villages it adds), with every village
    of the area covered or not, before and after."""

    area_code: str
    sites: list[tuple[Row, int, int]]
    before: list[Row]
    after: list[Row]


def check_reach(radius_meters: float | None, road_distance_meters: float | None) -> Reach:
    """Exactly one of the two, more than 0 and at most 100 km."""
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
    return Reach(name, value)


def check_kinds(kinds: list[str]) -> list[str]:
    if not kinds:
        raise BadUserInput("kinds must name at least one kind of service", "kinds")
    return sorted(set(kinds))


def check_capacity_kind(kind: str) -> str:
    if kind not in CAPACITY_KINDS:
        raise BadUserInput(
            "kind: accessibility needs a kind with a capacity "
            "(ELDER_CARE_INSTITUTION: beds, ELDER_DINING_TABLE: meals)",
            "kind",
        )
    return kind


def _check_area_exists(conn: Connection, code: str) -> None:
    if not area_exists(conn, code):
        raise BadUserInput(f"areaCode: no area has code {code}", "areaCode")


def _village_coverage(conn: Connection, code: str, kinds: list[str], reach: Reach) -> list[Row]:
    query = coverage_by_radius if reach.mode == "radius" else coverage_by_road
    return query(conn, code, kinds, reach.metres)


async def coverage(
    ctx: RegistryContext,
    area_code: str,
    kinds: list[str],
    *,
    radius_meters: float | None,
    road_distance_meters: float | None,
) -> list[Row]:
    """Every village of the area, with ``covered``."""
    code = check_area_code(area_code, "areaCode")
    kind_codes = check_kinds(kinds)
    reach = check_reach(radius_meters, road_distance_meters)

    def villages(conn: Connection) -> list[Row]:
        _check_area_exists(conn, code)
        return _village_coverage(conn, code, kind_codes, reach)

    return await ctx.database.read(villages)


async def accessibility(
    ctx: RegistryContext,
    area_code: str,
    kind: str,
    *,
    radius_meters: float | None,
    road_distance_meters: float | None,
) -> list[VillageScore]:
    """2SFCA scores of the area's villages, by code; catchments reach across the area's
    border, since services and elderly there share them."""
    code = check_area_code(area_code, "areaCode")
    kind_code = check_capacity_kind(kind)
    reach = check_reach(radius_meters, road_distance_meters)

    def pairs_and_villages(conn: Connection) -> tuple[list[Row], list[Row]]:
        _check_area_exists(conn, code)
        pairs = village_service_pairs(conn, [kind_code], reach.mode, reach.metres)
        return pairs, villages_of(conn, code)

    pairs, villages = await ctx.database.read(pairs_and_villages)
    scores = two_step_fca(
        ((p["code"], p["service_id"], float(p["supply"]), p["elderly"]) for p in pairs),
        [v["code"] for v in villages],
    )
    return [VillageScore(village=v, score=scores[v["code"]]) for v in villages]


async def suggest_sites(
    ctx: RegistryContext,
    area_code: str,
    kind: str,
    *,
    count: int,
    radius_meters: float | None,
    road_distance_meters: float | None,
) -> SiteChoice:
    code = check_area_code(area_code, "areaCode")
    if count < 1 or count > MAX_SITES:
        raise BadUserInput(f"count must be between 1 and {MAX_SITES}, got {count}", "count")
    reach = check_reach(radius_meters, road_distance_meters)

    def coverage_and_reach(conn: Connection) -> tuple[list[Row], list[str], list[Any]]:
        _check_area_exists(conn, code)
        rows = _village_coverage(conn, code, [kind], reach)
        # Sites go where nothing is within reach yet, and serve the villages still uncovered.
        uncovered = [r["code"] for r in rows if not r["covered"]]
        return rows, uncovered, village_reach(conn, uncovered, uncovered, reach.mode, reach.metres)

    rows, uncovered, reach_pairs = await ctx.database.read(coverage_and_reach)
    by_code = {r["code"]: r for r in rows}
    chosen = greedy_sites(reach_pairs, {c: by_code[c]["elderly"] for c in uncovered}, count)
    reached_by: dict[str, set[str]] = {}
    for site, village in reach_pairs:
        reached_by.setdefault(site, set()).add(village)
    newly: set[str] = set()
    for site, _, _ in chosen:
        newly |= reached_by.get(site, set())
    return SiteChoice(
        area_code=code,
        sites=[(by_code[site], gain, n) for site, gain, n in chosen],
        before=rows,
        after=[{**r, "covered": r["covered"] or r["code"] in newly} for r in rows],
    )
