"""The Query root type."""

from __future__ import annotations

import strawberry

from resolvers import areas, places, stats
from resolvers import coverage as coverage_resolvers
from resolvers import search as search_resolvers
from resolvers import services as service_resolvers
from resolvers.auth import IsPlanner
from schema.area import AdminArea, AdminAreaConnection
from schema.coverage import CoverageReport, SiteSuggestions, VillageAccessibility
from schema.place_name import PlaceName, PlaceNameConnection, VillageRoadConnection
from schema.search import SearchHit
from schema.service import ServiceConnection, ServiceHit
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
    areas: AdminAreaConnection = strawberry.field(
        resolver=areas.areas,
        description="Administrative areas by code, a page at a time (at most 500), with filters.",
    )
    place_names: PlaceNameConnection = strawberry.field(
        resolver=places.place_names,
        description="Published place names, a page at a time (at most 500), with filters.",
    )
    village_roads: VillageRoadConnection = strawberry.field(
        resolver=places.village_roads,
        description="Published village roads, a page at a time (at most 500), with filters.",
    )
    services: ServiceConnection = strawberry.field(
        resolver=service_resolvers.services,
        description="Published services, a page at a time (at most 500), with filters.",
    )
    nearest_services: list[ServiceHit] = strawberry.field(
        resolver=service_resolvers.nearest_services,
        description="The services nearest to a point, in geodesic metres on the WGS84 spheroid.",
    )
    search_place_names: list[PlaceName] = strawberry.field(
        resolver=search_resolvers.search_place_names,
        description="Place names by name, in Chinese characters (substring or fuzzy) or in pinyin "
        '(with or without spaces and tones, or initials: "whs" finds 威海市); '
        "best matches first: exact, prefix, substring, fuzzy.",
    )
    search: list[SearchHit] = strawberry.field(
        resolver=search_resolvers.search,
        description="Place names, village roads, areas and services by name, ranked as "
        "searchPlaceNames ranks them.",
    )
    coverage: CoverageReport = strawberry.field(
        resolver=coverage_resolvers.coverage,
        permission_classes=[IsPlanner],
        description="Which villages of an area have a service of the given kinds within reach: "
        "radiusMeters (geodesic, from the village's representative point) or "
        "roadDistanceMeters (along the road network, node to node); exactly one.",
    )
    accessibility: list[VillageAccessibility] = strawberry.field(
        resolver=coverage_resolvers.accessibility,
        permission_classes=[IsPlanner],
        description="Two-step floating catchment area (2SFCA) score of each village of an "
        "area: beds (ELDER_CARE_INSTITUTION) or meals (ELDER_DINING_TABLE) against the elderly, "
        "within radiusMeters or roadDistanceMeters.",
    )
    suggest_sites: SiteSuggestions = strawberry.field(
        resolver=coverage_resolvers.suggest_sites,
        permission_classes=[IsPlanner],
        description="Villages that, as sites of a new service of the kind, cover the most "
        "elderly not covered yet (greedy maximal coverage), with coverage before and after.",
    )
