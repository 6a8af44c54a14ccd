"""Village roads (村内道路): the type, its inputs, and its collection."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import strawberry
from strawberry.types import Info

from db.kinds import VILLAGE_ROAD, EditableKind
from gis.chinese_crs import geojson_from_wgs84
from resolvers import records
from resolvers.context import RegistryContext
from resolvers.filters import CollectionQuery
from schema.area_links import AreaType, area_chain, area_of
from schema.inputs import WGS84, CoordinateSystem, WithinInput
from schema.pagination import Connection, connection_from
from schema.reviewable import LifecycleStatus, Reviewable, pending_change_of, status_code
from schema.scalars import GeoJSON


@strawberry.type(description="A named road inside a village (村内道路).")
class VillageRoad(Reviewable):
    kind_of_record: ClassVar[EditableKind] = VILLAGE_ROAD

    name: str
    pinyin: str
    length_meters: float = strawberry.field(description="长度（米） / Geodesic length")
    geometry_wgs84: strawberry.Private[Any]
    village_code: strawberry.Private[str]

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
            case_json=row.get("review_case"),
        )

    @strawberry.field(description="线位 / A LineString, in the coordinate system crs.")
    def geometry(self, crs: CoordinateSystem = WGS84) -> GeoJSON:
        return GeoJSON(geojson_from_wgs84(self.geometry_wgs84, crs))

    @strawberry.field(description="所属村 / The village the road belongs to.")
    async def village(self, info: Info[RegistryContext, None]) -> AreaType:
        return await area_of(info, self.village_code)

    @strawberry.field(description="所属区划链 / The village, its township, county and the city.")
    async def area_chain(self, info: Info[RegistryContext, None]) -> list[AreaType]:
        return await area_chain(info, self.village_code)


VillageRoadConnection = Connection[VillageRoad]


@strawberry.input(description="A new village road (村内道路); it starts as a proposal.")
class VillageRoadInput:
    name: str = strawberry.field(description="Specific part and a road generic: 幸福路")
    village_code: str = strawberry.field(description="村 / The village the road lies in")
    geometry: GeoJSON = strawberry.field(description="村内的线 / A LineString inside the village")
    pinyin: str | None = strawberry.field(
        default=None,
        description="拼音（省略时按 GB/T 16159 生成） / Omitted: generated after GB/T 16159",
    )


@strawberry.input(
    description="村内道路修改 / Fields to change; those left out stay"
    " as they are (pinyin null: generated anew)."
)
class VillageRoadPatch:
    name: str | None = strawberry.UNSET
    village_code: str | None = strawberry.UNSET
    geometry: GeoJSON | None = strawberry.UNSET
    pinyin: str | None = strawberry.UNSET


async def village_roads(
    info: Info[RegistryContext, None],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    bbox: list[float] | None = None,
    within: WithinInput | None = None,
    intersects: GeoJSON | None = None,
    in_area: str | None = None,
    status: LifecycleStatus | None = LifecycleStatus.PUBLISHED,
    as_of: datetime | None = None,
    crs: CoordinateSystem = WGS84,
) -> VillageRoadConnection:
    query = village_roads_query(
        first=first,
        after=after,
        last=last,
        before=before,
        bbox=bbox,
        within=within,
        intersects=intersects,
        in_area=in_area,
        status=status,
        as_of=as_of,
        crs=crs,
    )
    return connection_from(await records.village_roads(info.context, query), VillageRoad.from_row)


def village_roads_query(
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    bbox: list[float] | None,
    within: WithinInput | None,
    intersects: GeoJSON | None,
    in_area: str | None,
    status: LifecycleStatus | None,
    as_of: datetime | None,
    crs: CoordinateSystem,
) -> CollectionQuery:
    """The arguments of village_roads as a collection query (every one given: the
    defaults are the field's, in its resolver's signature)."""
    return CollectionQuery(
        first=first,
        after=after,
        last=last,
        before=before,
        bbox=bbox,
        within=WithinInput.convert(within),
        intersects=intersects,
        in_area=in_area,
        status=status_code(status),
        as_of=as_of,
        crs=crs,
    )
