"""Resolvers for place names and village roads."""

from __future__ import annotations

from datetime import datetime

from strawberry.types import Info

from db.queries.edits import PLACE_NAME, VILLAGE_ROAD
from db.queries.places import PLACE_NAMES, VILLAGE_ROADS
from gis.filters import Where
from resolvers.filters import in_area_filter, spatial_filters, status_filter
from resolvers.pages import page_as_of, page_of
from schema.context import RegistryContext
from schema.inputs import WGS84, CoordinateSystem, WithinInput
from schema.lifecycle import LifecycleStatus
from schema.pagination import check_first, decode_int_cursor
from schema.place_name import (
    PLACE_NAME_CURSOR,
    VILLAGE_ROAD_CURSOR,
    Designation,
    PlaceName,
    PlaceNameCategory,
    PlaceNameConnection,
    VillageRoad,
    VillageRoadConnection,
)
from schema.scalars import GeoJSON


def place_names(
    info: Info[RegistryContext, None],
    first: int | None = 100,
    after: str | None = None,
    designations: list[Designation] | None = None,
    categories: list[PlaceNameCategory] | None = None,
    bbox: list[float] | None = None,
    within: WithinInput | None = None,
    intersects: GeoJSON | None = None,
    in_area: str | None = None,
    status: LifecycleStatus | None = LifecycleStatus.PUBLISHED,
    as_of: datetime | None = None,
    crs: CoordinateSystem = WGS84,
) -> PlaceNameConnection:
    first = check_first(100 if first is None else first)
    after_id = decode_int_cursor(after, PLACE_NAME_CURSOR)
    if as_of is not None:
        return page_as_of(
            info,
            PLACE_NAME,
            as_of,
            first,
            after_id,
            status,
            in_area,
            [c.value for c in categories] if categories is not None else None,
            {
                "designations": designations,
                "bbox": bbox,
                "within": within,
                "intersects": intersects,
            },
            PlaceName.from_row,
            PLACE_NAME_CURSOR,
        )
    where = status_filter(Where(), PLACE_NAMES, status, info.context.actor)
    if designations is not None:
        where.add(
            "EXISTS (SELECT 1 FROM place_name_designation d WHERE d.place_name_id = p.id"
            " AND d.designation = ANY(:designations))",
            designations=[d.value for d in designations],
        )
    if categories is not None:
        where.add("p.category = ANY(:categories)", categories=[c.value for c in categories])
    spatial_filters(where, PLACE_NAMES.geometry, bbox, within, intersects, crs)
    in_area_filter(where, "p.area_code", in_area)
    return page_of(info, PLACE_NAMES, where, first, after_id, PlaceName.from_row, PLACE_NAME_CURSOR)


def village_roads(
    info: Info[RegistryContext, None],
    first: int | None = 100,
    after: str | None = None,
    bbox: list[float] | None = None,
    within: WithinInput | None = None,
    intersects: GeoJSON | None = None,
    in_area: str | None = None,
    status: LifecycleStatus | None = LifecycleStatus.PUBLISHED,
    as_of: datetime | None = None,
    crs: CoordinateSystem = WGS84,
) -> VillageRoadConnection:
    first = check_first(100 if first is None else first)
    after_id = decode_int_cursor(after, VILLAGE_ROAD_CURSOR)
    if as_of is not None:
        return page_as_of(
            info,
            VILLAGE_ROAD,
            as_of,
            first,
            after_id,
            status,
            in_area,
            None,
            {"bbox": bbox, "within": within, "intersects": intersects},
            VillageRoad.from_row,
            VILLAGE_ROAD_CURSOR,
        )
    where = status_filter(Where(), VILLAGE_ROADS, status, info.context.actor)
    spatial_filters(where, VILLAGE_ROADS.geometry, bbox, within, intersects, crs)
    in_area_filter(where, "r.village_code", in_area)
    return page_of(
        info, VILLAGE_ROADS, where, first, after_id, VillageRoad.from_row, VILLAGE_ROAD_CURSOR
    )
