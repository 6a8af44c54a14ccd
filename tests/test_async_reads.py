"""Reads sent on the event loop give what the same statements give through SQLAlchemy."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from db.engine import Database, make_read_engine
from db.error_policy import public_error
from db.kinds import PLACE_NAME, SERVICE
from db.queries import areas, collections, layers
from db.queries.layers import LAYERS
from db.queries.search import search_statement
from db.queries.services import nearest_to_point
from db.queries.stats import CITY_STATS
from db.settings import Settings
from db.statements import Statement
from db.tables import SEARCH_ENTITIES, SERVICE_KINDS
from gis.spatial import Point, Where


def _both_ways(engine: Engine, statement: Statement) -> tuple[list[Any], list[Any]]:
    database = Database(engine)
    try:
        fetched = asyncio.run(database.fetch(statement))
    finally:
        database.dispose()
    with engine.connect() as conn:
        return fetched, statement.rows(conn)


def test_rows_and_their_types_are_those_sqlalchemy_gives(engine: Engine) -> None:
    with engine.connect() as conn:
        place_ids = (
            conn.execute(
                text(
                    "(SELECT id FROM place_name ORDER BY id LIMIT 10) UNION"
                    " (SELECT place_name_id FROM place_name_designation LIMIT 10)"
                )
            )
            .scalars()
            .all()
        )
        township = conn.execute(
            text("SELECT left(area_code, 9) FROM service WHERE status = 'published' LIMIT 1")
        ).scalar_one()
    statements = [
        nearest_to_point(Point(122.12, 37.51), SERVICE_KINDS, 5, None),
        areas.areas_by_code.statement(["3710", "371002", "371002001"]),
        areas.outlines_of.statement(["371002"]),
        areas.figures_of.statement(["3710"]),
        collections.records_by_id(PLACE_NAME).statement(place_ids),
        collections.published_in(SERVICE).statement([township]),
        collections.count(PLACE_NAME.collection, Where()),
        CITY_STATS,
        layers.tile_statement(LAYERS["services"], 12, 3437, 1586, values=None),
        layers.tile_statement(LAYERS["areas"], 9, 429, 198, values=["county"]),
        layers.extent_statement(LAYERS["roads"]),
        # Characters, and pinyin (whose SQL holds pg_trgm's % operator).
        search_statement("威海", None, SEARCH_ENTITIES, 20),
        search_statement(None, "weihai", SEARCH_ENTITIES, 20),
    ]
    for statement in statements:
        assert statement is not None
        fetched, through_sqlalchemy = _both_ways(engine, statement)
        assert fetched, str(statement.sql)
        assert fetched == through_sqlalchemy
        assert [{k: type(v) for k, v in r.items()} for r in fetched] == [
            {k: type(v) for k, v in r.items()} for r in through_sqlalchemy
        ]


def test_a_statement_past_the_timeout_is_unavailable_and_the_next_read_works(
    settings: Settings, test_database_url: str
) -> None:
    engine = make_read_engine(
        Settings(**{**settings.__dict__, "statement_timeout_ms": 50}), test_database_url
    )
    database = Database(engine)

    async def both() -> tuple[BaseException, list[Any]]:
        with pytest.raises(Exception) as slow:
            await database.fetch(Statement(text("SELECT pg_sleep(1)"), {}))
        return slow.value, await database.fetch(Statement(text("SELECT 1 AS one"), {}))

    try:
        error, after = asyncio.run(both())
    finally:
        database.dispose()
    assert public_error(error).message.startswith("the query ran longer")
    assert after == [{"one": 1}]


def test_a_read_cancelled_midway_leaves_no_broken_connection(engine: Engine) -> None:
    database = Database(engine, threads=1)

    async def cancel_then_read() -> list[Any]:
        slow = asyncio.ensure_future(database.fetch(Statement(text("SELECT pg_sleep(5)"), {})))
        await asyncio.sleep(0.2)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        return await asyncio.wait_for(
            database.fetch(Statement(text("SELECT 2 AS two"), {})), timeout=2
        )

    try:
        assert asyncio.run(cancel_then_read()) == [{"two": 2}]
    finally:
        database.dispose()


def test_without_a_database_a_read_is_unavailable() -> None:
    database = Database(create_engine("postgresql+psycopg2://nobody@127.0.0.1:1/none"))
    with pytest.raises(Exception) as failed:
        asyncio.run(database.fetch(Statement(text("SELECT 1"), {})))
    shown = public_error(failed.value)
    assert shown.message == "the database is not answering; retry shortly"


def test_a_connection_the_server_dropped_while_idle_is_replaced(engine: Engine) -> None:
    database = Database(engine, threads=1)
    whoami = Statement(text("SELECT pg_backend_pid() AS pid"), {})

    async def read_across_a_dropped_connection() -> tuple[int, int]:
        (first,) = await database.fetch(whoami)
        with engine.connect() as conn:  # as a restart or an idle timeout would
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first["pid"]})
        await asyncio.sleep(0.2)
        (second,) = await database.fetch(whoami)
        return first["pid"], second["pid"]

    try:
        before, after = asyncio.run(read_across_a_dropped_connection())
    finally:
        database.dispose()
    assert before != after
