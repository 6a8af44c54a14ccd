"""Live updates for every editable kind, over graphql-transport-ws: by box and kind, and a
record that moves out of the box is heard of too."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from starlette.testclient import TestClient

from app import create_app
from db.engine import Database
from db.queries.users import create_token, create_user
from db.settings import Settings
from tests.conftest import APPROVAL, graphql_data, signed_in, through_stages

CREATE_SERVICE = """mutation ($input: ServiceInput!) { createService(input: $input) { id } }"""
UPDATE_SERVICE = """mutation ($id: ID!, $version: Int!, $patch: ServicePatch!) {
  updateService(id: $id, version: $version, patch: $patch) { version } }"""
CREATE_ROAD = """mutation ($input: VillageRoadInput!) { createVillageRoad(input: $input) { id } }"""


def _step(kind: str, operation: str) -> str:
    return f"""mutation ($id: ID!, $version: Int!) {{
      {operation}{kind}(id: $id, version: $version) {{ version }} }}"""


def _villages(connection: Connection) -> list[tuple[str, float, float]]:
    """Two villages near each other and one far from both."""
    rows = connection.execute(
        text(
            "SELECT code, ST_X(rep_point), ST_Y(rep_point) FROM admin_area"
            " WHERE level = 'village' ORDER BY code LIMIT 2"
        )
    ).all()
    far = connection.execute(
        text(
            "SELECT code, ST_X(rep_point), ST_Y(rep_point) FROM admin_area"
            " WHERE level = 'village' ORDER BY code DESC LIMIT 1"
        )
    ).one()
    return [(str(r[0]), float(r[1]), float(r[2])) for r in (*rows, far)]


def _subscribe(ws: Any, query: str, variables: dict[str, Any]) -> None:
    ws.send_json({"type": "connection_init"})
    assert ws.receive_json()["type"] == "connection_ack"
    ws.send_json(
        {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}
    )


def test_a_map_of_dining_tables_hears_what_it_shows(
    settings: Settings, scratch_engine: Engine, connection: Connection
) -> None:
    (_, lon, lat), _, (_, far_lon, far_lat) = _villages(connection)
    with scratch_engine.begin() as conn:
        editor = create_token(conn, create_user(conn, "live-editor", "editor"))
        reviewer = create_token(conn, create_user(conn, "live-reviewer", "reviewer"))
    app = create_app(settings, database=Database(scratch_engine))
    box = [lon - 0.005, lat - 0.005, lon + 0.005, lat + 0.005]
    subscription = """subscription ($bbox: [Float!]) {
      servicesChanged(bbox: $bbox, kinds: [ELDER_DINING_TABLE]) { id name status geometry } }"""
    with (
        TestClient(app, headers={"Accept-Language": "en"}) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        _subscribe(ws, subscription, {"bbox": box})

        def publish(service: dict[str, Any]) -> str:
            created = graphql_data(signed_in(client, editor), CREATE_SERVICE, {"input": service})
            the_id = created["createService"]["id"]
            signed_in(client, reviewer)
            graphql_data(client, _step("Service", "approve"), {"id": the_id, "version": 1})
            graphql_data(client, _step("Service", "publish"), {"id": the_id, "version": 2})
            return str(the_id)

        def point(x: float, y: float) -> dict[str, Any]:
            return {"type": "Point", "coordinates": [x, y]}

        publish({"kind": "ASSISTANCE_STATION", "name": "直播驿站", "geometry": point(lon, lat)})
        publish(
            {
                "kind": "ELDER_DINING_TABLE",
                "name": "远处餐桌",
                "geometry": point(far_lon, far_lat),
                "mealCapacity": 20,
            }
        )
        table = publish(
            {
                "kind": "ELDER_DINING_TABLE",
                "name": "直播餐桌",
                "geometry": point(lon, lat),
                "mealCapacity": 20,
            }
        )
        heard = ws.receive_json()["payload"]["data"]["servicesChanged"]
        assert (heard["id"], heard["name"], heard["status"]) == (table, "直播餐桌", "PUBLISHED")

        # Moved far away: heard of, at its new place, so the map can take it off the box.
        graphql_data(
            signed_in(client, editor),
            UPDATE_SERVICE,
            {"id": table, "version": 3, "patch": {"geometry": point(far_lon, far_lat)}},
        )
        signed_in(client, reviewer)
        graphql_data(client, _step("Service", "approve"), {"id": table, "version": 4})
        graphql_data(client, _step("Service", "publish"), {"id": table, "version": 5})
        moved = ws.receive_json()["payload"]["data"]["servicesChanged"]
        assert moved["id"] == table
        assert moved["geometry"]["coordinates"] == pytest.approx([far_lon, far_lat], abs=1e-7)

        # Once outside, its retirement is no news to this map.
        graphql_data(client, _step("Service", "retire"), {"id": table, "version": 6})
        # ... but a table retired inside the box is.
        inside = publish(
            {
                "kind": "ELDER_DINING_TABLE",
                "name": "又一餐桌",
                "geometry": point(lon + 0.001, lat),
                "mealCapacity": 20,
            }
        )
        assert ws.receive_json()["payload"]["data"]["servicesChanged"]["id"] == inside
        graphql_data(client, _step("Service", "retire"), {"id": inside, "version": 3})
        retired = ws.receive_json()["payload"]["data"]["servicesChanged"]
        assert (retired["id"], retired["status"]) == (inside, "RETIRED")
        ws.send_json({"id": "1", "type": "complete"})


def test_village_roads_are_heard_as_they_are_published(
    settings: Settings, scratch_engine: Engine, connection: Connection
) -> None:
    code, line = connection.execute(
        text("SELECT village_code, ST_AsGeoJSON(geom)::json FROM village_road ORDER BY id LIMIT 1")
    ).one()
    with scratch_engine.begin() as conn:
        editor = create_token(conn, create_user(conn, "road-editor", "editor"))
        reviewer = create_token(conn, create_user(conn, "road-reviewer", "reviewer"))
    app = create_app(settings, database=Database(scratch_engine))
    with (
        TestClient(app, headers={"Accept-Language": "en"}) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        _subscribe(ws, "subscription { villageRoadsChanged { name status } }", {})
        created = graphql_data(
            signed_in(client, editor),
            CREATE_ROAD,
            {"input": {"name": "葳蕤路", "villageCode": code, "geometry": line}},
        )["createVillageRoad"]
        signed_in(client, reviewer)
        at = through_stages(client, "VillageRoad", created["id"])
        graphql_data(
            client,
            "mutation ($id: ID!, $version: Int!, $approval: ApprovalInput) {"
            " approveVillageRoad(id: $id, version: $version, approval: $approval) { version } }",
            {"id": created["id"], "version": at, "approval": APPROVAL},
        )
        graphql_data(
            client, _step("VillageRoad", "publish"), {"id": created["id"], "version": at + 1}
        )
        heard = ws.receive_json()["payload"]["data"]["villageRoadsChanged"]
        assert heard == {"name": "葳蕤路", "status": "PUBLISHED"}
        ws.send_json({"id": "1", "type": "complete"})
