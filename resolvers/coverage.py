"""Coverage analytics: which villages have a service within reach, accessibility (2SFCA
with distance decay), where to build next, each under a what-if scenario if asked."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from db.queries.coverage import (
    AS_IT_STANDS,
    HypotheticalSite,
    Scenario,
    area_exists,
    sites_outside,
    unknown_services,
    village_distances,
    village_reach,
    village_service_pairs,
    villages_of,
)
from db.tables import NEAREST_SERVICE_MAX_M
from domain.analytics import NO_DECAY, Decay, greedy_sites, two_step_fca, weighted_rollup
from domain.codes import CHILD_CODE_LENGTH, check_area_code
from domain.errors import BadUserInput, Text
from domain.roles import require
from gis.chinese_crs import CoordinateSystem
from gis.spatial import Point
from resolvers.context import RegistryContext
from resolvers.filters import point_in_wgs84

# As far as the kept nearest distances reach: no coverage asks beyond them.
MAX_DISTANCE_M = NEAREST_SERVICE_MAX_M
MAX_SITES = 50
MAX_SCENARIO_SITES = 200
MAX_DECAY_STEPS = 10
# Kinds whose services have a capacity for 2SFCA: beds, and meals a day.
CAPACITY_KINDS = ("elder_care_institution", "elder_dining_table")
# Demand groups and the village column that counts them.
DEMAND_COLUMNS = {"aged_60_plus": "elderly", "aged_80_plus": "elderly_80"}
Row = dict[str, Any]


@dataclass(frozen=True)
class Reach:
    """How far counts as within reach: "radius" (geodesic) or "road", in metres."""

    mode: str
    metres: float


@dataclass(frozen=True)
class SiteRequest:
    """A hypothetical site as a client gives it: its point is in the request's crs."""

    kind: str
    point: Point
    capacity: int


@dataclass(frozen=True)
class ScenarioRequest:
    include_proposed: bool = False
    add_sites: list[SiteRequest] = field(default_factory=list)
    close_services: list[str] = field(default_factory=list)
    crs: CoordinateSystem = CoordinateSystem.WGS84


@dataclass(frozen=True)
class CoverageResult:
    """Every village of the area, covered or not, under the scenario; ``before`` is the
    same with the registry as it stands (None without a scenario)."""

    area_code: str
    rows: list[Row]
    before: list[Row] | None


@dataclass(frozen=True)
class VillageScore:
    village: Row
    demand: int
    score: float
    score_before: float | None


@dataclass(frozen=True)
class AreaScore:
    """Scores of the villages of an area, as a mean weighted by their demand."""

    code: str
    demand: int
    score: float
    score_before: float | None


@dataclass(frozen=True)
class AccessibilityResult:
    area_code: str
    villages: list[VillageScore]

    def rollup(self, length: int) -> list[AreaScore]:
        """The villages' scores rolled up to the areas whose codes have ``length`` digits."""
        demand = {v.village["code"]: float(v.demand) for v in self.villages}
        after = weighted_rollup(
            {v.village["code"]: v.score for v in self.villages}, demand, lambda c: c[:length]
        )
        before = None
        if self.villages and self.villages[0].score_before is not None:
            before = weighted_rollup(
                {v.village["code"]: v.score_before or 0.0 for v in self.villages},
                demand,
                lambda c: c[:length],
            )
        return [
            AreaScore(
                code=code,
                demand=round(weight),
                score=score,
                score_before=before[code][0] if before else None,
            )
            for code, (score, weight) in sorted(after.items())
        ]


@dataclass(frozen=True)
class SiteChoice:
    """Chosen sites (the village, the elderly and villages it adds), with every village
    of the area covered or not: as it stands, under the scenario, and with the sites."""

    area_code: str
    sites: list[tuple[Row, int, int]]
    before: list[Row]
    with_scenario: list[Row] | None
    after: list[Row]


@dataclass(frozen=True)
class CoverageFigures:
    """Villages, households and elderly of an area, and how many of them are covered."""

    area_code: str
    villages: int
    covered_villages: int
    households: int
    covered_households: int
    elderly: int
    covered_elderly: int

    @property
    def share(self) -> float:
        return self.covered_elderly / self.elderly if self.elderly else 0.0


def figures_of(area_code: str, rows: list[Row]) -> CoverageFigures:
    covered = [r for r in rows if r["covered"]]
    return CoverageFigures(
        area_code=area_code,
        villages=len(rows),
        covered_villages=len(covered),
        households=sum(r["households"] for r in rows),
        covered_households=sum(r["households"] for r in covered),
        elderly=sum(r["elderly"] for r in rows),
        covered_elderly=sum(r["elderly"] for r in covered),
    )


