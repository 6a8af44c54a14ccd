"""City-wide figures, counted over the published records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from db.statements import Statement

LARGE_VILLAGE_HOUSEHOLDS = 300

_CITY_STATS = text(
    """
    WITH services AS (
        SELECT
            count(*) FILTER (WHERE kind = 'elder_care_institution') AS elder_care_institutions,
            coalesce(sum(beds) FILTER (WHERE kind = 'elder_care_institution'), 0) AS beds,
            coalesce(sum(nursing_beds) FILTER (WHERE kind = 'elder_care_institution'), 0)
                AS nursing_beds,
            count(*) FILTER (WHERE kind = 'elder_care_institution' AND medical_care_combined)
                AS medical_elder_care_institutions,
            count(*) FILTER (WHERE kind = 'elder_care_institution' AND dementia_care_unit)
                AS dementia_care_units,
            count(*) FILTER (WHERE kind = 'township_elder_center') AS township_elder_centers,
            count(*) FILTER (WHERE kind = 'community_elder_facility') AS community_elder_facilities,
            count(*) FILTER (WHERE kind = 'elder_dining_table') AS elder_dining_tables,
            count(*) FILTER (WHERE kind = 'assistance_station') AS assistance_stations
        FROM service
        WHERE status = 'published'
    ),
    designations AS (
        SELECT
            count(*) FILTER (WHERE d.designation = 'red') AS red_place_names,
            count(*) FILTER (WHERE d.designation = 'heritage') AS heritage_place_names,
            count(*) FILTER (WHERE d.designation = 'protected') AS protected_place_names
        FROM place_name_designation d
        JOIN place_name p ON p.id = d.place_name_id
        WHERE p.status = 'published'
    ),
    roads AS (
        SELECT count(*) AS named_village_roads
        FROM village_road WHERE status = 'published'
    ),
    large_villages AS (
        SELECT
            count(*) AS large_villages,
            count(*) FILTER (WHERE EXISTS (
                SELECT 1 FROM village_road r
                WHERE r.village_code = v.code AND r.status = 'published'
            )) AS large_villages_with_roads
        FROM admin_area v
        WHERE v.level = 'village' AND v.households >= :large_households
    )
    SELECT * FROM services, designations, roads, large_villages
    """
)


CITY_STATS = Statement(_CITY_STATS, {"large_households": LARGE_VILLAGE_HOUSEHOLDS})


def city_stats(conn: Connection) -> dict[str, Any]:
    (row,) = CITY_STATS.rows(conn)
    return row
