"""Editing services: the village found from the point, the figures each kind has, review,
what nearest-services and planners see, history and time travel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from tests.conftest import graphql, graphql_data, refused, signed_in, signed_out

FIELDS = """id kind name status version area { code level }
  ... on ElderDiningTable { mealCapacity }
  ... on ElderCareInstitution { beds nursingBeds }"""
CREATE = f"""
mutation ($input: ServiceInput!, $key: String) {{
  createService(input: $input, clientMutationId: $key) {{ {FIELDS} }}
}}"""
UPDATE = f"""
mutation ($id: ID!, $version: Int!, $patch: ServicePatch!) {{
  updateService(id: $id, version: $version, patch: $patch) {{ {FIELDS} }}
}}"""
NEAREST = """query ($lon: Float!, $lat: Float!) {
  nearestServices(near: {lon: $lon, lat: $lat}, kinds: [ELDER_DINING_TABLE], first: 1) {
    distanceMeters service { id name } } }"""


def transition(operation: str) -> str:
    return f"""mutation ($id: ID!, $version: Int!) {{
      {operation}Service(id: $id, version: $version) {{ id status version }} }}"""


def _village(connection: Connection, offset: int = 0) -> tuple[str, float, float]:
    code, lon, lat = connection.execute(
        text(
            "SELECT code, ST_X(rep_point), ST_Y(rep_point) FROM admin_area"
            " WHERE level = 'village' ORDER BY code OFFSET :offset LIMIT 1"
        ),
        {"offset": offset},
    ).one()
    return str(code), lon, lat


def _table(connection: Connection) -> dict[str, Any]:
    _, lon, lat = _village(connection)
    return {
        "kind": "ELDER_DINING_TABLE",
        "name": "幸福食堂",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "mealCapacity": 60,
    }


def _counts(connection: Connection) -> tuple[int, int]:
    return connection.execute(
        text("SELECT (SELECT count(*) FROM service), (SELECT count(*) FROM revision)")
    ).one()


def test_a_new_dining_table_reaches_the_public_after_review(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    code, lon, lat = _village(connection)
    editor, reviewer = token_for("editor"), token_for("reviewer")
    created = graphql_data(signed_in(client, editor), CREATE, {"input": _table(connection)})[
        "createService"
    ]
    assert created["area"] == {"code": code, "level": "VILLAGE"}  # found from the point
    assert (created["status"], created["mealCapacity"], created["version"]) == ("PROPOSED", 60, 1)
    (hit,) = graphql_data(signed_out(client), NEAREST, {"lon": lon, "lat": lat})["nearestServices"]
    assert hit["service"]["id"] != created["id"]

    signed_in(client, reviewer)
    graphql_data(client, transition("approve"), {"id": created["id"], "version": 1})
    graphql_data(client, transition("publish"), {"id": created["id"], "version": 2})
    (hit,) = graphql_data(signed_out(client), NEAREST, {"lon": lon, "lat": lat})["nearestServices"]
    assert hit["service"] == {"id": created["id"], "name": "幸福食堂"}
    assert hit["distanceMeters"] < 0.01

    history = graphql_data(
        signed_in(client, reviewer),
        "query ($c: String) { services(inArea: $c, kinds: [ELDER_DINING_TABLE], first: 500)"
        " { edges { node { id history { edges { node {"
        " operation version before after } } } } } } }",
        {"c": code},
    )["services"]["edges"]
    (node,) = [e["node"] for e in history if e["node"]["id"] == created["id"]]
    node["history"] = [edge["node"] for edge in node["history"]["edges"]]
    assert [h["operation"] for h in node["history"]] == ["create", "approve", "publish"]
    assert node["history"][0]["after"]["mealCapacity"] == 60
    assert node["history"][0]["after"]["geometry"]["type"] == "Point"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"mealCapacity": None}, "mealCapacity", "elder dining tables need mealCapacity"),
        ({"mealCapacity": 0}, "mealCapacity", "between 1 and"),
        ({"beds": 10}, "beds", "only elder-care institutions have beds"),
        (
            {"kind": "ELDER_CARE_INSTITUTION", "mealCapacity": None, "beds": 10},
            "nursingBeds",
            "need nursingBeds",
        ),
        (
            {
                "kind": "ELDER_CARE_INSTITUTION",
                "mealCapacity": None,
                "beds": 10,
                "nursingBeds": 20,
                "medicalCareCombined": True,
                "dementiaCareUnit": False,
            },
            "nursingBeds",
            "cannot exceed beds",
        ),
        ({"name": "  "}, "name", "must not be empty"),
        ({"geometry": {"type": "Point", "coordinates": [100.0, 30.0]}}, "geometry", "no village"),
        ({"geometry": {"type": "Point", "coordinates": [122.1, 95.0]}}, "geometry", ""),
        (
            {"geometry": {"type": "LineString", "coordinates": [[122.1, 37.5], [122.2, 37.5]]}},
            "geometry",
            "takes a Point",
        ),
        ({"areaCode": "371002001"}, "areaCode", "township, not a village"),
    ],
)
def test_invalid_services_name_the_field_and_write_nothing(
    client: TestClient,
    connection: Connection,
    token_for: Any,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    signed_in(client, token_for("editor"))
    error = refused(client, connection, CREATE, {"input": {**_table(connection), **change}})
    assert error["extensions"]["field"] == field
    assert message in error["message"]


def test_a_point_outside_the_village_named_is_refused(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    signed_in(client, token_for("editor"))
    other = _village(connection, 7)[0]
    (error,) = graphql(client, CREATE, {"input": {**_table(connection), "areaCode": other}})[
        "errors"
    ]
    assert error["extensions"]["field"] == "geometry"
    assert "outside the outline" in error["message"]


def test_moving_and_changing_kind(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    signed_in(client, token_for("editor"))
    created = graphql_data(client, CREATE, {"input": _table(connection)})["createService"]
    other, lon, lat = _village(connection, 7)
    moved = graphql_data(
        client,
        UPDATE,
        {
            "id": created["id"],
            "version": 1,
            "patch": {"geometry": {"type": "Point", "coordinates": [lon, lat]}},
        },
    )["updateService"]
    assert moved["area"]["code"] == other and moved["version"] == 2
    station = graphql_data(
        client,
        UPDATE,
        {"id": created["id"], "version": 2, "patch": {"kind": "ASSISTANCE_STATION"}},
    )["updateService"]
    assert station["kind"] == "ASSISTANCE_STATION" and "mealCapacity" not in station
    stored = connection.execute(
        text("SELECT kind, meal_capacity FROM service WHERE id = :id"), {"id": created["id"]}
    ).one()
    assert tuple(stored) == ("assistance_station", None)


def test_a_retired_service_leaves_the_map_and_time_travel_still_has_it(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    service_id, version, lon, lat, code = connection.execute(
        text(
            "SELECT id, version, ST_X(geom), ST_Y(geom), area_code FROM service"
            " WHERE kind = 'elder_dining_table' AND status = 'published' ORDER BY id LIMIT 1"
        )
    ).one()
    before_retiring = connection.execute(text("SELECT now() - interval '1 second'")).scalar_one()
    reviewer = token_for("reviewer")
    graphql_data(
        signed_in(client, reviewer), transition("retire"), {"id": service_id, "version": version}
    )
    (hit,) = graphql_data(signed_out(client), NEAREST, {"lon": lon, "lat": lat})["nearestServices"]
    assert hit["service"]["id"] != str(service_id)

    as_of = """query ($t: DateTime!, $c: String) {
      services(asOf: $t, inArea: $c, kinds: [ELDER_DINING_TABLE]) {
        edges { node { id status } } } }"""
    signed_in(client, reviewer)
    then = graphql_data(client, as_of, {"t": before_retiring.isoformat(), "c": code})
    assert {"id": str(service_id), "status": "PUBLISHED"} in [
        e["node"] for e in then["services"]["edges"]
    ]
    now = graphql_data(client, as_of, {"t": datetime.now(UTC).isoformat(), "c": code})
    assert str(service_id) not in [e["node"]["id"] for e in now["services"]["edges"]]

    graphql_data(client, transition("restore"), {"id": service_id, "version": version + 1})
    (hit,) = graphql_data(signed_out(client), NEAREST, {"lon": lon, "lat": lat})["nearestServices"]
    assert hit["service"]["id"] == str(service_id)


def test_a_replayed_registration_makes_one_service(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    signed_in(client, token_for("editor"))
    before = _counts(connection)
    first = graphql_data(client, CREATE, {"input": _table(connection), "key": "table-7"})
    again = graphql_data(client, CREATE, {"input": _table(connection), "key": "table-7"})
    assert first == again
    assert _counts(connection) == (before[0] + 1, before[1] + 1)


def test_a_point_taken_from_a_gaode_map_is_stored_in_wgs84(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    from gis.chinese_crs import CoordinateSystem, from_wgs84

    code, lon, lat = _village(connection)
    gcj = from_wgs84(CoordinateSystem.GCJ02, lon, lat)
    created = graphql_data(
        signed_in(client, token_for("editor")),
        "mutation ($input: ServiceInput!) { createService(input: $input, crs: GCJ02)"
        " { id area { code } wgs: geometry gcj: geometry(crs: GCJ02) } }",
        {"input": {**_table(connection), "geometry": {"type": "Point", "coordinates": gcj}}},
    )["createService"]
    assert created["area"]["code"] == code
    assert created["wgs"]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)
    assert created["gcj"]["coordinates"] == pytest.approx(list(gcj), abs=1e-7)


def test_a_published_table_stays_on_the_map_while_its_correction_is_reviewed(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    service_id, version, lon, lat, meals = connection.execute(
        text(
            "SELECT id, version, ST_X(geom), ST_Y(geom), meal_capacity FROM service"
            " WHERE kind = 'elder_dining_table' AND status = 'published' ORDER BY id LIMIT 1"
        )
    ).one()
    _, new_lon, new_lat = _village(connection, 7)
    moved = {"type": "Point", "coordinates": [new_lon, new_lat]}
    graphql_data(
        signed_in(client, token_for("editor")),
        UPDATE,
        {"id": service_id, "version": version, "patch": {"geometry": moved, "mealCapacity": 80}},
    )
    (hit,) = graphql_data(signed_out(client), NEAREST, {"lon": lon, "lat": lat})["nearestServices"]
    assert hit["service"]["id"] == str(service_id)  # still where the public knows it
    stored = connection.execute(
        text("SELECT meal_capacity, pending -> 'meal_capacity' FROM service WHERE id = :id"),
        {"id": service_id},
    ).one()
    assert tuple(stored) == (meals, 80)

    signed_in(client, token_for("reviewer"))
    graphql_data(client, transition("approve"), {"id": service_id, "version": version + 1})
    graphql_data(client, transition("publish"), {"id": service_id, "version": version + 2})
    (hit,) = graphql_data(signed_out(client), NEAREST, {"lon": new_lon, "lat": new_lat})[
        "nearestServices"
    ]
    assert hit["service"]["id"] == str(service_id) and hit["distanceMeters"] < 0.01
    assert (
        connection.execute(
            text("SELECT meal_capacity FROM service WHERE id = :id"), {"id": service_id}
        ).scalar_one()
        == 80
    )
