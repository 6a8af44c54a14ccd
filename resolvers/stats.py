"""City-wide figures."""

from __future__ import annotations

from typing import Any

from db.queries.stats import CITY_STATS
from resolvers.context import RegistryContext


async def city_stats(ctx: RegistryContext) -> dict[str, Any]:
    """The figures SQL counts, with the shares derived from them."""
    (row,) = await ctx.database.fetch(CITY_STATS)
    beds = int(row["beds"])
    large = int(row["large_villages"])
    return {
        **row,
        "beds": beds,
        "nursing_bed_share": row["nursing_beds"] / beds if beds else 0.0,
        "large_villages_with_named_roads": row["large_villages_with_roads"] / large
        if large
        else 1.0,
    }
