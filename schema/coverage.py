"""Coverage reports: how many villages, households and elderly have a service within reach."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from domain.codes import CHILD_CODE_LENGTH
from gis.chinese_crs import geojson_from_wgs84
from resolvers import coverage as coverage_resolvers
from resolvers.context import RegistryContext
from resolvers.pages import check_first
from schema.area_links import AreaType, area_from_row
from schema.inputs import WGS84, CoordinateSystem
from schema.service import ServiceKind

MAX_GAPS = 500
DEFAULT_GAPS = 20


@strawberry.type(description="Coverage of an area's villages by services of some kinds.")
class CoverageReport:
    area_code: str
    villages: int
    covered_villages: int
    households: int
    covered_households: int
    elderly: int
    covered_elderly: int
    share: float = strawberry.field(description="coveredElderly / elderly")
    rows: strawberry.Private[list[dict[str, Any]]]

    @classmethod
    def from_villages(cls, area_code: str, rows: list[dict[str, Any]]) -> CoverageReport:
        covered = [r for r in rows if r["covered"]]
        elderly = sum(r["elderly"] for r in rows)
        covered_elderly = sum(r["elderly"] for r in covered)
        return cls(
            area_code=area_code,
            villages=len(rows),
            covered_villages=len(covered),
            households=sum(r["households"] for r in rows),
            covered_households=sum(r["households"] for r in covered),
            elderly=elderly,
            covered_elderly=covered_elderly,
            share=covered_elderly / elderly if elderly else 0.0,
            rows=rows,
        )

    @strawberry.field(description="One report per child area of areaCode, by code.")
    def by_area(self) -> list[CoverageReport]:
        length = CHILD_CODE_LENGTH.get(len(self.area_code))
        if length is None:
            return []
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in self.rows:
            groups.setdefault(row["code"][:length], []).append(row)
        return [CoverageReport.from_villages(code, rows) for code, rows in sorted(groups.items())]

    def _gap_rows(self, first: int | None) -> list[dict[str, Any]]:
        first = check_first(first, DEFAULT_GAPS, MAX_GAPS)
        uncovered = sorted(
            (r for r in self.rows if not r["covered"]), key=lambda r: (-r["elderly"], r["code"])
        )
        return uncovered[:first]

    @strawberry.field(description="Uncovered villages, most elderly first.")
    def gaps(self, first: int | None = DEFAULT_GAPS) -> list[AreaType]:
        return [area_from_row(r) for r in self._gap_rows(first)]

    @strawberry.field(
        name="byAreaGeoJSON",
        description="byArea as a GeoJSON FeatureCollection of outlines, ready for a choropleth",
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
        description="gaps as a GeoJSON FeatureCollection of representative points",
    )
    async def gaps_geojson(
        self,
        info: Info[RegistryContext, None],
        first: int | None = DEFAULT_GAPS,
        crs: CoordinateSystem = WGS84,
    ) -> JSON:
        rows = self._gap_rows(first)
        outlines = await info.context.loaders.outline.load_many([r["code"] for r in rows])
        features = [
            {
                "type": "Feature",
                "id": row["code"],
                "geometry": (
                    geojson_from_wgs84(outline["representative_point"], crs) if outline else None
                ),
                "properties": {
                    "code": row["code"],
                    "name": row["name"],
                    "households": row["households"],
                    "elderly": row["elderly"],
                },
            }
            for row, outline in zip(rows, outlines, strict=True)
        ]
        return JSON({"type": "FeatureCollection", "features": features})


@strawberry.type(description="Supply against demand in an area.")
class AreaCapacity:
    beds: int
    nursing_beds: int
    daily_meals: int = strawberry.field(description="Meal capacity of the elder dining tables")
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


@strawberry.type(description="A village's two-step floating catchment area (2SFCA) score.")
class VillageAccessibility:
    area: AreaType
    elderly: int
    score: float = strawberry.field(
        description="Supply within reach per elderly person, each service's supply shared "
        "among all the elderly within its own reach"
    )
    score_per_100_elderly: float


@strawberry.type(description="A village proposed as the site of a new service.")
class SuggestedSite:
    area: AreaType
    added_elderly: int = strawberry.field(description="Elderly not covered before, covered now")
    added_villages: int


@strawberry.type(description="Where to build next, and coverage before and after.")
class SiteSuggestions:
    sites: list[SuggestedSite]
    before: CoverageReport
    after: CoverageReport


async def coverage(
    info: Info[RegistryContext, None],
    *,
    area_code: str,
    kinds: list[ServiceKind],
    radius_meters: float | None = None,
    road_distance_meters: float | None = None,
) -> CoverageReport:
    rows = await coverage_resolvers.coverage(
        info.context,
        area_code,
        [kind.value for kind in kinds],
        radius_meters=radius_meters,
        road_distance_meters=road_distance_meters,
    )
    return CoverageReport.from_villages(area_code.strip(), rows)


async def accessibility(
    info: Info[RegistryContext, None],
    *,
    area_code: str,
    kind: ServiceKind,
    radius_meters: float | None = None,
    road_distance_meters: float | None = None,
) -> list[VillageAccessibility]:
    scores = await coverage_resolvers.accessibility(
        info.context,
        area_code,
        kind.value,
        radius_meters=radius_meters,
        road_distance_meters=road_distance_meters,
    )
    return [
        VillageAccessibility(
            area=area_from_row(s.village),
            elderly=s.village["elderly"],
            score=s.score,
            score_per_100_elderly=s.score * 100,
        )
        for s in scores
    ]


async def suggest_sites(
    info: Info[RegistryContext, None],
    *,
    area_code: str,
    kind: ServiceKind,
    count: int = 3,
    radius_meters: float | None = None,
    road_distance_meters: float | None = None,
) -> SiteSuggestions:
    choice = await coverage_resolvers.suggest_sites(
        info.context,
        area_code,
        kind.value,
        count=count,
        radius_meters=radius_meters,
        road_distance_meters=road_distance_meters,
    )
    return SiteSuggestions(
        sites=[
            SuggestedSite(area=area_from_row(row), added_elderly=gain, added_villages=n)
            for row, gain, n in choice.sites
        ],
        before=CoverageReport.from_villages(choice.area_code, choice.before),
        after=CoverageReport.from_villages(choice.area_code, choice.after),
    )
