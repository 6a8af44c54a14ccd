"""Synthetic households, population, elderly (60+) and oldest-old (80+) counts per village.

Urban residents' committees (居委会) are large, rural villages small and older, and rural
villages shrink with distance from their township seat.  The total is scaled to about the
city's resident population; every figure is a whole number drawn with a fixed seed.
"""

from __future__ import annotations

import math
import random

from data.demo.geography import Area, Geography

CITY_RESIDENTS = 2_900_000
METRES_PER_DEGREE = 111_320.0


def assign_population(geo: Geography, rng: random.Random) -> None:
    villages = geo.by_level("village")
    raw: dict[str, float] = {}
    for village in villages:
        township = geo.areas[village.parent_code or ""]
        if village.is_urban:
            size = rng.lognormvariate(math.log(3_600), 0.45)
        else:
            median = 900 if township.is_urban else 560
            assert village.seed is not None and township.seed is not None
            remoteness_km = village.seed.distance(township.seed) * METRES_PER_DEGREE / 1000
            size = rng.lognormvariate(math.log(median), 0.5) * (
                0.6 + 0.6 * math.exp(-remoteness_km / 4)
            )
        raw[village.code] = max(size, 60.0)
    scale = CITY_RESIDENTS / sum(raw.values())
    for village in villages:
        _set_figures(village, round(raw[village.code] * scale), rng)


def _set_figures(village: Area, population: int, rng: random.Random) -> None:
    if village.is_urban:
        persons_per_household = rng.uniform(2.4, 2.8)
        elderly_share = rng.uniform(0.21, 0.29)
    else:
        persons_per_household = rng.uniform(2.1, 2.5)
        elderly_share = rng.uniform(0.30, 0.42)
    village.population = population
    village.households = max(1, round(population / persons_per_household))
    village.elderly = round(population * elderly_share)
    # Drawn apart from the main sequence, so that adding them changed no other figure.
    oldest = random.Random(f"80+ {village.code}")
    share_80 = oldest.uniform(0.12, 0.20) if village.is_urban else oldest.uniform(0.16, 0.26)
    village.elderly_80 = round(village.elderly * share_80)
