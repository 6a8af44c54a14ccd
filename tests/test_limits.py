"""What one request and one client may take (schema/limits.py, endpoints/limits.py): the
abusive requests a hostile review sent, each refused before any SQL runs, and the normal
ones of the map, the planners and the published benchmarks never refused."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import parse
from sqlalchemy import Connection
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app import create_app
from bench.abuse import ABUSIVE
from bench.lists import PAIRS, SEARCH_QUERY
from db.engine import SharedConnectionDatabase
from db.settings import Settings
from endpoints.limits import TokenBuckets
from schema import build_schema
from schema.limits import measure
from tests.conftest import StatementCounter, graphql, signed_in


@pytest.mark.parametrize(
    ("role", "query", "limit"),
    [case[1:] for case in ABUSIVE],
    ids=[case[0] for case in ABUSIVE],
)
def test_abusive_queries_are_refused_before_any_sql(
    client: TestClient,
    token_for: Any,
    count_statements: StatementCounter,
    role: str,
    query: str,
    limit: str,
) -> None:
    """The queries of the hostile review (bench/abuse.py sends them in a loop)."""
    if role != "public":
        signed_in(client, token_for(role))
    count_statements.statements.clear()
    body = graphql(client, query)
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX", error
    assert error["extensions"]["limit"] == limit
    # Nothing reached the database but the caller's token.
    assert [s for s in count_statements.statements if "api_token" not in s] == []
    assert count_statements.compiled == []


def test_the_limits_are_the_callers(
    settings: Settings, connection: Connection, token_for: Any
) -> None:
    """A query over the public's cost is a planner's to ask."""
    coverage = (
        'coverage(areaCode: "3710", kinds: [ELDER_DINING_TABLE], radiusMeters: 1000)'
        " { areaCode share }"
    )
    query = "{ " + " ".join(f"c{i}: {coverage}" for i in range(15)) + " }"
    figures = measure(build_schema()._schema, parse(query), None, None)
    assert figures is not None
    assert settings.public_limits.cost < figures.cost <= settings.staff_limits.cost
    app = create_app(settings, database=SharedConnectionDatabase(connection))
    with TestClient(app) as client:
        public = graphql(client, query)
        assert public["errors"][0]["extensions"]["limit"] == "cost"
        signed_in(client, token_for("planner"))
        planner = graphql(client, query)
        assert "errors" not in planner, planner


def test_the_published_lists_and_the_search_are_within_the_public_limits() -> None:
    """The map's and the benchmarks' queries (hundreds of records with a nested relation,
    an area with two levels of children) are what the public limits are made for."""
    schema = build_schema()._schema
    limits = Settings().public_limits
    for query in [*(pair.registry for pair in PAIRS), SEARCH_QUERY]:
        figures = measure(schema, parse(query), None, None)
        assert figures is not None
        assert figures.cost <= limits.cost and figures.depth <= limits.depth, (query, figures)


def test_a_fragment_bomb_is_measured_in_linear_time(client: TestClient) -> None:
    """Each fragment spreads the one before twice: 2^40 fields if expanded, refused."""
    fragments = ["fragment F0 on Query { cityStats { beds } }"]
    for n in range(1, 41):
        fragments.append(f"fragment F{n} on Query {{ ...F{n - 1} ...F{n - 1} }}")
    query = "{ ...F40 } " + " ".join(fragments)
    body = graphql(client, query)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert body["errors"][0]["extensions"]["limit"] == "cost"


def test_subscriptions_over_the_limits_are_refused_too(client: TestClient) -> None:
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        deep = (
            "subscription { placeNamesChanged { areaChain { "
            + "children { " * 12
            + "code"
            + " }" * 15
        )
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": deep}})
        message = ws.receive_json()
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX", message


# --- clients: rates, sockets, messages --------------------------------------------------


def test_token_buckets_allow_a_burst_then_the_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate=2, burst=4, clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(4)] == [0, 0, 0, 0]
    assert buckets.take("a") == pytest.approx(0.5)
    assert buckets.take("b") == 0  # another client has its own
    now[0] += 0.5
    assert buckets.take("a") == 0


@pytest.fixture()
def limited(settings: Settings, connection: Connection) -> Iterator[TestClient]:
    strict = dataclasses.replace(
        settings,
        public_rate=2,
        token_rate=5,
        rate_burst_seconds=2,
        max_sockets_per_address=2,
        max_subscriptions_per_socket=3,
    )
    with TestClient(create_app(strict, database=SharedConnectionDatabase(connection))) as test:
        yield test


def test_a_client_over_its_rate_gets_429_with_retry_after(
    limited: TestClient, token_for: Any
) -> None:
    answers = [limited.get("/healthz").status_code for _ in range(6)]
    assert answers[:4] == [200] * 4
    assert 429 in answers[4:]
    refused = limited.get("/ogc")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["code"] == "RATE_LIMITED"
    # A token has its own (higher) rate.
    signed_in(limited, token_for("planner"))
    assert limited.get("/healthz").status_code == 200


def test_guessing_tokens_gets_an_address_nowhere(limited: TestClient) -> None:
    statuses = []
    for n in range(40):
        limited.headers["Authorization"] = f"Bearer guess-{n}"
        statuses.append(
            limited.post("/graphql", json={"query": "{ cityStats { beds } }"}).status_code
        )
    assert statuses[0] == 401
    assert 429 in statuses


def test_sockets_per_address_and_operations_per_socket_are_bounded(limited: TestClient) -> None:
    protocols = ["graphql-transport-ws"]
    with (
        limited.websocket_connect("/graphql", subprotocols=protocols) as first,
        limited.websocket_connect("/graphql", subprotocols=protocols),
    ):
        first.send_json({"type": "connection_init"})
        assert first.receive_json()["type"] == "connection_ack"
        for n in range(3):
            first.send_json(
                {
                    "id": str(n),
                    "type": "subscribe",
                    "payload": {"query": "subscription { placeNamesChanged { id } }"},
                }
            )
        first.send_json(
            {
                "id": "3",
                "type": "subscribe",
                "payload": {"query": "subscription { placeNamesChanged { id } }"},
            }
        )
        message = first.receive_json()
        assert message["type"] == "error" and message["id"] == "3"
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            limited.websocket_connect("/graphql", subprotocols=protocols) as third,
        ):
            third.receive_json()
        assert closed.value.code == 1013


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
@pytest.mark.parametrize("message", ["null", "[1, 2]", '"connection_init"', '{"type": 5}'])
def test_websocket_messages_that_are_not_objects_close_4400(
    client: TestClient, message: str, protocol: str
) -> None:
    with client.websocket_connect("/graphql", subprotocols=[protocol]) as ws:
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_text(message)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4400
