"""Coverage reports: how many villages, households and elderly have a service within reach,
accessibility scores, where to build next; each under a what-if scenario if asked."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from domain.codes import COUNTY_DIGITS, TOWNSHIP_DIGITS
from gis.chinese_crs import geojson_from_wgs84
from resolvers import coverage as coverage_resolvers
from resolvers.context import RegistryContext
from resolvers.pages import Slice, check_first, check_slice, page_of_rows
from schema.area_links import AreaType, area_from_row, area_of
from schema.inputs import WGS84, CoordinateSystem, PointInput
from schema.pagination import Connection, connection_from
from schema.service import ServiceKind

MAX_GAPS = 5000
DEFAULT_GAPS = 20
# A page of an accessibility report's villages when the client names no size: a county's.
DEFAULT_VILLAGE_SCORES = 500
Row = dict[str, Any]


@strawberry.type(
    description="服务覆盖情况 / Coverage of an area's villages by services of some kinds."
)
class CoverageReport:
    area_code: str
    villages: int
    covered_villages: int
    households: int
    covered_households: int
    elderly: int
    covered_elderly: int
    share: float = strawberry.field(description="老年人覆盖率 / coveredElderly / elderly")
    rows: strawberry.Private[list[Row]]
    before_rows: strawberry.Private[list[Row] | None] = None

    @classmethod
    def from_villages(
        cls, area_code: str, rows: list[Row], before: list[Row] | None = None
    ) -> CoverageReport:
        figures = coverage_resolvers.figures_of(area_code, rows)
        return cls(
            area_code=area_code,
            villages=figures.villages,
            covered_villages=figures.covered_villages,
            households=figures.households,
            covered_households=figures.covered_households,
            elderly=figures.elderly,
            covered_elderly=figures.covered_elderly,
            share=figures.share,
            rows=rows,
            before_rows=before,
        )

    @strawberry.field(description="报告区域 / The area reported on.")
    async def area(self, info: Info[RegistryContext, None]) -> AreaType:
        return await area_of(info, self.area_code)

    @strawberry.field(description="名称 The area's name.")
    async def name(self, info: Info[RegistryContext, None]) -> str:
        row = await info.context.loaders.area.load(self.area_code)
        return str(row["name"]) if row else ""

    @strawberry.field(description="级别 The area's level: city, county, township or village.")
    async def level(self, info: Info[RegistryContext, None]) -> str:
        row = await info.context.loaders.area.load(self.area_code)
        return str(row["level"]).upper() if row else ""

    @strawberry.field(
        description="情景前的报告 / The same report with the registry"
        " as it stands, when a scenario was "
        "given (the report itself is the scenario's); null without a scenario."
    )
    def before(self) -> CoverageReport | None:
        if self.before_rows is None:
            return None
        return CoverageReport.from_villages(self.area_code, self.before_rows)

    @strawberry.field(
        description="各下级区划的报告 / One report per child area of areaCode, by code."
    )
    def by_area(self) -> list[CoverageReport]:
        before = dict(coverage_resolvers.by_child_area(self.area_code, self.before_rows or []))
        return [
            CoverageReport.from_villages(code, rows, before.get(code))
            for code, rows in coverage_resolvers.by_child_area(self.area_code, self.rows)
        ]

    @strawberry.field(
        description="未覆盖的村 / Uncovered villages, most elderly"
        " left uncovered first (then by code), "
        "a page at a time (at most 5000); totalCount counts them all."
    )
    async def gaps(
        self,
        info: Info[RegistryContext, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AreaType]:
        page = page_of_rows(
            coverage_resolvers.gap_rows(self.rows),
            part=check_slice(
                first=first,
                after=after,
                last=last,
                before=before,
                default=DEFAULT_GAPS,
                maximum=MAX_GAPS,
            ),
            cursor_kind="gap",
            key="code",
        )
        areas = await info.context.loaders.area.load_many([r["code"] for r in page.rows])
        by_code = {a["code"]: a for a in areas if a is not None}
        return connection_from(page, lambda row: area_from_row(by_code[row["code"]]))

    @strawberry.field(
        name="byAreaGeoJSON",
        description="按区域的 GeoJSON / byArea as a GeoJSON FeatureCollection"
        " of outlines, ready for a choropleth",
    )
    async def by_area_geojson(
        self, info: Info[RegistryContext, None], crs: CoordinateSystem = WGS84
    ) -> JSON:
        reports = self.by_area()
        outlines = await info.context.loaders.outline.load_many([r.area_code for r in reports])
        names = await info.context.loaders.area.load_many([r.area_code for r in reports])
        features = [
            {
                "type": "Feature",
                "id": report.area_code,
                "geometry": geojson_from_wgs84(outline["geometry"], crs) if outline else None,
                "properties": {
                    "code": report.area_code,
                    "name": name["name"] if name else None,
                    # As AreaLevel spells it, like every enum value of the API.
                    "level": name["level"].upper() if name else None,
                    "villages": report.villages,
                    "coveredVillages": report.covered_villages,
                    "elderly": report.elderly,
                    "coveredElderly": report.covered_elderly,
                    "share": report.share,
                },
            }
            for report, outline, name in zip(reports, outlines, names, strict=True)
        ]
        return JSON({"type": "FeatureCollection", "features": features})

    @strawberry.field(
        name="gapsGeoJSON",
        description="未覆盖村的 GeoJSON / gaps as a GeoJSON"
        " FeatureCollection of representative points",
    )
    async def gaps_geojson(
        self,
        info: Info[RegistryContext, None],
        first: int | None = DEFAULT_GAPS,
        crs: CoordinateSystem = WGS84,
    ) -> JSON:
        rows = coverage_resolvers.gap_rows(self.rows)[: check_first(first, DEFAULT_GAPS, MAX_GAPS)]
        outlines = await info.context.loaders.outline.load_many([r["code"] for r in rows])
        areas = await info.context.loaders.area.load_many([r["code"] for r in rows])
        features = [
            {
                "type": "Feature",
                "id": row["code"],
                "geometry": (
                    geojson_from_wgs84(outline["representative_point"], crs) if outline else None
                ),
                "properties": {
                    "code": row["code"],
                    "name": area["name"] if area else None,
                    "households": row["households"],
                    "elderly": row["elderly"],
                },
            }
            for row, outline, area in zip(rows, outlines, areas, strict=True)
        ]
        return JSON({"type": "FeatureCollection", "features": features})


@strawberry.type(description="区域供需 / Supply against demand in an area.")
class AreaCapacity:
    beds: int
    nursing_beds: int
    daily_meals: int = strawberry.field(
        description="老年餐桌供餐能力 / Meal capacity of the elder dining tables"
    )
    elderly: int
    beds_per_100_elderly: float
    meals_per_100_elderly: float

    @classmethod
    def of(cls, supply: dict[str, Any], elderly: int) -> AreaCapacity:
        def per_100(value: int) -> float:
            return value * 100 / elderly if elderly else 0.0

        return cls(
            beds=supply["beds"],
            nursing_beds=supply["nursing_beds"],
            daily_meals=supply["meals"],
            elderly=elderly,
            beds_per_100_elderly=per_100(supply["beds"]),
            meals_per_100_elderly=per_100(supply["meals"]),
        )


@strawberry.type(
    description="村的两步移动搜寻法（2SFCA）可达性得分 / A village's two-step"
    " floating catchment area (2SFCA) score."
)
class VillageAccessibility:
    area: AreaType
    elderly: int
    demand: int = strawberry.field(description="需求人数 / The village's count of the demand group")
    score: float = strawberry.field(
        description="人均可达供给 / Supply within reach per person"
        " of the demand group, each service's "
        "supply shared among all the demand within its own reach (weighted by the decay)"
    )
    score_per_100_elderly: float
    score_before: float | None = strawberry.field(
        description="情景前得分 / The score with the registry as it stands; null without a scenario"
    )


@strawberry.type(
    description="区域可达性均值 / Scores of an area's villages as one mean, weighted by demand."
)
class AreaAccessibility:
    area_code: strawberry.Private[str]
    demand: int
    score: float
    score_per_100: float
    score_before: float | None

    @strawberry.field
    async def area(self, info: Info[RegistryContext, None]) -> AreaType:
        return await area_of(info, self.area_code)


@strawberry.type(
    description="可达性汇总 / Accessibility of an area's villages, rolled up to larger areas."
)
class AccessibilityReport:
    village_scores: strawberry.Private[list[VillageAccessibility]]
    total: AreaAccessibility
    by_county: list[AreaAccessibility] = strawberry.field(
        description="区内各县级区划 / The counties within the area"
        " (empty when the area is a county or smaller)"
    )
    by_township: list[AreaAccessibility] = strawberry.field(
        description="区内各乡镇 / The townships within the area (empty"
        " when the area is a township or smaller)"
    )

    @strawberry.field(
        description="各村（居）得分 / Each village's score, by code, a page at a time"
        " (at most 5000)"
    )
    def villages(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[VillageAccessibility]:
        part = village_slice(first=first, after=after, last=last, before=before)
        return village_scores_page(self.village_scores, part)


def village_slice(
    *, first: int | None, after: str | None, last: int | None, before: str | None
) -> Slice:
    """The page of villages' scores asked for, checked (before any score is computed)."""
    return check_slice(
        first=first,
        after=after,
        last=last,
        before=before,
        default=DEFAULT_VILLAGE_SCORES,
        maximum=MAX_GAPS,
    )


