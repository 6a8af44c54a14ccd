"""City-wide figures, counted by SQL over the published records."""

from __future__ import annotations

import dataclasses

import strawberry
from strawberry.types import Info

from resolvers import stats as stats_resolvers
from resolvers.context import RegistryContext


@strawberry.type(
    description="全市统计 / Figures for the whole city, counted over the registry's records."
)
class CityStats:
    elder_care_institutions: int
    beds: int
    nursing_beds: int
    nursing_bed_share: float = strawberry.field(description="护理床位占比 / nursingBeds / beds")
    medical_elder_care_institutions: int = strawberry.field(description="医养结合 institutions")
    dementia_care_units: int
    township_elder_centers: int
    community_elder_facilities: int
    elder_dining_tables: int
    assistance_stations: int
    red_place_names: int
    heritage_place_names: int
    protected_place_names: int
    named_village_roads: int
    large_villages_with_named_roads: float = strawberry.field(
        description="300 户以上村的占比 / Share of villages with 300"
        " or more households that have a named road"
    )


async def city_stats(info: Info[RegistryContext, None]) -> CityStats:
    figures = await stats_resolvers.city_stats(info.context)
    return CityStats(**{f.name: figures[f.name] for f in dataclasses.fields(CityStats)})
