"""What operators see (endpoints/observability.py, db/metrics.py, db/error_policy.py): the
Prometheus figures, one JSON line per request, slow requests, and a log that an outage
cannot flood."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time

import httpx2 as httpx
import pytest
from sqlalchemy import Connection, create_engine
from starlette.testclient import TestClient

from app import create_app
from db.engine import Database, SharedConnectionDatabase
from db.error_policy import OncePerSecond
from db.settings import Settings


def _figure(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        sample, _, value = line.rpartition(" ")
        metric, _, given = sample.partition("{")
        if metric != name:
            continue
        found = ",".join(sorted(p for p in given.rstrip("}").split(",") if p))
        if found == wanted:
            return float(value)
    return 0.0


def test_metrics_count_requests_and_refusals(client: TestClient) -> None:
    before = client.get("/metrics").text
    client.post("/graphql", json={"query": "{ cityStats { beds } }"})
    deep = '{ area(code: "3710") { ' + "children { parent { " * 10 + "code" + " } }" * 10 + " } }"
    client.post("/graphql", json={"query": deep})
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text
    ok = {"endpoint": "graphql", "operation": "query", "outcome": "ok"}
    assert (
        _figure(after, "registry_requests_total", **ok)
        == _figure(before, "registry_requests_total", **ok) + 1
    )
    assert (
        _figure(after, "registry_rejected_total", limit="depth")
        == _figure(before, "registry_rejected_total", limit="depth") + 1
    )
    assert _figure(after, "registry_request_duration_seconds_count", endpoint="graphql") >= 2
    for name in ("registry_pool_connections_in_use", "registry_subscriptions"):
        assert re.search(rf"^{name} ", after, re.MULTILINE), name


def test_one_json_line_per_request_with_the_request_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="registry.access"):
        response = client.post(
            "/graphql", json={"query": "{ cityStats { beds } }"}, headers={"X-Request-ID": "abc-1"}
        )
        deadline = time.monotonic() + 5  # lines are written a few at a time, within 0.25 s
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.05)
    assert response.headers["x-request-id"] == "abc-1"
    (line,) = [r.getMessage() for r in caplog.records if r.name == "registry.access"]
    entry = json.loads(line)
    assert entry["requestId"] == "abc-1"
    assert entry["path"] == "/graphql" and entry["status"] == 200
    assert entry["operation"] == "query" and entry["outcome"] == "ok"
    assert entry["ms"] >= 0


def test_slow_requests_are_logged_with_their_query(
    settings: Settings, connection: Connection, caplog: pytest.LogCaptureFixture
) -> None:
    impatient = dataclasses.replace(settings, slow_request_ms=1)
    app = create_app(impatient, database=SharedConnectionDatabase(connection))
    with TestClient(app) as client, caplog.at_level(logging.WARNING, logger="registry.slow"):
        client.post("/graphql", json={"query": "{ cityStats { beds nursingBeds } }"})
    (line,) = [r.getMessage() for r in caplog.records if r.name == "registry.slow"]
    assert "nursingBeds" in json.loads(line)["query"]


def test_a_failure_kind_is_logged_at_most_once_a_second() -> None:
    now = [0.0]
    throttle = OncePerSecond(clock=lambda: now[0])

    def record() -> logging.LogRecord:
        return logging.LogRecord(
            "registry", logging.ERROR, "", 0, "database failure %s", (1,), None
        )

    assert throttle.filter(record())
    passed = 0
    for _ in range(500):
        now[0] += 0.001
        passed += throttle.filter(record())
    assert passed == 0
    now[0] += 1
    line = record()
    assert throttle.filter(line)
    assert "[500 more like this not logged]" in line.getMessage()


def test_an_outage_does_not_flood_the_log(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine("postgresql+psycopg2://nobody@127.0.0.1:1/none", pool_pre_ping=False)
    with (
        TestClient(create_app(settings, database=Database(engine))) as client,
        caplog.at_level(logging.ERROR, logger="registry"),
    ):
        for _ in range(100):
            client.post("/graphql", json={"query": "{ cityStats { beds } }"})
            client.post(
                "/graphql",
                json={"query": "{ cityStats { beds } }"},
                headers={"Authorization": "Bearer t"},
            )
    lines = [r for r in caplog.records if r.name == "registry"]
    assert 1 <= len(lines) <= 4  # one a second, for a run of a second or two


def test_metrics_sum_over_the_workers_of_a_server(running_server: str) -> None:
    for _ in range(8):
        httpx.post(f"{running_server}/graphql", json={"query": "{ cityStats { beds } }"})
    text = httpx.get(f"{running_server}/metrics").text
    ok = {"endpoint": "graphql", "operation": "query", "outcome": "ok"}
    assert _figure(text, "registry_requests_total", **ok) == 8
