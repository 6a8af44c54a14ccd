"""Subscribers share one listening connection per worker, however many they are."""

from __future__ import annotations

import time
from contextlib import ExitStack
from typing import Any

from sqlalchemy import Engine, text
from starlette.testclient import TestClient

from app import create_app
from db.engine import APPLICATION_NAME, Database
from db.kinds import PLACE_NAME
from db.settings import Settings

SUBSCRIBERS = 24
SOCKETS = 3


def _listening_connections(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :app"
                    " AND query LIKE 'LISTEN%'"
                ),
                {"app": APPLICATION_NAME},
            ).scalar_one()
        )


def _subscribe(ws: Any, id: str) -> None:
    ws.send_json(
        {
            "id": id,
            "type": "subscribe",
            "payload": {"query": "subscription { placeNamesChanged { id standardName } }"},
        }
    )


def test_many_subscribers_share_one_listening_connection(
    settings: Settings, scratch_engine: Engine
) -> None:
    with scratch_engine.connect() as conn:
        place_id, name = conn.execute(
            text("SELECT id, standard_name FROM place_name WHERE status = 'published' LIMIT 1")
        ).one()
    app = create_app(settings, database=Database(scratch_engine))
    with TestClient(app) as client, ExitStack() as sockets:
        opened = []
        for _ in range(SOCKETS):
            ws = sockets.enter_context(
                client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"])
            )
            ws.send_json({"type": "connection_init"})
            assert ws.receive_json()["type"] == "connection_ack"
            opened.append(ws)
        for n in range(SUBSCRIBERS):
            _subscribe(opened[n % SOCKETS], str(n))

        deadline = time.monotonic() + 10
        while _listening_connections(scratch_engine) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # every subscription has had time to start listening
        assert _listening_connections(scratch_engine) == 1

        with scratch_engine.begin() as conn:
            conn.execute(
                text("SELECT pg_notify(:channel, :id)"),
                {"channel": PLACE_NAME.channel, "id": str(place_id)},
            )
        heard = set()
        for n in range(SUBSCRIBERS):
            message = opened[n % SOCKETS].receive_json()
            assert message["type"] == "next"
            assert "errors" not in message["payload"], message
            assert message["payload"]["data"]["placeNamesChanged"]["standardName"] == name
            heard.add(message["id"])
        assert heard == {str(n) for n in range(SUBSCRIBERS)}

        for n in range(SUBSCRIBERS):
            opened[n % SOCKETS].send_json({"id": str(n), "type": "complete"})
        deadline = time.monotonic() + 10
        while _listening_connections(scratch_engine) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _listening_connections(scratch_engine) == 0  # the last one out closes it
