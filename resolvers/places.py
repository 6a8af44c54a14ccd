"""Resolvers for place names and village roads."""

from __future__ import annotations

from datetime import datetime

from strawberry.types import Info

from db.queries.edits import count_place_names_as_of, place_names_as_of
from db.queries.places import PLACE_NAMES, VILLAGE_ROADS
from gis.filters import Where
from resolvers.auth import require
from resolvers.errors import BadUserInput
from resolvers.filters import check_area_code, in_area_filter, spatial_filters, status_filter
from resolvers.pages import page_of
from schema.context import RegistryContext
from schema.inputs import WithinInput
from schema.pagination import check_first, decode_int_cursor, make_connection
from schema.place_name import (
    PLACE_NAME_CURSOR,
    VILLAGE_ROAD_CURSOR,
    Designation,
    LifecycleStatus,
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
) -> PlaceNameConnection:
    first = check_first(100 if first is None else first)
    after_id = decode_int_cursor(after, PLACE_NAME_CURSOR)
    if as_of is not None:
        return _place_names_as_of(
            info,
            as_of,
            first,
            after_id,
            designations,
            categories,
            bbox,
            within,
            intersects,
            in_area,
            status,
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
    spatial_filters(where, PLACE_NAMES.geometry, bbox, within, intersects)
    in_area_filter(where, "p.area_code", in_area)
    return page_of(info, PLACE_NAMES, where, first, after_id, PlaceName.from_row, PLACE_NAME_CURSOR)


def _place_names_as_of(
    info: Info[RegistryContext, None],
    as_of: datetime,
    first: int,
    after_id: int | None,
    designations: list[Designation] | None,
    categories: list[PlaceNameCategory] | None,
    bbox: list[float] | None,
    within: WithinInput | None,
    intersects: GeoJSON | None,
    in_area: str | None,
    status: LifecycleStatus | None,
) -> PlaceNameConnection:
    """Time travel, rebuilt from revisions: attribute filters only."""
    require(info.context.actor, "planner", "placeNames(asOf)")
    for name, value in (
        ("designations", designations),
        ("bbox", bbox),
        ("within", within),
        ("intersects", intersects),
    ):
        if value is not None:
            raise BadUserInput(f"{name} cannot be combined with asOf", name)
    if as_of.tzinfo is None:
        raise BadUserInput("asOf needs a time zone (e.g. 2026-11-29T10:00:00+08:00)", "asOf")
    filters = {
        "as_of": as_of,
        "status": (status or LifecycleStatus.PUBLISHED).value,
        "categories": [c.value for c in categories] if categories is not None else None,
        "in_area": check_area_code(in_area, "inArea") if in_area is not None else None,
    }
    database = info.context.database
    with database.connect() as conn:
        rows = place_names_as_of(conn, filters, after_id or 0, first + 1)

    def count() -> int:
        with database.connect() as conn:
            return count_place_names_as_of(conn, filters)

    return make_connection(rows, first, PlaceName.from_row, PLACE_NAME_CURSOR, "id", count)


def village_roads(
    info: Info[RegistryContext, None],
    first: int | None = 100,
    after: str | None = None,
    bbox: list[float] | None = None,
    within: WithinInput | None = None,
    intersects: GeoJSON | None = None,
    in_area: str | None = None,
    status: LifecycleStatus | None = LifecycleStatus.PUBLISHED,
) -> VillageRoadConnection:
    first = check_first(100 if first is None else first)
    after_id = decode_int_cursor(after, VILLAGE_ROAD_CURSOR)
    where = status_filter(Where(), VILLAGE_ROADS, status, info.context.actor)
    spatial_filters(where, VILLAGE_ROADS.geometry, bbox, within, intersects)
    in_area_filter(where, "r.village_code", in_area)
    return page_of(
        info, VILLAGE_ROADS, where, first, after_id, VillageRoad.from_row, VILLAGE_ROAD_CURSOR
    )
