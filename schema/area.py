"""Administrative areas: city → county → township (乡镇/街道) → village (村/居委会)."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from gis.chinese_crs import geojson_from_wgs84
from schema.context import RegistryContext
from schema.coverage import AreaCapacity
from schema.inputs import WGS84, CoordinateSystem
from schema.pagination import Connection
from schema.place_name import PlaceName, VillageRoad
from schema.scalars import GeoJSON
from schema.service import Service, ServiceHit, ServiceKind, service_from_row, service_hits


@strawberry.enum(description="Level of an administrative area.")
class AreaLevel(Enum):
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


@strawberry.type(description="An administrative area with its official statistical code.")
class AdminArea:
    code: str = strawberry.field(description="Statistical division code (NBS 2023).")
    name: str
    level: AreaLevel
    parent_code: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AdminArea:
        return cls(
            code=row["code"],
            name=row["name"],
            level=AreaLevel(row["level"]),
            parent_code=row["parent_code"],
        )

    @strawberry.field(description="The area one level up; null for the city.")
    async def parent(self, info: Info[RegistryContext, None]) -> AdminArea | None:
        if self.parent_code is None:
            return None
        row = await info.context.loaders.area.load(self.parent_code)
        return AdminArea.from_row(row) if row else None

    @strawberry.field(description="The areas one level down, by code.")
    async def children(self, info: Info[RegistryContext, None]) -> list[AdminArea]:
        rows = await info.context.loaders.children.load(self.code)
        return [AdminArea.from_row(row) for row in rows]

    @strawberry.field(description="The outline, a MultiPolygon.")
    async def geometry(
        self, info: Info[RegistryContext, None], crs: CoordinateSystem = WGS84
    ) -> GeoJSON:
        outline = await info.context.loaders.outline.load(self.code)
        assert outline is not None
        return geojson_from_wgs84(outline["geometry"], crs)

    @strawberry.field(
        description="A point inside the outline; distances from an area are measured from it."
    )
    async def representative_point(
        self, info: Info[RegistryContext, None], crs: CoordinateSystem = WGS84
    ) -> GeoJSON:
        outline = await info.context.loaders.outline.load(self.code)
        assert outline is not None
        return geojson_from_wgs84(outline["representative_point"], crs)

    @strawberry.field(description="Households, summed over the area's villages.")
    async def households(self, info: Info[RegistryContext, None]) -> int:
        return int((await self._figures(info))["households"])

    @strawberry.field(description="Residents, summed over the area's villages.")
    async def population(self, info: Info[RegistryContext, None]) -> int:
        return int((await self._figures(info))["population"])

    @strawberry.field(description="Residents aged 60 and over, summed over the area's villages.")
    async def elderly(self, info: Info[RegistryContext, None]) -> int:
        return int((await self._figures(info))["elderly"])

    @strawberry.field(
        description="The nearest services to the representative point, in geodesic metres."
    )
    async def nearest_services(
        self,
        info: Info[RegistryContext, None],
        kinds: list[ServiceKind] | None = None,
        first: int = 5,
        max_distance_meters: float | None = None,
    ) -> list[ServiceHit]:
        from resolvers.services import MAX_NEAREST, check_max_distance, kind_codes
        from schema.pagination import check_first

        loader = info.context.loaders.nearest_to_area(
            kind_codes(kinds),
            check_first(first, MAX_NEAREST),
            check_max_distance(max_distance_meters),
        )
        return service_hits(await loader.load(self.code))

    @strawberry.field(description="Published services held by the area or any area inside it.")
    async def services(
        self, info: Info[RegistryContext, None], kinds: list[ServiceKind] | None = None
    ) -> list[Service]:
        rows = await info.context.loaders.services_in.load(self.code)
        wanted = None if kinds is None else {kind.value for kind in kinds}
        return [service_from_row(r) for r in rows if wanted is None or r["kind"] in wanted]

    @strawberry.field(description="Published place names of the area and the areas inside it.")
    async def place_names(self, info: Info[RegistryContext, None]) -> list[PlaceName]:
        rows = await info.context.loaders.place_names_in.load(self.code)
        return [PlaceName.from_row(row) for row in rows]

    @strawberry.field(description="Published village roads of the area and the areas inside it.")
    async def village_roads(self, info: Info[RegistryContext, None]) -> list[VillageRoad]:
        rows = await info.context.loaders.village_roads_in.load(self.code)
        return [VillageRoad.from_row(row) for row in rows]

    @strawberry.field(description="Beds and daily meals against the elderly of the area.")
    async def capacity(self, info: Info[RegistryContext, None]) -> AreaCapacity:
        supply = await info.context.loaders.capacity.load(self.code)
        figures = await self._figures(info)
        assert supply is not None
        elderly = int(figures["elderly"])

        def per_100(value: int) -> float:
            return value * 100 / elderly if elderly else 0.0

        return AreaCapacity(
            beds=supply["beds"],
            nursing_beds=supply["nursing_beds"],
            daily_meals=supply["meals"],
            elderly=elderly,
            beds_per_100_elderly=per_100(supply["beds"]),
            meals_per_100_elderly=per_100(supply["meals"]),
        )

    async def _figures(self, info: Info[RegistryContext, None]) -> dict[str, Any]:
        figures = await info.context.loaders.figures.load(self.code)
        assert figures is not None
        return figures


AdminAreaConnection = Connection[AdminArea]
AREA_CURSOR = "area"
