"""Synthetic services and place names that reproduce the bureau's published figures exactly.

Positions and names are invented (``source = 'synthetic'``); the counts, the bed totals and
the designation counts equal the published ones.  Facilities go where the elderly live:
villages are drawn with weights proportional to their elderly population.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from data.demo.geography import Area, Geography
from data.demo.network import VillageRoad
from data.demo.published import PUBLISHED
from domain.naming import (
    ADMIN_GENERICS,
    SETTLEMENT_GENERICS,
    place_name_pinyin,
    settlement_name,
    split_name,
)

METRES_PER_DEGREE = 111_320.0


@dataclass
class Service:
    kind: str
    name: str
    point: Point
    area_code: str
    beds: int | None = None
    nursing_beds: int | None = None
    medical_care_combined: bool | None = None
    dementia_care_unit: bool | None = None
    meal_capacity: int | None = None


@dataclass
class PlaceName:
    standard_name: str
    specific: str
    generic: str
    pinyin: str
    category: str
    geom: BaseGeometry
    area_code: str
    designations: list[str] = field(default_factory=list)


def weighted_sample(
    rng: random.Random, items: list[Area], weights: list[float], k: int
) -> list[Area]:
    """``k`` distinct items, each drawn with probability proportional to its weight
    (Efraimidis–Spirakis keys)."""
    keyed = sorted(
        zip(items, weights, strict=True),
        key=lambda iw: rng.random() ** (1.0 / max(iw[1], 1e-9)),
        reverse=True,
    )
    return [item for item, _ in keyed[:k]]


def split_total(
    rng: random.Random, total: int, parts: int, minimum: int, sigma: float
) -> list[int]:
    """``parts`` whole numbers, each at least ``minimum``, skewed like real sizes, summing to
    ``total``."""
    weights = [rng.lognormvariate(0.0, sigma) for _ in range(parts)]
    spare = total - parts * minimum
    raw = [minimum + spare * w / sum(weights) for w in weights]
    values = [math.floor(r) for r in raw]
    by_fraction = sorted(range(parts), key=lambda i: raw[i] - values[i], reverse=True)
    for i in by_fraction[: total - sum(values)]:
        values[i] += 1
    return values


def _point_in(rng: random.Random, area: Area, centre: Point, spread_m: float) -> Point:
    """A point near ``centre`` inside ``area``'s outline (the centre itself if none is found)."""
    assert area.geom is not None
    for _ in range(30):
        dx = rng.gauss(0, spread_m) / METRES_PER_DEGREE / math.cos(math.radians(centre.y))
        dy = rng.gauss(0, spread_m) / METRES_PER_DEGREE
        candidate = Point(round(centre.x + dx, 7), round(centre.y + dy, 7))
        if area.geom.covers(candidate):
            return candidate
    return centre


def _village_at(geo: Geography, township: Area, point: Point) -> Area:
    for code in township.children:
        village = geo.areas[code]
        if village.geom is not None and village.geom.covers(point):
            return village
    raise ValueError(f"no village of {township.name} holds {point}")


def _short(area: Area) -> str:
    return settlement_name(area.name)


