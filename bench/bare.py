"""Bare Starlette endpoints that run the registry's SQL with the registry's pool: the
ceiling over what any GraphQL layer on the same stack can reach.

``/nearest`` runs the nearest-services SQL; ``/lists`` takes the body of one of
bench.lists's registry queries and runs the very statement the registry compiles it to
(planned once per body), sent from the event loop and kept prepared: everything the
registry does for such a request except its GraphQL work and middleware."""

from __future__ import annotations

import dataclasses

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from db.engine import Database, make_read_engine
from db.queries.services import nearest_services
from db.settings import get_settings
from db.statements import Statement
from db.tables import SERVICE_KINDS as ALL_KINDS
from domain.roles import PUBLIC
from endpoints.compiled_reads import CompiledReads
from gis.spatial import Point
from schema import build_schema


def create_app() -> Starlette:
    settings = get_settings()
    database = Database(make_read_engine(settings))

    async def nearest(request: Request) -> JSONResponse:
        body = await request.json()
        with database.connect() as conn:
            rows = nearest_services(conn, Point(body["lon"], body["lat"]), ALL_KINDS, 5, None)
        return JSONResponse(
            [{k: r[k] for k in ("id", "kind", "name", "geometry", "distance_m")} for r in rows]
        )

    compiled = CompiledReads(
        build_schema(), database, dataclasses.replace(settings, compiled_reads="on")
    )
    statements: dict[bytes, Statement | None] = {}

    async def lists(request: Request) -> Response:
        body = await request.body()
        if body not in statements:
            request = orjson.loads(body)
            statements[body] = compiled.plan(
                request["query"], request.get("operationName"), request.get("variables"), PUBLIC
            )
        statement = statements[body]
        if statement is None:
            return JSONResponse({"error": "not a query the registry compiles"}, status_code=400)
        (row,) = await database.fetch(statement)
        return Response(b'{"data":' + row["data"].encode() + b"}", media_type="application/json")

    return Starlette(
        routes=[
            Route("/nearest", nearest, methods=["POST"]),
            Route("/lists", lists, methods=["POST"]),
        ]
    )


if __name__ == "__main__":
    import argparse

    from app import default_workers, serve

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    serve("bench.bare:create_app", "127.0.0.1", args.port, args.workers)
