"""OGC API - Features, Part 1 (Core, GeoJSON) at /ogc, for QGIS, GDAL and other GIS clients.

The collections are the map layers of ``db.queries.layers``: published records only, in
WGS84 longitude/latitude (CRS84).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from db.engine import Database
from db.kinds import Layer
from db.queries import layers as layer_queries
from db.queries.layers import LAYERS
from domain.errors import BadUserInput, NotFound, Text
from endpoints.http import base_url, filter_values, layer_named, whole_number
from gis.spatial import check_bbox

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
JSON = "application/json"
GEOJSON = "application/geo+json"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
ITEMS_PARAMETERS = {"limit", "offset", "bbox", "bbox-crs", "datetime", "f"}


class GeoJSONResponse(JSONResponse):
    media_type = GEOJSON


def _link(href: str, rel: str, media_type: str = JSON, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": media_type}
    if title:
        link["title"] = title
    return link


def _collection(layer: Layer, base: str, bounds: tuple[float, ...] | None) -> dict[str, Any]:
    href = f"{base}/ogc/collections/{layer.name}"
    return {
        "id": layer.name,
        "title": layer.title,
        "description": layer.description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [list(bounds or (-180, -90, 180, 90))], "crs": CRS84}},
        "links": [
            _link(href, "self", title=layer.title),
            _link(f"{href}/items", "items", GEOJSON, f"{layer.title}: features"),
        ],
    }


def _int_parameter(request: Request, name: str, default: int, least: int, most: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    number = whole_number(value)
    if number is None or not least <= number <= most:
        raise BadUserInput(
            Text(
                f"{name} 须为 {least} 至 {most} 的整数",
                f"{name} must be a whole number from {least} to {most}",
            ),
            name,
        )
    return number


def _bbox_parameter(request: Request) -> tuple[float, float, float, float] | None:
    value = request.query_params.get("bbox")
    if value is None:
        return None
    crs = request.query_params.get("bbox-crs", CRS84)
    if not value.isascii():
        raise BadUserInput(
            Text(
                "bbox 须为四个以逗号分隔的数（ASCII 数字）",
                "bbox is four comma-separated numbers in ASCII digits",
            ),
            "bbox",
        )
    if crs != CRS84:
        raise BadUserInput(
            Text(f"bbox-crs: 仅支持 {CRS84}", f"bbox-crs: only {CRS84} is supported"), "bbox-crs"
        )
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        raise BadUserInput(
            Text(
                "bbox 须为四个以逗号分隔的数：西,南,东,北",
                "bbox is four comma-separated numbers: west,south,east,north",
            ),
            "bbox",
        ) from None
    if len(numbers) == 6:  # a 3D box: heights do not apply here
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if not all(math.isfinite(n) for n in numbers):
        raise BadUserInput(Text("bbox 须为有限数", "bbox must hold finite numbers"), "bbox")
    return check_bbox(numbers)


def _check_parameters(request: Request, layer: Layer) -> None:
    allowed = ITEMS_PARAMETERS | ({layer.filter_by} if layer.filter_by else set())
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise BadUserInput(
            Text(
                f"{unknown[0]}: 未知参数；items 接受 {', '.join(sorted(allowed))}",
                f"{unknown[0]}: unknown parameter; items take {', '.join(sorted(allowed))}",
            ),
            unknown[0],
        )


def ogc_routes(database: Database) -> list[Route]:
    async def landing(request: Request) -> Response:
        base = base_url(request)
        return JSONResponse(
            {
                "title": "Weihai place-name registry",
                "description": "Administrative areas, villages, village roads, services and "
                "place names of the registry, as OGC API - Features.",
                "links": [
                    _link(f"{base}/ogc", "self", title="this document"),
                    _link(f"{base}/ogc/conformance", "conformance", title="conformance classes"),
                    _link(f"{base}/ogc/collections", "data", title="the collections"),
                ],
            }
        )

    async def conformance(request: Request) -> Response:
        return JSONResponse({"conformsTo": CONFORMANCE})

    async def collections(request: Request) -> Response:
        base = base_url(request)
        extents = await database.read(
            lambda conn: [layer_queries.extent(conn, layer) for layer in LAYERS.values()]
        )
        listed = [
            _collection(layer, base, bounds)
            for layer, bounds in zip(LAYERS.values(), extents, strict=True)
        ]
        return JSONResponse(
            {
                "links": [_link(f"{base}/ogc/collections", "self")],
                "collections": listed,
            }
        )

    async def collection(request: Request) -> Response:
        layer = layer_named(request.path_params["collection"])
        bounds = await database.read(lambda conn: layer_queries.extent(conn, layer))
        return JSONResponse(_collection(layer, base_url(request), bounds))

    async def items(request: Request) -> Response:
        layer = layer_named(request.path_params["collection"])
        _check_parameters(request, layer)
        limit = _int_parameter(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _int_parameter(request, "offset", 0, 0, 2**31 - 1)
        bbox = _bbox_parameter(request)
        values = filter_values(layer, request)
        page, matched = await database.read(
            lambda conn: layer_queries.features(
                conn, layer, bbox=bbox, limit=limit, offset=offset, values=values
            )
        )
        href = f"{base_url(request)}/ogc/collections/{layer.name}/items"
        query = {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")}

        def page_link(rel: str, at: int) -> dict[str, str]:
            return _link(
                f"{href}?{urlencode({**query, 'limit': limit, 'offset': at})}", rel, GEOJSON
            )

        links = [page_link("self", offset)]
        if offset + len(page) < matched:
            links.append(page_link("next", offset + limit))
        if offset > 0:
            links.append(page_link("prev", max(0, offset - limit)))
        return GeoJSONResponse(
            {
                "type": "FeatureCollection",
                "features": page,
                "numberMatched": matched,
                "numberReturned": len(page),
                "timeStamp": datetime.now(UTC).isoformat(timespec="seconds"),
                "links": links,
            }
        )

    async def item(request: Request) -> Response:
        layer = layer_named(request.path_params["collection"])
        feature_id = request.path_params["feature"]
        found = await database.read(lambda conn: layer_queries.feature(conn, layer, feature_id))
        if found is None:
            raise NotFound(
                Text(
                    f"feature: 图层 {layer.name} 没有要素 {feature_id!r}",
                    f"feature: {layer.name} has no feature {feature_id!r}",
                ),
                "feature",
            )
        href = f"{base_url(request)}/ogc/collections/{layer.name}"
        found["links"] = [
            _link(f"{href}/items/{feature_id}", "self", GEOJSON),
            _link(href, "collection"),
        ]
        return GeoJSONResponse(found)

    return [
        Route("/ogc", in_json(landing), methods=["GET"]),
        Route("/ogc/conformance", in_json(conformance), methods=["GET"]),
        Route("/ogc/collections", in_json(collections), methods=["GET"]),
        Route("/ogc/collections/{collection}", in_json(collection), methods=["GET"]),
        Route("/ogc/collections/{collection}/items", in_json(items), methods=["GET"]),
        Route("/ogc/collections/{collection}/items/{feature}", in_json(item), methods=["GET"]),
    ]


# The formats ``f=`` may ask for: every document here is JSON (GeoJSON for features).
FORMATS = ("json", "geojson")


def in_json(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """``handler``, refusing (400) an ``f=`` this API does not answer in."""

    @functools.wraps(handler)
    async def checked(request: Request) -> Response:
        wanted = request.query_params.get("f")
        if wanted is not None and wanted not in FORMATS:
            raise BadUserInput(
                Text(
                    f"f: {wanted!r} 不在 {', '.join(FORMATS)} 之中",
                    f"f: {wanted!r} is not one of {', '.join(FORMATS)}",
                ),
                "f",
            )
        return await handler(request)

    return checked