def build_services(geo: Geography, rng: random.Random) -> list[Service]:
    villages = sorted(geo.by_level("village"), key=lambda v: v.code)
    townships = sorted(geo.by_level("township"), key=lambda t: t.code)
    elderly = [float(v.elderly or 0) for v in villages]
    services: list[Service] = []

    def in_village(village: Area, spread_m: float = 250.0) -> Point:
        assert village.seed is not None
        return _point_in(rng, village, village.seed, spread_m)

    def near_seat(township: Area) -> tuple[Point, str]:
        assert township.seed is not None
        seat_village = _village_at(geo, township, township.seed)
        point = _point_in(rng, seat_village, township.seed, 150.0)
        return point, seat_village.code

    # Elder-care institutions: beds and nursing beds add up to the published totals.
    hosts = weighted_sample(rng, villages, elderly, PUBLISHED.elder_care_institutions)
    beds = split_total(rng, PUBLISHED.beds, len(hosts), minimum=30, sigma=0.8)
    nursing = [math.floor(b * rng.uniform(0.72, 0.92)) for b in beds]
    _adjust_to_total(nursing, PUBLISHED.nursing_beds, ceilings=beds)
    order = list(range(len(hosts)))
    medical = set(
        i
        for i, _ in sorted(
            ((i, rng.random() ** (1 / beds[i])) for i in order), key=lambda p: -p[1]
        )[: PUBLISHED.medical_elder_care_institutions]
    )
    big = [i for i in order if beds[i] >= 150]
    dementia = set(rng.sample(big, PUBLISHED.dementia_care_units))
    for i, village in enumerate(hosts):
        township = geo.areas[village.parent_code or ""]
        suffix = (
            "医养中心" if i in medical else rng.choice(("颐养院", "敬老院", "老年公寓", "康养中心"))
        )
        services.append(
            Service(
                kind="elder_care_institution",
                name=f"{township.name}{_short(village)}{suffix}",
                point=in_village(village),
                area_code=village.code,
                beds=beds[i],
                nursing_beds=nursing[i],
                medical_care_combined=i in medical,
                dementia_care_unit=i in dementia,
            )
        )

    # Township comprehensive centres: one in every township, a second in the most elderly.
    extra = PUBLISHED.township_elder_centers - len(townships)
    township_elderly = {
        t.code: sum(geo.areas[c].elderly or 0 for c in t.children) for t in townships
    }
    second = sorted(townships, key=lambda t: -township_elderly[t.code])[:extra]
    for township in townships:
        point, village_code = near_seat(township)
        services.append(
            Service(
                "township_elder_center", f"{township.name}综合养老服务中心", point, village_code
            )
        )
    for township in second:
        village = weighted_sample(
            rng,
            [geo.areas[c] for c in township.children],
            [float(geo.areas[c].elderly or 0) for c in township.children],
            1,
        )[0]
        services.append(
            Service(
                "township_elder_center",
                f"{township.name}综合养老服务中心{_short(village)}分中心",
                in_village(village),
                village.code,
            )
        )

    # Community facilities: every urban community, then the most elderly rural villages.
    urban = [v for v in villages if v.is_urban]
    rural = [v for v in villages if not v.is_urban]
    rural_hosts = weighted_sample(
        rng,
        rural,
        [float(v.elderly or 0) for v in rural],
        PUBLISHED.community_elder_facilities - len(urban),
    )
    for village in urban:
        services.append(
            Service(
                "community_elder_facility",
                f"{_short(village)}社区日间照料中心",
                in_village(village),
                village.code,
            )
        )
    for village in rural_hosts:
        services.append(
            Service(
                "community_elder_facility",
                f"{_short(village)}农村幸福院",
                in_village(village),
                village.code,
            )
        )

    # Dining tables: at most one per village, where the elderly are.
    for village in weighted_sample(rng, villages, elderly, PUBLISHED.elder_dining_tables):
        capacity = int(min(150, max(20, (village.elderly or 0) * rng.uniform(0.05, 0.12))))
        services.append(
            Service(
                "elder_dining_table",
                f"{_short(village)}老年餐桌",
                in_village(village),
                village.code,
                meal_capacity=capacity,
            )
        )

    # Assistance stations: at most one per township.
    for township in sorted(
        rng.sample(townships, PUBLISHED.assistance_stations), key=lambda t: t.code
    ):
        point, village_code = near_seat(township)
        services.append(
            Service(
                "assistance_station", f"{township.name}社会救助转介服务驿站", point, village_code
            )
        )
    return services


def _adjust_to_total(values: list[int], total: int, ceilings: list[int]) -> None:
    """Moves ``values`` one unit at a time, round robin, until they sum to ``total``."""
    i = 0
    while sum(values) != total:
        step = 1 if sum(values) < total else -1
        j = i % len(values)
        if 0 <= values[j] + step <= ceilings[j]:
            values[j] += step
        i += 1


def build_place_names(
    geo: Geography, roads: list[VillageRoad], rng: random.Random
) -> list[PlaceName]:
    names: list[PlaceName] = []
    for area in sorted(geo.areas.values(), key=lambda a: a.code):
        assert area.rep_point is not None
        if area.level == "village":
            standard = settlement_name(area.name)
            specific, generic = split_name(standard, SETTLEMENT_GENERICS)
            pinyin = place_name_pinyin(specific, generic, joined=True)
            category = "settlement"
        else:
            standard = area.name
            specific, generic = split_name(standard, ADMIN_GENERICS)
            pinyin = place_name_pinyin(specific, generic)
            category = "administrative_area"
        names.append(
            PlaceName(standard, specific, generic, pinyin, category, area.rep_point, area.code)
        )

    settlements = [n for n in names if n.category == "settlement"]
    protected = rng.sample(settlements, PUBLISHED.protected_place_names)
    for name in protected:
        name.designations.append("protected")
    # Heritage items are old settlement names, all of them on the protection list too.
    for name in protected[: PUBLISHED.heritage_place_names]:
        name.designations.append("heritage")

    rural = sorted((v for v in geo.by_level("village") if not v.is_urban), key=lambda v: v.code)
    for village in rng.sample(rural, PUBLISHED.red_place_names):
        specific = settlement_name(village.name)
        generic = rng.choice(("烈士陵园", "革命纪念馆", "战斗遗址"))
        assert village.seed is not None
        names.append(
            PlaceName(
                standard_name=specific + generic,
                specific=specific,
                generic=generic,
                pinyin=place_name_pinyin(specific, generic),
                category="memorial_site",
                geom=_point_in(rng, village, village.seed, 400.0),
                area_code=village.code,
                designations=["red"],
            )
        )
    # Named village roads are place names too (道路街巷).
    for road in roads:
        names.append(
            PlaceName(
                road.name,
                road.specific,
                road.generic,
                road.pinyin,
                "road_street",
                road.geom,
                road.village_code,
            )
        )
    return names
