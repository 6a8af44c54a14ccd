"""The coordinate reference systems OGC API clients may ask for (Features Part 2), and the
SQL that writes a stored geometry in one of them or reads a box given in one.

Stored geometries are WGS84 longitude/latitude (CRS84).  EPSG:4326 and EPSG:4490
(CGCS2000, within centimetres of WGS84, treated as the same datum as everywhere in the
registry) put latitude first, as their EPSG definitions do; EPSG:3857 is Web Mercator in
metres.  Every value stays a bound parameter: the SRIDs below are constants of this module.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import BadUserInput, Text
from gis import OUTPUT_DECIMALS, SRID
from gis.spatial import check_bbox

# Web Mercator's world, in metres.
MERCATOR_LIMIT = 20037508.342789244
# Metres leave the API with centimetres.
METRE_DECIMALS = 2


@dataclass(frozen=True)
class Crs:
    uri: str
    title: str
    srid: int
    latitude_first: bool = False
    metres: bool = False

    def geometry_sql(self, column: str) -> str:
        """``column`` (stored, WGS84) as GeoJSON text in this system."""
        if self.metres:
            return f"ST_AsGeoJSON(ST_Transform({column}, {self.srid}), {METRE_DECIMALS})"
        if self.latitude_first:
            return f"ST_AsGeoJSON(ST_FlipCoordinates({column}), {OUTPUT_DECIMALS})"
        return f"ST_AsGeoJSON({column}, {OUTPUT_DECIMALS})"

    @property
    def header(self) -> str:
        """The ``Content-Crs`` header value."""
        return f"<{self.uri}>"


CRS84 = Crs("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "WGS 84 (lon, lat)", SRID)
SYSTEMS = {
    crs.uri: crs
    for crs in (
        CRS84,
        Crs("http://www.opengis.net/def/crs/EPSG/0/4326", "WGS 84 (lat, lon)", SRID, True),
        Crs("http://www.opengis.net/def/crs/EPSG/0/4490", "CGCS2000 (lat, lon)", SRID, True),
        Crs(
            "http://www.opengis.net/def/crs/EPSG/0/3857",
            "Web Mercator (metres)",
            3857,
            metres=True,
        ),
    )
}
# Short spellings clients also send: EPSG:4326, [EPSG:4326] (a safe CURIE), OGC:CRS84.
_ALIASES = {
    **{f"EPSG:{uri.rsplit('/', 1)[1]}": uri for uri in SYSTEMS if "/EPSG/" in uri},
    "OGC:CRS84": CRS84.uri,
    "CRS84": CRS84.uri,
}


def crs_named(value: str | None, field: str) -> Crs:
    """The system a ``crs``/``bbox-crs`` parameter names (CRS84 when absent)."""
    if value is None:
        return CRS84
    key = value.strip()
    if key.startswith("[") and key.endswith("]"):
        key = key[1:-1]
    uri = _ALIASES.get(key.upper(), key)
    crs = SYSTEMS.get(uri)
    if crs is None:
        raise BadUserInput(
            Text(
                f"{field}: 不支持 {value!r}；可选 {', '.join(SYSTEMS)}",
                f"{field}: {value!r} is not offered; use one of {', '.join(SYSTEMS)}",
            ),
            field,
        )
    return crs


@dataclass(frozen=True)
class Box:
    """A bbox given in some system, and the SQL of it as a stored (WGS84) envelope."""

    corners: tuple[float, float, float, float]  # west, south, east, north in ``crs``
    crs: Crs

    def envelope_sql(self) -> str:
        made = f"ST_MakeEnvelope(:bbox_w, :bbox_s, :bbox_e, :bbox_n, {self.crs.srid})"
        return f"ST_Transform({made}, {SRID})" if self.crs.srid != SRID else made

    def params(self) -> dict[str, float]:
        return dict(zip(("bbox_w", "bbox_s", "bbox_e", "bbox_n"), self.corners, strict=True))


def box_in(numbers: Sequence[float], crs: Crs, field: str = "bbox") -> Box:
    """Four (or six, heights dropped) numbers of a ``bbox`` in ``crs``, checked."""
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise BadUserInput(
            Text(
                f"{field} 须为四个（或六个）以逗号分隔的有限数",
                f"{field} is four (or six) comma-separated finite numbers",
            ),
            field,
        )
    if crs.metres:
        if not all(abs(n) <= MERCATOR_LIMIT for n in numbers) or (
            numbers[0] > numbers[2] or numbers[1] > numbers[3]
        ):
            raise BadUserInput(
                Text(
                    f"{field}: Web Mercator 坐标须在 ±{MERCATOR_LIMIT:.0f} 米内，"
                    "且最小值不大于最大值",
                    f"{field}: Web Mercator coordinates lie within ±{MERCATOR_LIMIT:.0f} m,"
                    " the minimum not above the maximum",
                ),
                field,
            )
        return Box((numbers[0], numbers[1], numbers[2], numbers[3]), crs)
    if crs.latitude_first:
        numbers = [numbers[1], numbers[0], numbers[3], numbers[2]]
    return Box(check_bbox(numbers, field), crs)
