"""The Query root type."""

from __future__ import annotations

import strawberry

from schema import area as area_schema
from schema import coverage as coverage_schema
from schema import name_check as name_check_schema
from schema import node as node_schema
from schema import place_name as place_name_schema
from schema import review_queue as review_queue_schema
from schema import search as search_schema
from schema import service as service_schema
from schema import stats as stats_schema
from schema import village_road as village_road_schema
from schema.pagination import Connection
from schema.permissions import IsEditor, IsPlanner


@strawberry.type
class Query:
    city_stats: stats_schema.CityStats = strawberry.field(
        resolver=stats_schema.city_stats, description="全市统计 / Figures for the whole city."
    )
    area: area_schema.AdminArea | None = strawberry.field(
        resolver=area_schema.area,
        description='按代码查询区划 / An administrative area by statistical code; "3710" is '
        "the city. Null when no area has that code.",
    )
    areas: area_schema.AdminAreaConnection = strawberry.field(
        resolver=area_schema.areas,
        description="区划列表 / Administrative areas by code, a page"
        " at a time (at most 500), with filters.",
    )
    place_names: place_name_schema.PlaceNameConnection = strawberry.field(
        resolver=place_name_schema.place_names,
        description="地名列表 / Published place names, a page"
        " at a time (at most 500), with filters.",
    )
    village_roads: village_road_schema.VillageRoadConnection = strawberry.field(
        resolver=village_road_schema.village_roads,
        description="村内道路列表 / Published village roads, a page"
        " at a time (at most 500), with filters.",
    )
    services: service_schema.ServiceConnection = strawberry.field(
        resolver=service_schema.services,
        description="服务设施列表 / Published services, a page at"
        " a time (at most 500), with filters.",
    )
    nearest_services: list[service_schema.ServiceHit] = strawberry.field(
        resolver=service_schema.nearest_services,
        description="最近服务设施 / The services nearest to a point,"
        " in geodesic metres on the WGS84 spheroid: "
        "in a straight line, or by road (by: ROAD or BOTH, ranked by road; the route on "
        "request).",
    )
    search_place_names: list[place_name_schema.PlaceName] = strawberry.field(
        resolver=place_name_schema.search_place_names,
        description="Place names by name, in Chinese characters (substring or fuzzy) or in pinyin "
        '(with or without spaces and tones, or initials: "whs" finds 威海市); '
        "best matches first: exact, prefix, substring, fuzzy.",
    )
    node: node_schema.Node | None = strawberry.field(
        resolver=node_schema.node,
        description="按全局编号取回任一记录 / Any record or area by its global id (its "
        "`nodeId`). The public finds published records and areas; staff find records in "
        "every stage. Null when there is none.",
    )
    review_queue: review_queue_schema.ReviewItemConnection = strawberry.field(
        resolver=review_queue_schema.review_queue_field,
        permission_classes=[IsEditor],
        description="待审队列 / Every proposal waiting in review, of every editable kind (new "
        "records and changes of published ones), oldest waiting first, a page at a time; "
        "filtered by kind, by the stage its case waits for, by area and by proposer.",
    )
    check_name: name_check_schema.NameCheck = strawberry.field(
        resolver=name_check_schema.check_name,
        permission_classes=[IsEditor],
        description="名称检查 / What proposing a place name in an area would meet, before "
        "anything is written: the naming rules, an identical name in its jurisdiction "
        "(errors), homophones, names one character off and the same name within 100 m of "
        "`near` (warnings, to acknowledge). Jurisdictions as the regulations scope them: "
        "roads and villages within their township, townships within their county, counties "
        "within the city.",
    )
    search: list[search_schema.SearchHit] = strawberry.field(
        resolver=search_schema.search,
        description="综合名称搜索 / Place names, village roads,"
        " areas and services by name, ranked as "
        "searchPlaceNames ranks them.",
    )
    coverage: coverage_schema.CoverageReport = strawberry.field(
        resolver=coverage_schema.coverage,
        permission_classes=[IsPlanner],
        description="服务覆盖分析 / Which villages of an area have a"
        " service of the given kinds within reach: "
        "radiusMeters (geodesic, from the village's representative point) or "
        "roadDistanceMeters (the leg to the nearest road, along the network, and the leg "
        "to the service, all in geodesic metres); exactly one. With a scenario, the report "
        "is the scenario's and `before` the registry's as it stands.",
    )
    accessibility: Connection[coverage_schema.VillageAccessibility] = strawberry.field(
        resolver=coverage_schema.accessibility,
        permission_classes=[IsPlanner],
        description="两步移动搜寻法可达性 / Two-step floating catchment"
        " area (2SFCA) score of each village of an "
        "area: beds (ELDER_CARE_INSTITUTION) or meals (ELDER_DINING_TABLE) against the elderly, "
        "within radiusMeters or roadDistanceMeters, with distance decay and a demand group "
        "if asked.",
    )
    accessibility_report: coverage_schema.AccessibilityReport = strawberry.field(
        resolver=coverage_schema.accessibility_report,
        permission_classes=[IsPlanner],
        description="可达性汇总报告 / accessibility, with the villages'"
        " scores rolled up to the area, its "
        "counties and its townships (means weighted by the demand group).",
    )
    suggest_sites: coverage_schema.SiteSuggestions = strawberry.field(
        resolver=coverage_schema.suggest_sites,
        permission_classes=[IsPlanner],
        description="选址建议 / Villages that, as sites of a new"
        " service of the kind, cover the most "
        "elderly not covered yet (greedy maximal coverage), with coverage before and after.",
    )