def village_scores_page(
    scores: list[VillageAccessibility], part: Slice
) -> Connection[VillageAccessibility]:
    """A page of villages' scores, in code order."""
    rows = [{"code": v.area.code, "score": v} for v in scores]
    page = page_of_rows(rows, part=part, cursor_kind="village-score", key="code")
    return connection_from(page, lambda row: row["score"])


@strawberry.type(description="建议站点 / A village proposed as the site of a new service.")
class SuggestedSite:
    code: strawberry.Private[str]
    added_elderly: int = strawberry.field(
        description="新增覆盖的老年人 / Elderly not covered before, covered now"
    )
    added_villages: int

    @strawberry.field(description="村 / The village")
    async def area(self, info: Info[RegistryContext, None]) -> AreaType:
        return await area_of(info, self.code)


@strawberry.type(description="选址建议 / Where to build next, and coverage before and after.")
class SiteSuggestions:
    sites: list[SuggestedSite]
    before: CoverageReport = strawberry.field(description="现状 / With the registry as it stands")
    with_scenario: CoverageReport | None = strawberry.field(
        description="情景下、建设前 / With the scenario, before the"
        " suggested sites; null without a scenario"
    )
    after: CoverageReport = strawberry.field(
        description="情景下、建设后 / With the scenario and the sites"
    )


