"""Planning arithmetic on top of the reach pairs SQL finds: 2SFCA and greedy site choice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping


def two_step_fca(
    pairs: Iterable[tuple[str, int, float, int]], villages: Iterable[str]
) -> dict[str, float]:
    """Two-step floating catchment area accessibility of each village.

    ``pairs`` are (village, service, supply, village's demand) for every village within a
    service's catchment.  Step 1: each service's supply divided by the demand in its
    catchment.  Step 2: each village sums the ratios of the services within its reach.
    Villages with no service in reach score 0."""
    pairs = list(pairs)
    demand_of_service: dict[int, float] = defaultdict(float)
    supply_of_service: dict[int, float] = {}
    for _, service, supply, demand in pairs:
        demand_of_service[service] += demand
        supply_of_service[service] = supply
    ratio = {
        service: (supply_of_service[service] / demand if demand > 0 else 0.0)
        for service, demand in demand_of_service.items()
    }
    score = dict.fromkeys(villages, 0.0)
    for village, service, _, _ in pairs:
        if village in score:
            score[village] += ratio[service]
    return score


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
