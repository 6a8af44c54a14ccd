"""A bare Starlette endpoint that runs the registry's nearest-services SQL with the registry's
pool: the floor under what any GraphQL layer on the same stack can reach."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from db.engine import Database, make_read_engine
from db.queries.services import nearest_services
from db.settings import get_settings
from db.tables import SERVICE_KINDS as ALL_KINDS
from gis.spatial import Point


def create_app() -> Starlette:
    database = Database(make_read_engine(get_settings()))

    async def nearest(request: Request) -> JSONResponse:
        body = await request.json()
        with database.connect() as conn:
            rows = nearest_services(conn, Point(body["lon"], body["lat"]), ALL_KINDS, 5, None)
        return JSONResponse(
            [{k: r[k] for k in ("id", "kind", "name", "geometry", "distance_m")} for r in rows]
        )

    return Starlette(routes=[Route("/nearest", nearest, methods=["POST"])])


if __name__ == "__main__":
    import argparse

    from app import default_workers, serve

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    serve("bench.bare:create_app", "127.0.0.1", args.port, args.workers)
