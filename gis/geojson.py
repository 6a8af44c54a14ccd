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

from domain.errors import BadUserInput

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
        raise BadUserInput(f"{field}: a position is [longitude, latitude]", field)
    lon, lat = position[0], position[1]
    for name, value in (("longitude", lon), ("latitude", lat)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadUserInput(f"{field}: {name} must be a number", field)
        if not math.isfinite(value):
            raise BadUserInput(f"{field}: {name} must be a finite number", field)
    if not -180 <= lon <= 180:
        raise BadUserInput(f"{field}: longitude {lon} is outside [-180, 180]", field)
    if not -90 <= lat <= 90:
        raise BadUserInput(f"{field}: latitude {lat} is outside [-90, 90]", field)
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
            raise BadUserInput(f"{field}: more than {MAX_VERTICES} vertices", field)
        return
    if not isinstance(coords, list | tuple):
        raise BadUserInput(f"{field}: coordinates are nested too shallowly", field)
    for item in coords:
        _walk(item, depth - 1, field, counter)


def _check_rings(kind: str, coords: Any, field: str) -> None:
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    for polygon in polygons:
        if not polygon:
            raise BadUserInput(f"{field}: a polygon needs at least one ring", field)
        for ring in polygon:
            if len(ring) < 4:
                raise BadUserInput(f"{field}: a ring needs at least 4 positions", field)
            if list(ring[0][:2]) != list(ring[-1][:2]):
                raise BadUserInput(f"{field}: a ring must end where it starts (closed ring)", field)
    if kind == "LineString" and len(coords) < 2:
        raise BadUserInput(f"{field}: a LineString needs at least 2 positions", field)
    if kind == "MultiLineString" and any(len(line) < 2 for line in coords):
        raise BadUserInput(f"{field}: each line needs at least 2 positions", field)


def parse_geometry(value: Any, field: str = "geometry") -> shapely.Geometry:
    """A valid, non-empty shapely geometry from a GeoJSON geometry object, or BadUserInput."""
    if not isinstance(value, dict):
        raise BadUserInput(f"{field}: expected a GeoJSON geometry object", field)
    kind = value.get("type")
    if kind not in _POSITION_DEPTH:
        raise BadUserInput(
            f"{field}: type must be one of {', '.join(_POSITION_DEPTH)}, got {kind!r}", field
        )
    coords = value.get("coordinates")
    if coords is None:
        raise BadUserInput(f"{field}: coordinates are missing", field)
    _walk(coords, _POSITION_DEPTH[kind], field, [0])
    _check_rings(kind, coords, field)
    if kind != "Point" and not coords:
        raise BadUserInput(f"{field}: the geometry is empty", field)
    geom = shape(value)
    if geom.is_empty:
        raise BadUserInput(f"{field}: the geometry is empty", field)
    if not geom.is_valid:
        raise BadUserInput(f"{field}: invalid geometry ({explain_validity(geom)})", field)
    return geom
