"""Road distances: never shorter than the straight line, equal to an independent
shortest-path computation, and with the legs to and from the road counted."""

from __future__ import annotations

import random
from typing import Any

import networkx as nx
import pytest
from pyproj import Geod
from sqlalchemy import Connection, text

from db.queries.coverage import coverage_by_road, village_distances, village_service_pairs
from db.tables import SERVICE_KINDS
from tests.road_graph import RoadGraph

WGS84 = Geod(ellps="WGS84")


def _straight(connection: Connection, pairs: list[dict[str, Any]]) -> dict[tuple[str, str], float]:
    rows = connection.execute(
        text(
            "SELECT v.code, s.id::text, ST_Distance(v.rep_point::geography, s.geom::geography)"
            " FROM unnest(CAST(:codes AS text[]), CAST(:ids AS bigint[])) p(code, id)"
            " JOIN admin_area v ON v.code = p.code JOIN service s ON s.id = p.id"
        ),
        {"codes": [p["code"] for p in pairs], "ids": [int(p["service"]) for p in pairs]},
    )
    return {(r[0], r[1]): r[2] for r in rows}


@pytest.mark.parametrize("kind", SERVICE_KINDS)
def test_a_road_distance_is_never_shorter_than_the_straight_one(
    connection: Connection, kind: str
) -> None:
    """Every (village, service) pair within 3 km by road, over the whole city."""
    pairs = village_service_pairs(connection, [kind], "road", 3000.0)
    assert len(pairs) > 50
    straight = _straight(connection, pairs)
    shorter = [
        (p["code"], p["service"], p["metres"], straight[p["code"], p["service"]])
        for p in pairs
        if p["metres"] < straight[p["code"], p["service"]] - 1e-6
    ]
    assert shorter == []


@pytest.mark.parametrize("kind", SERVICE_KINDS)
def test_coverage_by_road_never_exceeds_coverage_in_a_straight_line(
    connection: Connection, kind: str
) -> None:
    by_road = village_distances(connection, "3710", [kind], "road", 1000.0)
    by_radius = {
        r["code"]: r for r in village_distances(connection, "3710", [kind], "radius", 1000.0)
    }
    for village in by_road:
        if village["covered"]:
            assert by_radius[village["code"]]["covered"], village["code"]
            assert village["distance_m"] >= by_radius[village["code"]]["distance_m"] - 1e-6


def test_coverage_by_road_equals_an_independent_shortest_path_computation(
    connection: Connection,
) -> None:
    """For 50 random villages: the distance to the nearest dining table by road, computed
    by networkx over the same edges with the legs measured by pyproj."""
    metres = 2500.0
    rows = {
        r["code"]: r
        for r in village_distances(connection, "3710", ["elder_dining_table"], "road", metres)
    }
    sample = random.Random(11).sample(sorted(rows), 50)
    links = {
        row.key: row
        for row in connection.execute(
            text(
                "SELECT 'v' || village_code AS key, edge_id, source, target, fraction,"
                " ST_X(point) AS x, ST_Y(point) AS y FROM village_road_link"
                " WHERE village_code = ANY(:codes)"
                " UNION ALL"
                " SELECT 's' || l.service_id, l.edge_id, l.source, l.target, l.fraction,"
                " ST_X(l.point), ST_Y(l.point) FROM service_road_link l"
                " JOIN service s ON s.id = l.service_id"
                " WHERE s.kind = 'elder_dining_table' AND s.status = 'published'"
            ),
            {"codes": sample},
        )
    }
    points = {
        row.key: (row.x, row.y)
        for row in connection.execute(
            text(
                "SELECT 'v' || code AS key, ST_X(rep_point) AS x, ST_Y(rep_point) AS y"
                " FROM admin_area WHERE code = ANY(:codes)"
                " UNION ALL SELECT 's' || id, ST_X(geom), ST_Y(geom) FROM service"
                " WHERE kind = 'elder_dining_table' AND status = 'published'"
            ),
            {"codes": sample},
        )
    }
    roads = RoadGraph(connection)
    for key, link in links.items():
        roads.add_point(key, *points[key], link)
    graph = roads.build()
    services = [k for k in links if k.startswith("s")]
    covered_somewhere = 0
    for code in sample:
        reach = nx.single_source_dijkstra_path_length(graph, f"v{code}", cutoff=metres + 1)
        nearest = min((reach[s] for s in services if s in reach), default=None)
        got = rows[code]["distance_m"]
        if nearest is None or nearest > metres:
            assert got is None, code
        else:
            covered_somewhere += 1
            assert got == pytest.approx(nearest, abs=0.01), code
    assert covered_somewhere >= 10


def test_the_nearest_road_is_the_nearest_of_all_roads(connection: Connection) -> None:
    """The index offers candidates; checked here against every edge, for 50 villages."""
    rows = connection.execute(
        text(
            "SELECT l.leg_m, (SELECT min(ST_Distance(e.geom::geography, v.rep_point::geography))"
            "                 FROM road_edge e) AS nearest"
            " FROM village_road_link l JOIN admin_area v ON v.code = l.village_code"
            " ORDER BY md5(v.code) LIMIT 50"
        )
    ).all()
    assert all(leg == pytest.approx(nearest, abs=1e-6) for leg, nearest in rows)


