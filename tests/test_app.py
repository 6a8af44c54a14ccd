"""The HTTP application around GraphQL: health check and error hygiene."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, create_engine
from starlette.testclient import TestClient

from app import create_app
from db.engine import Database
from db.settings import Settings
from tests.conftest import city_stats_behind_a_lock, graphql


def _app_without_database(settings: Settings) -> TestClient:
    # Nothing listens on port 1: every connection attempt fails at once.
    engine = create_engine("postgresql+psycopg2://nobody@127.0.0.1:1/none", pool_pre_ping=False)
    return TestClient(create_app(settings, database=Database(engine)))


def test_healthz_is_503_when_the_database_does_not_answer(settings: Settings) -> None:
    with _app_without_database(settings) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_a_database_outage_is_reported_without_internals(settings: Settings) -> None:
    with _app_without_database(settings) as client:
        response = client.post("/graphql", json={"query": "{ cityStats { beds } }"})
    # Nothing could be answered: 503, and when to try again.
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE"}
    assert "127.0.0.1" not in error["message"] and "psycopg2" not in error["message"]


@pytest.mark.parametrize(
    "url", ["/tiles/services/12/3437/1586.mvt", "/tiles/services.json", "/ogc/collections"]
)
def test_map_endpoints_say_503_when_the_database_does_not_answer(
    settings: Settings, url: str
) -> None:
    with _app_without_database(settings) as client:
        response = client.get(url)
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "SERVICE_UNAVAILABLE"
    assert "127.0.0.1" not in body["description"]


def test_syntax_errors_say_what_is_wrong(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": "{ area(code: "})
    body = response.json()
    (error,) = body["errors"]
    assert "Syntax Error" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_unknown_fields_are_validation_errors(client: TestClient) -> None:
    body = graphql(client, "{ nosuchfield }")
    (error,) = body["errors"]
    assert "nosuchfield" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_a_query_past_the_statement_timeout_ends_with_a_clear_error(
    client: TestClient, connection: Connection, engine: Engine
) -> None:
    """A statement stuck behind a lock is cancelled by the server's timeout, not left hanging."""
    response = city_stats_behind_a_lock(client, connection, engine, "300ms")
    assert response.status_code == 503
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE"}
    assert "longer than the server allows" in error["message"]


def test_a_web_map_on_another_site_may_call_the_api(client: TestClient) -> None:
    origin = {"Origin": "https://maps.example.org"}
    preflight = client.options(
        "/graphql",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    tile = client.get("/tiles/services/0/0/0.mvt", headers=origin)
    assert tile.headers["access-control-allow-origin"] == "*"
    assert "etag" in tile.headers["access-control-expose-headers"].lower()
