"""Services: elder-care facilities of four kinds and social-assistance referral stations."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

import orjson
import strawberry
from strawberry.types import Info

from db.kinds import SERVICE, EditableKind
from gis.chinese_crs import geojson_from_wgs84
from resolvers import records
from resolvers import services as service_resolvers
from resolvers.context import RegistryContext
from resolvers.filters import CollectionQuery
from schema.area_links import AreaType, area_chain, area_of
from schema.inputs import WGS84, CoordinateSystem, PointInput, WithinInput
from schema.pagination import Connection, connection_from
from schema.reviewable import LifecycleStatus, Reviewable, pending_change_of, status_code
from schema.scalars import GeoJSON


@strawberry.enum(
    description="服务设施类型 / Kinds of service; values are the codes of the service_kind table."
)
class ServiceKind(Enum):
    ELDER_CARE_INSTITUTION = "elder_care_institution"
    TOWNSHIP_ELDER_CENTER = "township_elder_center"
    COMMUNITY_ELDER_FACILITY = "community_elder_facility"
    ELDER_DINING_TABLE = "elder_dining_table"
    ASSISTANCE_STATION = "assistance_station"


def kind_values(kinds: list[ServiceKind] | None) -> list[str] | None:
    return [kind.value for kind in kinds] if kinds is not None else None


@strawberry.interface(
    description="服务设施 / A service at a point, held by the village it stands in."
)
class Service(Reviewable):
    kind_of_record: ClassVar[EditableKind] = SERVICE

    kind: ServiceKind
    name: str
    geometry_wgs84: strawberry.Private[Any]
    address: str | None
    area_code: strawberry.Private[str]

    @strawberry.field(description="点位 / A Point, in the coordinate system crs.")
    def geometry(self, crs: CoordinateSystem = WGS84) -> GeoJSON:
        return GeoJSON(geojson_from_wgs84(self.geometry_wgs84, crs))

    @strawberry.field(description="所在村 / The village that holds the service.")
    async def area(self, info: Info[RegistryContext, None]) -> AreaType:
        return await area_of(info, self.area_code)

    @strawberry.field(
        description="所属区划链 / The areas that hold the service, from its village up to the city."
    )
    async def area_chain(self, info: Info[RegistryContext, None]) -> list[AreaType]:
        return await area_chain(info, self.area_code)


@strawberry.type(description="养老机构: an institution with beds.")
class ElderCareInstitution(Service):
    beds: int
    nursing_beds: int
    medical_care_combined: bool = strawberry.field(
        description="医养结合 / Medical and elder care combined"
    )
    dementia_care_unit: bool = strawberry.field(
        description="认知症照护专区 / Has a dementia care unit"
    )


@strawberry.type(description="镇街综合养老服务中心: a township comprehensive elder-care centre.")
class TownshipElderCenter(Service):
    pass


@strawberry.type(description="社区养老服务设施: a community elder-care facility.")
class CommunityElderFacility(Service):
    pass


@strawberry.type(description="老年餐桌: an elder dining table.")
class ElderDiningTable(Service):
    meal_capacity: int = strawberry.field(description="每日供餐数 / Meals a day")


@strawberry.type(description="社会救助转介服务驿站: a social-assistance referral station.")
class AssistanceStation(Service):
    pass


TYPE_OF_KIND: dict[str, type[Service]] = {
    "elder_care_institution": ElderCareInstitution,
    "township_elder_center": TownshipElderCenter,
    "community_elder_facility": CommunityElderFacility,
    "elder_dining_table": ElderDiningTable,
    "assistance_station": AssistanceStation,
}
SERVICE_TYPES = list(TYPE_OF_KIND.values())
# The figures only some kinds have, by the kind that has them.
_KIND_FIGURES = {
    "elder_care_institution": (
        "beds",
        "nursing_beds",
        "medical_care_combined",
        "dementia_care_unit",
    ),
    "elder_dining_table": ("meal_capacity",),
}


def service_from_row(row: dict[str, Any]) -> Service:
    kind = row["kind"]
    return TYPE_OF_KIND[kind](
        id=strawberry.ID(str(row["id"])),
        kind=ServiceKind(kind),
        name=row["name"],
        geometry_wgs84=row["geometry"],
        address=row["address"],
        status=LifecycleStatus(row["status"]),
        pending=pending_change_of(row),
        case_json=row.get("review_case"),
        version=row["version"],
        area_code=row["area_code"],
        **{figure: row[figure] for figure in _KIND_FIGURES.get(kind, ())},
    )


@strawberry.enum(description="距离度量方式 / How a distance is measured.")
class DistanceMeasure(Enum):
    STRAIGHT = "straight"
    ROAD = "road"
    BOTH = "both"


@strawberry.type(description="服务设施及其距离 / A service and how far it is, in geodesic metres.")
class ServiceHit:
    service: Service
    distance_meters: float = strawberry.field(description="直线距离 In a straight line")
    road_distance_meters: float | None = strawberry.field(
        description="道路距离 By road: to the nearest road, along the network, and from it "
        "to the service; null unless asked for (by: ROAD or BOTH), or when no road within "
        "100 km leads there"
    )
    origin: strawberry.Private[tuple[float, float] | None]
    search_bound_m: strawberry.Private[float]

    @classmethod
    def from_rows(
        cls, rows: list[dict[str, Any]], origin: tuple[float, float] | None = None
    ) -> list[ServiceHit]:
        return [
            cls(
                service=service_from_row(row),
                distance_meters=row["distance_m"],
                road_distance_meters=row.get("road_distance_m"),
                origin=origin,
                search_bound_m=row.get("search_bound_m", 0.0),
            )
            for row in rows
        ]

    @strawberry.field(
        description="路线 The way by road as a LineString, from the point asked about to the "
        "service; null unless asked for by road, or when no road leads there"
    )
    async def route(
        self, info: Info[RegistryContext, None], crs: CoordinateSystem = WGS84
    ) -> GeoJSON | None:
        if self.origin is None or self.road_distance_meters is None:
            return None
        loader = info.context.loaders.road_route(*self.origin, self.search_bound_m)
        row = await loader.load(int(self.service.id))
        if row is None or row["route"] is None:
            return None
        return GeoJSON(geojson_from_wgs84(orjson.loads(row["route"]), crs))


ServiceConnection = Connection[Service]


@strawberry.input(
    description="新服务设施申报 / A new service; it starts as a"
    " proposal.  Beds are given for elder-care "
    "institutions only, mealCapacity for elder dining tables only."
)
class ServiceInput:
    kind: ServiceKind
    name: str
    geometry: GeoJSON = strawberry.field(description="点位 / A Point")
    area_code: str | None = strawberry.field(
        default=None, description="村 / The village that holds it; omitted: the one at the point"
    )
    address: str | None = None
    beds: int | None = None
    nursing_beds: int | None = None
    medical_care_combined: bool | None = None
    dementia_care_unit: bool | None = None
    meal_capacity: int | None = None


@strawberry.input(
    description="服务设施修改 / Fields to change; those left"
    " out stay as they are, and null clears an "
    "optional one (address; areaCode: the village at the point)."
)
class ServicePatch:
    kind: ServiceKind | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    geometry: GeoJSON | None = strawberry.UNSET
    area_code: str | None = strawberry.UNSET
    address: str | None = strawberry.UNSET
    beds: int | None = strawberry.UNSET
    nursing_beds: int | None = strawberry.UNSET
    medical_care_combined: bool | None = strawberry.UNSET
    dementia_care_unit: bool | None = strawberry.UNSET
    meal_capacity: int | None = strawberry.UNSET


async def services(
    info: Info[RegistryContext, None],
    *,
    kinds: list[ServiceKind] | None = None,
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
) -> ServiceConnection:
    query = services_query(
        kinds=kinds,
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
    return connection_from(await records.services(info.context, query), service_from_row)


def services_query(
    *,
    kinds: list[ServiceKind] | None,
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
    """The arguments of services as a collection query (every one given: the
    defaults are the field's, in its resolver's signature)."""
    return CollectionQuery(
        first=first,
        after=after,
        last=last,
        before=before,
        kinds=kind_values(kinds),
        bbox=bbox,
        within=WithinInput.convert(within),
        intersects=intersects,
        in_area=in_area,
        status=status_code(status),
        as_of=as_of,
        crs=crs,
    )


async def nearest_services(
    info: Info[RegistryContext, None],
    *,
    near: PointInput,
    kinds: list[ServiceKind] | None = None,
    first: int | None = service_resolvers.DEFAULT_NEAREST,
    max_distance_meters: float | None = None,
    crs: CoordinateSystem = WGS84,
    by: DistanceMeasure = DistanceMeasure.STRAIGHT,
) -> list[ServiceHit]:
    rows = await service_resolvers.nearest_services(
        info.context,
        near.to_point(),
        kinds=kind_values(kinds),
        first=first,
        max_distance_meters=max_distance_meters,
        crs=crs,
        by=by.value,
    )
    if by is DistanceMeasure.STRAIGHT or not rows:
        return ServiceHit.from_rows(rows)
    origin = service_resolvers.origin_in_wgs84(near.to_point(), crs)
    return ServiceHit.from_rows(rows, (origin.lon, origin.lat))
