"""OGC API - Tiles beside OGC API - Features: each collection's vector tiles in the
WebMercatorQuad and WorldCRS84Quad tile matrix sets, with the tileset metadata that GDAL's
OGCAPI driver and QGIS read.  The tiles are the Mapbox Vector Tiles of /tiles (one
statement, one cache policy); a collection's tile holds only that collection's features."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from db.engine import Database
from db.queries import features as feature_queries
from db.queries.features import COLLECTIONS, FeatureCollection
from db.queries.layers import MAX_ZOOM, area_levels_at, bounds_of
from domain.errors import NotFound, Text
from endpoints.http import base_url, filter_values
from endpoints.ogc_common import JSON, answer_json, collection_named, in_formats, link
from endpoints.ogc_documents import property_schema
from endpoints.tiles import MVT_MEDIA_TYPE, TILEJSON_MAX_ZOOM, tile_address, tile_response
from gis.ogc_crs import CRS84, MERCATOR_LIMIT

MERCATOR = "http://www.opengis.net/def/crs/EPSG/0/3857"
TILING_SCHEME_REL = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
TILING_SCHEMES_REL = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
TILESETS_REL = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
TILE_PIXELS = 256
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
]
GEOMETRY_DIMENSIONS = {"Point": 0, "LineString": 1, "MultiLineString": 1, "MultiPolygon": 2}


@dataclass(frozen=True)
class MatrixSet:
    """A tile matrix set: zoom 0 is ``columns_at_zero`` square tiles side by side, each
    halved at the next zoom."""

    id: str
    title: str
    crs: str
    axes: tuple[str, str]
    origin: tuple[float, float]  # the top left corner
    cell_at_zero: float  # units of ``crs`` a pixel at zoom 0
    scale_at_zero: float  # at 0.28 mm a pixel, as the standard defines
    columns_at_zero: int
    well_known_scale_set: str
    degrees: bool

    @property
    def uri(self) -> str:
        return f"http://www.opengis.net/def/tilematrixset/OGC/1.0/{self.id}"

    def tile_of(self, lon: float, lat: float, zoom: int) -> tuple[int, int]:
        """The column and row of the tile that holds a point."""
        columns, rows = self.columns_at_zero * 2**zoom, 2**zoom
        if self.degrees:
            size = 180 / rows
            column, row = int((lon + 180) / size), int((90 - lat) / size)
        else:
            lat = max(min(lat, 85.0511), -85.0511)
            column = int((lon + 180) / 360 * columns)
            row = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * rows)
        return min(max(column, 0), columns - 1), min(max(row, 0), rows - 1)


# Web maps ask for WebMercatorQuad.  GDAL places a collection's tiles by its extent, which
# is in degrees: it prefers WorldCRS84Quad, where that is right.
MATRIX_SETS = {
    matrix_set.id: matrix_set
    for matrix_set in (
        MatrixSet(
            id="WebMercatorQuad",
            title="Google Maps Compatible for the World",
            crs=MERCATOR,
            axes=("X", "Y"),
            origin=(-MERCATOR_LIMIT, MERCATOR_LIMIT),
            cell_at_zero=2 * MERCATOR_LIMIT / TILE_PIXELS,
            scale_at_zero=559082264.0287178,
            columns_at_zero=1,
            well_known_scale_set="http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
            degrees=False,
        ),
        MatrixSet(
            id="WorldCRS84Quad",
            title="CRS84 for the World",
            crs=CRS84.uri,
            axes=("Lon", "Lat"),
            origin=(-180.0, 90.0),
            cell_at_zero=180 / TILE_PIXELS,
            scale_at_zero=279541132.0143589,
            columns_at_zero=2,
            well_known_scale_set="http://www.opengis.net/def/wkss/OGC/1.0/GoogleCRS84Quad",
            degrees=True,
        ),
    )
}


def tile_matrix_set(matrix_set: MatrixSet) -> dict[str, Any]:
    """The matrix set in TMS 2.0 and, beside it, under the names of TMS 1.0 (``type``,
    ``identifier``, ``supportedCRS``, ``tileMatrix``, ``topLeftCorner``): clients of the
    first OGC API - Tiles drafts (GDAL before 3.7 among them) read only those."""
    matrices = []
    for zoom in range(MAX_ZOOM + 1):
        corner = list(matrix_set.origin)
        matrices.append(
            {
                "type": "TileMatrixType",
                "id": str(zoom),
                "identifier": str(zoom),
                "scaleDenominator": matrix_set.scale_at_zero / 2**zoom,
                "cellSize": matrix_set.cell_at_zero / 2**zoom,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": corner,
                "topLeftCorner": corner,
                "tileWidth": TILE_PIXELS,
                "tileHeight": TILE_PIXELS,
                "matrixWidth": matrix_set.columns_at_zero * 2**zoom,
                "matrixHeight": 2**zoom,
            }
        )
    west, north = matrix_set.origin
    return {
        "type": "TileMatrixSetType",
        "id": matrix_set.id,
        "identifier": matrix_set.id,
        "title": matrix_set.title,
        "uri": matrix_set.uri,
        "crs": matrix_set.crs,
        "supportedCRS": matrix_set.crs,
        "orderedAxes": list(matrix_set.axes),
        "wellKnownScaleSet": matrix_set.well_known_scale_set,
        "boundingBox": {
            "type": "BoundingBoxType",
            "crs": matrix_set.crs,
            "lowerCorner": [west, -north],
            "upperCorner": [-west, north],
        },
        "tileMatrices": matrices,
        "tileMatrix": matrices,
    }


def _limits(
    matrix_set: MatrixSet, bounds: tuple[float, float, float, float], min_zoom: int
) -> list[dict[str, Any]]:
    """The tiles that hold the collection, zoom by zoom (clients ask for no others)."""
    west, south, east, north = bounds
    limits = []
    for zoom in range(min_zoom, TILEJSON_MAX_ZOOM + 1):
        min_column, min_row = matrix_set.tile_of(west, north, zoom)
        max_column, max_row = matrix_set.tile_of(east, south, zoom)
        limits.append(
            {
                "tileMatrix": str(zoom),
                "minTileRow": min_row,
                "maxTileRow": max_row,
                "minTileCol": min_column,
                "maxTileCol": max_column,
            }
        )
    return limits


def tileset(
    collection: FeatureCollection,
    matrix_set: MatrixSet,
    base: str,
    bounds: tuple[float, float, float, float] | None,
) -> dict[str, Any]:
    href = f"{base}/ogc/collections/{collection.name}/tiles/{matrix_set.id}"
    layer = collection.layer
    title = f"{collection.title_zh} / {collection.title}"
    doc: dict[str, Any] = {
        "title": f"{title}: 矢量瓦片 vector tiles ({matrix_set.id})",
        "description": collection.description,
        "dataType": "vector",
        "crs": matrix_set.crs,
        "tileMatrixSetURI": matrix_set.uri,
        "links": [
            link(href, "self", title="本瓦片集 this tileset"),
            link(f"{base}/ogc/tileMatrixSets/{matrix_set.id}", TILING_SCHEME_REL),
            {
                **link(
                    f"{href}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}",
                    "item",
                    MVT_MEDIA_TYPE,
                    "Mapbox 矢量瓦片 vector tiles",
                ),
                "templated": True,
            },
            link(f"{base}/ogc/collections/{collection.name}", "collection"),
        ],
        "layers": [
            {
                "id": collection.name,
                "title": title,
                "dataType": "vector",
                "geometryDimension": GEOMETRY_DIMENSIONS[collection.geometry_type],
                "minTileMatrix": str(layer.min_zoom),
                "maxTileMatrix": str(TILEJSON_MAX_ZOOM),
                "propertiesSchema": {
                    "type": "object",
                    "properties": {
                        name: property_schema(collection, name) for name in collection.fields
                    },
                },
            }
        ],
    }
    if bounds is not None:
        doc["tileMatrixSetLimits"] = _limits(matrix_set, bounds, layer.min_zoom)
        doc["boundingBox"] = {
            "lowerLeft": list(bounds[:2]),
            "upperRight": list(bounds[2:]),
            "crs": CRS84.uri,
        }
    return doc


def matrix_set_named(name: str) -> MatrixSet:
    found = MATRIX_SETS.get(name)
    if found is None:
        raise NotFound(
            Text(
                f"tileMatrixSet: 没有 {name!r}；可用 {', '.join(MATRIX_SETS)}",
                f"tileMatrixSet: no {name!r}; there are {', '.join(MATRIX_SETS)}",
            ),
            "tileMatrixSet",
        )
    return found


def ogc_tile_routes(database: Database) -> list[Route]:
    async def matrix_sets(request: Request) -> Response:
        base = base_url(request)
        doc = {
            "tileMatrixSets": [
                {
                    "id": matrix_set.id,
                    "title": matrix_set.title,
                    "uri": matrix_set.uri,
                    "links": [link(f"{base}/ogc/tileMatrixSets/{matrix_set.id}", "self")],
                }
                for matrix_set in MATRIX_SETS.values()
            ]
        }
        return answer_json(request, doc)

    async def matrix_set(request: Request) -> Response:
        found = matrix_set_named(request.path_params["matrix_set"])
        return answer_json(request, tile_matrix_set(found))

    async def tilesets(request: Request) -> Response:
        found = collection_named(request.path_params["collection"])
        base = base_url(request)
        href = f"{base}/ogc/collections/{found.name}/tiles"
        doc = {
            "links": [link(href, "self")],
            "tilesets": [
                {
                    "title": f"{found.title_zh} / {found.title}: {matrix_set.id}",
                    "dataType": "vector",
                    "crs": matrix_set.crs,
                    "tileMatrixSetURI": matrix_set.uri,
                    "links": [
                        link(f"{href}/{matrix_set.id}", "self"),
                        link(f"{base}/ogc/tileMatrixSets/{matrix_set.id}", TILING_SCHEME_REL),
                    ],
                }
                for matrix_set in MATRIX_SETS.values()
            ],
        }
        return answer_json(request, doc)

    async def collection_tileset(request: Request) -> Response:
        found = collection_named(request.path_params["collection"])
        matrix_set = matrix_set_named(request.path_params["matrix_set"])
        bounds = bounds_of(await database.fetch(feature_queries.extent(found)))
        return answer_json(request, tileset(found, matrix_set, base_url(request), bounds))

    async def tile(request: Request) -> Response:
        params = request.path_params
        found = collection_named(params["collection"])
        matrix_set = matrix_set_named(params["matrix_set"])
        z, x, y = tile_address(
            params["tile_matrix"],
            params["tile_col"],
            params["tile_row"],
            names=("tileMatrix", "tileCol", "tileRow"),
            columns_at_zero=matrix_set.columns_at_zero,
        )
        layer = found.layer
        values = filter_values(layer, request)
        if values is None and layer.filter_by == "level":
            values = area_levels_at(z)
        return await tile_response(
            database,
            request,
            layer,
            (z, x, y),
            values=values,
            only=found.only,
            layer_name=found.name,
            degrees=matrix_set.degrees,
        )

    base = "/ogc/collections/{collection}/tiles"
    return [
        Route("/ogc/tileMatrixSets", in_formats(matrix_sets), methods=["GET"]),
        Route("/ogc/tileMatrixSets/{matrix_set}", in_formats(matrix_set), methods=["GET"]),
        Route(base, in_formats(tilesets), methods=["GET"]),
        Route(f"{base}/{{matrix_set}}", in_formats(collection_tileset), methods=["GET"]),
        Route(
            f"{base}/{{matrix_set}}/{{tile_matrix}}/{{tile_row}}/{{tile_col}}",
            tile,
            methods=["GET"],
        ),
    ]


def ogc_tile_paths() -> dict[str, Any]:
    """The tiles' paths in the OpenAPI definition."""

    def get(summary: str, media_type: str, **parameters: dict[str, Any]) -> dict[str, Any]:
        return {
            "get": {
                "summary": summary,
                "parameters": [
                    {"name": name, "in": "path", "required": True, "schema": schema}
                    for name, schema in parameters.items()
                ],
                "responses": {
                    "200": {"description": summary, "content": {media_type: {}}},
                    "204": {"description": "瓦片内无要素 / nothing in this tile"},
                    "400": {"$ref": "#/components/responses/BadRequest"},
                    "404": {"$ref": "#/components/responses/NotFound"},
                },
            }
        }

    collection = {"type": "string", "enum": list(COLLECTIONS)}
    matrix_set = {"type": "string", "enum": list(MATRIX_SETS)}
    number = {"type": "integer", "minimum": 0}
    tiles = "/collections/{collectionId}/tiles"
    return {
        "/tileMatrixSets": get("瓦片矩阵集 / Tile matrix sets", JSON),
        "/tileMatrixSets/{tileMatrixSetId}": get(
            "瓦片矩阵集定义 / A tile matrix set", JSON, tileMatrixSetId=matrix_set
        ),
        tiles: get("瓦片集 / Tilesets", JSON, collectionId=collection),
        f"{tiles}/{{tileMatrixSetId}}": get(
            "瓦片集元数据 / Tileset metadata",
            JSON,
            collectionId=collection,
            tileMatrixSetId=matrix_set,
        ),
        f"{tiles}/{{tileMatrixSetId}}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}": get(
            "矢量瓦片 / A vector tile",
            MVT_MEDIA_TYPE,
            collectionId=collection,
            tileMatrixSetId=matrix_set,
            tileMatrix={"type": "string", "pattern": "^[0-9]+$"},
            tileRow=number,
            tileCol=number,
        ),
    }
