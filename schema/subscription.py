"""The Subscription root type: published edits, live, over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.types import Info

from resolvers import subscriptions
from resolvers.context import RegistryContext
from schema.inputs import WGS84, CoordinateSystem
from schema.place_name import PlaceName
from schema.service import Service, ServiceKind, kind_values, service_from_row
from schema.village_road import VillageRoad

HEARD = (
    "as they are published (new, or a change of them: renamed, moved), retired or restored, "
    "in their public state; within bbox [minLon, minLat, maxLon, maxLat] (in crs) when "
    "given, where they are or where they were (one moved out of the box is heard of too)."
)


@strawberry.type
class Subscription:
    @strawberry.subscription(description="地名变更 / Place names " + HEARD)
    async def place_names_changed(
        self,
        info: Info[RegistryContext, None],
        bbox: list[float] | None = None,
        crs: CoordinateSystem = WGS84,
    ) -> AsyncGenerator[PlaceName, None]:
        async for row in subscriptions.place_names_changed(info.context, bbox, crs):
            yield PlaceName.from_row(row)

    @strawberry.subscription(description="村内道路变更 / Village roads " + HEARD)
    async def village_roads_changed(
        self,
        info: Info[RegistryContext, None],
        bbox: list[float] | None = None,
        crs: CoordinateSystem = WGS84,
    ) -> AsyncGenerator[VillageRoad, None]:
        async for row in subscriptions.village_roads_changed(info.context, bbox, crs):
            yield VillageRoad.from_row(row)

    @strawberry.subscription(
        description="服务设施变更 / Services " + HEARD + " kinds: only these kinds."
    )
    async def services_changed(
        self,
        info: Info[RegistryContext, None],
        bbox: list[float] | None = None,
        kinds: list[ServiceKind] | None = None,
        crs: CoordinateSystem = WGS84,
    ) -> AsyncGenerator[Service, None]:
        changes = subscriptions.services_changed(info.context, bbox, crs, kind_values(kinds))
        async for row in changes:
            found: Any = service_from_row(row)
            yield found