def by_child_area(area_code: str, rows: list[Row]) -> list[tuple[str, list[Row]]]:
    """The villages grouped by the child areas of ``area_code``, by code."""
    length = CHILD_CODE_LENGTH.get(len(area_code))
    if length is None:
        return []
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row["code"][:length], []).append(row)
    return sorted(groups.items())


def gap_rows(rows: list[Row]) -> list[Row]:
    """The uncovered villages, most elderly left uncovered first, then by code."""
    return sorted((r for r in rows if not r["covered"]), key=lambda r: (-r["elderly"], r["code"]))


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
            Text(
                "radiusMeters、roadDistanceMeters: 须且只须给出其一",
                "radiusMeters, roadDistanceMeters: give exactly one of the two",
            ),
            "radiusMeters",
        )
    name, field_name, value = given[0]
    assert value is not None
    if not math.isfinite(value) or value <= 0 or value > MAX_DISTANCE_M:
        raise BadUserInput(
            Text(
                f"{field_name} 须大于 0 且不超过 {MAX_DISTANCE_M:,.0f} 米，收到 {value:g}",
                f"{field_name} must be more than 0 and at most {MAX_DISTANCE_M:,.0f} metres, "
                f"got {value:g}",
            ),
            field_name,
        )
    return Reach(name, value)


def check_kinds(kinds: list[str]) -> list[str]:
    if not kinds:
        raise BadUserInput(
            Text("kinds 至少须含一种服务设施", "kinds must name at least one kind of service"),
            "kinds",
        )
    return sorted(set(kinds))


def check_capacity_kind(kind: str) -> str:
    if kind not in CAPACITY_KINDS:
        raise BadUserInput(
            Text(
                "kind: 可达性须指定有容量的类型（ELDER_CARE_INS"
                "TITUTION：床位；ELDER_DINING_TABLE：餐数）",
                "kind: accessibility needs a kind with a capacity "
                "(ELDER_CARE_INSTITUTION: beds, ELDER_DINING_TABLE: meals)",
            ),
            "kind",
        )
    return kind


def check_decay(
    function: str, bandwidth_meters: float | None, steps: list[float] | None, reach: Reach
) -> Decay:
    """A decay function with the parameter it needs, and no other."""
    if function == "none":
        return NO_DECAY
    if function == "gaussian":
        if bandwidth_meters is None:
            raise BadUserInput(
                Text(
                    "decay.bandwidthMeters: GAUSSIAN 衰减须给出权重降为 0 的距离",
                    "decay.bandwidthMeters: GAUSSIAN decay needs the distance where the weight "
                    "reaches 0",
                ),
                "decay.bandwidthMeters",
            )
        if not math.isfinite(bandwidth_meters) or not 0 < bandwidth_meters <= reach.metres:
            raise BadUserInput(
                Text(
                    "decay.bandwidthMeters 须大于 0 且不超过服务半径"
                    f"（{reach.metres:g} 米），收到 {bandwidth_meters:g}",
                    f"decay.bandwidthMeters must be more than 0 and at most the catchment "
                    f"({reach.metres:g} m), got {bandwidth_meters:g}",
                ),
                "decay.bandwidthMeters",
            )
        return Decay("gaussian", bandwidth_m=bandwidth_meters)
    if not steps:
        raise BadUserInput(
            Text(
                "decay.steps: STEPPED 衰减须给出由近及远各段的权重，如 [1, 0.68, 0.22]",
                "decay.steps: STEPPED decay needs the weight of each band, near to far, "
                "such as [1, 0.68, 0.22]",
            ),
            "decay.steps",
        )
    if len(steps) > MAX_DECAY_STEPS or any(not math.isfinite(w) or not 0 <= w <= 1 for w in steps):
        raise BadUserInput(
            Text(
                f"decay.steps: 至多 {MAX_DECAY_STEPS} 个权重，各在 0 至 1 之间",
                f"decay.steps: at most {MAX_DECAY_STEPS} weights, each from 0 to 1",
            ),
            "decay.steps",
        )
    if any(b > a for a, b in itertools.pairwise(steps)):
        raise BadUserInput(
            Text(
                "decay.steps: 权重不得随距离增大", "decay.steps: weights may not grow with distance"
            ),
            "decay.steps",
        )
    return Decay("stepped", steps=tuple(steps))


