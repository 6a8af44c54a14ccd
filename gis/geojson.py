"""GeoJSON (RFC 7946) geometry objects in and out.

Input is checked on the raw JSON before shapely sees it: shapely and PostGIS both accept NaN,
rings left open, longitude 200 and empty polygons without complaint.
"""

from __future__ import annotations

import math
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

from domain.errors import BadUserInput, Text

MAX_VERTICES = 10_000

_POSITION_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def check_position(position: Any, field: str) -> tuple[float, float]:
    if not isinstance(position, list | tuple) or len(position) not in (2, 3):
        raise BadUserInput(
            Text(
                f"{field}: 坐标须为 [经度, 纬度]", f"{field}: a position is [longitude, latitude]"
            ),
            field,
        )
    lon, lat = position[0], position[1]
    for name, value in (("longitude", lon), ("latitude", lat)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadUserInput(
                Text(f"{field}: {name} 须为数字", f"{field}: {name} must be a number"), field
            )
        if not math.isfinite(value):
            raise BadUserInput(
                Text(f"{field}: {name} 须为有限数", f"{field}: {name} must be a finite number"),
                field,
            )
    if not -180 <= lon <= 180:
        raise BadUserInput(
            Text(
                f"{field}: 经度 {lon} 超出 [-180, 180]",
                f"{field}: longitude {lon} is outside [-180, 180]",
            ),
            field,
        )
    if not -90 <= lat <= 90:
        raise BadUserInput(
            Text(
                f"{field}: 纬度 {lat} 超出 [-90, 90]",
                f"{field}: latitude {lat} is outside [-90, 90]",
            ),
            field,
        )
    return float(lon), float(lat)


def position_count(coords: Any, most: int) -> int:
    """How many positions ``coords`` holds (lists of numbers at any depth), counted without
    checking them, and only up to just past ``most``: cheap enough to run before any
    other work on a large upload."""
    count = 0
    stack = [coords]
    while stack and count <= most:
        item = stack.pop()
        if not isinstance(item, list | tuple) or not item:
            continue
        if not isinstance(item[0], list | tuple):
            count += 1
        else:
            stack.extend(item)
    return count


def _walk(coords: Any, depth: int, field: str, counter: list[int]) -> None:
    if depth == 0:
        check_position(coords, field)
        counter[0] += 1
        if counter[0] > MAX_VERTICES:
            raise BadUserInput(
                Text(
                    f"{field}: 顶点超过 {MAX_VERTICES} 个",
                    f"{field}: more than {MAX_VERTICES} vertices",
                ),
                field,
            )
        return
    if not isinstance(coords, list | tuple):
        raise BadUserInput(
            Text(f"{field}: 坐标嵌套层数不足", f"{field}: coordinates are nested too shallowly"),
            field,
        )
    for item in coords:
        _walk(item, depth - 1, field, counter)


def _check_rings(kind: str, coords: Any, field: str) -> None:
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    for polygon in polygons:
        if not polygon:
            raise BadUserInput(
                Text(
                    f"{field}: 多边形至少须有一个环", f"{field}: a polygon needs at least one ring"
                ),
                field,
            )
        for ring in polygon:
            if len(ring) < 4:
                raise BadUserInput(
                    Text(
                        f"{field}: 每个环至少须有 4 个点",
                        f"{field}: a ring needs at least 4 positions",
                    ),
                    field,
                )
            if list(ring[0][:2]) != list(ring[-1][:2]):
                raise BadUserInput(
                    Text(
                        f"{field}: 环须首尾相接（闭合）",
                        f"{field}: a ring must end where it starts (closed ring)",
                    ),
                    field,
                )
    if kind == "LineString" and len(coords) < 2:
        raise BadUserInput(
            Text(
                f"{field}: 线至少须有 2 个点", f"{field}: a LineString needs at least 2 positions"
            ),
            field,
        )
    if kind == "MultiLineString" and any(len(line) < 2 for line in coords):
        raise BadUserInput(
            Text(
                f"{field}: 每条线至少须有 2 个点", f"{field}: each line needs at least 2 positions"
            ),
            field,
        )


# The names a GeoJSON ``crs`` member (GeoJSON 2008; RFC 7946 dropped it, files still carry
# it) may give: longitude/latitude on WGS84 or CGCS2000, which the registry treats as equal.
# Any other system would be silently misplaced, so it is refused rather than ignored.
LONLAT_CRS_NAMES = frozenset(
    name.lower()
    for code in ("4326", "4490")
    for name in (
        f"EPSG:{code}",
        f"urn:ogc:def:crs:EPSG::{code}",
        f"urn:ogc:def:crs:EPSG:{code}",
        f"http://www.opengis.net/def/crs/EPSG/0/{code}",
    )
) | {
    "crs84",
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "urn:ogc:def:crs:ogc::crs84",
    "http://www.opengis.net/def/crs/ogc/1.3/crs84",
}


def check_crs_member(value: dict[str, Any], field: str) -> bool:
    """Whether ``value`` (a GeoJSON object) names its coordinate system; BadUserInput when
    it names one other than WGS84/CRS84 or CGCS2000."""
    if "crs" not in value:
        return False
    member = value["crs"]
    properties = member.get("properties") if isinstance(member, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    if not isinstance(name, str) or name.strip().lower() not in LONLAT_CRS_NAMES:
        shown = name if isinstance(name, str) else member
        raise BadUserInput(
            Text(
                f"{field}.crs: 不支持坐标系 {shown!r}，仅接受 WGS84（CRS84、EPS"
                "G:4326）与 CGCS2000（EPSG:4490）；GCJ02、BD09 请用 crs 参数",
                f"{field}.crs: coordinate system {shown!r} is not accepted: only WGS84 (CRS84,"
                " EPSG:4326) and CGCS2000 (EPSG:4490); give GCJ02 or BD09 with the crs argument",
            ),
            f"{field}.crs",
        )
    return True


def parse_geometry(value: Any, field: str = "geometry") -> shapely.Geometry:
    """A valid, non-empty shapely geometry from a GeoJSON geometry object, or BadUserInput."""
    if not isinstance(value, dict):
        raise BadUserInput(
            Text(f"{field}: 须为 GeoJSON 几何对象", f"{field}: expected a GeoJSON geometry object"),
            field,
        )
    check_crs_member(value, field)
    kind = value.get("type")
    if kind not in _POSITION_DEPTH:
        raise BadUserInput(
            Text(
                f"{field}: 类型须为 {', '.join(_POSITION_DEPTH)} 之一，收到 {kind!r}",
                f"{field}: type must be one of {', '.join(_POSITION_DEPTH)}, got {kind!r}",
            ),
            field,
        )
    coords = value.get("coordinates")
    if coords is None:
        raise BadUserInput(Text(f"{field}: 缺少坐标", f"{field}: coordinates are missing"), field)
    _walk(coords, _POSITION_DEPTH[kind], field, [0])
    _check_rings(kind, coords, field)
    if kind != "Point" and not coords:
        raise BadUserInput(
            Text(f"{field}: 几何为空", f"{field}: the geometry is empty"),
            field,
        )
    geom = shape(value)
    if geom.is_empty:
        raise BadUserInput(Text(f"{field}: 几何为空", f"{field}: the geometry is empty"), field)
    if not geom.is_valid:
        raise BadUserInput(
            Text(
                f"{field}: 几何无效（{explain_validity(geom)}）",
                f"{field}: invalid geometry ({explain_validity(geom)})",
            ),
            field,
        )
    return geom
