"""One error policy on every transport: GraphQL over HTTP and over graphql-transport-ws,
tiles, OGC API.  Every error has a code; no host, port, SQL or stack trace reaches a client."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from app import create_app
from db.engine import Database
from db.settings import Settings
from db.statements import Statement

SUBSCRIBE_BBOX = "subscription ($bbox: [Float!]) { placeNamesChanged(bbox: $bbox) { id } }"
DEAD_URL = "postgresql+psycopg2://nobody@127.0.0.1:1/none"  # nothing listens on port 1
INTERNALS = ("127.0.0.1", "port 1", "psycopg2", "connection to server", "Traceback", "SELECT")


def _app_without_database(settings: Settings) -> TestClient:
    return TestClient(create_app(settings, database=Database(create_engine(DEAD_URL))))


def _no_internals(text: str) -> None:
    for word in INTERNALS:
        assert word not in text, f"{word!r} reached the client: {text}"


def _subscribe(client: TestClient, variables: dict[str, Any]) -> dict[str, Any]:
    """Subscribes over graphql-transport-ws; the first message that answers it."""
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE_BBOX, "variables": variables},
            }
        )
        message: dict[str, Any] = ws.receive_json()
        assert message["id"] == "1"
        return message


def _errors_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    if message["type"] == "error":
        return list(message["payload"])
    assert message["type"] == "next", message
    return list(message["payload"]["errors"])


@pytest.mark.parametrize(
    ("bbox", "words"),
    [
        ([122.0, 37.0, 122.1], "four numbers"),
        ([122.0, 37.0, 200.0, 37.1], "longitude"),
        ([122.1, 37.0, 122.0, 37.1], "minimum"),
    ],
)
def test_a_subscription_with_a_bad_bbox_is_bad_user_input_naming_the_field(
    client: TestClient, bbox: list[float], words: str
) -> None:
    (error,) = _errors_of(_subscribe(client, {"bbox": bbox}))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "bbox"
    assert words in error["message"]


def test_a_subscription_without_a_database_is_service_unavailable_without_internals(
    settings: Settings,
) -> None:
    with _app_without_database(settings) as client:
        message = _subscribe(client, {"bbox": None})
    (error,) = _errors_of(message)
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    _no_internals(str(message))


def test_a_token_checked_without_a_database_is_503_not_500(settings: Settings) -> None:
    with _app_without_database(settings) as client:
        response = client.post(
            "/graphql",
            json={"query": "{ cityStats { beds } }"},
            headers={"Authorization": "Bearer wr_whatever"},
        )
    assert response.status_code == 503
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    _no_internals(response.text)


def test_a_websocket_with_a_token_and_no_database_is_closed_as_try_again_later(
    settings: Settings,
) -> None:
    with (
        _app_without_database(settings) as client,
        client.websocket_connect(
            "/graphql",
            subprotocols=["graphql-transport-ws"],
            headers={"Authorization": "Bearer wr_whatever"},
        ) as ws,
    ):
        closed = ws.receive()
    assert closed["type"] == "websocket.close"
    assert closed["code"] == 1013
    assert closed["reason"].startswith("SERVICE_UNAVAILABLE")
    _no_internals(closed["reason"])


def test_an_unknown_token_over_websocket_is_closed_as_unauthorized(client: TestClient) -> None:
    with client.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"], headers={"Authorization": "Bearer no"}
    ) as ws:
        closed = ws.receive()
    assert closed["type"] == "websocket.close"
    assert closed["code"] == 4401


def test_an_unexpected_error_is_logged_with_a_request_id_the_client_is_given(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A bug in SQL: the client must see neither the statement nor PostgreSQL's words.
    broken = Statement(text("SELECT 1 / 0 AS secret_detail_of_a_bug"), {})
    monkeypatch.setattr("resolvers.stats.CITY_STATS", broken)
    with caplog.at_level(logging.ERROR, logger="registry"):
        response = client.post(
            "/graphql",
            json={"query": "{ cityStats { beds } }"},
            headers={"X-Request-ID": "req-42"},
        )
    assert response.headers["x-request-id"] == "req-42"
    (error,) = response.json()["errors"]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"}
    assert "secret_detail" not in response.text and "division" not in response.text
    logged = [r for r in caplog.records if "req-42" in r.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_tile_errors_carry_their_code_and_the_request_id(client: TestClient) -> None:
    response = client.get("/tiles/services/99/0/0.mvt")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "BAD_USER_INPUT" and body["field"] == "z"
    assert len(response.headers["x-request-id"]) == 20  # made up when the client sends none
