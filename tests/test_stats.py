"""The bureau's published figures, read back through the GraphQL endpoint."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from data.demo.published import PUBLISHED
from tests.conftest import graphql_data

CITY_STATS = """
{ cityStats {
    elderCareInstitutions beds nursingBeds nursingBedShare medicalElderCareInstitutions
    dementiaCareUnits townshipElderCenters communityElderFacilities elderDiningTables
    assistanceStations redPlaceNames heritagePlaceNames protectedPlaceNames
    namedVillageRoads largeVillagesWithNamedRoads
} }
"""


def test_city_stats_reproduce_the_published_figures(client: TestClient) -> None:
    stats = graphql_data(client, CITY_STATS)["cityStats"]
    assert stats["elderCareInstitutions"] == PUBLISHED.elder_care_institutions
    assert stats["beds"] == PUBLISHED.beds
    assert stats["nursingBeds"] == PUBLISHED.nursing_beds
    assert round(stats["nursingBedShare"] * 100, 1) == 82.1
    assert stats["medicalElderCareInstitutions"] == PUBLISHED.medical_elder_care_institutions
    assert stats["dementiaCareUnits"] == PUBLISHED.dementia_care_units
    assert stats["townshipElderCenters"] == PUBLISHED.township_elder_centers
    assert stats["communityElderFacilities"] == PUBLISHED.community_elder_facilities
    assert stats["elderDiningTables"] == PUBLISHED.elder_dining_tables
    assert stats["assistanceStations"] == PUBLISHED.assistance_stations
    assert stats["redPlaceNames"] == PUBLISHED.red_place_names
    assert stats["heritagePlaceNames"] == PUBLISHED.heritage_place_names
    assert stats["protectedPlaceNames"] == PUBLISHED.protected_place_names
    assert stats["namedVillageRoads"] >= PUBLISHED.min_named_village_roads
    assert stats["largeVillagesWithNamedRoads"] == 1.0


def test_city_stats_are_counted_not_stored(client: TestClient, connection: Connection) -> None:
    """Retiring a dining table and adding beds shows at once in the figures."""
    before = graphql_data(client, CITY_STATS)["cityStats"]
    connection.execute(
        text(
            "UPDATE service SET status = 'retired' "
            "WHERE id = (SELECT min(id) FROM service WHERE kind = 'elder_dining_table')"
        )
    )
    connection.execute(
        text(
            "UPDATE service SET beds = beds + 10 "
            "WHERE id = (SELECT min(id) FROM service WHERE kind = 'elder_care_institution')"
        )
    )
    after = graphql_data(client, CITY_STATS)["cityStats"]
    assert after["elderDiningTables"] == before["elderDiningTables"] - 1
    assert after["beds"] == before["beds"] + 10


def test_large_villages_share_drops_when_a_large_village_loses_its_roads(
    client: TestClient, connection: Connection
) -> None:
    large = connection.execute(
        text("SELECT count(*) FROM admin_area WHERE level = 'village' AND households >= 300")
    ).scalar_one()
    connection.execute(
        text(
            "UPDATE village_road SET status = 'retired' WHERE village_code = ("
            " SELECT min(code) FROM admin_area WHERE level = 'village' AND households >= 300)"
        )
    )
    stats = graphql_data(client, CITY_STATS)["cityStats"]
    assert stats["largeVillagesWithNamedRoads"] == pytest.approx((large - 1) / large)


def test_at_most_one_assistance_station_per_township(connection: Connection) -> None:
    most = connection.execute(
        text(
            """
        SELECT max(n) FROM (
            SELECT count(*) AS n FROM service s JOIN admin_area v ON v.code = s.area_code
            WHERE s.kind = 'assistance_station' GROUP BY v.parent_code
        ) per_township
        """
        )
    ).scalar_one()
    assert most == 1


def test_population_is_plausible_for_the_city(client: TestClient) -> None:
    city = graphql_data(client, '{ area(code: "3710") { population households elderly } }')["area"]
    assert 2_700_000 <= city["population"] <= 3_100_000
    assert 0.27 <= city["elderly"] / city["population"] <= 0.33
    assert 2.0 <= city["population"] / city["households"] <= 3.0


def test_towns_are_denser_than_remote_villages(connection: Connection) -> None:
    """Urban sub-districts (街道) hold more people per village than rural towns (镇)."""
    urban, rural = connection.execute(
        text(
            """
        SELECT avg(v.population) FILTER (WHERE t.name LIKE '%街道')::float,
               avg(v.population) FILTER (WHERE t.name LIKE '%镇')::float
        FROM admin_area v JOIN admin_area t ON t.code = v.parent_code
        WHERE v.level = 'village'
        """
        )
    ).one()
    assert urban > 1.5 * rural