@strawberry.enum(description="距离衰减函数 / Distance decay in accessibility scores.")
class DecayFunction(Enum):
    NONE = "none"
    GAUSSIAN = "gaussian"
    STEPPED = "stepped"


@strawberry.input(
    description="距离衰减设置 / How much a service counts at a distance within the catchment."
)
class DecayInput:
    function: DecayFunction
    bandwidth_meters: float | None = strawberry.field(
        default=None,
        description="高斯衰减带宽 / GAUSSIAN: where the weight"
        " reaches 0, at most the catchment distance",
    )
    steps: list[float] | None = strawberry.field(
        default=None,
        description="分段衰减权重 / STEPPED (E2SFCA): the weight of"
        " each equal band of the catchment, near "
        "to far, such as [1, 0.68, 0.22]",
    )


@strawberry.enum(description="需求人群 / Whose demand accessibility measures.")
class DemandGroup(Enum):
    AGED_60_PLUS = "aged_60_plus"
    AGED_80_PLUS = "aged_80_plus"


@strawberry.input(description="假设站点 / A service that does not exist, for a what-if question.")
class HypotheticalSiteInput:
    kind: ServiceKind
    point: PointInput = strawberry.field(description="须在所查区域内 / Inside the area asked about")
    capacity: int = strawberry.field(
        default=0,
        description="床位或每日餐数 / Beds or meals a day; 0 for kinds without a capacity",
    )


@strawberry.input(
    description="情景分析 / What if: proposed services opened,"
    " sites added, services closed. Nothing "
    "is written; planners and up."
)
class ScenarioInput:
    include_proposed: bool = strawberry.field(
        default=False, description="计入在审服务设施 / Count proposed and approved services as open"
    )
    add_sites: list[HypotheticalSiteInput] = strawberry.field(
        default_factory=list, description="至多 200 个 / At most 200"
    )
    close_services: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="假设关闭的服务设施 / Services left out, as if closed"
    )
    crs: CoordinateSystem = WGS84


def scenario_request(
    scenario: ScenarioInput | None,
) -> coverage_resolvers.ScenarioRequest | None:
    if scenario is None:
        return None
    return coverage_resolvers.ScenarioRequest(
        include_proposed=scenario.include_proposed,
        add_sites=[
            coverage_resolvers.SiteRequest(s.kind.value, s.point.to_point(), s.capacity)
            for s in scenario.add_sites
        ],
        close_services=[str(i) for i in scenario.close_services],
        crs=scenario.crs,
    )


