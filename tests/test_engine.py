"""Database work runs off the event loop: a slow query holds up nothing else."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, text

from db.engine import APPLICATION_NAME
from tests.conftest import serving

QUICK_MS = 200


@pytest.fixture()
def one_worker(scratch_database_url: str) -> Iterator[str]:
    """`app.py serve --workers 1`: one event loop serves everything."""
    with serving(scratch_database_url, "--workers", "1") as base:
        yield base


def _waiting_on_a_lock(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :app"
                    " AND wait_event_type = 'Lock'"
                ),
                {"app": APPLICATION_NAME},
            ).scalar_one()
        )


def _millis(call: object) -> float:
    assert callable(call)
    started = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.text
    return elapsed


def test_health_and_small_queries_answer_while_a_slow_query_runs(
    one_worker: str, scratch_engine: Engine
) -> None:
    """A query kept waiting in PostgreSQL (the services table locked by another session)
    stands for any slow one: coverage of the whole city, a pgRouting run."""
    slow: dict[str, object] = {}
    with scratch_engine.connect() as locker:
        lock = locker.begin()
        locker.execute(text("LOCK TABLE service IN ACCESS EXCLUSIVE MODE"))

        def ask_for_services() -> None:
            slow["response"] = httpx.post(
                f"{one_worker}/graphql",
                json={"query": "{ services(first: 3) { edges { node { name } } } }"},
                timeout=60,
            )

        waiting = threading.Thread(target=ask_for_services)
        waiting.start()
        deadline = time.monotonic() + 20
        while _waiting_on_a_lock(scratch_engine) == 0:
            assert time.monotonic() < deadline, "the slow query never reached the database"
            time.sleep(0.05)

        # A blocked event loop would not answer at all: these would time out.
        health = _millis(lambda: httpx.get(f"{one_worker}/healthz", timeout=5))
        small = _millis(
            lambda: httpx.post(
                f"{one_worker}/graphql",
                json={"query": '{ area(code: "3710") { name children { name } } }'},
                timeout=5,
            )
        )
        assert waiting.is_alive(), "the slow query ended before the others were measured"
        lock.rollback()
    waiting.join(timeout=30)
    assert health < QUICK_MS and small < QUICK_MS, (health, small)
    response = slow["response"]
    assert isinstance(response, httpx.Response) and response.status_code == 200
    assert len(response.json()["data"]["services"]["edges"]) == 3
