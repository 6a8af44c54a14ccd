"""The Subscription root type: published edits, live, over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from resolvers import subscriptions
from resolvers.context import RegistryContext
from schema.inputs import WGS84, CoordinateSystem
from schema.place_name import PlaceName


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Place names as they are published, retired or restored (published "
        "state only), within bbox [minLon, minLat, maxLon, maxLat] (in crs) when given."
    )
    async def place_names_changed(
        self,
        info: Info[RegistryContext, None],
        bbox: list[float] | None = None,
        crs: CoordinateSystem = WGS84,
    ) -> AsyncGenerator[PlaceName, None]:
        async for row in subscriptions.place_names_changed(info.context, bbox, crs):
            yield PlaceName.from_row(row)
