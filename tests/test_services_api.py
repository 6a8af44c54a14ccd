"""Services through GraphQL: nearest services against a brute-force geodesic, pages, filters."""

from __future__ import annotations

import random
from typing import Any

import networkx as nx
import numpy as np
import pytest
from pyproj import Geod
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from schema.service import ServiceKind
from tests.conftest import StatementCounter, graphql, graphql_data
from tests.road_graph import RoadGraph

WGS84 = Geod(ellps="WGS84")

NEAREST = """
query ($near: PointInput!, $kinds: [ServiceKind!], $first: Int, $max: Float) {
  nearestServices(near: $near, kinds: $kinds, first: $first, maxDistanceMeters: $max) {
    distanceMeters service { id kind name }
  }
}
"""


def _services(connection: Connection) -> dict[str, Any]:
    rows = connection.execute(
        text("SELECT id, kind, ST_X(geom), ST_Y(geom) FROM service WHERE status = 'published'")
    ).all()
    return {
        "id": np.array([r[0] for r in rows]),
        "kind": np.array([r[1] for r in rows]),
        "lon": np.array([r[2] for r in rows]),
        "lat": np.array([r[3] for r in rows]),
    }


def test_nearest_services_equal_a_brute_force_geodesic_search(
    client: TestClient, connection: Connection
) -> None:
    """200 random points in and around the city, random kinds: every rank within 0.5 m."""
    services = _services(connection)
    rng = random.Random(7)
    kinds = [k.name for k in ServiceKind]
    for _ in range(200):
        lon, lat = rng.uniform(121.2, 122.7), rng.uniform(36.7, 37.6)
        chosen = rng.sample(kinds, rng.randint(1, len(kinds))) if rng.random() < 0.7 else None
        first = rng.choice([1, 3, 5, 10])
        hits = graphql_data(
            client, NEAREST, {"near": {"lon": lon, "lat": lat}, "kinds": chosen, "first": first}
        )["nearestServices"]

        wanted = [ServiceKind[k].value for k in (chosen or kinds)]
        mask = np.isin(services["kind"], wanted)
        n = int(mask.sum())
        _, _, dist = WGS84.inv(
            np.full(n, lon), np.full(n, lat), services["lon"][mask], services["lat"][mask]
        )
        truth = dict(zip(services["id"][mask].tolist(), dist.tolist(), strict=True))
        expected = sorted(dist.tolist())[:first]

        assert len(hits) == min(first, n)
        got = [h["distanceMeters"] for h in hits]
        assert got == sorted(got)
        for hit, want in zip(hits, expected, strict=True):
            assert abs(hit["distanceMeters"] - want) < 0.5
            assert abs(hit["distanceMeters"] - truth[int(hit["service"]["id"])]) < 0.5
            assert hit["service"]["kind"] in (chosen or kinds)


def test_ties_are_broken_by_id(client: TestClient, connection: Connection) -> None:
    """Two services at the same point come back in id order."""
    first_id = connection.execute(text("SELECT min(id) FROM service")).scalar_one()
    connection.execute(
        text(
            "INSERT INTO service (kind, name, geom, area_code, source) "
            "SELECT 'assistance_station', 'twin', geom, area_code, 'test' FROM service "
            "WHERE id = :id"
        ),
        {"id": first_id},
    )
    lon, lat = connection.execute(
        text("SELECT ST_X(geom), ST_Y(geom) FROM service WHERE id = :id"), {"id": first_id}
    ).one()
    hits = graphql_data(client, NEAREST, {"near": {"lon": lon, "lat": lat}, "first": 2})[
        "nearestServices"
    ]
    assert [h["distanceMeters"] for h in hits] == [0.0, 0.0]
    ids = [int(h["service"]["id"]) for h in hits]
    assert ids == sorted(ids) and first_id in ids


def test_max_distance_limits_the_hits(client: TestClient) -> None:
    near = {"lon": 122.12, "lat": 37.51}
    hits = graphql_data(client, NEAREST, {"near": near, "first": 100, "max": 1500.0})[
        "nearestServices"
    ]
    assert hits and all(h["distanceMeters"] <= 1500.0 for h in hits)
    farther = graphql_data(client, NEAREST, {"near": near, "first": 100, "max": 3000.0})[
        "nearestServices"
    ]
    assert len(farther) > len(hits)


def test_retired_services_are_not_found(client: TestClient, connection: Connection) -> None:
    near = {"lon": 122.12, "lat": 37.51}
    (hit,) = graphql_data(client, NEAREST, {"near": near, "first": 1})["nearestServices"]
    connection.execute(
        text("UPDATE service SET status = 'retired' WHERE id = :id"), {"id": hit["service"]["id"]}
    )
    (after,) = graphql_data(client, NEAREST, {"near": near, "first": 1})["nearestServices"]
    assert after["service"]["id"] != hit["service"]["id"]


