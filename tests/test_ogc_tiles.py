"""OGC API - Tiles at /ogc: tile matrix sets, tileset metadata, a collection's tiles in
both matrix sets, and GDAL's OGCAPI driver finding and reading them from a running server."""

from __future__ import annotations

from typing import Any

import mapbox_vector_tile
import pyogrio
import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from db.queries.features import COLLECTIONS
from endpoints.ogc_tiles import MATRIX_SETS
from tests.test_tiles import _busiest_service_tile

TILESETS_REL = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"


def _links(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {link["rel"]: link for link in doc["links"]}


def test_every_collection_links_its_tilesets(client: TestClient) -> None:
    conforms = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt" in conforms
    for name in COLLECTIONS:
        collection = client.get(f"/ogc/collections/{name}").json()
        tilesets = client.get(_links(collection)[TILESETS_REL]["href"]).json()["tilesets"]
        assert {t["tileMatrixSetURI"].rsplit("/", 1)[1] for t in tilesets} == set(MATRIX_SETS)
        assert all(t["dataType"] == "vector" for t in tilesets)


def test_tile_matrix_sets_describe_their_grids(client: TestClient) -> None:
    listed = client.get("/ogc/tileMatrixSets").json()["tileMatrixSets"]
    assert [m["id"] for m in listed] == list(MATRIX_SETS)
    mercator = client.get("/ogc/tileMatrixSets/WebMercatorQuad").json()
    zero, twelve = mercator["tileMatrices"][0], mercator["tileMatrices"][12]
    assert (zero["matrixWidth"], twelve["matrixWidth"]) == (1, 4096)
    assert zero["cellSize"] == pytest.approx(156543.03392804097)
    degrees = client.get("/ogc/tileMatrixSets/WorldCRS84Quad").json()
    assert (
        degrees["tileMatrices"][0]["matrixWidth"],
        degrees["tileMatrices"][0]["matrixHeight"],
    ) == (
        2,
        1,
    )
    assert client.get("/ogc/tileMatrixSets/Unknown").status_code == 404


def test_tileset_limits_hold_the_collection(client: TestClient, connection: Connection) -> None:
    tileset = client.get("/ogc/collections/services/tiles/WebMercatorQuad").json()
    links = _links(tileset)
    assert links["item"]["href"].endswith("/{tileMatrix}/{tileRow}/{tileCol}")
    assert links["item"]["type"] == "application/vnd.mapbox-vector-tile"
    _, x, y = _busiest_service_tile(connection, 12)
    limit = next(lim for lim in tileset["tileMatrixSetLimits"] if lim["tileMatrix"] == "12")
    assert limit["minTileCol"] <= x <= limit["maxTileCol"]
    assert limit["minTileRow"] <= y <= limit["maxTileRow"]
    assert tileset["layers"][0]["propertiesSchema"]["properties"]["beds"]["type"] == "integer"


def test_a_collection_tile_is_the_map_tile(client: TestClient, connection: Connection) -> None:
    z, x, y = _busiest_service_tile(connection, 13)
    ogc = client.get(f"/ogc/collections/services/tiles/WebMercatorQuad/{z}/{y}/{x}")
    assert ogc.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert ogc.content == client.get(f"/tiles/services/{z}/{x}/{y}.mvt").content


def test_place_name_collections_tile_their_own_geometries(
    client: TestClient, connection: Connection
) -> None:
    z, x, y = _busiest_service_tile(connection, 13)
    for name, kind in (("place-names-points", 1), ("place-names-lines", 2)):
        response = client.get(f"/ogc/collections/{name}/tiles/WebMercatorQuad/{z}/{y}/{x}")
        features = mapbox_vector_tile.decode(response.content)[name]["features"]
        assert features
        assert {f["geometry"]["type"] for f in features} <= (
            {"Point"} if kind == 1 else {"LineString", "MultiLineString"}
        )


def test_world_crs84_quad_tiles_hold_what_lies_in_them(
    client: TestClient, connection: Connection
) -> None:
    lon, lat = connection.execute(
        text(
            "SELECT ST_X(geom), ST_Y(geom) FROM service WHERE status = 'published'"
            " ORDER BY id LIMIT 1"
        )
    ).one()
    z = 12
    size = 180 / 2**z
    x, y = int((lon + 180) / size), int((90 - lat) / size)
    west, north = -180 + x * size, 90 - y * size
    expected = set(
        connection.execute(
            text(
                "SELECT id FROM service WHERE status = 'published'"
                " AND ST_Intersects(geom, ST_MakeEnvelope(:w, :s, :e, :n, 4326))"
            ),
            {"w": west, "s": north - size, "e": west + size, "n": north},
        ).scalars()
    )
    response = client.get(f"/ogc/collections/services/tiles/WorldCRS84Quad/{z}/{y}/{x}")
    features = mapbox_vector_tile.decode(response.content)["services"]["features"]
    inside = {
        f["id"]
        for f in features
        if 0 <= f["geometry"]["coordinates"][0] <= 4096
        and 0 <= f["geometry"]["coordinates"][1] <= 4096
    }
    assert expected and inside == expected


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/ogc/collections/services/tiles/WebMercatorQuad/14/0/0", 204, None),
        ("/ogc/collections/services/tiles/Unknown/1/0/0", 404, "tileMatrixSet"),
        ("/ogc/collections/parks/tiles/WebMercatorQuad/1/0/0", 404, "collection"),
        ("/ogc/collections/services/tiles/WebMercatorQuad/2/4/0", 400, "tileRow"),
        ("/ogc/collections/services/tiles/WebMercatorQuad/2/0/4", 400, "tileCol"),
        ("/ogc/collections/services/tiles/WorldCRS84Quad/2/0/7", 204, None),
        ("/ogc/collections/services/tiles/WorldCRS84Quad/2/0/8", 400, "tileCol"),
        ("/ogc/collections/services/tiles/WebMercatorQuad/x/0/0", 400, "tileMatrix"),
    ],
)
def test_tile_addresses_are_checked(
    client: TestClient, url: str, status: int, field: str | None
) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text
    if field:
        assert response.json()["field"] == field


@pytest.mark.slow
def test_gdal_ogcapi_driver_reads_the_tiles(reading_server: str, connection: Connection) -> None:
    """GDAL's OGCAPI driver as QGIS uses it, with its default options (GDAL from pyogrio's
    wheel: Debian 12's GDAL 3.6 is built without the driver's vector-tile code)."""
    url = f"OGCAPI:{reading_server}/ogc/collections/services"
    zooms = [name for name, _ in pyogrio.list_layers(url)]
    assert "Zoom level 12" in zooms
    published = connection.execute(
        text("SELECT count(*) FROM service WHERE status = 'published'")
    ).scalar_one()
    meta, _, geometries, fields = pyogrio.raw.read(url, layer="Zoom level 12", return_fids=True)
    assert "meal_capacity" in list(meta["fields"])
    # Every published service once (features in two tiles' margins are one feature).
    assert len(set(fields[0])) == published
    assert len(geometries) == published
