"""Planning arithmetic on top of the reach pairs SQL finds: 2SFCA with distance decay,
greedy site choice, and scores rolled up to larger areas."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

# Gaussian weight at the bandwidth, before rescaling to fall from 1 to 0.
_E_HALF = math.exp(-0.5)


@dataclass(frozen=True)
class Decay:
    """How much a service counts at a distance within the catchment.

    ``none``: 1 everywhere (classic 2SFCA).  ``gaussian``: Dai's Gaussian, 1 at the door,
    0 at ``bandwidth_m`` and beyond.  ``stepped`` (E2SFCA, Luo & Qi): the catchment cut
    into equal bands from near to far, ``steps`` giving each band's weight."""

    function: str = "none"
    bandwidth_m: float | None = None
    steps: tuple[float, ...] = ()

    def weight(self, metres: float, catchment_m: float) -> float:
        if self.function == "gaussian":
            assert self.bandwidth_m is not None
            if metres >= self.bandwidth_m:
                return 0.0
            g = math.exp(-0.5 * (metres / self.bandwidth_m) ** 2)
            return (g - _E_HALF) / (1 - _E_HALF)
        if self.function == "stepped":
            band = min(int(metres / catchment_m * len(self.steps)), len(self.steps) - 1)
            return self.steps[band]
        return 1.0


NO_DECAY = Decay()


def two_step_fca(
    pairs: Iterable[tuple[str, Hashable, float, float, float]], villages: Iterable[str]
) -> dict[str, float]:
    """Two-step floating catchment area accessibility of each village.

    ``pairs`` are (village, service, supply, village's demand, weight) for every village
    within a service's catchment; the weight (distance decay; 1 without) discounts far
    pairs.  Step 1: each service's supply divided by the weighted demand in its
    catchment.  Step 2: each village sums the weighted ratios of the services within its
    reach.  Villages with no service in reach score 0."""
    full = list(pairs)
    demand_of_service: dict[Hashable, float] = defaultdict(float)
    supply_of_service: dict[Hashable, float] = {}
    for _, service, supply, demand, weight in full:
        demand_of_service[service] += demand * weight
        supply_of_service[service] = supply
    ratio = {
        service: (supply_of_service[service] / demand if demand > 0 else 0.0)
        for service, demand in demand_of_service.items()
    }
    score = dict.fromkeys(villages, 0.0)
    for village, service, _, _, weight in full:
        if village in score:
            score[village] += ratio[service] * weight
    return score


def weighted_rollup(
    scores: Mapping[str, float],
    weights: Mapping[str, float],
    group_of: Callable[[str], str],
    groups: Sequence[str] | None = None,
) -> dict[str, tuple[float, float]]:
    """(mean score weighted by ``weights``, total weight) of each group of villages.

    A group with no weight scores 0."""
    totals: dict[str, list[float]] = {g: [0.0, 0.0] for g in groups or ()}
    for village, score in scores.items():
        total = totals.setdefault(group_of(village), [0.0, 0.0])
        total[0] += score * weights[village]
        total[1] += weights[village]
    return {g: ((t[0] / t[1] if t[1] else 0.0), t[1]) for g, t in totals.items()}


def greedy_sites(
    reach: Iterable[tuple[str, str]], elderly: Mapping[str, int], count: int
) -> list[tuple[str, int, int]]:
    """Up to ``count`` sites, each the candidate that reaches the most elderly not reached
    yet (ties: fewer code), with the elderly and villages it adds (greedy maximal coverage).
    A site reaches its own village when that village is in demand."""
    reached_by: dict[str, set[str]] = defaultdict(set)
    for site, village in reach:
        reached_by[site].add(village)
    covered: set[str] = set()
    chosen: list[tuple[str, int, int]] = []
    for _ in range(count):
        best, best_gain, best_new = None, 0, set()
        for site in sorted(reached_by):
            new = reached_by[site] - covered
            gain = sum(elderly[v] for v in new)
            if gain > best_gain:
                best, best_gain, best_new = site, gain, new
        if best is None:
            break
        covered |= best_new
        chosen.append((best, best_gain, len(best_new)))
        del reached_by[best]
    return chosen
