"""Resolvers for city-wide figures."""

from __future__ import annotations

from strawberry.types import Info

from db.queries.stats import city_stats as query_city_stats
from schema.context import RegistryContext
from schema.stats import CityStats


def city_stats(info: Info[RegistryContext, None]) -> CityStats:
    with info.context.database.connect() as conn:
        row = query_city_stats(conn)
    beds = int(row["beds"])
    large = int(row["large_villages"])
    return CityStats(
        elder_care_institutions=row["elder_care_institutions"],
        beds=beds,
        nursing_beds=row["nursing_beds"],
        nursing_bed_share=row["nursing_beds"] / beds if beds else 0.0,
        medical_elder_care_institutions=row["medical_elder_care_institutions"],
        dementia_care_units=row["dementia_care_units"],
        township_elder_centers=row["township_elder_centers"],
        community_elder_facilities=row["community_elder_facilities"],
        elder_dining_tables=row["elder_dining_tables"],
        assistance_stations=row["assistance_stations"],
        red_place_names=row["red_place_names"],
        heritage_place_names=row["heritage_place_names"],
        protected_place_names=row["protected_place_names"],
        named_village_roads=row["named_village_roads"],
        large_villages_with_named_roads=row["large_villages_with_roads"] / large if large else 1.0,
    )