def check_demand(demand: str) -> str:
    if demand not in DEMAND_COLUMNS:
        raise BadUserInput(
            Text(f"demand: 未知人群 {demand}", f"demand: unknown group {demand}"), "demand"
        )
    return DEMAND_COLUMNS[demand]


def _check_scenario(ctx: RegistryContext, request: ScenarioRequest | None) -> Scenario | None:
    """The scenario with its sites in WGS84, checked as far as it can be without the
    database (the rest: ``_confirm_scenario``); None without one."""
    if request is None:
        return None
    require(ctx.actor, "planner", "a what-if scenario")
    if len(request.add_sites) > MAX_SCENARIO_SITES:
        raise BadUserInput(
            Text(
                f"scenario.addSites: 至多 {MAX_SCENARIO_SITES}"
                f" 个假设站点，收到 {len(request.add_sites)} 个",
                f"scenario.addSites: at most {MAX_SCENARIO_SITES} hypothetical sites, "
                f"got {len(request.add_sites)}",
            ),
            "scenario.addSites",
        )
    sites = []
    for i, site in enumerate(request.add_sites):
        if site.capacity < 0:
            raise BadUserInput(
                Text(
                    f"scenario.addSites[{i}].capacity 不得小于 0，收到 {site.capacity}",
                    f"scenario.addSites[{i}].capacity may not be below 0, got {site.capacity}",
                ),
                f"scenario.addSites[{i}].capacity",
            )
        point = point_in_wgs84(site.point, request.crs, f"scenario.addSites[{i}].point")
        sites.append(HypotheticalSite(site.kind, point.lon, point.lat, site.capacity))
    closed = []
    for i, raw in enumerate(request.close_services):
        if not raw.strip().isascii() or not raw.strip().isdigit():
            raise BadUserInput(
                Text(
                    f"scenario.closeServices[{i}]: {raw!r} 不是服务设施编号",
                    f"scenario.closeServices[{i}]: not a service id: {raw!r}",
                ),
                f"scenario.closeServices[{i}]",
            )
        closed.append(int(raw))
    return Scenario(request.include_proposed, tuple(closed), tuple(sites))


def _confirm_scenario(conn: Connection, scenario: Scenario | None, area_code: str) -> Scenario:
    """Every site inside the area and every closed service known."""
    if scenario is None:
        return AS_IT_STANDS
    outside = sites_outside(conn, area_code, [(s.lon, s.lat) for s in scenario.sites])
    if outside:
        i = outside[0]
        raise BadUserInput(
            Text(
                f"scenario.addSites[{i}].point 位于区域 {area_code} 之外",
                f"scenario.addSites[{i}].point lies outside area {area_code}",
            ),
            f"scenario.addSites[{i}].point",
        )
    missing = unknown_services(conn, scenario.closed)
    if missing:
        i = scenario.closed.index(missing[0])
        raise BadUserInput(
            Text(
                f"scenario.closeServices[{i}]: 没有编号为 {missing[0]} 的服务设施",
                f"scenario.closeServices[{i}]: no service has id {missing[0]}",
            ),
            f"scenario.closeServices[{i}]",
        )
    return scenario


def _check_area_exists(conn: Connection, code: str) -> None:
    if not area_exists(conn, code):
        raise BadUserInput(
            Text(f"areaCode: 没有代码为 {code} 的区划", f"areaCode: no area has code {code}"),
            "areaCode",
        )


async def coverage(
    ctx: RegistryContext,
    area_code: str,
    kinds: list[str],
    *,
    radius_meters: float | None,
    road_distance_meters: float | None,
    scenario: ScenarioRequest | None = None,
) -> CoverageResult:
    """Every village of the area, with ``covered`` and ``distance_m`` to the nearest."""
    code = check_area_code(area_code, "areaCode")
    kind_codes = check_kinds(kinds)
    reach = check_reach(radius_meters, road_distance_meters)
    proposed = _check_scenario(ctx, scenario)

    def villages(conn: Connection) -> CoverageResult:
        _check_area_exists(conn, code)
        what_if = _confirm_scenario(conn, proposed, code)
        rows = village_distances(conn, code, kind_codes, reach.mode, reach.metres, scenario=what_if)
        before = None
        if proposed is not None:
            before = village_distances(conn, code, kind_codes, reach.mode, reach.metres)
        return CoverageResult(code, rows, before)

    return await ctx.database.read(villages)


