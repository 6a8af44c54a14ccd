"""Chinese web-map coordinates: GCJ-02 (AMap/Gaode, Tencent) and BD-09 (Baidu).

GCJ-02 shifts WGS84 positions inside China by a few hundred metres with a published
algorithm (the one every open implementation uses, e.g. eviltransform); BD-09 shifts
GCJ-02 once more.  The forward directions are closed formulas; the way back is found by
iterating the forward one until it lands within a millimetre, so a round trip stays far
below a metre.  Outside China (the usual rough box) GCJ-02 equals WGS84.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import Enum
from typing import Any

from gis import OUTPUT_DECIMALS

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 algorithm uses
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
_ITERATIONS = 30
_CLOSE_ENOUGH_DEG = 1e-10  # about 0.01 mm


class CoordinateSystem(Enum):
    WGS84 = "WGS84"
    GCJ02 = "GCJ02"
    BD09 = "BD09"
    # China Geodetic Coordinate System 2000 (EPSG:4490), the datum of government data in
    # China.  Its ellipsoid and frame agree with WGS84 (as the registry keeps it) within a
    # few centimetres, far below what a place name's position means: no shift is applied.
    CGCS2000 = "CGCS2000"

    @property
    def shifted(self) -> bool:
        """Whether positions in this system differ from WGS84 (GCJ-02, BD-09)."""
        return self in (CoordinateSystem.GCJ02, CoordinateSystem.BD09)


Position = tuple[float, float]  # (lon, lat)


def outside_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift(x: float, y: float) -> Position:
    """The GCJ-02 offset in its own units, of x = lon - 105, y = lat - 35."""
    xy, abs_x, x_pi, y_pi = x * y, math.sqrt(abs(x)), x * math.pi, y * math.pi
    d = 20.0 * math.sin(6.0 * x_pi) + 20.0 * math.sin(2.0 * x_pi)
    lat = d + 20.0 * math.sin(y_pi) + 40.0 * math.sin(y_pi / 3.0)
    lon = d + 20.0 * math.sin(x_pi) + 40.0 * math.sin(x_pi / 3.0)
    lat += 160.0 * math.sin(y_pi / 12.0) + 320.0 * math.sin(y_pi / 30.0)
    lon += 150.0 * math.sin(x_pi / 12.0) + 300.0 * math.sin(x_pi / 30.0)
    lat = lat * 2.0 / 3.0 - 100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * xy + 0.2 * abs_x
    lon = lon * 2.0 / 3.0 + 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * xy + 0.1 * abs_x
    return lon, lat


def wgs84_to_gcj02(lon: float, lat: float) -> Position:
    if outside_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _shift(lon - 105.0, lat - 35.0)
    rad_lat = math.radians(lat)
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lon + d_lon, lat + d_lat


def gcj02_to_bd09(lon: float, lat: float) -> Position:
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def _invert(forward: Callable[[float, float], Position], lon: float, lat: float) -> Position:
    """The position that ``forward`` takes to (lon, lat): the shifts are small and smooth,
    so stepping by the remaining difference converges in a few rounds."""
    guess_lon, guess_lat = lon, lat
    for _ in range(_ITERATIONS):
        at_lon, at_lat = forward(guess_lon, guess_lat)
        d_lon, d_lat = lon - at_lon, lat - at_lat
        guess_lon, guess_lat = guess_lon + d_lon, guess_lat + d_lat
        if abs(d_lon) < _CLOSE_ENOUGH_DEG and abs(d_lat) < _CLOSE_ENOUGH_DEG:
            break
    return guess_lon, guess_lat


def gcj02_to_wgs84(lon: float, lat: float) -> Position:
    if outside_china(lon, lat):
        return lon, lat
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon: float, lat: float) -> Position:
    return _invert(gcj02_to_bd09, lon, lat)


def from_wgs84(crs: CoordinateSystem, lon: float, lat: float) -> Position:
    if not crs.shifted:
        return lon, lat
    gcj = wgs84_to_gcj02(lon, lat)
    return gcj if crs is CoordinateSystem.GCJ02 else gcj02_to_bd09(*gcj)


def to_wgs84(crs: CoordinateSystem, lon: float, lat: float) -> Position:
    if not crs.shifted:
        return lon, lat
    gcj = (lon, lat) if crs is CoordinateSystem.GCJ02 else bd09_to_gcj02(lon, lat)
    return gcj02_to_wgs84(*gcj)


# Positions given in a shifted system are kept to 9 decimals on their way in (the inverse
# shift's own precision); those leave the API as every position does.
INPUT_DECIMALS = 9


def _map_positions(
    coordinates: Any, move: Callable[[float, float], Position], decimals: int
) -> Any:
    if coordinates and isinstance(coordinates[0], (int, float)):
        lon, lat = move(float(coordinates[0]), float(coordinates[1]))
        return [round(lon, decimals), round(lat, decimals), *coordinates[2:]]
    return [_map_positions(part, move, decimals) for part in coordinates]


def geojson_from_wgs84(geometry: Any, crs: CoordinateSystem) -> Any:
    """A GeoJSON geometry (a dict) with its positions in ``crs``; WGS84 is returned as is."""
    if not crs.shifted or not isinstance(geometry, dict):
        return geometry
    return _convert(geometry, lambda lon, lat: from_wgs84(crs, lon, lat), OUTPUT_DECIMALS)


def geojson_to_wgs84(geometry: Any, crs: CoordinateSystem) -> Any:
    if not crs.shifted or not isinstance(geometry, dict):
        return geometry
    return _convert(geometry, lambda lon, lat: to_wgs84(crs, lon, lat), INPUT_DECIMALS)


def _convert(
    geometry: dict[str, Any], move: Callable[[float, float], Position], decimals: int
) -> dict[str, Any]:
    if geometry.get("type") == "GeometryCollection":
        parts = [_convert(g, move, decimals) for g in geometry["geometries"]]
        return {**geometry, "geometries": parts}
    return {**geometry, "coordinates": _map_positions(geometry["coordinates"], move, decimals)}


def bbox_to_wgs84(
    bbox: tuple[float, float, float, float], crs: CoordinateSystem
) -> tuple[float, float, float, float]:
    """The WGS84 box around a box given in ``crs`` (the shifts are smooth: corners suffice)."""
    if not crs.shifted:
        return bbox
    west, south, east, north = bbox
    corners = [to_wgs84(crs, lon, lat) for lon in (west, east) for lat in (south, north)]
    lons, lats = [c[0] for c in corners], [c[1] for c in corners]
    return min(lons), min(lats), max(lons), max(lats)
