"""Place names (地名) and village roads (村内道路)."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from gis.chinese_crs import geojson_from_wgs84
from resolvers.auth import IsPlanner
from schema.context import RegistryContext
from schema.inputs import WGS84, CoordinateSystem
from schema.lifecycle import LifecycleStatus, PendingChange, pending_change_of
from schema.pagination import Connection
from schema.revision import Revision, revisions_of
from schema.scalars import GeoJSON
from schema.service import area_chain_codes

if TYPE_CHECKING:
    from schema.area import AdminArea

AreaType = Annotated["AdminArea", strawberry.lazy("schema.area")]
PLACE_NAME_CURSOR = "place_name"
VILLAGE_ROAD_CURSOR = "village_road"


@strawberry.enum(description="Designations of a place name; values are designation codes.")
class Designation(Enum):
    RED = "red"  # 红色地名
    HERITAGE = "heritage"  # 地名文化遗产
    PROTECTED = "protected"  # 地名保护名录


@strawberry.enum(description="Category of a place name; values are place_name_category codes.")
class PlaceNameCategory(Enum):
    ADMINISTRATIVE_AREA = "administrative_area"
    SETTLEMENT = "settlement"
    ROAD_STREET = "road_street"
    NATURAL_FEATURE = "natural_feature"
    MEMORIAL_SITE = "memorial_site"
    HERITAGE_SITE = "heritage_site"
    FACILITY = "facility"


async def _chain(info: Info[RegistryContext, None], code: str | None) -> list[AdminArea]:
    from schema.area import AdminArea

    if code is None:
        return []
    rows = await info.context.loaders.area.load_many(area_chain_codes(code))
    return [AdminArea.from_row(row) for row in rows if row is not None]


@strawberry.type(description="A standard place name (标准地名).")
class PlaceName:
    id: strawberry.ID
    standard_name: str
    specific_part: str = strawberry.field(description="专名")
    generic_part: str = strawberry.field(description="通名")
    pinyin: str = strawberry.field(description="Hanyu Pinyin after GB/T 16159")
    category: PlaceNameCategory
    geometry_wgs84: strawberry.Private[Any]
    meaning: str | None = strawberry.field(description="含义")
    origin: str | None = strawberry.field(description="来历")
    former_names: list[str]
    designations: list[Designation]
    status: LifecycleStatus
    version: int
    area_code: strawberry.Private[str | None]
    pending: strawberry.Private[PendingChange | None]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PlaceName:
        return cls(
            id=strawberry.ID(str(row["id"])),
            standard_name=row["standard_name"],
            specific_part=row["specific_part"],
            generic_part=row["generic_part"],
            pinyin=row["pinyin"],
            category=PlaceNameCategory(row["category"]),
            geometry_wgs84=row["geometry"],
            meaning=row["meaning"],
            origin=row["origin"],
            former_names=list(row["former_names"]),
            designations=[Designation(d) for d in row["designations"]],
            status=LifecycleStatus(row["status"]),
            version=row["version"],
            area_code=row["area_code"],
            pending=pending_change_of(row),
        )

    @strawberry.field(description="A Point, a line or a polygon, in the coordinate system crs.")
    def geometry(self, crs: CoordinateSystem = WGS84) -> GeoJSON:
        return geojson_from_wgs84(self.geometry_wgs84, crs)

    @strawberry.field(description="The areas that hold the place, smallest first, up to the city.")
    async def area_chain(self, info: Info[RegistryContext, None]) -> list[AreaType]:
        return await _chain(info, self.area_code)

    @strawberry.field(
        description="Every change to the record, oldest first.", permission_classes=[IsPlanner]
    )
    async def history(self, info: Info[RegistryContext, None]) -> list[Revision]:
        return await revisions_of(info, "place_name", self.id)

    @strawberry.field(
        description="An edit of the published record waiting for review, if there is one.",
        permission_classes=[IsPlanner],
    )
    def pending_change(self) -> PendingChange | None:
        return self.pending


@strawberry.type(description="A named road inside a village (村内道路).")
class VillageRoad:
    id: strawberry.ID
    name: str
    pinyin: str
    length_meters: float = strawberry.field(description="Geodesic length")
    geometry_wgs84: strawberry.Private[Any]
    status: LifecycleStatus
    version: int
    village_code: strawberry.Private[str]
    pending: strawberry.Private[PendingChange | None]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> VillageRoad:
        return cls(
            id=strawberry.ID(str(row["id"])),
            name=row["name"],
            pinyin=row["pinyin"],
            length_meters=row["length_m"],
            geometry_wgs84=row["geometry"],
            status=LifecycleStatus(row["status"]),
            version=row["version"],
            village_code=row["village_code"],
            pending=pending_change_of(row),
        )

    @strawberry.field(description="A LineString, in the coordinate system crs.")
    def geometry(self, crs: CoordinateSystem = WGS84) -> GeoJSON:
        return geojson_from_wgs84(self.geometry_wgs84, crs)

    @strawberry.field(description="The village the road belongs to.")
    async def village(self, info: Info[RegistryContext, None]) -> AreaType:
        from schema.area import AdminArea

        row = await info.context.loaders.area.load(self.village_code)
        assert row is not None
        return AdminArea.from_row(row)

    @strawberry.field(description="The village, its township, county and the city.")
    async def area_chain(self, info: Info[RegistryContext, None]) -> list[AreaType]:
        return await _chain(info, self.village_code)

    @strawberry.field(
        description="Every change to the record, oldest first.", permission_classes=[IsPlanner]
    )
    async def history(self, info: Info[RegistryContext, None]) -> list[Revision]:
        return await revisions_of(info, "village_road", self.id)

    @strawberry.field(
        description="An edit of the published record waiting for review, if there is one.",
        permission_classes=[IsPlanner],
    )
    def pending_change(self) -> PendingChange | None:
        return self.pending


PlaceNameConnection = Connection[PlaceName]
VillageRoadConnection = Connection[VillageRoad]
