"""The Query root type."""

from __future__ import annotations

import strawberry

from resolvers import areas, stats
from schema.area import AdminArea
from schema.stats import CityStats


@strawberry.type
class Query:
    city_stats: CityStats = strawberry.field(
        resolver=stats.city_stats, description="Figures for the whole city."
    )
    area: AdminArea | None = strawberry.field(
        resolver=areas.area,
        description='An administrative area by statistical code; "3710" is the city. '
        "Null when no area has that code.",
    )
