"""OGC API - Features at /ogc: the documents clients walk, items with filters, sorting,
coordinate systems and paging, HTML for browsers, and the clients themselves: GDAL's OAPIF
driver (what QGIS uses) exporting every collection, and OWSLib reading the definition,
the queryables and CQL2 filters, from a running server."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from pyproj import Transformer
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from db.queries.features import COLLECTIONS

ITEMS = "/ogc/collections/{}/items"


def _published(connection: Connection, sql: str, **params: Any) -> list[Any]:
    return list(connection.execute(text(sql), params).scalars())


def _all_pages(client: TestClient, url: str) -> tuple[list[dict[str, Any]], int]:
    features: list[dict[str, Any]] = []
    matched = -1
    next_url: str | None = url
    while next_url:
        page = client.get(next_url)
        assert page.status_code == 200, page.text
        body = page.json()
        matched = body["numberMatched"]
        assert body["numberReturned"] == len(body["features"])
        features += body["features"]
        next_url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    return features, matched


def test_landing_page_links_the_definition_conformance_and_data(client: TestClient) -> None:
    landing = client.get("/ogc").json()
    rels = {link["rel"]: link for link in landing["links"]}
    assert rels["conformance"]["href"] == "http://testserver/ogc/conformance"
    assert rels["data"]["href"] == "http://testserver/ogc/collections"
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert client.get(rels["service-doc"]["href"]).headers["content-type"].startswith("text/html")
    conforms = client.get("/ogc/conformance").json()["conformsTo"]
    for part in (
        "features-1/1.0/conf/core",
        "features-1/1.0/conf/oas30",
        "features-2/1.0/conf/crs",
        "features-3/1.0/conf/filter",
        "cql2/1.0/conf/basic-cql2",
    ):
        assert any(uri.endswith(part) for uri in conforms), part


def test_the_openapi_definition_declares_every_path_and_the_limits(client: TestClient) -> None:
    response = client.get("/ogc/api")
    assert response.headers["content-type"] == "application/vnd.oai.openapi+json;version=3.0"
    api = response.json()
    assert api["openapi"].startswith("3.0")
    for name in COLLECTIONS:
        items = api["paths"][f"/collections/{name}/items"]["get"]
        names = {p.get("name") or p["$ref"].rsplit("/", 1)[1] for p in items["parameters"]}
        assert {"limit", "bbox", "crs", "filter", "sortby", "properties"} <= names
        assert f"/collections/{name}/queryables" in api["paths"]
    limit = api["components"]["parameters"]["limit"]["schema"]
    assert (limit["default"], limit["maximum"]) == (100, 10_000)
    # Every collection path exists where the definition says.
    for path in api["paths"]:
        if "{" not in path:
            assert client.get(f"/ogc{path}".rstrip("/")).status_code == 200, path


def test_collections_have_one_geometry_type_each(
    client: TestClient, connection: Connection
) -> None:
    listed = client.get("/ogc/collections").json()["collections"]
    assert [c["id"] for c in listed] == list(COLLECTIONS)
    total = 0
    for name in ("place-names-points", "place-names-lines", "place-names-polygons"):
        features, matched = _all_pages(client, f"{ITEMS.format(name)}?limit=10000")
        assert matched == len(features)
        total += matched
        types = {f["geometry"]["type"] for f in features}
        assert types <= {COLLECTIONS[name].geometry_type}, (name, types)
    assert (
        total
        == connection.execute(
            text("SELECT count(*) FROM place_name WHERE status = 'published'")
        ).scalar_one()
    )


def test_collection_extent_and_links(client: TestClient, connection: Connection) -> None:
    villages = client.get("/ogc/collections/villages").json()
    extent = connection.execute(
        text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM"
            " (SELECT ST_Extent(geom) AS e FROM admin_area WHERE level = 'village') x"
        )
    ).one()
    assert villages["extent"]["spatial"]["bbox"] == [pytest.approx(list(extent))]
    rels = {link["rel"] for link in villages["links"]}
    assert {"items", "describedBy", "http://www.opengis.net/def/rel/ogc/1.0/queryables"} <= rels


def test_items_page_through_with_bbox(client: TestClient, connection: Connection) -> None:
    box = (122.0, 37.4, 122.2, 37.6)
    expected = _published(
        connection,
        "SELECT id FROM service WHERE status = 'published'"
        " AND geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326) ORDER BY id",
        **dict(zip("wsen", box, strict=True)),
    )
    assert len(expected) > 10
    response = client.get(f"{ITEMS.format('services')}?limit=10&bbox={','.join(map(str, box))}")
    assert response.headers["content-type"] == "application/geo+json"
    assert response.headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    features, matched = _all_pages(
        client, f"{ITEMS.format('services')}?limit=10&bbox={','.join(map(str, box))}"
    )
    assert matched == len(expected)
    assert [f["id"] for f in features] == expected


def test_areas_deep_pages_carry_the_village_sums(
    client: TestClient, connection: Connection
) -> None:
    code, households = connection.execute(
        text(
            "SELECT a.code, (SELECT sum(v.households) FROM admin_area v WHERE v.level = 'village'"
            " AND v.code LIKE a.code || '%') FROM admin_area a WHERE a.level = 'township'"
            " ORDER BY a.code DESC LIMIT 1"
        )
    ).one()
    position = connection.execute(
        text("SELECT count(*) FROM admin_area WHERE code < :code"), {"code": code}
    ).scalar_one()
    page = client.get(f"{ITEMS.format('areas')}?limit=1&offset={position}").json()
    assert page["features"][0]["id"] == code
    assert page["features"][0]["properties"]["households"] == households


@pytest.mark.parametrize(
    ("cql", "sql"),
    [
        (
            "kind = 'elder_dining_table' AND meal_capacity > 40",
            "kind = 'elder_dining_table' AND meal_capacity > 40",
        ),
        (
            "beds BETWEEN 50 AND 100 OR nursing_beds >= 80",
            "beds BETWEEN 50 AND 100 OR nursing_beds >= 80",
        ),
        (
            "name LIKE '%敬老院%' AND NOT kind IN ('assistance_station')",
            "name LIKE '%敬老院%' AND NOT kind IN ('assistance_station')",
        ),
        (
            "meal_capacity IS NULL AND beds IS NOT NULL",
            "meal_capacity IS NULL AND beds IS NOT NULL",
        ),
        ("beds > nursing_beds", "beds > nursing_beds"),
    ],
)
def test_cql2_filters_select_what_sql_selects(
    client: TestClient, connection: Connection, cql: str, sql: str
) -> None:
    expected = _published(
        connection, f"SELECT id FROM service WHERE status = 'published' AND ({sql}) ORDER BY id"
    )
    assert expected, "the demo data hold services of this filter"
    features, matched = _all_pages(
        client, f"{ITEMS.format('services')}?limit=1000&filter-lang=cql2-text&filter={cql}"
    )
    assert matched == len(expected)
    assert [f["id"] for f in features] == expected


def test_sortby_and_properties(client: TestClient, connection: Connection) -> None:
    expected = _published(
        connection,
        "SELECT code FROM admin_area WHERE level = 'village'"
        " ORDER BY population DESC, code LIMIT 20",
    )
    page = client.get(
        f"{ITEMS.format('villages')}?limit=20&sortby=-population&properties=name,population"
    ).json()
    assert [f["id"] for f in page["features"]] == expected
    assert all(set(f["properties"]) == {"name", "population"} for f in page["features"])
    by_name = _published(
        connection,
        "SELECT code FROM admin_area WHERE level = 'village' ORDER BY name, code LIMIT 5",
    )
    ascending = client.get(f"{ITEMS.format('villages')}?limit=5&sortby=%2Bname,id").json()
    assert [f["id"] for f in ascending["features"]] == by_name


def test_output_and_bbox_coordinate_systems(client: TestClient, connection: Connection) -> None:
    service_id, lon, lat = connection.execute(
        text(
            "SELECT id, ST_X(geom), ST_Y(geom) FROM service WHERE status = 'published'"
            " ORDER BY id LIMIT 1"
        )
    ).one()
    url = f"{ITEMS.format('services')}/{service_id}"
    assert client.get(url).json()["geometry"]["coordinates"] == pytest.approx([lon, lat])
    for crs in ("EPSG:4326", "http://www.opengis.net/def/crs/EPSG/0/4490"):
        flipped = client.get(f"{url}?crs={crs}")
        assert flipped.json()["geometry"]["coordinates"] == pytest.approx([lat, lon])
        assert flipped.headers["content-crs"].endswith(f"{crs[-4:]}>")
    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(lon, lat)
    mercator = client.get(f"{url}?crs=http://www.opengis.net/def/crs/EPSG/0/3857").json()
    assert mercator["geometry"]["coordinates"] == pytest.approx([x, y], abs=0.01)
    # The same box given three ways selects the same services.
    box = (lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05)
    (x1, y1), (x2, y2) = (
        Transformer.from_crs(4326, 3857, always_xy=True).transform(*corner)
        for corner in (box[:2], box[2:])
    )
    ways = [
        f"bbox={','.join(map(str, box))}",
        f"bbox={box[1]},{box[0]},{box[3]},{box[2]}&bbox-crs=EPSG:4326",
        f"bbox={x1},{y1},{x2},{y2}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3857",
    ]
    found = [
        {
            f["id"]
            for f in client.get(f"{ITEMS.format('services')}?limit=1000&{w}").json()["features"]
        }
        for w in ways
    ]
    assert service_id in found[0]
    assert found[0] == found[1]
    # Web Mercator's box is the same box up to the curvature of its edges.
    assert len(found[0] ^ found[2]) <= 1


def test_html_for_browsers(client: TestClient, connection: Connection) -> None:
    name = connection.execute(
        text("SELECT name FROM service WHERE status = 'published' ORDER BY id LIMIT 1")
    ).scalar_one()
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    for path in ("/ogc", "/ogc/collections", "/ogc/collections/services", "/ogc/conformance"):
        page = client.get(path, headers=browser)
        assert page.headers["content-type"] == "text/html; charset=utf-8", path
        assert "<h1>" in page.text
    items = client.get(f"{ITEMS.format('services')}?limit=5&f=html")
    assert name in items.text
    assert "下一页 next" in items.text
    assert client.get(ITEMS.format("services")).headers["content-type"] == "application/geo+json"


def test_queryables_and_schema_type_every_property(client: TestClient) -> None:
    queryables = client.get("/ogc/collections/services/queryables")
    assert queryables.headers["content-type"] == "application/schema+json"
    properties = queryables.json()["properties"]
    assert properties["meal_capacity"]["type"] == "integer"
    assert properties["kind"]["enum"][0] == "elder_care_institution"
    schema = client.get("/ogc/collections/villages/schema").json()
    figures = schema["properties"]["properties"]["properties"]
    assert figures["elderly_share"]["type"] == "number"
    assert figures["population"]["type"] == "integer"


def test_etag_and_gzip(client: TestClient) -> None:
    url = f"{ITEMS.format('villages')}?limit=500"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip"
    assert int(first.headers["content-length"]) < len(first.content) / 3
    # The page's timeStamp changes every second; the page does not: a weak ETag.
    assert first.headers["etag"].startswith('W/"')
    time.sleep(1.1)
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("url", "status", "name"),
    [
        ("/ogc/collections/parks", 404, "collection"),
        ("/ogc/collections/place-names", 404, "collection"),
        (f"{ITEMS.format('services')}?limit=0", 400, "limit"),
        (f"{ITEMS.format('services')}?limit=10001", 400, "limit"),
        (f"{ITEMS.format('services')}?offset=-1", 400, "offset"),
        (f"{ITEMS.format('services')}?bbox=1,2,3", 400, "bbox"),
        (f"{ITEMS.format('services')}?bbox=a,b,c,d", 400, "bbox"),
        (f"{ITEMS.format('services')}?bbox=0,0,200,10", 400, "bbox"),
        (f"{ITEMS.format('services')}?bbox=10,10,0,0", 400, "bbox"),
        (f"{ITEMS.format('services')}?bbox-crs=EPSG:3857&bbox=0,0,1,1e9", 400, "bbox"),
        (f"{ITEMS.format('services')}?bbox-crs=EPSG:2000&bbox=0,0,1,1", 400, "bbox-crs"),
        (f"{ITEMS.format('services')}?bbox-crs=EPSG:4326", 400, "bbox-crs"),
        (f"{ITEMS.format('services')}?crs=EPSG:4549", 400, "crs"),
        (f"{ITEMS.format('services')}?colour=red", 400, "colour"),
        (f"{ITEMS.format('services')}?datetime=garbage", 400, "datetime"),
        (f"{ITEMS.format('services')}?datetime=2026-02-30", 400, "datetime"),
        (f"{ITEMS.format('services')}?datetime=../..", 400, "datetime"),
        (f"{ITEMS.format('services')}?filter=colour='red'", 400, "filter"),
        (f"{ITEMS.format('services')}?filter=beds='many'", 400, "filter"),
        (f"{ITEMS.format('services')}?filter=name BETWEEN 'a' AND 'b'", 400, "filter"),
        (f"{ITEMS.format('services')}?filter=beds LIKE '1%'", 400, "filter"),
        (f"{ITEMS.format('services')}?filter=beds = 1&filter-lang=cql2-json", 400, "filter-lang"),
        (f"{ITEMS.format('services')}?sortby=-colour", 400, "sortby"),
        (f"{ITEMS.format('services')}?properties=name,colour", 400, "properties"),
        (f"{ITEMS.format('services')}/1?limit=3", 400, "limit"),
    ],
)
def test_bad_item_requests_say_which_parameter(
    client: TestClient, url: str, status: int, name: str
) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text
    assert response.json()["field"] == name


def test_a_well_formed_datetime_selects_everything(client: TestClient) -> None:
    everything = client.get(f"{ITEMS.format('roads')}?limit=1").json()["numberMatched"]
    for value in ("2026-11-30", "2026-11-30T08:00:00Z/..", "../2026-01-01"):
        page = client.get(f"{ITEMS.format('roads')}?limit=1&datetime={value}").json()
        assert page["numberMatched"] == everything


def test_one_item(client: TestClient, connection: Connection) -> None:
    code, name = connection.execute(
        text("SELECT code, name FROM admin_area WHERE level = 'village' ORDER BY code LIMIT 1")
    ).one()
    item = client.get(f"/ogc/collections/villages/items/{code}").json()
    assert item["properties"]["name"] == name
    assert item["geometry"]["type"] == "MultiPolygon"
    assert client.get("/ogc/collections/villages/items/000").status_code == 404
    line = connection.execute(
        text(
            "SELECT id FROM place_name WHERE status = 'published'"
            " AND ST_Dimension(geom) = 1 ORDER BY id LIMIT 1"
        )
    ).scalar_one()
    assert client.get(f"/ogc/collections/place-names-points/items/{line}").status_code == 404
    found = client.get(f"/ogc/collections/place-names-lines/items/{line}").json()
    assert found["geometry"]["type"] == "MultiLineString"


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
def test_item_parameters_are_ascii_and_formats_known(
    client: TestClient, query: str, field: str
) -> None:
    response = client.get(f"{ITEMS.format('services')}?{query}")
    assert response.status_code == 400
    assert response.json()["field"] == field


@pytest.mark.parametrize("path", ["/ogc", "/ogc/collections", "/ogc/conformance"])
def test_every_document_refuses_a_format_it_does_not_answer_in(
    client: TestClient, path: str
) -> None:
    assert client.get(f"{path}?f=xml").status_code == 400
    assert client.get(f"{path}?f=json").status_code == 200
    assert client.get(f"{path}?f=html").status_code == 200


# --- the clients, against a running server -------------------------------------------------


@pytest.fixture(scope="module")
def ogc_server(reading_server: str) -> str:
    return f"{reading_server}/ogc"


def _published_count(connection: Connection, name: str) -> int:
    collection = COLLECTIONS[name]
    return int(
        connection.execute(
            text(f"SELECT count(*) FROM ({collection.layer.rows}) l WHERE {collection.only}")
        ).scalar_one()
    )


@pytest.mark.slow
def test_gdal_exports_every_collection_with_default_options(
    ogc_server: str, connection: Connection, tmp_path: Path
) -> None:
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        pytest.skip("GDAL not installed (Debian package gdal-bin; script/test installs it)")
    seconds: dict[str, float] = {}
    for name in COLLECTIONS:
        out = tmp_path / f"{name}.gpkg"
        started = time.monotonic()
        run = subprocess.run(
            [ogr2ogr, "-f", "GPKG", str(out), f"OAPIF:{ogc_server}", name],
            capture_output=True,
            text=True,
            timeout=300,
        )
        seconds[name] = time.monotonic() - started
        assert run.returncode == 0, run.stderr
        info = pyogrio.read_info(out, layer=name)
        assert info["features"] == _published_count(connection, name), name
        fields = dict(zip(info["fields"], info["dtypes"], strict=True))
        if name == "services":
            assert fields["meal_capacity"] == "int32"  # typed by the schema, not by a page
        if info["features"]:
            assert info["geometry_type"] == COLLECTIONS[name].geometry_type, name
    print("ogr2ogr seconds:", {k: round(v, 1) for k, v in seconds.items()})
    # Lines go to a Shapefile too (one geometry type per collection).
    shapefile = tmp_path / "lines.shp"
    run = subprocess.run(
        [ogr2ogr, str(shapefile), f"OAPIF:{ogc_server}", "place-names-lines"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr


@pytest.mark.slow
def test_owslib_reads_the_definition_queryables_and_filters(
    ogc_server: str, connection: Connection
) -> None:
    from owslib.ogcapi.features import Features

    api = Features(ogc_server)
    assert "/collections/services/items" in api.api()["paths"]
    assert api.feature_collections() == list(COLLECTIONS)
    assert "meal_capacity" in api.collection_queryables("services")["properties"]
    expected = _published(
        connection,
        "SELECT id FROM service WHERE status = 'published' AND kind = 'elder_dining_table'"
        " AND meal_capacity >= 60 ORDER BY meal_capacity DESC, id",
    )
    found = api.collection_items(
        "services",
        limit=1000,
        filter="kind = 'elder_dining_table' AND meal_capacity >= 60",
        sortby=("meal_capacity", "desc"),
    )
    assert found["numberMatched"] == len(expected)
    assert [f["id"] for f in found["features"]] == expected
