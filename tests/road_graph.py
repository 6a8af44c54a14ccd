"""An independent road graph for checking the registry's road distances: networkx over the
same edges, every point joined at its road link by splitting the edge there, each piece
measured with pyproj rather than by PostGIS."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from typing import Any

import networkx as nx
from pyproj import Geod
from sqlalchemy import Connection, text

WGS84 = Geod(ellps="WGS84")


def line_metres(coords: list[tuple[float, float]]) -> float:
    lons, lats = zip(*coords, strict=True)
    return float(WGS84.line_length(lons, lats))


def _edge_coords(connection: Connection, edge_id: int) -> list[tuple[float, float]]:
    wkt = connection.execute(
        text("SELECT ST_AsText(geom) FROM road_edge WHERE id = :id"), {"id": edge_id}
    ).scalar_one()
    coords: list[tuple[float, float]] = []
    for pair in wkt.removeprefix("LINESTRING(").removesuffix(")").split(","):
        lon_text, lat_text = pair.split()
        coords.append((float(lon_text), float(lat_text)))
    return coords


def _positions(coords: list[tuple[float, float]]) -> list[float]:
    """Where each vertex lies along the line, 0 to 1, by planar length (as PostGIS's
    ST_LineLocatePoint measures the fraction)."""
    lengths = [math.dist(a, b) for a, b in itertools.pairwise(coords)]
    total = sum(lengths)
    return [sum(lengths[:i]) / total for i in range(len(coords))]


class RoadGraph:
    """The network with points joined to it; ``add_point`` for each, then ``build``."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.graph = nx.Graph()
        self.edges: dict[int, tuple[int, int, float]] = {}
        for edge_id, source, target, length in connection.execute(
            text("SELECT id, source, target, length_m FROM road_edge")
        ):
            self.edges[edge_id] = (source, target, length)
        self.points: dict[int, list[tuple[float, str, tuple[float, float]]]] = defaultdict(list)

    def add_point(self, name: str, lon: float, lat: float, link: Any) -> None:
        """A point and its link (edge_id, fraction, x, y: the point on the road)."""
        on_road = f"{name}@road"
        snap = (float(link.x), float(link.y))
        self.graph.add_edge(name, on_road, weight=float(WGS84.inv(lon, lat, *snap)[2]))
        self.points[link.edge_id].append((float(link.fraction), on_road, snap))

    def build(self) -> nx.Graph:
        """Every edge as a chain from source through its points, in order, to target."""
        for edge_id, (source, target, length) in self.edges.items():
            points = sorted(self.points.get(edge_id, []))
            if not points:
                self._join(source, target, length)
                continue
            coords = _edge_coords(self.connection, edge_id)
            positions = _positions(coords)
            stops = [(0.0, source, coords[0]), *points, (1.0, target, coords[-1])]
            for (f_a, a, at_a), (f_b, b, at_b) in itertools.pairwise(stops):
                inner = [c for c, f in zip(coords, positions, strict=True) if f_a < f < f_b]
                self._join(a, b, line_metres([at_a, *inner, at_b]))
        return self.graph

    def _join(self, a: Any, b: Any, metres: float) -> None:
        # Parallel edges: the shorter one is the one a shortest path takes.
        if not self.graph.has_edge(a, b) or self.graph[a][b]["weight"] > metres:
            self.graph.add_edge(a, b, weight=metres)
