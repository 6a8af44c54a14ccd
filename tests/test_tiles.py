"""Vector tiles: what is in a tile is what lies in it, published only, with its attributes."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from typing import Any

import mapbox_vector_tile
import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from db.queries.layers import THIN_CELL, TILE_BUFFER, TILE_EXTENT


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = float(2**z)
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def tile_bounds(z: int, x: int, y: int, margin: float = 0.0) -> tuple[float, float, float, float]:
    """West, south, east, north of a tile widened by ``margin`` of its size (Web Mercator)."""
    n = float(2**z)

    def lon(col: float) -> float:
        return col / n * 360 - 180

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return lon(x - margin), lat(y + 1 + margin), lon(x + 1 + margin), lat(y - margin)


def _decode(client: TestClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    return dict(mapbox_vector_tile.decode(response.content))


def _busiest_service_tile(connection: Connection, z: int) -> tuple[int, int, int]:
    lon, lat = connection.execute(
        text(
            "SELECT ST_X(geom), ST_Y(geom) FROM service WHERE status = 'published'"
            " ORDER BY id LIMIT 1"
        )
    ).one()
    return tile_of(lon, lat, z)


@pytest.mark.parametrize("z", [12, 14])
def test_a_services_tile_holds_exactly_the_published_services_in_it(
    client: TestClient, connection: Connection, z: int
) -> None:
    z, x, y = _busiest_service_tile(connection, z)
    west, south, east, north = tile_bounds(z, x, y, TILE_BUFFER / TILE_EXTENT)
    expected = {
        row.id: row
        for row in connection.execute(
            text(
                "SELECT id, name, kind, beds, meal_capacity FROM service"
                " WHERE status = 'published'"
                " AND ST_Intersects(geom, ST_MakeEnvelope(:w, :s, :e, :n, 4326))"
            ),
            {"w": west, "s": south, "e": east, "n": north},
        )
    }
    assert expected
    features = _decode(client, f"/tiles/services/{z}/{x}/{y}.mvt")["services"]["features"]
    assert {f["id"] for f in features} == set(expected)
    for feature in features:
        row = expected[feature["id"]]
        assert feature["properties"]["name"] == row.name
        assert feature["properties"]["kind"] == row.kind
        assert feature["properties"].get("beds") == row.beds
        assert feature["properties"].get("meal_capacity") == row.meal_capacity


def test_records_in_review_stay_off_the_tiles(client: TestClient, connection: Connection) -> None:
    z, x, y = _busiest_service_tile(connection, 14)
    service_id = connection.execute(
        text("SELECT id FROM service WHERE status = 'published' ORDER BY id LIMIT 1")
    ).scalar_one()
    connection.execute(
        text("UPDATE service SET status = 'proposed' WHERE id = :id"), {"id": service_id}
    )
    layers = _decode(client, f"/tiles/services/{z}/{x}/{y}.mvt")
    ids = {f["id"] for f in layers.get("services", {"features": []})["features"]}
    assert service_id not in ids


def test_kind_picks_one_kind(client: TestClient, connection: Connection) -> None:
    z, x, y = _busiest_service_tile(connection, 10)
    features = _decode(client, f"/tiles/services/{z}/{x}/{y}.mvt?kind=elder_dining_table")[
        "services"
    ]["features"]
    assert features
    assert {f["properties"]["kind"] for f in features} == {"elder_dining_table"}


def test_area_tiles_hold_finer_levels_as_the_map_zooms_in(
    client: TestClient, connection: Connection
) -> None:
    lon, lat = connection.execute(
        text("SELECT ST_X(rep_point), ST_Y(rep_point) FROM admin_area WHERE code = '3710'")
    ).one()

    def levels(z: int, query: str = "") -> set[str]:
        z, x, y = tile_of(lon, lat, z)
        features = _decode(client, f"/tiles/areas/{z}/{x}/{y}.mvt{query}")["areas"]["features"]
        return {f["properties"]["level"] for f in features}

    assert levels(6) == {"city", "county"}
    assert levels(9) == {"city", "county", "township"}
    assert "village" in levels(12)
    assert levels(12, "?level=county") == {"county"}


def test_village_tiles_carry_the_figures_a_map_shades_by(
    client: TestClient, connection: Connection
) -> None:
    code, lon, lat, elderly, population = connection.execute(
        text(
            "SELECT code, ST_X(rep_point), ST_Y(rep_point), elderly, population FROM admin_area"
            " WHERE level = 'village' ORDER BY code LIMIT 1"
        )
    ).one()
    z, x, y = tile_of(lon, lat, 13)
    features = _decode(client, f"/tiles/villages/{z}/{x}/{y}.mvt")["villages"]["features"]
    (village,) = [f["properties"] for f in features if f["properties"]["code"] == code]
    assert village["elderly"] == elderly
    assert village["elderly_share"] == pytest.approx(elderly / population, abs=1e-4)


def test_etag_and_cache_control(client: TestClient, connection: Connection) -> None:
    z, x, y = _busiest_service_tile(connection, 13)
    url = f"/tiles/services/{z}/{x}/{y}.mvt"
    first = client.get(url)
    assert first.headers["cache-control"].startswith("public, max-age=")
    etag = first.headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    connection.execute(text("UPDATE service SET name = name || '（新）'"))
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_a_tile_where_nothing_is_is_answered_no_content(client: TestClient) -> None:
    response = client.get("/tiles/services/14/0/0.mvt")
    assert response.status_code == 204 and response.content == b""
    assert response.headers["etag"]


def test_the_world_tiles_hold_the_city(client: TestClient, connection: Connection) -> None:
    """At zoom 1 and 2 a tile's margin reaches past 180°: the city is found all the same."""
    published = connection.execute(
        text("SELECT count(*) FROM service WHERE status = 'published'")
    ).scalar_one()
    for z, x, y in ((0, 0, 0), (1, 1, 0), (2, 3, 1)):
        features = _decode(client, f"/tiles/services/{z}/{x}/{y}.mvt")["services"]["features"]
        assert 0 < len(features) <= published, (z, x, y)


