"""Editing village roads: naming rules, a road inside its village, review, history, time travel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from resolvers.road_edits import ROAD_OUTSIDE_VILLAGE_TOLERANCE_M
from tests.conftest import (
    APPROVAL,
    graphql,
    graphql_data,
    refused,
    signed_in,
    signed_out,
    through_stages,
)

FIELDS = "id name pinyin status version village { code } lengthMeters"
CREATE = f"""
mutation ($input: VillageRoadInput!, $key: String) {{
  createVillageRoad(input: $input, comment: "survey 2026", clientMutationId: $key) {{ {FIELDS} }}
}}"""
UPDATE = f"""
mutation ($id: ID!, $version: Int!, $patch: VillageRoadPatch!) {{
  updateVillageRoad(id: $id, version: $version, patch: $patch) {{ {FIELDS} }}
}}"""


def transition(operation: str) -> str:
    decision = " approval: $approval" if operation == "approve" else ""
    variable = ", $approval: ApprovalInput" if operation == "approve" else ""
    return f"""mutation ($id: ID!, $version: Int!{variable}) {{
      {operation}VillageRoad(id: $id, version: $version{decision}) {{ id status version }} }}"""


def approve(client: TestClient, road_id: object) -> int:
    """Records the stages the road's case needs (a consultation), approves it with the
    township's decision; returns the version then."""
    at = through_stages(client, "VillageRoad", str(road_id))
    graphql_data(
        client, transition("approve"), {"id": road_id, "version": at, "approval": APPROVAL}
    )
    return at + 1


def _village(connection: Connection, offset: int = 0) -> tuple[str, list[list[float]]]:
    """A village and a line from its centre to the nearest point of its edge."""
    code, line = connection.execute(
        text(
            """
            SELECT code, ST_AsGeoJSON(ST_MakeLine(rep_point,
                       ST_ClosestPoint(ST_Boundary(geom), rep_point)))::json -> 'coordinates'
            FROM admin_area WHERE level = 'village' ORDER BY code OFFSET :offset LIMIT 1
            """
        ),
        {"offset": offset},
    ).one()
    return str(code), list(line)


def _road(connection: Connection, name: str = "葳蕤路", offset: int = 0) -> dict[str, Any]:
    code, line = _village(connection, offset)
    return {
        "name": name,
        "villageCode": code,
        "geometry": {"type": "LineString", "coordinates": line},
    }


def _published_road(connection: Connection) -> tuple[int, str, str, int]:
    """id, name, village code and version of a published road."""
    road_id, name, code, version = connection.execute(
        text(
            "SELECT id, name, village_code, version FROM village_road"
            " WHERE status = 'published' ORDER BY id LIMIT 1"
        )
    ).one()
    return road_id, name, code, version


def _public_roads(client: TestClient, code: str) -> list[str]:
    edges = graphql_data(
        signed_out(client),
        "query ($c: String) { villageRoads(inArea: $c, first: 500) { edges { node { name } } } }",
        {"c": code},
    )["villageRoads"]["edges"]
    return [e["node"]["name"] for e in edges]


