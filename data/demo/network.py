"""A synthetic road network and named village roads (村内道路).

Rural roads join neighbouring village centres and township seats along the edges of their
Delaunay triangulation, kept where they stay on land; each named village road leaves its
village centre and is an edge of the same network, so routing runs over it too.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import shapely
from shapely.geometry import LineString, MultiLineString, Point

from data.demo.geography import Geography
from domain.naming import place_name_pinyin

METRES_PER_DEGREE = 111_320.0
MAX_RURAL_ROAD_M = 7_000.0
LARGE_VILLAGE_HOUSEHOLDS = 300

ROAD_SPECIFICS = (
    "幸福",
    "和平",
    "建设",
    "文化",
    "团结",
    "振兴",
    "富民",
    "兴业",
    "长青",
    "青松",
    "海滨",
    "东山",
    "西山",
    "南山",
    "北山",
    "东河",
    "西河",
    "学府",
    "民安",
    "永安",
    "康宁",
    "福寿",
    "丰收",
    "果园",
    "花园",
    "龙泉",
    "凤鸣",
    "槐树",
    "柳树",
    "杏花",
    "桃园",
    "梨园",
    "石桥",
    "新村",
    "中心",
    "前进",
    "光明",
    "胜利",
    "育才",
    "卫生",
    "泉水",
    "松山",
    "枣园",
    "葡萄",
    "海港",
    "渔港",
    "盐滩",
    "金沙",
)
ROAD_GENERICS = ("路", "街", "巷")


@dataclass
class Node:
    id: int
    point: Point


@dataclass
class Edge:
    id: int
    source: int
    target: int
    road_class: str
    geom: LineString
    village_road_id: int | None = None


@dataclass
class VillageRoad:
    id: int
    name: str
    specific: str
    generic: str
    pinyin: str
    village_code: str
    geom: LineString


@dataclass
class Network:
    nodes: list[Node]
    edges: list[Edge]
    village_roads: list[VillageRoad]
    node_of_area: dict[str, int]  # village centre or township seat → node id


def _metres(a: Point, b: Point) -> float:
    lat = math.radians((a.y + b.y) / 2)
    return math.hypot((a.x - b.x) * math.cos(lat), a.y - b.y) * METRES_PER_DEGREE


class _Components:
    def __init__(self, ids: list[int]) -> None:
        self.parent = {i: i for i in ids}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def build_network(geo: Geography, rng: random.Random) -> Network:
    nodes: list[Node] = []
    node_of_area: dict[str, int] = {}
    node_at: dict[tuple[float, float], int] = {}
    for area in sorted(geo.areas.values(), key=lambda a: a.code):
        if area.level in ("township", "village") and area.seed is not None:
            node = Node(len(nodes) + 1, area.seed)
            nodes.append(node)
            node_of_area[area.code] = node.id
            node_at[(area.seed.x, area.seed.y)] = node.id
    seats = {node_of_area[a.code] for a in geo.by_level("township")}

    triangulation = shapely.delaunay_triangles(
        shapely.MultiPoint([n.point for n in nodes]), only_edges=True
    )
    shapely.prepare(geo.mainland)
    candidates: list[tuple[float, int, int, LineString]] = []
    for line in triangulation.geoms:
        (x1, y1), (x2, y2) = line.coords
        a, b = node_at[(x1, y1)], node_at[(x2, y2)]
        if geo.mainland.covers(line):
            candidates.append((line.length, a, b, line))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))

    edges: list[Edge] = []
    components = _Components([n.id for n in nodes])
    for _, a, b, line in candidates:
        length_m = _metres(Point(line.coords[0]), Point(line.coords[1]))
        bridges = components.find(a) != components.find(b)
        # Short links make the rural network; a long one only where it joins a part that
        # would otherwise be cut off.
        if length_m <= MAX_RURAL_ROAD_M or bridges:
            road_class = "township" if a in seats and b in seats else "rural"
            edges.append(Edge(len(edges) + 1, a, b, road_class, line))
            components.join(a, b)

    roads = _village_roads(geo, rng, nodes, edges, node_of_area)
    return Network(nodes=nodes, edges=edges, village_roads=roads, node_of_area=node_of_area)


def _road_line(rng: random.Random, start: Point, length_m: float) -> LineString:
    heading = rng.uniform(0, 2 * math.pi)
    points = [(start.x, start.y)]
    x, y = start.x, start.y
    for _ in range(3):
        heading += rng.uniform(-0.35, 0.35)
        step = length_m / 3 / METRES_PER_DEGREE
        x += step * math.cos(heading) / math.cos(math.radians(start.y))
        y += step * math.sin(heading)
        points.append((x, y))
    return LineString(points)


def _village_roads(
    geo: Geography,
    rng: random.Random,
    nodes: list[Node],
    edges: list[Edge],
    node_of_area: dict[str, int],
) -> list[VillageRoad]:
    roads: list[VillageRoad] = []
    # The registry allows one road of a name per township (its code's first 9 digits).
    used_in_township: dict[str, set[str]] = {}
    # A village whose centre no road reaches (on an island) gets no named road: its road
    # would be cut off from the network.
    reached = {e.source for e in edges} | {e.target for e in edges}
    for village in sorted(geo.by_level("village"), key=lambda v: v.code):
        assert village.households is not None and village.geom is not None
        if node_of_area[village.code] not in reached:
            continue
        if village.households >= LARGE_VILLAGE_HOUSEHOLDS:
            count = rng.choice((1, 2, 2, 3))
        else:
            count = 1 if rng.random() < 0.2 else 0
        shapely.prepare(village.geom)
        used = used_in_township.setdefault(village.code[:9], set())
        for _ in range(count):
            start = nodes[node_of_area[village.code] - 1].point
            line = None
            length_m = rng.uniform(250, 700)
            for _attempt in range(40):
                candidate = _road_line(rng, start, length_m)
                if village.geom.covers(candidate):
                    line = candidate
                    break
                length_m *= 0.85
            if line is None:
                continue
            specific, generic = rng.choice(ROAD_SPECIFICS), rng.choice(ROAD_GENERICS)
            while specific + generic in used:
                specific, generic = rng.choice(ROAD_SPECIFICS), rng.choice(ROAD_GENERICS)
            used.add(specific + generic)
            road = VillageRoad(
                id=len(roads) + 1,
                name=specific + generic,
                specific=specific,
                generic=generic,
                pinyin=place_name_pinyin(specific, generic),
                village_code=village.code,
                geom=line,
            )
            roads.append(road)
            end = Node(len(nodes) + 1, Point(line.coords[-1]))
            nodes.append(end)
            edges.append(
                Edge(
                    len(edges) + 1,
                    node_of_area[village.code],
                    end.id,
                    "village_road",
                    line,
                    road.id,
                )
            )
    return roads


def network_lines(network: Network) -> MultiLineString:
    return MultiLineString([e.geom for e in network.edges])