def test_the_nearest_query_is_index_driven(connection: Connection) -> None:
    from db.queries.services import NEAREST_TO_POINT

    params = {"lon": 122.1, "lat": 37.5, "kinds": ["elder_dining_table"], "k": 5, "max_m": 1e9}
    plan = "\n".join(
        r[0] for r in connection.execute(text("EXPLAIN " + NEAREST_TO_POINT.text), params)
    )
    assert "Seq Scan on service" not in plan
    assert "Index Scan using ix_service_geom" in plan
    assert "Order By: (geom <->" in plan


def test_nearest_services_of_100_villages_run_a_constant_number_of_statements(
    client: TestClient, count_statements: StatementCounter
) -> None:
    query = """{ area(code: "371003") { children { children {
        code nearestServices(first: 3) { distanceMeters service { name area { code } } } } } } }"""
    data = graphql_data(client, query)
    villages = [v for t in data["area"]["children"] for v in t["children"]]
    assert len(villages) > 100
    assert all(len(v["nearestServices"]) == 3 for v in villages)
    # area, children ×2, nearest, the services' areas: one statement each however many rows.
    assert len(count_statements.statements) <= 5


def test_a_page_of_100_villages_with_3_nearest_each_runs_a_constant_number_of_statements(
    client: TestClient, count_statements: StatementCounter
) -> None:
    query = """{ areas(levels: [VILLAGE], first: 100) { edges { node {
        code nearestServices(first: 3) { distanceMeters service { id kind } } } } } }"""
    edges = graphql_data(client, query)["areas"]["edges"]
    assert len(edges) == 100
    assert all(len(e["node"]["nearestServices"]) == 3 for e in edges)
    # The page, and the nearest services of all 100 villages in one statement.
    assert len(count_statements.statements) == 2


def test_an_area_lists_its_services(client: TestClient, connection: Connection) -> None:
    expected = connection.execute(
        text(
            "SELECT count(*) FROM service WHERE status = 'published' AND area_code LIKE '371083%'"
            " AND kind = 'elder_care_institution'"
        )
    ).scalar_one()
    query = """{ area(code: "371083") { services(kinds: [ELDER_CARE_INSTITUTION], first: 500) {
        totalCount edges { node {
        kind ... on ElderCareInstitution { beds nursingBeds } areaChain { code } } } } } }"""
    page = graphql_data(client, query)["area"]["services"]
    services = [e["node"] for e in page["edges"]]
    assert len(services) == page["totalCount"] == expected > 0
    assert all(s["areaChain"][-2:] == [{"code": "371083"}, {"code": "3710"}] for s in services)
    assert all(s["nursingBeds"] <= s["beds"] for s in services)


PAGE = """
query ($first: Int, $after: String, $kinds: [ServiceKind!], $bbox: [Float!],
       $within: WithinInput, $intersects: GeoJSON, $inArea: String) {
  services(first: $first, after: $after, kinds: $kinds, bbox: $bbox, within: $within,
           intersects: $intersects, inArea: $inArea) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id kind } }
  }
}
"""


