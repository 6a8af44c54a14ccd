"""The arguments every collection shares (one ``CollectionQuery``), checked and turned
into SQL conditions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.kinds import Collection
from domain.codes import check_area_code
from domain.errors import Forbidden, Text
from domain.roles import Actor
from gis.chinese_crs import CoordinateSystem, bbox_to_wgs84, geojson_to_wgs84, to_wgs84
from gis.geojson import parse_geometry
from gis.spatial import (
    Point,
    Where,
    add_bbox,
    add_intersects,
    add_within,
    check_bbox,
    check_point,
    check_radius,
)
from resolvers.pages import Slice, check_slice

PUBLIC_STATUSES = ("published", "retired")
DEFAULT_PAGE_SIZE = 100


@dataclass(frozen=True)
class Within:
    """Everything within a geodesic distance of a point."""

    point: Point
    radius_meters: float


@dataclass(frozen=True, kw_only=True)
class CollectionQuery:
    """What a client asks of a collection.  Each collection reads the filters it has and
    leaves the others unset; values are codes (``"elder_dining_table"``), as stored."""

    first: int | None = DEFAULT_PAGE_SIZE
    after: str | None = None
    last: int | None = None
    before: str | None = None
    bbox: list[float] | None = None
    within: Within | None = None
    intersects: Any | None = None
    in_area: str | None = None
    status: str | None = "published"
    as_of: datetime | None = None
    crs: CoordinateSystem = CoordinateSystem.WGS84
    kinds: list[str] | None = None  # services
    levels: list[str] | None = None  # areas
    categories: list[str] | None = None  # place names
    designations: list[str] | None = None  # place names

    @property
    def slice(self) -> Slice:
        """The part of the collection asked for (first/after or last/before), checked."""
        return check_slice(
            first=self.first,
            after=self.after,
            last=self.last,
            before=self.before,
            default=DEFAULT_PAGE_SIZE,
        )

    @property
    def spatial(self) -> dict[str, Any]:
        """The spatial filters, by GraphQL name (time travel cannot take them)."""
        return {"bbox": self.bbox, "within": self.within, "intersects": self.intersects}


def point_in_wgs84(point: Point, crs: CoordinateSystem, field: str) -> Point:
    """A point given in ``crs``, checked, in the registry's WGS84."""
    check_point(point.lon, point.lat, field)
    return Point(*to_wgs84(crs, point.lon, point.lat))


def spatial_filters(where: Where, geometry_column: str, query: CollectionQuery) -> Where:
    """bbox, within and intersects, each given in ``query.crs``."""
    crs = query.crs
    if query.bbox is not None:
        add_bbox(where, geometry_column, bbox_to_wgs84(check_bbox(query.bbox, "bbox"), crs))
    if query.within is not None:
        point = point_in_wgs84(query.within.point, crs, "within.point")
        radius = check_radius(query.within.radius_meters, "within.radiusMeters")
        add_within(where, geometry_column, point, radius)
    if query.intersects is not None:
        geom = parse_geometry(query.intersects, "intersects")  # the input is checked as given
        if crs.shifted:
            geom = parse_geometry(geojson_to_wgs84(query.intersects, crs), "intersects")
        add_intersects(where, geometry_column, geom)
    return where


def in_area_filter(where: Where, code_column: str, in_area: str | None) -> Where:
    """Records held by an area or any area inside it (codes embed their parents' codes)."""
    if in_area is not None:
        where.add(f"{code_column} LIKE :in_area || '%'", in_area=check_area_code(in_area, "inArea"))
    return where


def status_filter(where: Where, collection: Collection, status: str | None, actor: Actor) -> Where:
    """Published records unless another status is asked for; records still in review (and
    published records with a change in review) are for planners and above."""
    status = status or "published"
    if status not in PUBLIC_STATUSES and not actor.may("planner"):
        raise Forbidden(
            Text(
                f"status: {status.upper()} 状态的记录仅规划、编辑、审核人员可见",
                f"status: {status.upper()} records are visib"
                "le to planners, editors and reviewers only",
            ),
            "status",
        )
    assert collection.status is not None
    if collection.pending_status and status in ("proposed", "approved"):
        # Published records whose pending change is at that stage are in review too.
        where.add(
            f"({collection.status} = :status OR {collection.pending_status} = :status)",
            status=status,
        )
    else:
        where.add(f"{collection.status} = :status", status=status)
    return where
