"""Administrative areas: one by code, and the filtered collection."""

from __future__ import annotations

from typing import Any

from db.kinds import AREAS
from domain.codes import check_area_code
from gis.spatial import Where
from resolvers.context import RegistryContext
from resolvers.filters import CollectionQuery, spatial_filters
from resolvers.pages import Page, PageRequest, decode_cursor, page_of

AREA_CURSOR = "area"


async def area(ctx: RegistryContext, code: str) -> dict[str, Any] | None:
    return await ctx.loaders.area.load(area_code(code))


def area_code(code: str) -> str:
    """The code an area is asked for by, checked."""
    return check_area_code(code)


async def areas(ctx: RegistryContext, query: CollectionQuery) -> Page:
    return await page_of(ctx, areas_request(query))


def areas_request(query: CollectionQuery) -> PageRequest:
    """The page of areas a query asks for, its input checked."""
    part = query.slice
    code = decode_cursor(part.cursor, AREA_CURSOR, part.cursor_field)
    where = Where()
    if query.levels is not None:
        where.add("a.level = ANY(:levels)", levels=query.levels)
    spatial_filters(where, AREAS.geometry, query)
    if query.in_area is not None:
        where.add(
            "a.code LIKE :in_area || '%' AND a.code <> :in_area",
            in_area=check_area_code(query.in_area, "inArea"),
        )
    return PageRequest(
        collection=AREAS,
        where=where,
        first=part.size,
        after=None if part.backward else code,
        before=code if part.backward else None,
        backward=part.backward,
        cursor_kind=AREA_CURSOR,
        key="code",
    )
