"""Name search results."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types import Info

from db.kinds import PLACE_NAME, SERVICE, VILLAGE_ROAD
from resolvers import search as search_resolvers
from resolvers.context import RegistryContext
from schema.area_links import AreaType, area_of
from schema.place_name import PlaceName
from schema.service import Service, service_from_row
from schema.village_road import VillageRoad


@strawberry.enum(description="搜索结果类型 / What kind of record a search hit is.")
class SearchHitKind(Enum):
    PLACE_NAME = "place_name"
    VILLAGE_ROAD = "village_road"
    AREA = "admin_area"
    SERVICE = "service"


@strawberry.enum(description="匹配方式 / How a name matched: the better matches come first.")
class MatchKind(Enum):
    EXACT = 0
    PREFIX = 1
    SUBSTRING = 2
    FUZZY = 3


@strawberry.type(
    description="搜索结果 / A named record that matches a search; one of its links is set."
)
class SearchHit:
    kind: SearchHitKind
    name: str
    match: MatchKind
    score: float = strawberry.field(
        description="相似度 / pg_trgm similarity of name or pinyin, 0 to 1"
    )
    key: strawberry.Private[str]

    @strawberry.field
    async def place_name(self, info: Info[RegistryContext, None]) -> PlaceName | None:
        if self.kind is not SearchHitKind.PLACE_NAME:
            return None
        row = await info.context.loaders.record(PLACE_NAME).load(int(self.key))
        return PlaceName.from_row(row) if row else None

    @strawberry.field
    async def village_road(self, info: Info[RegistryContext, None]) -> VillageRoad | None:
        if self.kind is not SearchHitKind.VILLAGE_ROAD:
            return None
        row = await info.context.loaders.record(VILLAGE_ROAD).load(int(self.key))
        return VillageRoad.from_row(row) if row else None

    @strawberry.field
    async def area(self, info: Info[RegistryContext, None]) -> AreaType | None:
        if self.kind is not SearchHitKind.AREA:
            return None
        return await area_of(info, self.key)

    @strawberry.field
    async def service(self, info: Info[RegistryContext, None]) -> Service | None:
        if self.kind is not SearchHitKind.SERVICE:
            return None
        row = await info.context.loaders.record(SERVICE).load(int(self.key))
        return service_from_row(row) if row else None


async def search(
    info: Info[RegistryContext, None],
    query: str,
    first: int | None = search_resolvers.DEFAULT_HITS,
    kinds: list[SearchHitKind] | None = None,
) -> list[SearchHit]:
    hits = await search_resolvers.search(
        info.context, query, first, [k.value for k in kinds] if kinds is not None else None
    )
    return [
        SearchHit(
            kind=SearchHitKind(hit["entity"]),
            name=hit["name"],
            match=MatchKind(hit["rank"]),
            score=float(hit["score"]),
            key=hit["entity_key"],
        )
        for hit in hits
    ]
