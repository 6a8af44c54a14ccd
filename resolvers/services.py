"""Resolvers for services: the filtered collection and nearest services."""

from __future__ import annotations

from datetime import datetime

from strawberry.types import Info

from db.queries.edits import SERVICE
from db.queries.services import SERVICES
from db.queries.services import nearest_services as query_nearest_services
from gis.filters import Where, check_radius
from resolvers.filters import in_area_filter, point_in_wgs84, spatial_filters, status_filter
from resolvers.pages import page_as_of, page_of
from schema.context import RegistryContext
from schema.inputs import WGS84, CoordinateSystem, PointInput, WithinInput
from schema.lifecycle import LifecycleStatus
from schema.pagination import check_first, decode_int_cursor
from schema.scalars import GeoJSON
from schema.service import (
    ALL_KINDS,
    CURSOR_KIND,
    ServiceConnection,
    ServiceHit,
    ServiceKind,
    service_from_row,
    service_hits,
)

MAX_NEAREST = 100


def kind_codes(kinds: list[ServiceKind] | None) -> tuple[str, ...]:
    """None means every kind; an empty list means none."""
    return ALL_KINDS if kinds is None else tuple(sorted({kind.value for kind in kinds}))


def check_max_distance(max_distance_meters: float | None) -> float | None:
    if max_distance_meters is None:
        return None
    return check_radius(max_distance_meters, "maxDistanceMeters")


def services(
    info: Info[RegistryContext, None],
    kinds: list[ServiceKind] | None = None,
    first: int | None = 100,
    after: str | None = None,
    bbox: list[float] | None = None,
    within: WithinInput | None = None,
    intersects: GeoJSON | None = None,
    in_area: str | None = None,
    status: LifecycleStatus | None = LifecycleStatus.PUBLISHED,
    as_of: datetime | None = None,
    crs: CoordinateSystem = WGS84,
) -> ServiceConnection:
    first = check_first(100 if first is None else first)
    after_id = decode_int_cursor(after, CURSOR_KIND)
    if as_of is not None:
        return page_as_of(
            info,
            SERVICE,
            as_of,
            first,
            after_id,
            status,
            in_area,
            list(kind_codes(kinds)) if kinds is not None else None,
            {"bbox": bbox, "within": within, "intersects": intersects},
            service_from_row,
            CURSOR_KIND,
        )
    where = status_filter(Where(), SERVICES, status, info.context.actor)
    where.add("s.kind = ANY(:kinds)", kinds=list(kind_codes(kinds)))
    spatial_filters(where, SERVICES.geometry, bbox, within, intersects, crs)
    in_area_filter(where, "s.area_code", in_area)
    return page_of(info, SERVICES, where, first, after_id, service_from_row, CURSOR_KIND)


def nearest_services(
    info: Info[RegistryContext, None],
    near: PointInput,
    kinds: list[ServiceKind] | None = None,
    first: int | None = 5,
    max_distance_meters: float | None = None,
    crs: CoordinateSystem = WGS84,
) -> list[ServiceHit]:
    """The nearest services to a point given in ``crs`` (distances do not depend on it)."""
    point = point_in_wgs84(near, crs, "near")
    k = check_first(5 if first is None else first, MAX_NEAREST)
    max_m = check_max_distance(max_distance_meters)
    with info.context.database.connect() as conn:
        rows = query_nearest_services(conn, point, kind_codes(kinds), k, max_m)
    return service_hits(rows)
