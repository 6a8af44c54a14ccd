"""Services: elder-care facilities of four kinds and social-assistance referral stations."""

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

if TYPE_CHECKING:
    from schema.area import AdminArea

AreaType = Annotated["AdminArea", strawberry.lazy("schema.area")]
CURSOR_KIND = "service"


@strawberry.enum(description="Kinds of service; values are the codes of the service_kind table.")
class ServiceKind(Enum):
    ELDER_CARE_INSTITUTION = "elder_care_institution"
    TOWNSHIP_ELDER_CENTER = "township_elder_center"
    COMMUNITY_ELDER_FACILITY = "community_elder_facility"
    ELDER_DINING_TABLE = "elder_dining_table"
    ASSISTANCE_STATION = "assistance_station"


ALL_KINDS = tuple(kind.value for kind in ServiceKind)


def area_chain_codes(code: str) -> list[str]:
    """The codes from an area up to the city: statistical codes embed their parents'."""
    return [code[:n] for n in (12, 9, 6, 4) if len(code) >= n]


@strawberry.interface(description="A service at a point, held by the village it stands in.")
class Service:
    id: strawberry.ID
    kind: ServiceKind
    name: str
    geometry_wgs84: strawberry.Private[Any]
    address: str | None
    status: LifecycleStatus
    version: int
    area_code: strawberry.Private[str]
    pending: strawberry.Private[PendingChange | None]

    @strawberry.field(description="A Point, in the coordinate system crs.")
    def geometry(self, crs: CoordinateSystem = WGS84) -> GeoJSON:
        return geojson_from_wgs84(self.geometry_wgs84, crs)

    @strawberry.field(description="The village that holds the service.")
    async def area(self, info: Info[RegistryContext, None]) -> AreaType:
        from schema.area import AdminArea

        row = await info.context.loaders.area.load(self.area_code)
        assert row is not None
        return AdminArea.from_row(row)

    @strawberry.field(
        description="The areas that hold the service, from its village up to the city."
    )
    async def area_chain(self, info: Info[RegistryContext, None]) -> list[AreaType]:
        from schema.area import AdminArea

        rows = await info.context.loaders.area.load_many(area_chain_codes(self.area_code))
        return [AdminArea.from_row(row) for row in rows if row is not None]

    @strawberry.field(
        description="Every change to the record, oldest first.", permission_classes=[IsPlanner]
    )
    async def history(self, info: Info[RegistryContext, None]) -> list[Revision]:
        return await revisions_of(info, "service", self.id)

    @strawberry.field(
        description="An edit of the published record waiting for review, if there is one.",
        permission_classes=[IsPlanner],
    )
    def pending_change(self) -> PendingChange | None:
        return self.pending


@strawberry.type(description="养老机构: an institution with beds.")
class ElderCareInstitution(Service):
    beds: int
    nursing_beds: int
    medical_care_combined: bool = strawberry.field(description="医养结合")
    dementia_care_unit: bool = strawberry.field(description="认知症照护专区")


@strawberry.type(description="镇街综合养老服务中心: a township comprehensive elder-care centre.")
class TownshipElderCenter(Service):
    pass


@strawberry.type(description="社区养老服务设施: a community elder-care facility.")
class CommunityElderFacility(Service):
    pass


@strawberry.type(description="老年餐桌: an elder dining table.")
class ElderDiningTable(Service):
    meal_capacity: int = strawberry.field(description="Meals a day")


@strawberry.type(description="社会救助转介服务驿站: a social-assistance referral station.")
class AssistanceStation(Service):
    pass


_TYPE_OF_KIND: dict[str, type[Service]] = {
    "elder_care_institution": ElderCareInstitution,
    "township_elder_center": TownshipElderCenter,
    "community_elder_facility": CommunityElderFacility,
    "elder_dining_table": ElderDiningTable,
    "assistance_station": AssistanceStation,
}


SERVICE_TYPES = list(_TYPE_OF_KIND.values())


def service_from_row(row: dict[str, Any]) -> Service:
    common: dict[str, Any] = {
        "id": strawberry.ID(str(row["id"])),
        "kind": ServiceKind(row["kind"]),
        "name": row["name"],
        "geometry_wgs84": row["geometry"],
        "address": row["address"],
        "status": LifecycleStatus(row["status"]),
        "pending": pending_change_of(row),
        "version": row["version"],
        "area_code": row["area_code"],
    }
    kind = row["kind"]
    if kind == "elder_care_institution":
        return ElderCareInstitution(
            **common,
            beds=row["beds"],
            nursing_beds=row["nursing_beds"],
            medical_care_combined=row["medical_care_combined"],
            dementia_care_unit=row["dementia_care_unit"],
        )
    if kind == "elder_dining_table":
        return ElderDiningTable(**common, meal_capacity=row["meal_capacity"])
    return _TYPE_OF_KIND[kind](**common)


@strawberry.type(description="A service and how far it is, in geodesic metres.")
class ServiceHit:
    service: Service
    distance_meters: float


ServiceConnection = Connection[Service]


def service_hits(rows: list[dict[str, Any]]) -> list[ServiceHit]:
    return [
        ServiceHit(service=service_from_row(row), distance_meters=row["distance_m"]) for row in rows
    ]
