"""GET /healthz: whether this worker and its database servers answer.

With replicas: each server's role, whether it answers, and a replica's replay lag.
"ok" (200) when every server answers as what it is; "degraded" (200, with what is wrong)
when some do not but reads can still be answered (no replica: reads go to the primary;
no primary: reads go on from the replicas, writes fail); "unavailable" (503) when no
server answers at all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from db.engine import Database
from db.error_policy import database_failure
from db.routing import RoutedDatabase, ServerState


def _ping(conn: Connection) -> None:
    conn.execute(text("SELECT 1"))


def _problems(states: list[ServerState], max_lag_seconds: float) -> list[str]:
    problems = []
    for state in states:
        if not state.reachable:
            problems.append(f"{state.name} is not answering")
        elif state.role == "primary" and state.in_recovery:
            problems.append(f"{state.name} is in recovery: writes fail")
        elif state.role == "replica" and not state.in_recovery:
            problems.append(f"{state.name} is not in recovery: it is not read from")
        elif state.role == "replica" and (
            state.lag_seconds is None or state.lag_seconds > max_lag_seconds
        ):
            problems.append(f"{state.name} lags more than {max_lag_seconds:g} s: not read from")
    return problems


async def _routed_health(database: RoutedDatabase) -> Response:
    states = await database.check()
    problems = _problems(states, database.max_lag_seconds)
    answering = [s for s in states if s.reachable]
    body: dict[str, Any] = {
        "status": "ok" if not problems else ("degraded" if answering else "unavailable"),
        "database": "ok" if states[0].reachable else "not answering",
        "servers": [s.as_json() for s in states],
    }
    if problems:
        body["problems"] = problems
    return JSONResponse(body, 200 if answering else 503)


def health_routes(database: Database) -> list[Route]:
    async def healthz(request: Request) -> Response:
        if isinstance(database, RoutedDatabase) and database.replicas:
            return await _routed_health(database)
        try:
            await database.read(_ping)
        except Exception as error:
            if database_failure(error) is None:
                raise
            return JSONResponse({"status": "unavailable", "database": "not answering"}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return [Route("/healthz", healthz, methods=["GET"])]