def test_pages_cover_every_service_once(client: TestClient, connection: Connection) -> None:
    total = connection.execute(
        text("SELECT count(*) FROM service WHERE status = 'published'")
    ).scalar_one()
    seen: list[int] = []
    after = None
    while True:
        page = graphql_data(client, PAGE, {"first": 500, "after": after})["services"]
        assert page["totalCount"] == total
        seen += [int(e["node"]["id"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == total
    assert seen == sorted(seen)


def _count(connection: Connection, where: str, params: dict[str, Any]) -> int:
    return int(
        connection.execute(
            text(f"SELECT count(*) FROM service WHERE status = 'published' AND {where}"), params
        ).scalar_one()
    )


def test_bbox_filter(client: TestClient, connection: Connection) -> None:
    bbox = [122.0, 37.3, 122.2, 37.5]
    page = graphql_data(client, PAGE, {"bbox": bbox, "first": 1})["services"]
    expected = _count(
        connection,
        "ST_X(geom) BETWEEN :x1 AND :x2 AND ST_Y(geom) BETWEEN :y1 AND :y2",
        {"x1": bbox[0], "y1": bbox[1], "x2": bbox[2], "y2": bbox[3]},
    )
    assert page["totalCount"] == expected > 0


def test_within_filter_is_geodesic(client: TestClient, connection: Connection) -> None:
    services = _services(connection)
    lon, lat, radius = 122.05, 37.2, 5000.0
    _, _, dist = WGS84.inv(
        np.full(len(services["id"]), lon),
        np.full(len(services["id"]), lat),
        services["lon"],
        services["lat"],
    )
    expected = int((dist <= radius).sum())
    within = {"point": {"lon": lon, "lat": lat}, "radiusMeters": radius}
    page = graphql_data(client, PAGE, {"within": within, "first": 500})["services"]
    assert page["totalCount"] == expected > 0


def test_intersects_and_in_area_filters(client: TestClient, connection: Connection) -> None:
    outline = connection.execute(
        text("SELECT ST_AsGeoJSON(geom)::json FROM admin_area WHERE code = '371002001'")
    ).scalar_one()
    by_shape = graphql_data(client, PAGE, {"intersects": outline, "first": 1})["services"]
    by_code = graphql_data(client, PAGE, {"inArea": "371002001", "first": 1})["services"]
    expected = _count(connection, "area_code LIKE '371002001%'", {})
    assert by_shape["totalCount"] == by_code["totalCount"] == expected > 0


def test_kinds_filter(client: TestClient, connection: Connection) -> None:
    page = graphql_data(client, PAGE, {"kinds": ["ASSISTANCE_STATION"], "first": 500})["services"]
    assert page["totalCount"] == _count(connection, "kind = 'assistance_station'", {})
    assert {e["node"]["kind"] for e in page["edges"]} == {"ASSISTANCE_STATION"}


def test_service_kind_enum_matches_the_lookup_table(connection: Connection) -> None:
    from db.tables import SERVICE_KINDS

    codes = set(connection.execute(text("SELECT code FROM service_kind")).scalars())
    assert codes == {kind.value for kind in ServiceKind} == set(SERVICE_KINDS)


SQUARE = [[122.0, 37.0], [122.1, 37.0], [122.1, 37.1], [122.0, 37.1], [122.0, 37.0]]


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (NEAREST, {"near": {"lon": 181, "lat": 37}}, "near"),
        (NEAREST, {"near": {"lon": -180.5, "lat": 37}}, "near"),
        (NEAREST, {"near": {"lon": 122, "lat": 90.01}}, "near"),
        (NEAREST, {"near": {"lon": 122, "lat": 37}, "first": 0}, "first"),
        (NEAREST, {"near": {"lon": 122, "lat": 37}, "first": 101}, "first"),
        (NEAREST, {"near": {"lon": 122, "lat": 37}, "max": 0}, "maxDistanceMeters"),
        (NEAREST, {"near": {"lon": 122, "lat": 37}, "max": 50_001}, "maxDistanceMeters"),
        (PAGE, {"first": 0}, "first"),
        (PAGE, {"first": 501}, "first"),
        (PAGE, {"after": "not-a-cursor"}, "after"),
        (PAGE, {"bbox": [122, 37, 121, 38]}, "bbox"),
        (PAGE, {"bbox": [122, 37, 123]}, "bbox"),
        (
            PAGE,
            {"within": {"point": {"lon": 122, "lat": 37}, "radiusMeters": 0}},
            "within.radiusMeters",
        ),
        (
            PAGE,
            {"within": {"point": {"lon": 122, "lat": 37}, "radiusMeters": -5}},
            "within.radiusMeters",
        ),
        (
            PAGE,
            {"within": {"point": {"lon": 122, "lat": 37}, "radiusMeters": 50_001}},
            "within.radiusMeters",
        ),
        (PAGE, {"within": {"point": {"lon": 222, "lat": 37}, "radiusMeters": 10}}, "within.point"),
        (PAGE, {"intersects": {"type": "Polygon", "coordinates": [SQUARE[:-1]]}}, "intersects"),
        (
            PAGE,
            {
                "intersects": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                }
            },
            "intersects",
        ),
        (PAGE, {"intersects": {"type": "Polygon", "coordinates": "x"}}, "intersects"),
        (
            PAGE,
            {
                "intersects": {
                    "type": "LineString",
                    "coordinates": [[122 + i * 1e-6, 37] for i in range(10_001)],
                }
            },
            "intersects",
        ),
        (PAGE, {"inArea": "37-10"}, "inArea"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(
    client: TestClient, query: str, variables: dict[str, Any], field: str
) -> None:
    body = graphql(client, query, variables)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert error["message"].startswith(field)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(client: TestClient, number: str) -> None:
    """JSON has no NaN: such a body is not JSON, and is refused as it is (400)."""
    query = "query ($near: PointInput!) { nearestServices(near: $near) { distanceMeters } }"
    raw = '{"query": "' + query + '", "variables": {"near": {"lon": ' + number + ', "lat": 37}}}'
    response = client.post("/graphql", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "Traceback" not in response.text


def test_retired_services_can_be_listed_on_request(
    client: TestClient, connection: Connection
) -> None:
    connection.execute(text("UPDATE service SET status = 'retired' WHERE id IN (1, 2)"))
    query = "{ services(status: RETIRED) { totalCount edges { node { id } } } }"
    page = graphql_data(client, query)["services"]
    assert page["totalCount"] == 2
    assert {e["node"]["id"] for e in page["edges"]} == {"1", "2"}


@pytest.mark.parametrize("status", ["PROPOSED", "APPROVED"])
def test_records_in_review_are_not_public(client: TestClient, status: str) -> None:
    for collection in ("services", "placeNames", "villageRoads"):
        body = graphql(client, f"{{ {collection}(status: {status}) {{ totalCount }} }}")
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "FORBIDDEN", "field": "status"}


NEAREST_BY = """
query ($near: PointInput!, $kinds: [ServiceKind!], $first: Int, $by: DistanceMeasure) {
  nearestServices(near: $near, kinds: $kinds, first: $first, by: $by) {
    distanceMeters roadDistanceMeters route service { id }
  }
}
"""


def _road_distances_from(connection: Connection, lon: float, lat: float) -> dict[str, float]:
    """Road distances from a point to every published dining table, by networkx."""
    roads = RoadGraph(connection)
    click = connection.execute(
        text(
            "SELECT edge_id, source, target, fraction, ST_X(point) AS x, ST_Y(point) AS y"
            " FROM road_link_of(ST_SetSRID(ST_MakePoint(:x, :y), 4326))"
        ),
        {"x": lon, "y": lat},
    ).one()
    roads.add_point("click", lon, lat, click)
    services = connection.execute(
        text(
            "SELECT s.id, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat, l.edge_id, l.source,"
            " l.target, l.fraction, ST_X(l.point) AS x, ST_Y(l.point) AS y"
            " FROM service s JOIN service_road_link l ON l.service_id = s.id"
            " WHERE s.kind = 'elder_dining_table' AND s.status = 'published'"
        )
    ).all()
    for s in services:
        roads.add_point(f"s{s.id}", s.lon, s.lat, s)
    reach = nx.single_source_dijkstra_path_length(roads.build(), "click")
    return {str(s.id): reach[f"s{s.id}"] for s in services if f"s{s.id}" in reach}


def test_nearest_services_by_road_equal_an_independent_shortest_path_search(
    client: TestClient, connection: Connection
) -> None:
    rng = random.Random(5)
    for _ in range(4):
        lon, lat = rng.uniform(121.9, 122.4), rng.uniform(36.9, 37.4)
        hits = graphql_data(
            client,
            NEAREST_BY,
            {"near": {"lon": lon, "lat": lat}, "kinds": ["ELDER_DINING_TABLE"], "by": "BOTH"},
        )["nearestServices"]
        expected = sorted(_road_distances_from(connection, lon, lat).items(), key=lambda i: i[1])
        assert [h["roadDistanceMeters"] for h in hits] == pytest.approx(
            [metres for _, metres in expected[:5]], abs=0.01
        )
        for hit in hits:
            assert hit["roadDistanceMeters"] >= hit["distanceMeters"] - 1e-6
            route = hit["route"]
            assert route["type"] == "LineString"
            lons, lats = zip(*route["coordinates"], strict=True)
            assert WGS84.line_length(lons, lats) == pytest.approx(
                hit["roadDistanceMeters"], abs=0.5
            )


def test_straight_is_the_default_and_asks_nothing_of_the_roads(client: TestClient) -> None:
    near = {"lon": 122.12, "lat": 37.5}
    default = graphql_data(client, NEAREST_BY, {"near": near})["nearestServices"]
    assert all(h["roadDistanceMeters"] is None and h["route"] is None for h in default)
    distances = [h["distanceMeters"] for h in default]
    assert distances == sorted(distances)
    by_road = graphql_data(client, NEAREST_BY, {"near": near, "by": "ROAD"})["nearestServices"]
    road = [h["roadDistanceMeters"] for h in by_road]
    assert road == sorted(road)


def test_a_route_from_out_at_sea_is_one_line_as_long_as_the_road_distance(
    client: TestClient,
) -> None:
    """Far from every road, the service may sit on the very edge the point joins: the
    pieces of the way still make one LineString."""
    hits = graphql_data(
        client, NEAREST_BY, {"near": {"lon": 123.5, "lat": 36.5}, "first": 3, "by": "BOTH"}
    )["nearestServices"]
    assert len(hits) == 3
    for hit in hits:
        assert hit["route"]["type"] == "LineString"
        lons, lats = zip(*hit["route"]["coordinates"], strict=True)
        assert WGS84.line_length(lons, lats) == pytest.approx(hit["roadDistanceMeters"], abs=0.5)
