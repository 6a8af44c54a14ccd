"""Resolvers for administrative areas."""

from __future__ import annotations

from strawberry.types import Info

from db.queries.areas import AREAS
from gis.filters import Where
from resolvers.filters import check_area_code, spatial_filters
from resolvers.pages import page_of
from schema.area import AREA_CURSOR, AdminArea, AdminAreaConnection, AreaLevel
from schema.context import RegistryContext
from schema.inputs import WGS84, CoordinateSystem, WithinInput
from schema.pagination import check_first, decode_cursor
from schema.scalars import GeoJSON


async def area(info: Info[RegistryContext, None], code: str) -> AdminArea | None:
    row = await info.context.loaders.area.load(check_area_code(code))
    return AdminArea.from_row(row) if row else None


def areas(
    info: Info[RegistryContext, None],
    first: int | None = 100,
    after: str | None = None,
    levels: list[AreaLevel] | None = None,
    bbox: list[float] | None = None,
    within: WithinInput | None = None,
    intersects: GeoJSON | None = None,
    in_area: str | None = None,
    crs: CoordinateSystem = WGS84,
) -> AdminAreaConnection:
    first = check_first(100 if first is None else first)
    after_code = decode_cursor(after, AREA_CURSOR)
    where = Where()
    if levels is not None:
        where.add("a.level = ANY(:levels)", levels=[level.value for level in levels])
    spatial_filters(where, AREAS.geometry, bbox, within, intersects, crs)
    if in_area is not None:
        where.add(
            "a.code LIKE :in_area || '%' AND a.code <> :in_area",
            in_area=check_area_code(in_area, "inArea"),
        )
    return page_of(info, AREAS, where, first, after_code, AdminArea.from_row, AREA_CURSOR, "code")
