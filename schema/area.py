"""Administrative areas: city → county → township (乡镇/街道) → village (村/居委会)."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from db.kinds import PLACE_NAME, SERVICE, VILLAGE_ROAD, EditableKind
from gis.chinese_crs import geojson_from_wgs84
from resolvers import areas as area_resolvers
from resolvers import records
from resolvers import services as service_resolvers
from resolvers.context import RegistryContext
from resolvers.filters import DEFAULT_PAGE_SIZE, CollectionQuery
from resolvers.pages import Slice, check_slice
from schema.coverage import AreaCapacity
from schema.inputs import WGS84, CoordinateSystem, WithinInput
from schema.node import Node
from schema.pagination import Connection, connection_from
from schema.place_name import PlaceName
from schema.scalars import GeoJSON
from schema.service import Service, ServiceHit, ServiceKind, kind_values, service_from_row
from schema.village_road import VillageRoad

T = TypeVar("T")
# A page of an area's records when the client names no size (as the collections).
NESTED_PAGE = DEFAULT_PAGE_SIZE


@strawberry.enum(description="区划层级 / Level of an administrative area.")
class AreaLevel(Enum):
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


@strawberry.type(
    description="行政区划（含统计用区划代码） / An administrative area"
    " with its official statistical code."
)
class AdminArea(Node):
    code: str = strawberry.field(
        description="统计用区划代码 / Statistical division code (NBS 2023)."
    )
    name: str
    level: AreaLevel
    parent_code: strawberry.Private[str | None]

    def node_key(self) -> tuple[str, Any]:
        return "AdminArea", self.code

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AdminArea:
        return cls(
            code=row["code"],
            name=row["name"],
            level=AreaLevel(row["level"]),
            parent_code=row["parent_code"],
        )

    @strawberry.field(description="上级区划 / The area one level up; null for the city.")
    async def parent(self, info: Info[RegistryContext, None]) -> AdminArea | None:
        if self.parent_code is None:
            return None
        row = await info.context.loaders.area.load(self.parent_code)
        return AdminArea.from_row(row) if row else None

    @strawberry.field(description="下级区划 / The areas one level down, by code.")
    async def children(self, info: Info[RegistryContext, None]) -> list[AdminArea]:
        rows = await info.context.loaders.children.load(self.code)
        return [AdminArea.from_row(row) for row in rows]

    @strawberry.field(description="边界 / The outline, a MultiPolygon.")
    async def geometry(
        self, info: Info[RegistryContext, None], crs: CoordinateSystem = WGS84
    ) -> GeoJSON:
        outline = await self._outline(info)
        return GeoJSON(geojson_from_wgs84(outline["geometry"], crs))

    @strawberry.field(
        description="代表点 / A point inside the outline; distances"
        " from an area are measured from it."
    )
    async def representative_point(
        self, info: Info[RegistryContext, None], crs: CoordinateSystem = WGS84
    ) -> GeoJSON:
        outline = await self._outline(info)
        return GeoJSON(geojson_from_wgs84(outline["representative_point"], crs))

    @strawberry.field(description="户数 / Households, summed over the area's villages.")
    async def households(self, info: Info[RegistryContext, None]) -> int:
        return int((await self._figures(info))["households"])

    @strawberry.field(description="人口 / Residents, summed over the area's villages.")
    async def population(self, info: Info[RegistryContext, None]) -> int:
        return int((await self._figures(info))["population"])

    @strawberry.field(
        description="60 岁及以上老年人口 / Residents aged 60 and"
        " over, summed over the area's villages."
    )
    async def elderly(self, info: Info[RegistryContext, None]) -> int:
        return int((await self._figures(info))["elderly"])

    @strawberry.field(
        description="最近的服务设施 / The nearest services to the"
        " representative point, in geodesic metres "
        "(as nearestServices answers for a point)."
    )
    async def nearest_services(
        self,
        info: Info[RegistryContext, None],
        kinds: list[ServiceKind] | None = None,
        first: int | None = service_resolvers.DEFAULT_NEAREST,
        max_distance_meters: float | None = None,
    ) -> list[ServiceHit]:
        rows = await service_resolvers.nearest_services_to_area(
            info.context,
            self.code,
            kinds=kind_values(kinds),
            first=first,
            max_distance_meters=max_distance_meters,
        )
        return ServiceHit.from_rows(rows)

    @strawberry.field(
        description="区域内的服务设施 / Published services held by the area or any area"
        " inside it, a page at a time in id order."
    )
    async def services(
        self,
        info: Info[RegistryContext, None],
        *,
        kinds: list[ServiceKind] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Service]:
        part = check_slice(first=first, after=after, last=last, before=before, default=NESTED_PAGE)
        return await self._records(info, SERVICE, part, service_from_row, kind_values(kinds))

    @strawberry.field(
        description="区域内的地名 / Published place names of the area and the areas inside"
        " it, a page at a time in id order."
    )
    async def place_names(
        self,
        info: Info[RegistryContext, None],
        *,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PlaceName]:
        part = check_slice(first=first, after=after, last=last, before=before, default=NESTED_PAGE)
        return await self._records(info, PLACE_NAME, part, PlaceName.from_row)

    @strawberry.field(
        description="区域内的村内道路 / Published village roads of the area and the areas"
        " inside it, a page at a time in id order."
    )
    async def village_roads(
        self,
        info: Info[RegistryContext, None],
        *,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[VillageRoad]:
        part = check_slice(first=first, after=after, last=last, before=before, default=NESTED_PAGE)
        return await self._records(info, VILLAGE_ROAD, part, VillageRoad.from_row)

    @strawberry.field(
        description="床位、餐数与老年人口之比 / Beds and daily meals"
        " against the elderly of the area."
    )
    async def capacity(self, info: Info[RegistryContext, None]) -> AreaCapacity:
        supply = await info.context.loaders.capacity.load(self.code)
        figures = await self._figures(info)
        assert supply is not None
        return AreaCapacity.of(supply, int(figures["elderly"]))

    async def _records(
        self,
        info: Info[RegistryContext, None],
        kind: EditableKind,
        part: Slice,
        to_node: Callable[[dict[str, Any]], T],
        kinds: list[str] | None = None,
    ) -> Connection[T]:
        """A page of the published records of ``kind`` the area holds."""
        page = await records.published_in_area(info.context, kind, self.code, part, kinds)
        return connection_from(page, to_node)

    async def _figures(self, info: Info[RegistryContext, None]) -> dict[str, Any]:
        figures = await info.context.loaders.figures.load(self.code)
        assert figures is not None
        return figures

    async def _outline(self, info: Info[RegistryContext, None]) -> dict[str, Any]:
        outline = await info.context.loaders.outline.load(self.code)
        assert outline is not None
        return outline


AdminAreaConnection = Connection[AdminArea]


async def area(info: Info[RegistryContext, None], code: str) -> AdminArea | None:
    row = await area_resolvers.area(info.context, code)
    return AdminArea.from_row(row) if row else None


async def areas(
    info: Info[RegistryContext, None],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    levels: list[AreaLevel] | None = None,
    bbox: list[float] | None = None,
    within: WithinInput | None = None,
    intersects: GeoJSON | None = None,
    in_area: str | None = None,
    crs: CoordinateSystem = WGS84,
) -> AdminAreaConnection:
    query = areas_query(
        first=first,
        after=after,
        last=last,
        before=before,
        levels=levels,
        bbox=bbox,
        within=within,
        intersects=intersects,
        in_area=in_area,
        crs=crs,
    )
    return connection_from(await area_resolvers.areas(info.context, query), AdminArea.from_row)


def areas_query(
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    levels: list[AreaLevel] | None,
    bbox: list[float] | None,
    within: WithinInput | None,
    intersects: GeoJSON | None,
    in_area: str | None,
    crs: CoordinateSystem,
) -> CollectionQuery:
    """The arguments of areas as a collection query (every one given: the
    defaults are the field's, in its resolver's signature)."""
    return CollectionQuery(
        first=first,
        after=after,
        last=last,
        before=before,
        levels=[level.value for level in levels] if levels is not None else None,
        bbox=bbox,
        within=WithinInput.convert(within),
        intersects=intersects,
        in_area=in_area,
        crs=crs,
    )
