"""Name search results."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from schema.context import RegistryContext
from schema.place_name import PlaceName, VillageRoad
from schema.service import Service, service_from_row

if TYPE_CHECKING:
    from schema.area import AdminArea

AreaType = Annotated["AdminArea", strawberry.lazy("schema.area")]


@strawberry.enum(description="What kind of record a search hit is.")
class SearchHitKind(Enum):
    PLACE_NAME = "place_name"
    VILLAGE_ROAD = "village_road"
    AREA = "admin_area"
    SERVICE = "service"


@strawberry.enum(description="How a name matched: the better matches come first.")
class MatchKind(Enum):
    EXACT = 0
    PREFIX = 1
    SUBSTRING = 2
    FUZZY = 3


@strawberry.type(description="A named record that matches a search; one of its links is set.")
class SearchHit:
    kind: SearchHitKind
    name: str
    match: MatchKind
    score: float = strawberry.field(description="pg_trgm similarity of name or pinyin, 0 to 1")
    key: strawberry.Private[str]

    @strawberry.field
    async def place_name(self, info: Info[RegistryContext, None]) -> PlaceName | None:
        if self.kind is not SearchHitKind.PLACE_NAME:
            return None
        row = await info.context.loaders.place_name.load(int(self.key))
        return PlaceName.from_row(row) if row else None

    @strawberry.field
    async def village_road(self, info: Info[RegistryContext, None]) -> VillageRoad | None:
        if self.kind is not SearchHitKind.VILLAGE_ROAD:
            return None
        row = await info.context.loaders.village_road.load(int(self.key))
        return VillageRoad.from_row(row) if row else None

    @strawberry.field
    async def area(self, info: Info[RegistryContext, None]) -> AreaType | None:
        from schema.area import AdminArea

        if self.kind is not SearchHitKind.AREA:
            return None
        row = await info.context.loaders.area.load(self.key)
        return AdminArea.from_row(row) if row else None

    @strawberry.field
    async def service(self, info: Info[RegistryContext, None]) -> Service | None:
        if self.kind is not SearchHitKind.SERVICE:
            return None
        row = await info.context.loaders.service.load(int(self.key))
        return service_from_row(row) if row else None