def test_propose_review_publish(client: TestClient, connection: Connection, token_for: Any) -> None:
    editor, reviewer = token_for("editor"), token_for("reviewer")
    road = _road(connection)
    created = graphql_data(signed_in(client, editor), CREATE, {"input": road})["createVillageRoad"]
    assert (created["name"], created["pinyin"], created["status"], created["version"]) == (
        "葳蕤路",
        "Weirui Lu",
        "PROPOSED",
        1,
    )
    assert created["village"]["code"] == road["villageCode"]
    assert created["lengthMeters"] > 0
    assert "葳蕤路" not in _public_roads(client, road["villageCode"])

    signed_in(client, reviewer)
    at = approve(client, created["id"])
    published = graphql_data(client, transition("publish"), {"id": created["id"], "version": at})
    assert published["publishVillageRoad"]["status"] == "PUBLISHED"
    assert "葳蕤路" in _public_roads(client, road["villageCode"])

    found = graphql_data(
        signed_out(client),
        '{ search(query: "weiruilu", kinds: [VILLAGE_ROAD]) { villageRoad { id name } } }',
    )["search"]
    assert {"id": created["id"], "name": "葳蕤路"} in [hit["villageRoad"] for hit in found]

    history = graphql_data(
        signed_in(client, reviewer),
        "query ($c: String) { villageRoads(inArea: $c, first: 500) { edges { node {"
        " id history { edges { node { operation actor version comment before after } } } } } } }",
        {"c": road["villageCode"]},
    )["villageRoads"]["edges"]
    (node,) = [e["node"] for e in history if e["node"]["id"] == created["id"]]
    node["history"] = [edge["node"] for edge in node["history"]["edges"]]
    # The consultation with the villagers, opened and closed, before the approval.
    operations = [h["operation"] for h in node["history"]]
    assert operations == ["create", "stage", "stage", "approve", "publish"]
    assert [h["version"] for h in node["history"]] == [1, 2, 3, 4, 5]
    kept = node["history"][0]["after"]["geometry"]["coordinates"]
    given = road["geometry"]["coordinates"]
    assert [c for point in kept for c in point] == pytest.approx(
        [c for point in given for c in point], abs=1e-7
    )
    assert node["history"][0]["comment"] == "survey 2026"
    assert node["history"][4]["before"]["status"] == "APPROVED"


def _extended(connection: Connection, meters: float, offset: int = 0) -> dict[str, Any]:
    """A road from a village's centre to its edge, then ``meters`` further out."""
    code, line = connection.execute(
        text(
            """
            WITH v AS (SELECT code, rep_point AS c,
                              ST_ClosestPoint(ST_Boundary(geom), rep_point) AS e
                       FROM admin_area WHERE level = 'village' ORDER BY code OFFSET :offset LIMIT 1)
            SELECT code, ST_AsGeoJSON(ST_MakeLine(ARRAY[c, e, ST_Project(
                       e::geography, :m, ST_Azimuth(c::geography, e::geography))::geometry]),
                   9)::json -> 'coordinates'
            FROM v
            """
        ),
        {"m": meters, "offset": offset},
    ).one()
    return {
        "name": "边界路",
        "villageCode": code,
        "geometry": {"type": "LineString", "coordinates": line},
    }


