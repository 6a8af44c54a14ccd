"""Coverage reports: how many villages, households and elderly have a service within reach."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gis.chinese_crs import geojson_from_wgs84
from schema.context import RegistryContext
from schema.inputs import WGS84, CoordinateSystem
from schema.pagination import check_first

if TYPE_CHECKING:
    from schema.area import AdminArea

AreaType = Annotated["AdminArea", strawberry.lazy("schema.area")]
MAX_GAPS = 500
# Code length of the next level down: city 4 → county 6 → township 9 → village 12.
_CHILD_CODE_LENGTH = {4: 6, 6: 9, 9: 12}


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
        length = _CHILD_CODE_LENGTH.get(len(self.area_code))
        if length is None:
            return []
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in self.rows:
            groups.setdefault(row["code"][:length], []).append(row)
        return [CoverageReport.from_villages(code, rows) for code, rows in sorted(groups.items())]

    def _gap_rows(self, first: int | None) -> list[dict[str, Any]]:
        first = check_first(20 if first is None else first, MAX_GAPS)
        uncovered = sorted(
            (r for r in self.rows if not r["covered"]), key=lambda r: (-r["elderly"], r["code"])
        )
        return uncovered[:first]

    @strawberry.field(description="Uncovered villages, most elderly first.")
    def gaps(self, first: int | None = 20) -> list[AreaType]:
        from schema.area import AdminArea

        return [AdminArea.from_row(r) for r in self._gap_rows(first)]

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
        first: int | None = 20,
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
