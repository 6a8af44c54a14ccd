"""OGC API - Features at /ogc: the documents clients walk, items with bbox and paging, and
GDAL's own OAPIF driver (what QGIS uses) reading every layer from a running server."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from db.queries.layers import LAYERS


def test_landing_page_and_conformance(client: TestClient) -> None:
    landing = client.get("/ogc").json()
    rels = {link["rel"]: link["href"] for link in landing["links"]}
    assert rels["conformance"] == "http://testserver/ogc/conformance"
    assert rels["data"] == "http://testserver/ogc/collections"
    conforms = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conforms
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conforms


def test_collections_are_the_map_layers(client: TestClient, connection: Connection) -> None:
    listed = client.get("/ogc/collections").json()["collections"]
    assert [c["id"] for c in listed] == list(LAYERS)
    villages = client.get("/ogc/collections/villages").json()
    extent = connection.execute(
        text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM"
            " (SELECT ST_Extent(geom) AS e FROM admin_area WHERE level = 'village') x"
        )
    ).one()
    assert villages["extent"]["spatial"]["bbox"] == [pytest.approx(list(extent))]
    assert any(link["rel"] == "items" for link in villages["links"])


def test_items_page_through_with_bbox(client: TestClient, connection: Connection) -> None:
    box = (122.0, 37.4, 122.2, 37.6)
    expected = (
        connection.execute(
            text(
                "SELECT id FROM service WHERE status = 'published'"
                " AND geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326) ORDER BY id"
            ),
            dict(zip("wsen", box, strict=True)),
        )
        .scalars()
        .all()
    )
    assert len(expected) > 10
    seen: list[int] = []
    url: str | None = f"/ogc/collections/services/items?limit=10&bbox={','.join(map(str, box))}"
    while url:
        response = client.get(url)
        assert response.headers["content-type"] == "application/geo+json"
        page = response.json()
        assert page["numberMatched"] == len(expected)
        assert page["numberReturned"] == len(page["features"]) <= 10
        seen += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert seen == list(expected)


def test_one_item(client: TestClient, connection: Connection) -> None:
    code, name = connection.execute(
        text("SELECT code, name FROM admin_area WHERE level = 'village' ORDER BY code LIMIT 1")
    ).one()
    item = client.get(f"/ogc/collections/villages/items/{code}").json()
    assert item["properties"]["name"] == name
    assert item["geometry"]["type"] == "MultiPolygon"
    missing = client.get("/ogc/collections/villages/items/000")
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("url", "status", "name"),
    [
        ("/ogc/collections/parks", 404, "layer"),
        ("/ogc/collections/services/items?limit=0", 400, "limit"),
        ("/ogc/collections/services/items?limit=10001", 400, "limit"),
        ("/ogc/collections/services/items?offset=-1", 400, "offset"),
        ("/ogc/collections/services/items?bbox=1,2,3", 400, "bbox"),
        ("/ogc/collections/services/items?bbox=a,b,c,d", 400, "bbox"),
        ("/ogc/collections/services/items?bbox=0,0,200,10", 400, "bbox"),
        ("/ogc/collections/services/items?bbox=10,10,0,0", 400, "bbox"),
        ("/ogc/collections/services/items?bbox-crs=EPSG:3857&bbox=0,0,1,1", 400, "bbox-crs"),
        ("/ogc/collections/services/items?colour=red", 400, "colour"),
    ],
)
def test_bad_item_requests_say_which_parameter(
    client: TestClient, url: str, status: int, name: str
) -> None:
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert body["description"].startswith(name)


@pytest.mark.slow
def test_gdal_reads_every_layer(running_server: str, connection: Connection) -> None:
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        pytest.skip("ogrinfo not installed (Debian package gdal-bin; script/test installs it)")
    source = f"OAPIF:{running_server}/ogc"
    listing = subprocess.run(
        [ogrinfo, "-ro", "-so", source], capture_output=True, text=True, timeout=120
    )
    assert listing.returncode == 0, listing.stderr
    for name in LAYERS:
        assert f": {name} (" in listing.stdout
    lon, lat = connection.execute(
        text("SELECT ST_X(rep_point), ST_Y(rep_point) FROM admin_area WHERE code = '3710'")
    ).one()
    for name in LAYERS:
        read = subprocess.run(
            [
                ogrinfo,
                "-ro",
                "-q",
                source,
                name,
                "-spat",
                str(lon - 0.3),
                str(lat - 0.3),
                str(lon + 0.3),
                str(lat + 0.3),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert read.returncode == 0, read.stderr
        assert f"OGRFeature({name}):" in read.stdout, (name, read.stdout[:500], read.stderr)
        assert "name (String) = " in read.stdout


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=%C2%B2", "limit"),
        ("limit=%D9%A1%D9%A0", "limit"),
        ("offset=%EF%BC%95", "offset"),
        ("bbox=%D9%A1,37,122,38", "bbox"),
        ("f=xml", "f"),
    ],
)
def test_item_parameters_are_ascii_and_formats_json(
    client: TestClient, query: str, field: str
) -> None:
    response = client.get(f"/ogc/collections/services/items?{query}")
    assert response.status_code == 400
    assert response.json()["field"] == field


@pytest.mark.parametrize("path", ["/ogc", "/ogc/collections", "/ogc/conformance"])
def test_every_document_refuses_a_format_it_does_not_answer_in(
    client: TestClient, path: str
) -> None:
    assert client.get(f"{path}?f=xml").status_code == 400
    assert client.get(f"{path}?f=json").status_code == 200
