"""Settings are read and checked once, at start-up: a bad one is one clear message."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from typing import Any

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from app import create_app
from db.engine import SharedConnectionDatabase
from db.settings import PROJECT_ROOT, Settings
from tests.conftest import refused


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("REGISTRY_POOL_SIZE", "many", "REGISTRY_POOL_SIZE must be a whole number"),
        ("REGISTRY_POOL_SIZE", "0", "REGISTRY_POOL_SIZE must be at least 1"),
        ("REGISTRY_STATEMENT_TIMEOUT_MS", "-5", "at least 0"),
        ("DATABASE_URL", "mysql://db/registry", "must point at PostgreSQL"),
        ("REGISTRY_CORS_ORIGINS", " , ", "names no origin"),
    ],
)
def test_a_bad_setting_stops_the_server_with_one_clear_message(
    name: str, value: str, says: str
) -> None:
    finished = subprocess.run(
        [str(PROJECT_ROOT / ".venv/bin/python"), "app.py", "serve", "--port", "1"],
        cwd=PROJECT_ROOT,
        env={**os.environ, name: value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 2
    assert says in finished.stderr
    assert "Traceback" not in finished.stderr + finished.stdout
    assert finished.stderr.count("\n") == 1


def test_the_application_checks_names_against_its_own_settings(
    settings: Settings, connection: Connection, token_for: Any
) -> None:
    """Words refused in names come from the settings the application was made with, not
    from the environment read again in the middle of a request."""
    strict = dataclasses.replace(settings, disallowed_name_words=("和谐",))
    app = create_app(strict, database=SharedConnectionDatabase(connection))
    code = connection.execute(
        text("SELECT village_code FROM village_road ORDER BY id LIMIT 1")
    ).scalar_one()
    line = connection.execute(
        text("SELECT ST_AsGeoJSON(geom)::json FROM village_road WHERE village_code = :c LIMIT 1"),
        {"c": code},
    ).scalar_one()
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        client.headers["Authorization"] = f"Bearer {token_for('editor')}"
        error = refused(
            client,
            connection,
            "mutation ($input: VillageRoadInput!) { createVillageRoad(input: $input) { id } }",
            {"input": {"name": "和谐新路", "villageCode": code, "geometry": line}},
        )
    assert "disallowed word '和谐'" in error["message"]
