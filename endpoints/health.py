"""GET /healthz: whether this worker and its database answer."""

from __future__ import annotations

from sqlalchemy import Connection, text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from db.engine import Database
from db.error_policy import database_failure


def _ping(conn: Connection) -> None:
    conn.execute(text("SELECT 1"))


def health_routes(database: Database) -> list[Route]:
    async def healthz(request: Request) -> Response:
        try:
            await database.read(_ping)
        except Exception as error:
            if database_failure(error) is None:
                raise
            return JSONResponse({"status": "unavailable", "database": "not answering"}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return [Route("/healthz", healthz, methods=["GET"])]