def _scores(
    pairs: list[Row],
    villages: list[Row],
    demand_column: str,
    reach: Reach,
    decay: Decay,
) -> dict[str, float]:
    return two_step_fca(
        (
            (
                p["code"],
                p["service"],
                float(p["supply"]),
                float(p[demand_column]),
                decay.weight(p["metres"], reach.metres),
            )
            for p in pairs
        ),
        [v["code"] for v in villages],
    )


async def accessibility(
    ctx: RegistryContext,
    area_code: str,
    kind: str,
    *,
    radius_meters: float | None,
    road_distance_meters: float | None,
    decay: tuple[str, float | None, list[float] | None] = ("none", None, None),
    demand: str = "aged_60_plus",
    scenario: ScenarioRequest | None = None,
) -> AccessibilityResult:
    """2SFCA scores of the area's villages, by code; catchments reach across the area's
    border, since services and elderly there share them."""
    code = check_area_code(area_code, "areaCode")
    kind_code = check_capacity_kind(kind)
    reach = check_reach(radius_meters, road_distance_meters)
    decay_of = check_decay(*decay, reach)
    demand_column = check_demand(demand)
    proposed = _check_scenario(ctx, scenario)

    def pairs_and_villages(conn: Connection) -> tuple[list[Row], list[Row] | None, list[Row]]:
        _check_area_exists(conn, code)
        what_if = _confirm_scenario(conn, proposed, code)
        villages = villages_of(conn, code)
        if any(v[demand_column] is None for v in villages):
            raise BadUserInput(
                Text(
                    f"demand: 数据中并非 {code} 的每个村都有 {demand.upper()} 的人数",
                    "demand: the data has no counts of"
                    f" {demand.upper()} for every village of {code}",
                ),
                "demand",
            )
        pairs = village_service_pairs(conn, [kind_code], reach.mode, reach.metres, scenario=what_if)
        before = None
        if proposed is not None:
            before = village_service_pairs(conn, [kind_code], reach.mode, reach.metres)
        return pairs, before, villages

    pairs, before_pairs, villages = await ctx.database.read(pairs_and_villages)
    scores = _scores(pairs, villages, demand_column, reach, decay_of)
    before = (
        _scores(before_pairs, villages, demand_column, reach, decay_of)
        if before_pairs is not None
        else None
    )
    return AccessibilityResult(
        code,
        [
            VillageScore(
                village=v,
                demand=v[demand_column],
                score=scores[v["code"]],
                score_before=before[v["code"]] if before is not None else None,
            )
            for v in villages
        ],
    )


def rollup_lengths(area_code: str) -> list[int]:
    """Code lengths of the areas between an area and its villages: county, then township."""
    lengths = []
    length = CHILD_CODE_LENGTH.get(len(area_code))
    while length is not None and length < max(CHILD_CODE_LENGTH.values()):
        lengths.append(length)
        length = CHILD_CODE_LENGTH.get(length)
    return lengths


async def suggest_sites(
    ctx: RegistryContext,
    area_code: str,
    kind: str,
    *,
    count: int,
    radius_meters: float | None,
    road_distance_meters: float | None,
    scenario: ScenarioRequest | None = None,
) -> SiteChoice:
    code = check_area_code(area_code, "areaCode")
    if count < 1 or count > MAX_SITES:
        raise BadUserInput(
            Text(
                f"count 须在 1 至 {MAX_SITES} 之间，收到 {count}",
                f"count must be between 1 and {MAX_SITES}, got {count}",
            ),
            "count",
        )
    reach = check_reach(radius_meters, road_distance_meters)
    proposed = _check_scenario(ctx, scenario)

    def coverage_and_reach(
        conn: Connection,
    ) -> tuple[list[Row], list[Row] | None, list[str], list[Any]]:
        _check_area_exists(conn, code)
        what_if = _confirm_scenario(conn, proposed, code)
        start = village_distances(conn, code, [kind], reach.mode, reach.metres, scenario=what_if)
        as_it_stands = None
        if proposed is not None:
            as_it_stands = village_distances(conn, code, [kind], reach.mode, reach.metres)
        # Sites go where nothing is within reach yet, and serve the villages still uncovered.
        uncovered = [r["code"] for r in start if not r["covered"]]
        pairs = village_reach(conn, uncovered, uncovered, reach.mode, reach.metres)
        return start, as_it_stands, uncovered, pairs

    start, as_it_stands, uncovered, reach_pairs = await ctx.database.read(coverage_and_reach)
    by_code = {r["code"]: r for r in start}
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
        before=as_it_stands if as_it_stands is not None else start,
        with_scenario=start if as_it_stands is not None else None,
        after=[{**r, "covered": r["covered"] or r["code"] in newly} for r in start],
    )
