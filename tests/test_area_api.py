"""The area(code) query: hierarchy, figures, outlines, bad input and batching."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import shape
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from tests.conftest import StatementCounter, graphql, graphql_data

AREA = """
query ($code: String!) {
  area(code: $code) {
    code name level households population elderly
    parent { code level }
    children { code level }
  }
}
"""


def test_the_city_is_area_3710(client: TestClient) -> None:
    city = graphql_data(client, AREA, {"code": "3710"})["area"]
    assert (city["code"], city["name"], city["level"]) == ("3710", "威海市", "CITY")
    assert city["parent"] is None
    assert len(city["children"]) == 7
    assert {c["level"] for c in city["children"]} == {"COUNTY"}


def test_a_village_knows_its_chain_up_to_the_city(
    client: TestClient, connection: Connection
) -> None:
    code = connection.execute(
        text("SELECT min(code) FROM admin_area WHERE level = 'village'")
    ).scalar()
    query = """query ($code: String!) { area(code: $code) {
        level children { code }
        parent { level parent { level parent { level parent { code } } } } } }"""
    village = graphql_data(client, query, {"code": code})["area"]
    assert village["level"] == "VILLAGE"
    assert village["children"] == []
    chain = village["parent"]
    assert chain["level"] == "TOWNSHIP"
    assert chain["parent"]["level"] == "COUNTY"
    assert chain["parent"]["parent"] == {"level": "CITY", "parent": None}


def test_figures_of_an_area_are_the_sums_of_its_villages(
    client: TestClient, connection: Connection
) -> None:
    expected = connection.execute(
        text(
            "SELECT sum(households), sum(population), sum(elderly) FROM admin_area "
            "WHERE level = 'village' AND parent_code = '371002001'"
        )
    ).one()
    township = graphql_data(client, AREA, {"code": "371002001"})["area"]
    assert (township["households"], township["population"], township["elderly"]) == tuple(expected)


def test_a_development_zone_is_a_county_level_area(client: TestClient) -> None:
    zone = graphql_data(client, AREA, {"code": "371073"})["area"]
    assert zone["name"] == "威海临港经济技术开发区"
    assert zone["level"] == "COUNTY"
    assert len(zone["children"]) == 3
    assert zone["population"] > 0


def test_outline_and_representative_point_are_geojson(client: TestClient) -> None:
    query = '{ area(code: "371002001") { geometry representativePoint } }'
    area = graphql_data(client, query)["area"]
    outline = shape(area["geometry"])
    point = shape(area["representativePoint"])
    assert area["geometry"]["type"] == "MultiPolygon"
    assert area["representativePoint"]["type"] == "Point"
    assert outline.is_valid and outline.covers(point)
    coordinates = json.dumps(area["geometry"]["coordinates"])
    longest = max(
        len(n.split(".")[1])
        for n in coordinates.replace("[", " ").replace("]", " ").replace(",", " ").split()
        if "." in n
    )
    assert longest <= 7


def test_unknown_area_code_gives_null(client: TestClient) -> None:
    body = graphql(client, AREA, {"code": "371099"})
    assert body == {"data": {"area": None}}


@pytest.mark.parametrize("code", ["", "37", "37100a", "3710021", "3710; DROP TABLE admin_area"])
def test_malformed_area_code_is_bad_user_input(client: TestClient, code: str) -> None:
    body = graphql(client, AREA, {"code": code})
    assert body["data"] == {"area": None}
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "code"
    assert "code" in error["message"]


def test_missing_variable_is_bad_user_input(client: TestClient) -> None:
    body = graphql(client, AREA, {})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$code" in error["message"]


def test_children_with_figures_run_a_constant_number_of_statements(
    client: TestClient, count_statements: StatementCounter
) -> None:
    """73 townships with their parents and figures: one statement per relation, not per row."""
    query = """{ area(code: "3710") { children { name population
                 children { name households elderly parent { name } } } } }"""
    data = graphql_data(client, query)
    townships = [t for county in data["area"]["children"] for t in county["children"]]
    assert len(townships) == 73
    assert len(count_statements.statements) <= 6
    # Planned into one statement: the same answer (the suite compares them byte for byte).
    assert len(count_statements.compiled) == 1


def test_healthz_answers_when_the_database_does(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