async def coverage(
    info: Info[RegistryContext, None],
    *,
    area_code: str,
    kinds: list[ServiceKind],
    radius_meters: float | None = None,
    road_distance_meters: float | None = None,
    scenario: ScenarioInput | None = None,
) -> CoverageReport:
    result = await coverage_resolvers.coverage(
        info.context,
        area_code,
        [kind.value for kind in kinds],
        radius_meters=radius_meters,
        road_distance_meters=road_distance_meters,
        scenario=scenario_request(scenario),
    )
    return CoverageReport.from_villages(result.area_code, result.rows, result.before)


def _area_score(score: coverage_resolvers.AreaScore) -> AreaAccessibility:
    return AreaAccessibility(
        area_code=score.code,
        demand=score.demand,
        score=score.score,
        score_per_100=score.score * 100,
        score_before=score.score_before,
    )


async def accessibility_report(
    info: Info[RegistryContext, None],
    *,
    area_code: str,
    kind: ServiceKind,
    radius_meters: float | None = None,
    road_distance_meters: float | None = None,
    decay: DecayInput | None = None,
    demand: DemandGroup = DemandGroup.AGED_60_PLUS,
    scenario: ScenarioInput | None = None,
) -> AccessibilityReport:
    result = await coverage_resolvers.accessibility(
        info.context,
        area_code,
        kind.value,
        radius_meters=radius_meters,
        road_distance_meters=road_distance_meters,
        decay=(
            (decay.function.value, decay.bandwidth_meters, decay.steps)
            if decay is not None
            else ("none", None, None)
        ),
        demand=demand.value,
        scenario=scenario_request(scenario),
    )
    code = result.area_code
    rollups = {length: result.rollup(length) for length in coverage_resolvers.rollup_lengths(code)}
    return AccessibilityReport(
        village_scores=[
            VillageAccessibility(
                area=area_from_row(s.village),
                elderly=s.village["elderly"],
                demand=s.demand,
                score=s.score,
                score_per_100_elderly=s.score * 100,
                score_before=s.score_before,
            )
            for s in result.villages
        ],
        total=_area_score(result.rollup(len(code))[0])
        if result.villages
        else AreaAccessibility(
            area_code=code, demand=0, score=0.0, score_per_100=0.0, score_before=None
        ),
        by_county=[_area_score(s) for s in rollups.get(COUNTY_DIGITS, [])],
        by_township=[_area_score(s) for s in rollups.get(TOWNSHIP_DIGITS, [])],
    )


async def accessibility(
    info: Info[RegistryContext, None],
    *,
    area_code: str,
    kind: ServiceKind,
    radius_meters: float | None = None,
    road_distance_meters: float | None = None,
    decay: DecayInput | None = None,
    demand: DemandGroup = DemandGroup.AGED_60_PLUS,
    scenario: ScenarioInput | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Connection[VillageAccessibility]:
    part = village_slice(first=first, after=after, last=last, before=before)
    report = await accessibility_report(
        info,
        area_code=area_code,
        kind=kind,
        radius_meters=radius_meters,
        road_distance_meters=road_distance_meters,
        decay=decay,
        demand=demand,
        scenario=scenario,
    )
    return village_scores_page(report.village_scores, part)


async def suggest_sites(
    info: Info[RegistryContext, None],
    *,
    area_code: str,
    kind: ServiceKind,
    count: int = 3,
    radius_meters: float | None = None,
    road_distance_meters: float | None = None,
    scenario: ScenarioInput | None = None,
) -> SiteSuggestions:
    choice = await coverage_resolvers.suggest_sites(
        info.context,
        area_code,
        kind.value,
        count=count,
        radius_meters=radius_meters,
        road_distance_meters=road_distance_meters,
        scenario=scenario_request(scenario),
    )
    return SiteSuggestions(
        sites=[
            SuggestedSite(code=row["code"], added_elderly=gain, added_villages=n)
            for row, gain, n in choice.sites
        ],
        before=CoverageReport.from_villages(choice.area_code, choice.before),
        with_scenario=(
            CoverageReport.from_villages(choice.area_code, choice.with_scenario)
            if choice.with_scenario is not None
            else None
        ),
        after=CoverageReport.from_villages(choice.area_code, choice.after),
    )