def _hand_made_network(connection: Connection) -> dict[str, Any]:
    """Nodes A, B, C on a parallel out at sea, apart from the city's roads, about 1 km
    apart.  A dining table 300 m north of the middle of A–B; village B at node B; village V
    200 m south of the point a quarter of the way from B to C."""
    lat, lon0, step = 36.6, 123.2, 0.0112
    north, south = 300 / 111_000, 200 / 111_000
    nodes = [(lon0 + i * step, lat) for i in range(3)]
    ids = [
        connection.execute(
            text(
                "INSERT INTO road_node (geom) VALUES (ST_SetSRID(ST_MakePoint(:x, :y), 4326))"
                " RETURNING id"
            ),
            {"x": x, "y": y},
        ).scalar_one()
        for x, y in nodes
    ]
    for a, b in ((ids[0], ids[1]), (ids[1], ids[2])):
        connection.execute(
            text(
                "INSERT INTO road_edge (source, target, road_class, geom) SELECT :a, :b, 'rural',"
                " ST_MakeLine(na.geom, nb.geom) FROM road_node na, road_node nb"
                " WHERE na.id = :a AND nb.id = :b"
            ),
            {"a": a, "b": b},
        )
    village_b, village_v = connection.execute(
        text("SELECT code FROM admin_area WHERE parent_code = '371003101' ORDER BY code LIMIT 2")
    ).scalars()
    table = (nodes[0][0] + step / 2, lat + north)
    v_point = (nodes[1][0] + step / 4, lat - south)
    for code, (x, y) in ((village_b, nodes[1]), (village_v, v_point)):
        connection.execute(
            text(
                "UPDATE admin_area SET rep_point = ST_SetSRID(ST_MakePoint(:x, :y), 4326)"
                " WHERE code = :code"
            ),
            {"x": x, "y": y, "code": code},
        )
    connection.execute(
        text(
            "INSERT INTO service (kind, name, geom, area_code, meal_capacity, source)"
            " VALUES ('elder_dining_table', 'A', ST_SetSRID(ST_MakePoint(:x, :y), 4326),"
            " :code, 40, 'test')"
        ),
        {"x": table[0], "y": table[1], "code": village_b},
    )

    def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
        return float(WGS84.inv(a[0], a[1], b[0], b[1])[2])

    middle_ab = (table[0], lat)
    quarter_bc = (v_point[0], lat)
    to_b = metres(table, middle_ab) + metres(middle_ab, nodes[1])
    to_v = to_b + metres(nodes[1], quarter_bc) + metres(quarter_bc, v_point)
    return {
        "b": village_b,
        "v": village_v,
        "to_b": to_b,
        "to_v": to_v,
        "straight_b": metres(table, nodes[1]),
        "straight_v": metres(table, v_point),
    }


def test_the_legs_to_and_from_the_road_decide_on_a_hand_made_network(
    connection: Connection,
) -> None:
    net = _hand_made_network(connection)
    # The legs make the difference: by road is longer than straight by more than 50 m.
    assert net["to_b"] > net["straight_b"] + 50 and net["to_v"] > net["straight_v"] + 50

    def covered(road_m: float) -> dict[str, float]:
        rows = coverage_by_road(connection, "371003101", ["elder_dining_table"], road_m)
        return {
            r["code"]: r["distance_m"]
            for r in rows
            if r["code"] in (net["b"], net["v"]) and r["covered"]
        }

    assert covered(net["straight_b"] + 20) == {}
    assert covered(net["to_b"] - 0.5) == {}
    assert covered(net["to_b"] + 0.5) == {net["b"]: pytest.approx(net["to_b"], abs=0.01)}
    assert covered(net["to_v"] - 0.5).keys() == {net["b"]}
    got = covered(net["to_v"] + 0.5)
    assert got == {
        net["b"]: pytest.approx(net["to_b"], abs=0.01),
        net["v"]: pytest.approx(net["to_v"], abs=0.01),
    }


def test_two_points_on_one_road_meet_along_it(connection: Connection) -> None:
    """A village and a service on the same edge: the way between them stays on it."""
    net = _hand_made_network(connection)
    connection.execute(
        text(
            "UPDATE service SET geom = ST_SetSRID(ST_MakePoint(:x, 36.6), 4326)"
            " WHERE name = 'A' AND source = 'test'"
        ),
        {"x": 123.2112 + 0.0112 / 2},
    )
    rows = coverage_by_road(connection, "371003101", ["elder_dining_table"], 2000.0)
    distance = {r["code"]: r["distance_m"] for r in rows}[net["v"]]
    b, lat = 123.2112, 36.6
    along = float(WGS84.inv(b + 0.0112 / 2, lat, b + 0.0112 / 4, lat)[2])
    leg = float(WGS84.inv(b + 0.0112 / 4, lat, b + 0.0112 / 4, lat - 200 / 111_000)[2])
    assert distance == pytest.approx(along + leg, abs=0.01)
