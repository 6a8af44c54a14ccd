"""The national loader (``app.py demo load --national``) on one prefecture of the real
division list, then the API on it: tiles, OGC API, search, nearest and coverage.

The figures expected are read from the same files the loader reads (``data/china/``).
"""

from __future__ import annotations

import csv
import gzip
import math
import subprocess
from collections.abc import Iterator

import httpx2 as httpx
import pytest
from sqlalchemy import create_engine, text

from data.national import CHINA
from db.provision import drop_database
from db.queries.users import create_token, create_user
from db.settings import PROJECT_ROOT, Settings
from tests.conftest import serving

pytestmark = pytest.mark.slow

PREFECTURE = "4312"


def _source_villages() -> list[tuple[str, str]]:
    """(code, name) of the prefecture's villages whose township and county are listed."""
    with open(CHINA / "china-counties.csv", encoding="utf-8") as handle:
        counties = {row[0] for row in csv.reader(handle) if row[0].startswith(PREFECTURE)}
    with gzip.open(CHINA / "china-townships.csv.gz", "rt", encoding="utf-8") as handle:
        townships = {row[0] for row in csv.reader(handle) if row[2] in counties}
    with gzip.open(CHINA / "china-villages.csv.gz", "rt", encoding="utf-8") as handle:
        return [(row[0], row[1]) for row in csv.reader(handle) if row[2] in townships]


@pytest.fixture(scope="module")
def national_url(settings: Settings) -> Iterator[str]:
    name = f"{settings.test_database_name}_national"
    run = subprocess.run(
        [
            str(PROJECT_ROOT / ".venv" / "bin" / "python"),
            "app.py",
            "demo",
            "load",
            "--national",
            "--database",
            name,
            "--prefix",
            PREFECTURE,
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    yield settings.url_for(name)
    drop_database(settings, name)


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_the_prefecture_is_loaded_as_listed_with_synthetic_positions(national_url: str) -> None:
    villages = _source_villages()
    engine = create_engine(national_url)
    with engine.connect() as conn:
        loaded: dict[str, str] = dict(
            conn.execute(text("SELECT code, name FROM admin_area WHERE level = 'village'")).all()
        )
        sources = conn.execute(
            text(
                "SELECT (SELECT array_agg(DISTINCT geometry_source) FROM admin_area),"
                " (SELECT array_agg(DISTINCT source) FROM place_name),"
                " (SELECT array_agg(DISTINCT source) FROM service),"
                " (SELECT count(*) FROM place_name WHERE category = 'settlement')"
            )
        ).one()
    engine.dispose()
    assert loaded == dict(villages)
    assert sources[:3] == (["synthetic"], ["synthetic"], ["synthetic"])
    assert sources[3] == len(villages)


def test_the_api_answers_on_the_national_data(national_url: str) -> None:
    engine = create_engine(national_url)
    with engine.connect() as conn:
        code, name, lon, lat = conn.execute(
            text(
                "SELECT a.code, p.standard_name, ST_X(a.rep_point), ST_Y(a.rep_point)"
                " FROM admin_area a JOIN place_name p ON p.area_code = a.code"
                " WHERE a.level = 'village' ORDER BY a.code LIMIT 1"
            )
        ).one()
        services = conn.execute(
            text("SELECT count(*) FROM service WHERE kind = 'elder_dining_table'")
        ).scalar_one()
    with engine.begin() as conn:
        planner = create_token(conn, create_user(conn, "national-planner", "planner"))
    engine.dispose()
    with serving(national_url, "--workers", "1") as base:

        def graphql(query: str) -> dict[str, object]:
            response = httpx.post(
                f"{base}/graphql",
                json={"query": query},
                headers={"Authorization": f"Bearer {planner}"},
                timeout=60,
            )
            body = response.json()
            assert "errors" not in body, body
            return dict(body["data"])

        found = graphql(f'{{ searchPlaceNames(query: "{name}", first: 5) {{ standardName }} }}')
        hits = found["searchPlaceNames"]
        assert name in [hit["standardName"] for hit in hits]  # type: ignore[attr-defined]

        nearest = graphql(
            f"{{ nearestServices(near: {{lon: {lon}, lat: {lat}}},"
            " kinds: [ELDER_DINING_TABLE], first: 5) { distanceMeters } }"
        )["nearestServices"]
        assert len(nearest) == min(5, services)  # type: ignore[arg-type]

        coverage = graphql(
            f'{{ coverage(areaCode: "{PREFECTURE}", kinds: [ELDER_DINING_TABLE],'
            " radiusMeters: 1000) { villages coveredVillages } }"
        )["coverage"]
        assert coverage["villages"] == len(_source_villages())  # type: ignore[index]

        x, y = _tile_of(lon, lat, 12)
        tile = httpx.get(f"{base}/tiles/villages/12/{x}/{y}.mvt", timeout=60)
        assert tile.status_code == 200 and len(tile.content) > 100

        items = httpx.get(
            f"{base}/ogc/collections/villages/items",
            params={"bbox": f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"},
            timeout=60,
        ).json()
        assert code in [str(f["id"]) for f in items["features"]]
