"""The connection budget (db/budget.py, db/provision.py): however many subscribers come,
the registry keeps answering, and PostgreSQL keeps room for its administrators."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import time
from contextlib import ExitStack
from typing import Any

import httpx2 as httpx
from sqlalchemy import Engine, make_url, text
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from db.budget import check_budget, connections_per_worker
from db.engine import APPLICATION_NAME
from db.queries.users import create_token, create_user
from db.settings import APP_ROLE, Settings
from tests.conftest import serving

SOCKETS = 10
SUBSCRIPTIONS_PER_SOCKET = 100


def test_the_application_role_is_no_superuser_and_has_a_connection_limit(
    engine: Engine, settings: Settings
) -> None:
    with engine.connect() as conn:
        role = conn.execute(
            text("SELECT rolsuper, rolcreatedb, rolconnlimit FROM pg_roles WHERE rolname = :r"),
            {"r": APP_ROLE},
        ).one()
    assert role.rolsuper is False and role.rolcreatedb is False
    assert 0 < role.rolconnlimit == settings.max_app_connections


def test_pools_larger_than_the_budget_stop_the_server_at_start(
    settings: Settings, test_database_url: str
) -> None:
    greedy = dataclasses.replace(settings, pool_size=20)
    check = check_budget(greedy, 4, test_database_url)
    assert any("REGISTRY_MAX_APP_CONNECTIONS" in e for e in check.errors)
    modest = check_budget(settings, 2, test_database_url)
    assert modest.errors == []
    assert 2 * connections_per_worker(settings) <= settings.max_app_connections
    too_many = dataclasses.replace(settings, max_app_connections=500)
    assert any("max_connections" in e for e in check_budget(too_many, 1, test_database_url).errors)


def _subscribe_all(base: str, sockets: ExitStack) -> list[Any]:
    url = base.replace("http://", "ws://") + "/graphql"
    opened = []
    for _ in range(SOCKETS):
        ws = sockets.enter_context(connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]))
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        for n in range(SUBSCRIPTIONS_PER_SOCKET):
            ws.send(
                json.dumps(
                    {
                        "id": str(n),
                        "type": "subscribe",
                        "payload": {"query": "subscription { placeNamesChanged { id } }"},
                    }
                )
            )
        opened.append(ws)
    return opened


def test_a_thousand_subscriptions_leave_the_registry_and_postgresql_answering(
    settings: Settings, scratch_database_url: str, scratch_engine: Engine
) -> None:
    with scratch_engine.begin() as conn:
        token = create_token(conn, create_user(conn, "budget-editor", "editor"))
        village = conn.execute(
            text(
                "SELECT code, ST_AsGeoJSON(rep_point)::json AS point FROM admin_area"
                " WHERE level = 'village' ORDER BY code LIMIT 1"
            )
        ).one()
    with serving(scratch_database_url) as base, ExitStack() as sockets:
        _subscribe_all(base, sockets)
        time.sleep(1.0)  # every subscription has started listening

        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
        read = httpx.post(
            f"{base}/graphql", json={"query": "{ cityStats { beds } }"}, timeout=10
        ).json()
        assert read["data"]["cityStats"]["beds"] > 0
        written = httpx.post(
            f"{base}/graphql",
            json={
                "query": "mutation ($i: PlaceNameInput!) { createPlaceName(input: $i) { id } }",
                "variables": {
                    "i": {
                        "standardName": "预算测试村",
                        "category": "SETTLEMENT",
                        "areaCode": village.code,
                        "geometry": village.point,
                    }
                },
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()
        assert "errors" not in written, written
        assert written["data"]["createPlaceName"]["id"]

        # An administrator still gets in, with psql, as the cluster's superuser.
        url = make_url(scratch_database_url)
        query = (
            f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{APPLICATION_NAME}'"
        )
        psql = subprocess.run(
            [
                "psql",
                "-h",
                str(url.query["host"]),
                "-p",
                str(url.query["port"]),
                "-U",
                str(url.username),
                "-d",
                str(url.database),
                "-Atc",
                query,
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert psql.returncode == 0, psql.stderr
        # The subscribers share one LISTEN connection per worker: the application holds
        # no more connections than its budget, whatever the number of subscribers.
        assert int(psql.stdout.strip()) <= settings.max_app_connections
