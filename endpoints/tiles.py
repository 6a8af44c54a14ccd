"""Vector tiles: GET /tiles/{layer}/{z}/{x}/{y}.mvt and TileJSON at /tiles/{layer}.json."""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from db.engine import Database
from db.kinds import Layer
from db.queries import layers as layer_queries
from db.queries.layers import LAYERS, MAX_ZOOM
from domain.errors import BadUserInput, Text
from endpoints.http import base_url, filter_values, layer_named, whole_number

MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
# Published records change by review, not by the second: a minute of caching is safe, and
# the ETag lets a client revalidate without the tile being sent again.
CACHE_CONTROL = "public, max-age=60"
# Zooms beyond this are drawn from this zoom's tiles by the client.
TILEJSON_MAX_ZOOM = 16


def tile_address(
    z: str,
    x: str,
    y: str,
    names: tuple[str, str, str] = ("z", "x", "y"),
    columns_at_zero: int = 1,
) -> tuple[int, int, int]:
    """The tile's zoom, column and row, checked (``names``: what the client called them;
    ``columns_at_zero``: 2 where zoom 0 is two tiles side by side, as in WorldCRS84Quad)."""
    numbers = []
    for name, value in zip(names, (z, x, y), strict=True):
        number = whole_number(value)
        if number is None:
            raise BadUserInput(
                Text(
                    f"{name}: {value!r} 不是整数（ASCII 数字）",
                    f"{name}: {value!r} is not a whole number (ASCII digits)",
                ),
                name,
            )
        numbers.append(number)
    zoom, column, row = numbers
    if zoom > MAX_ZOOM:
        raise BadUserInput(
            Text(
                f"{names[0]}: 缩放级别为 0 至 {MAX_ZOOM}，不是 {zoom}",
                f"{names[0]}: zoom goes from 0 to {MAX_ZOOM}, not {zoom}",
            ),
            names[0],
        )
    for name, number, size in (
        (names[1], column, columns_at_zero * 2**zoom),
        (names[2], row, 2**zoom),
    ):
        if number >= size:
            raise BadUserInput(
                Text(
                    f"{name}: 缩放级别 {zoom} 时取值为 0 至 {size - 1}",
                    f"{name}: at zoom {zoom} it goes from 0 to {size - 1}",
                ),
                name,
            )
    return zoom, column, row


async def tile_response(
    database: Database,
    request: Request,
    layer: Layer,
    address: tuple[int, int, int],
    *,
    values: list[str] | None,
    only: str = "true",
    layer_name: str | None = None,
    degrees: bool = False,
) -> Response:
    """One tile with an ETag (304 when the client holds it); 204 when nothing is in it, as
    OGC API - Tiles asks (an empty body is no tile GDAL or a browser can open)."""
    z, x, y = address
    data = b""
    if z >= layer.min_zoom:
        statement = layer_queries.tile_statement(
            layer, z, x, y, values=values, only=only, layer_name=layer_name, degrees=degrees
        )
        data = layer_queries.tile_bytes(await database.fetch(statement))
    etag = f'"{hashlib.blake2b(data, digest_size=16).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if not data:
        return Response(status_code=204, headers=headers)
    return Response(data, media_type=MVT_MEDIA_TYPE, headers=headers)


def tile_routes(database: Database) -> list[Route]:
    async def tile(request: Request) -> Response:
        params = request.path_params
        layer = layer_named(params["layer"])
        z, x, y = tile_address(params["z"], params["x"], params["y"])
        values = filter_values(layer, request)
        if values is None and layer.filter_by == "level":
            values = layer_queries.area_levels_at(z)
        return await tile_response(database, request, layer, (z, x, y), values=values)

    async def tilejson(request: Request) -> Response:
        layer = layer_named(request.path_params["layer"])
        filter_values(layer, request)  # checked, and kept in the tile URLs
        bounds = layer_queries.bounds_of(
            await database.fetch(layer_queries.extent_statement(layer))
        )
        return JSONResponse(_tilejson(layer, base_url(request), bounds, request.url.query))

    async def index(request: Request) -> Response:
        base = base_url(request)
        return JSONResponse(
            {
                "layers": [
                    {
                        "name": layer.name,
                        "title": layer.title,
                        "description": layer.description,
                        "tilejson": f"{base}/tiles/{layer.name}.json",
                    }
                    for layer in LAYERS.values()
                ]
            }
        )

    return [
        Route("/tiles", index, methods=["GET"]),
        Route("/tiles/{layer}/{z}/{x}/{y}.mvt", tile, methods=["GET"]),
        Route("/tiles/{layer}.json", tilejson, methods=["GET"]),
    ]


def _tilejson(
    layer: Layer,
    base: str,
    bounds: tuple[float, float, float, float] | None,
    query: str,
) -> dict[str, object]:
    west, south, east, north = bounds or (-180.0, -85.0511, 180.0, 85.0511)
    suffix = f"?{query}" if query else ""
    return {
        "tilejson": "3.0.0",
        "name": layer.title,
        "description": layer.description,
        "scheme": "xyz",
        "tiles": [f"{base}/tiles/{layer.name}/{{z}}/{{x}}/{{y}}.mvt{suffix}"],
        "minzoom": layer.min_zoom,
        "maxzoom": TILEJSON_MAX_ZOOM,
        "bounds": [west, south, east, north],
        "center": [(west + east) / 2, (south + north) / 2, max(layer.min_zoom, 9)],
        "vector_layers": [
            {
                "id": layer.name,
                "description": layer.description,
                "fields": {
                    name: "Number" if type_ == "Integer" else type_
                    for name, type_ in layer.fields.items()
                },
                "minzoom": layer.min_zoom,
                "maxzoom": TILEJSON_MAX_ZOOM,
            }
        ],
    }