def test_every_feature_has_a_numeric_id(client: TestClient, connection: Connection) -> None:
    z, x, y = _busiest_service_tile(connection, 12)
    areas = _decode(client, f"/tiles/areas/{z}/{x}/{y}.mvt?level=village")["areas"]["features"]
    assert areas
    for feature in areas:
        assert feature["id"] == int(feature["properties"]["code"])


@pytest.mark.parametrize("layer", ["place-names", "services"])
def test_a_whole_city_tile_is_thinned_not_overfull(
    client: TestClient, connection: Connection, layer: str
) -> None:
    """At zoom 8 the city is one or two tiles: a point per cell is kept, the first by rank
    (areas' names before settlements', institutions before dining tables)."""
    z, x, y = _busiest_service_tile(connection, 8)
    response = client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
    assert len(response.content) <= 100 * 1024
    features = dict(mapbox_vector_tile.decode(response.content))[layer]["features"]
    assert 0 < len(features) <= (TILE_EXTENT // THIN_CELL) ** 2
    kept = {f["id"] for f in features}
    if layer == "services":
        institutions = set(
            connection.execute(
                text(
                    "SELECT id FROM service WHERE status = 'published'"
                    " AND kind = 'elder_care_institution'"
                )
            ).scalars()
        )
        dining = {f["id"] for f in features if f["properties"]["kind"] == "elder_dining_table"}
        assert len(institutions & kept) > len(dining)


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/tiles/parks/10/1/1.mvt", 404, "no layer 'parks'"),
        ("/tiles/services/23/1/1.mvt", 400, "z: zoom goes from 0 to 22"),
        ("/tiles/services/2/4/1.mvt", 400, "x: at zoom 2 it goes from 0 to 3"),
        ("/tiles/services/2/1/9.mvt", 400, "y: at zoom 2"),
        ("/tiles/services/a/1/1.mvt", 400, "z: 'a' is not a whole number"),
        ("/tiles/services/1/-1/1.mvt", 400, "x: '-1' is not a whole number"),
        ("/tiles/services/10/1/1.mvt?kind=zoo", 400, "kind: zoo is not one of"),
        ("/tiles/areas/10/1/1.mvt?level=street", 400, "level: street is not one of"),
        ("/tiles/parks.json", 404, "no layer 'parks'"),
    ],
)
def test_bad_tile_requests_are_told_what_is_wrong(
    client: TestClient, url: str, status: int, message: str
) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert message in response.json()["description"]


def test_tilejson_describes_the_layer(client: TestClient, connection: Connection) -> None:
    doc = client.get("/tiles/services.json?kind=elder_dining_table").json()
    assert doc["tilejson"] == "3.0.0"
    assert doc["tiles"] == [
        "http://testserver/tiles/services/{z}/{x}/{y}.mvt?kind=elder_dining_table"
    ]
    extent = connection.execute(
        text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM"
            " (SELECT ST_Extent(geom) AS e FROM service WHERE status = 'published') x"
        )
    ).one()
    assert doc["bounds"] == pytest.approx(list(extent))
    (layer,) = doc["vector_layers"]
    assert layer["id"] == "services"
    assert {"name", "kind", "beds", "meal_capacity"} <= set(layer["fields"])


def test_the_tile_index_lists_every_layer(client: TestClient) -> None:
    from db.queries.layers import LAYERS

    listed = client.get("/tiles").json()["layers"]
    assert [layer["name"] for layer in listed] == list(LAYERS)
    for layer in listed:
        assert client.get(layer["tilejson"].replace("http://testserver", "")).status_code == 200


@pytest.mark.parametrize("column", ["%C2%B2", "%D9%A1", "%EF%BC%91", "1e1", "-1"])
def test_tile_numbers_are_ascii_digits_only(client: TestClient, column: str) -> None:
    """A superscript two failed the server once; Arabic-Indic or full-width digits were a
    second address of the same tile.  Each is now a 400 naming the coordinate."""
    response = client.get(f"/tiles/services/5/{column}/0.mvt")
    assert response.status_code == 400
    assert response.json()["field"] == "x"


@pytest.mark.slow
def test_gdal_reads_a_tile_with_its_numeric_ids(
    client: TestClient, connection: Connection, tmp_path: Any
) -> None:
    """GDAL's MVT driver (Debian's ogrinfo) reads a tile as the server wrote it: every
    feature, each with its record's id as the tile's feature id."""
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        pytest.skip("ogrinfo not installed (Debian package gdal-bin; script/test installs it)")
    z, x, y = _busiest_service_tile(connection, 13)
    response = client.get(f"/tiles/services/{z}/{x}/{y}.mvt")
    expected = {
        f["id"] for f in mapbox_vector_tile.decode(response.content)["services"]["features"]
    }
    path = tmp_path / "tile.mvt"
    path.write_bytes(response.content)
    listing = subprocess.run(
        [
            ogrinfo,
            "-ro",
            "-al",
            "-oo",
            f"Z={z}",
            "-oo",
            f"X={x}",
            "-oo",
            f"Y={y}",
            "-oo",
            "CLIP=NO",
            f"MVT:{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # GDAL numbers features itself and keeps the tile's feature id as the field mvt_id.
    ids = {int(m) for m in re.findall(r"^\s*mvt_id \(Integer64\) = (\d+)$", listing, re.M)}
    assert ids == expected and expected
    assert listing.count("OGRFeature(services):") == len(expected)