def test_a_road_may_leave_its_village_by_the_tolerance_only(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    signed_in(client, token_for("editor"))
    inside = _extended(connection, ROAD_OUTSIDE_VILLAGE_TOLERANCE_M / 2)
    assert graphql_data(client, CREATE, {"input": inside})["createVillageRoad"]["id"]
    beyond = {**_extended(connection, ROAD_OUTSIDE_VILLAGE_TOLERANCE_M * 4, 1), "name": "越界路"}
    (error,) = graphql(client, CREATE, {"input": beyond})["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "geometry"}
    assert "outside the outline" in error["message"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "和谐村"}, "name", "generic part"),
        ({"name": "Hexie Road"}, "name", "Chinese characters"),
        ({"name": ""}, "name", "must not be empty"),
        ({"name": "路"}, "name", "specific part"),
        ({"villageCode": "371002001"}, "villageCode", "township, not a village"),
        ({"villageCode": "371002999999"}, "villageCode", "no area has code"),
        ({"villageCode": "37-10"}, "villageCode", ""),
        ({"geometry": {"type": "Point", "coordinates": [122.1, 37.5]}}, "geometry", "LineString"),
        (
            {"geometry": {"type": "LineString", "coordinates": [[122.1, 37.5], [200, 37.5]]}},
            "geometry",
            "",
        ),
        ({"geometry": {"type": "LineString", "coordinates": []}}, "geometry", ""),
    ],
)
def test_invalid_roads_name_the_field_and_write_nothing(
    client: TestClient,
    connection: Connection,
    token_for: Any,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    signed_in(client, token_for("editor"))
    error = refused(client, connection, CREATE, {"input": {**_road(connection), **change}})
    assert error["extensions"]["field"] == field
    assert message in error["message"]


def test_a_road_in_another_village_is_refused(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    signed_in(client, token_for("editor"))
    road = {**_road(connection), "villageCode": _village(connection, 5)[0]}
    (error,) = graphql(client, CREATE, {"input": road})["errors"]
    assert error["extensions"]["field"] == "geometry"


def test_no_two_roads_of_one_name_in_a_township(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    signed_in(client, token_for("editor"))
    taken, code = connection.execute(
        text("SELECT name, village_code FROM village_road ORDER BY id LIMIT 1")
    ).one()
    other = connection.execute(
        text(
            "SELECT code FROM admin_area WHERE level = 'village' AND code LIKE :t || '%'"
            " AND code <> :c ORDER BY code LIMIT 1"
        ),
        {"t": code[:9], "c": code},
    ).scalar_one()
    offset = connection.execute(
        text("SELECT count(*) FROM admin_area WHERE level = 'village' AND code < :c"), {"c": other}
    ).scalar_one()
    (error,) = graphql(client, CREATE, {"input": _road(connection, taken, offset)})["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "name"}
    assert "already used in this township" in error["message"]


def test_a_rename_waits_for_review_and_time_travel_sees_the_old_name(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    road_id, name, code, version = _published_road(connection)
    # now() is fixed within the test's transaction: "before" is a moment before it.
    before_edit = connection.execute(text("SELECT now() - interval '1 second'")).scalar_one()
    editor, reviewer, planner = token_for("editor"), token_for("reviewer"), token_for("planner")
    renamed = graphql_data(
        signed_in(client, editor),
        UPDATE,
        {"id": road_id, "version": version, "patch": {"name": "新华路"}},
    )["updateVillageRoad"]
    assert (renamed["name"], renamed["status"], renamed["version"]) == (
        name,
        "PUBLISHED",
        version + 1,
    )
    assert name in _public_roads(client, code)  # the public map keeps the published name

    in_review = graphql_data(
        signed_in(client, planner),
        "query ($c: String) { villageRoads(inArea: $c, status: PROPOSED) {"
        " edges { node { id pendingChange { status record } } } } }",
        {"c": code},
    )["villageRoads"]["edges"]
    (change,) = [e["node"]["pendingChange"] for e in in_review if e["node"]["id"] == str(road_id)]
    assert change["status"] == "PROPOSED"
    assert (change["record"]["name"], change["record"]["pinyin"]) == ("新华路", "Xinhua Lu")

    signed_in(client, reviewer)
    at = approve(client, road_id)
    graphql_data(client, transition("publish"), {"id": road_id, "version": at})
    public = _public_roads(client, code)
    assert "新华路" in public and name not in public

    as_of = """query ($t: DateTime!, $c: String) {
      villageRoads(asOf: $t, inArea: $c, first: 500) { edges { node { id name status } } } }"""
    signed_in(client, planner)
    then = graphql_data(client, as_of, {"t": before_edit.isoformat(), "c": code})
    assert {"id": str(road_id), "name": name, "status": "PUBLISHED"} in [
        e["node"] for e in then["villageRoads"]["edges"]
    ]
    now = graphql_data(client, as_of, {"t": datetime.now(UTC).isoformat(), "c": code})
    assert {"id": str(road_id), "name": "新华路", "status": "PUBLISHED"} in [
        e["node"] for e in now["villageRoads"]["edges"]
    ]

    (revision,) = connection.execute(
        text(
            "SELECT id FROM revision WHERE entity = 'village_road' AND entity_id = :id"
            " AND operation = 'update'"
        ),
        {"id": road_id},
    ).one()
    reverted = graphql_data(
        signed_in(client, reviewer),
        "mutation ($r: ID!, $v: Int!) { revertVillageRoad(revision: $r, version: $v)"
        " { name status version pendingChange { status } } }",
        {"r": revision, "v": at + 1},
    )["revertVillageRoad"]
    assert reverted == {
        "name": name,
        "status": "PUBLISHED",
        "version": at + 2,
        "pendingChange": None,
    }
    assert name in _public_roads(client, code)


def test_retire_and_restore(client: TestClient, connection: Connection, token_for: Any) -> None:
    road_id, name, code, version = _published_road(connection)
    reviewer, editor = token_for("reviewer"), token_for("editor")
    graphql_data(
        signed_in(client, reviewer), transition("retire"), {"id": road_id, "version": version}
    )
    assert name not in _public_roads(client, code)
    kept = connection.execute(
        text("SELECT count(*) FROM village_road WHERE id = :id"), {"id": road_id}
    ).scalar_one()
    assert kept == 1
    (error,) = graphql(
        signed_in(client, editor),
        UPDATE,
        {"id": road_id, "version": version + 1, "patch": {"name": "新华路"}},
    )["errors"]
    assert error["extensions"]["field"] == "id" and "restored before" in error["message"]
    restored = graphql_data(
        signed_in(client, reviewer), transition("restore"), {"id": road_id, "version": version + 1}
    )["restoreVillageRoad"]
    assert restored["status"] == "PUBLISHED"
    assert name in _public_roads(client, code)


def test_a_name_proposed_for_a_road_is_held_until_its_change_is_decided(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    (first, first_version), (second, second_version) = connection.execute(
        text(
            """
            SELECT r.id, r.version FROM village_road r
            WHERE r.status = 'published' AND left(r.village_code, 9) = (
                SELECT left(village_code, 9) FROM village_road
                GROUP BY 1 HAVING count(*) >= 2 ORDER BY 1 LIMIT 1)
            ORDER BY r.id LIMIT 2
            """
        )
    ).all()
    signed_in(client, token_for("editor"))
    graphql_data(
        client, UPDATE, {"id": first, "version": first_version, "patch": {"name": "新华路"}}
    )
    error = refused(
        client,
        connection,
        UPDATE,
        {"id": second, "version": second_version, "patch": {"name": "新华路"}},
    )
    assert error["extensions"]["field"] == "name"
    assert "already used in this township" in error["message"]


def test_a_revert_may_not_bring_back_a_name_another_road_has_taken_since(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    road_id, name, code, version = _published_road(connection)
    editor, reviewer = token_for("editor"), token_for("reviewer")
    graphql_data(
        signed_in(client, editor),
        UPDATE,
        {"id": road_id, "version": version, "patch": {"name": "新华路"}},
    )
    signed_in(client, reviewer)
    at = approve(client, road_id)
    graphql_data(client, transition("publish"), {"id": road_id, "version": at})
    # The old name is free now, and another road of the village takes it.
    offset = connection.execute(
        text("SELECT count(*) FROM admin_area WHERE level = 'village' AND code < :c"), {"c": code}
    ).scalar_one()
    taken = graphql(signed_in(client, editor), CREATE, {"input": _road(connection, name, offset)})
    if "errors" in taken:  # the name may sound like another road's: the editor says so
        (warned,) = taken["errors"]
        codes = sorted({w["code"] for w in warned["extensions"]["warnings"]})
        graphql_data(
            client,
            "mutation ($input: VillageRoadInput!, $ack: [WarningCode!]) {"
            " createVillageRoad(input: $input, acknowledgeWarnings: $ack) { id } }",
            {"input": _road(connection, name, offset), "ack": codes},
        )

    publish = connection.execute(
        text(
            "SELECT id FROM revision WHERE entity = 'village_road' AND entity_id = :id"
            " AND operation = 'publish'"
        ),
        {"id": road_id},
    ).scalar_one()
    error = refused(
        signed_in(client, reviewer),
        connection,
        "mutation ($r: ID!, $v: Int!) { revertVillageRoad(revision: $r, version: $v) { id } }",
        {"r": publish, "v": at + 1},
    )
    assert error["extensions"]["field"] == "revision"
    assert name in error["message"]
