"""Names that may be confused: identical names refused in their jurisdiction, homophones,
names a character off and the same name close by warned of, acknowledged, recorded."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from tests.conftest import graphql, graphql_data, refused, signed_in

CREATE_PLACE = """
mutation ($input: PlaceNameInput!, $ack: [WarningCode!]) {
  createPlaceName(input: $input, acknowledgeWarnings: $ack) {
    id standardName
    history { edges { node { acknowledgedWarnings { code recordName distanceMeters } } } }
  }
}"""
CREATE_SERVICE = """
mutation ($input: ServiceInput!, $ack: [WarningCode!]) {
  createService(input: $input, acknowledgeWarnings: $ack) {
    id history { edges { node { acknowledgedWarnings { code recordId distanceMeters } } } }
  }
}"""
CHECK = """
query ($name: String!, $category: PlaceNameCategory!, $area: String!, $near: PointInput) {
  checkName(name: $name, category: $category, areaCode: $area, near: $near) {
    ok pinyin errors { field message } warnings { code recordId recordName distanceMeters }
  }
}"""


def _road_named(connection: Connection, name: str) -> dict[str, Any]:
    """A published road place name: its village and its line."""
    row = connection.execute(
        text(
            "SELECT id, area_code, ST_AsGeoJSON(geom)::json AS geometry FROM place_name"
            " WHERE standard_name = :name AND category = 'road_street'"
            " AND status = 'published' ORDER BY area_code LIMIT 1"
        ),
        {"name": name},
    ).one()
    return dict(row._mapping)


def _road_input(road: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "standardName": name,
        "category": "ROAD_STREET",
        "areaCode": road["area_code"],
        "geometry": road["geometry"],
    }


@pytest.mark.parametrize("name", ["禾平路", "和苹路"])
def test_a_homophone_of_a_road_of_the_township_needs_acknowledging(
    client: TestClient, connection: Connection, token_for: Any, name: str
) -> None:
    """Both read "Heping Lu", as 和平路 of the same township does."""
    road = _road_named(connection, "和平路")
    signed_in(client, token_for("editor"))
    error = refused(client, connection, CREATE_PLACE, {"input": _road_input(road, name)})
    assert error["extensions"]["field"] == "acknowledgeWarnings"
    warnings = error["extensions"]["warnings"]
    assert {(w["code"], w["recordName"]) for w in warnings} >= {
        ("HOMOPHONE", "和平路"),
        ("ONE_CHARACTER_OFF", "和平路"),
    }
    assert str(road["id"]) in {w["recordId"] for w in warnings}

    # Acknowledging only one of them is not enough.
    refused(
        client, connection, CREATE_PLACE, {"input": _road_input(road, name), "ack": ["HOMOPHONE"]}
    )

    codes = sorted({w["code"] for w in warnings})
    created = graphql_data(client, CREATE_PLACE, {"input": _road_input(road, name), "ack": codes})[
        "createPlaceName"
    ]
    (revision,) = [edge["node"] for edge in created["history"]["edges"]]
    assert {(w["code"], w["recordName"]) for w in revision["acknowledgedWarnings"]} >= {
        ("HOMOPHONE", "和平路")
    }


def test_a_village_name_that_sounds_like_a_neighbours_is_warned_of(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    """溪北村 beside 西北村 (both Xibeicun), in the township that has 西北村."""
    area, geometry = connection.execute(
        text(
            "SELECT a.code, ST_AsGeoJSON(a.rep_point)::json FROM place_name p"
            " JOIN admin_area a ON a.code = p.area_code"
            " WHERE p.standard_name = '西北村' AND p.category = 'settlement' LIMIT 1"
        )
    ).one()
    settlement = {
        "standardName": "溪北村",
        "category": "SETTLEMENT",
        "areaCode": area,
        "geometry": geometry,
    }
    signed_in(client, token_for("editor"))
    error = refused(client, connection, CREATE_PLACE, {"input": settlement})
    assert ("HOMOPHONE", "西北村") in {
        (w["code"], w["recordName"]) for w in error["extensions"]["warnings"]
    }


def test_an_identical_name_in_the_jurisdiction_is_refused(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    """A township's name is unique within its county: 张村镇 again, for another township of
    环翠区, is an error no acknowledgement lifts."""
    code, geometry = connection.execute(
        text(
            "SELECT a.code, ST_AsGeoJSON(a.rep_point)::json FROM admin_area a"
            " WHERE a.level = 'township' AND a.code LIKE '371002%' AND a.name <> '张村镇'"
            " ORDER BY a.code LIMIT 1"
        )
    ).one()
    township = {
        "standardName": "张村镇",
        "category": "ADMINISTRATIVE_AREA",
        "areaCode": code,
        "geometry": geometry,
    }
    signed_in(client, token_for("editor"))
    error = refused(
        client, connection, CREATE_PLACE, {"input": township, "ack": ["ONE_CHARACTER_OFF"]}
    )
    assert error["extensions"]["field"] == "standardName"
    assert "already used in this county" in error["message"]


def test_a_second_dining_table_of_the_same_name_at_the_same_spot(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    table_id, lon, lat = connection.execute(
        text(
            "SELECT id, ST_X(geom), ST_Y(geom) FROM service WHERE name = '南葛拉老年餐桌'"
            " AND status = 'published'"
        )
    ).one()
    table = {
        "kind": "ELDER_DINING_TABLE",
        "name": "南葛拉老年餐桌",
        "geometry": {"type": "Point", "coordinates": [lon + 0.0001, lat]},
        "mealCapacity": 40,
    }
    signed_in(client, token_for("editor"))
    error = refused(client, connection, CREATE_SERVICE, {"input": table})
    (warning,) = error["extensions"]["warnings"]
    assert (warning["code"], warning["recordId"]) == ("SAME_NAME_NEARBY", str(table_id))
    assert 5 < warning["distanceMeters"] < 15  # 0.0001° of longitude at 37°N: about 9 m
    created = graphql_data(client, CREATE_SERVICE, {"input": table, "ack": ["SAME_NAME_NEARBY"]})[
        "createService"
    ]
    first = created["history"]["edges"][0]["node"]
    assert first["acknowledgedWarnings"][0]["recordId"] == str(table_id)
    # Another kind of service of that name there is no confusion.
    other = {**table, "kind": "ASSISTANCE_STATION"}
    del other["mealCapacity"]
    graphql_data(client, CREATE_SERVICE, {"input": other})


def test_acknowledging_a_warning_that_was_not_raised_is_refused(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    road = _road_named(connection, "和平路")
    signed_in(client, token_for("editor"))
    error = refused(
        client,
        connection,
        CREATE_PLACE,
        {"input": _road_input(road, "葳蕤路"), "ack": ["SAME_NAME_NEARBY"]},
    )
    assert error["extensions"]["field"] == "acknowledgeWarnings"
    assert "SAME_NAME_NEARBY" in error["message"]


def test_an_edit_that_keeps_the_name_is_not_asked_again(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    road = _road_named(connection, "和平路")
    signed_in(client, token_for("editor"))
    created = graphql_data(
        client,
        CREATE_PLACE,
        {"input": _road_input(road, "和苹路"), "ack": ["HOMOPHONE", "ONE_CHARACTER_OFF"]},
    )["createPlaceName"]
    edited = graphql_data(
        client,
        "mutation ($id: ID!, $patch: PlaceNamePatch!) {"
        " updatePlaceName(id: $id, version: 1, patch: $patch) { version } }",
        {"id": created["id"], "patch": {"meaning": "以苹果园得名"}},
    )
    assert edited["updatePlaceName"]["version"] == 2


def test_check_name_answers_before_anything_is_written(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    road = _road_named(connection, "和平路")
    signed_in(client, token_for("editor"))
    area = road["area_code"]

    def check(name: str, near: dict[str, float] | None = None) -> Any:
        before = connection.execute(text("SELECT count(*) FROM place_name")).scalar_one()
        variables = {"name": name, "category": "ROAD_STREET", "area": area, "near": near}
        answer = graphql_data(client, CHECK, variables)["checkName"]
        assert connection.execute(text("SELECT count(*) FROM place_name")).scalar_one() == before
        return answer

    same = check("和平路")
    assert same["ok"] is False and same["errors"][0]["field"] == "standardName"
    homophone = check("和苹路")
    assert homophone["ok"] is True and homophone["pinyin"] == "Heping Lu"
    assert ("HOMOPHONE", str(road["id"])) in {
        (w["code"], w["recordId"]) for w in homophone["warnings"]
    }
    fresh = check("葳蕤路")
    assert (fresh["ok"], fresh["warnings"], fresh["pinyin"]) == (True, [], "Weirui Lu")
    bad = check("葳蕤")
    assert bad["ok"] is False and "generic part" in bad["errors"][0]["message"]
    wrong_area = graphql_data(
        client, CHECK, {"name": "葳蕤路", "category": "ROAD_STREET", "area": "3799"}
    )["checkName"]
    assert wrong_area["errors"][0]["field"] == "areaCode"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("public", False), ("planner", False), ("editor", True), ("reviewer", True)],
)
def test_check_name_is_for_editors_and_up(
    client: TestClient, token_for: Any, role: str, allowed: bool
) -> None:
    if role != "public":
        signed_in(client, token_for(role))
    body = graphql(
        client, CHECK, {"name": "葳蕤路", "category": "ROAD_STREET", "area": "371002001"}
    )
    if allowed:
        assert "errors" not in body
    else:
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
