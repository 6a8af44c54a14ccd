"""The figures of an area report: people, services, coverage at the planner's distances
(straight and by road), capacity against the elderly, the worst-served villages, and the
same by township.  Every figure comes from the functions the GraphQL API answers with."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from db.queries.coverage import village_distances, villages_of
from db.queries.reports import service_counts
from db.tables import SERVICE_KINDS
from domain.codes import TOWNSHIP_DIGITS, check_area_code
from domain.errors import BadUserInput, NotFound, Text
from domain.roles import require
from resolvers.context import RegistryContext
from resolvers.coverage import MAX_DISTANCE_M, CoverageFigures, figures_of, gap_rows

MODES = ("radius", "road")
MAX_REPORT_DISTANCES = 4
WORST_SERVED = 15
DEFAULT_DISTANCES = (500.0, 1000.0)
Row = dict[str, Any]


@dataclass(frozen=True)
class KindCoverage:
    """One kind of service in the area: how many, and coverage at each distance."""

    kind: str
    services: int
    coverage: dict[tuple[str, float], CoverageFigures]
    # Distance to the nearest service of the kind by road, per village, within the
    # largest distance asked for (None beyond).
    road_distance: dict[str, float | None]


@dataclass(frozen=True)
class TownshipFigures:
    code: str
    name: str
    elderly: int
    beds: int
    meals: int
    coverage: dict[str, float] = field(default_factory=dict)

    def per_100(self, value: int) -> float:
        return value * 100 / self.elderly if self.elderly else 0.0


@dataclass(frozen=True)
class AreaReport:
    area: Row
    figures: Row
    villages: list[Row]
    distances: tuple[float, ...]
    kinds: list[KindCoverage]
    capacity: Row
    townships: list[TownshipFigures]
    worst_kind: str
    worst_served: list[Row]
    gaps: list[Row]


def check_distances(raw: str | None) -> tuple[float, ...]:
    """?distances=500,1000: up to four distances in metres."""
    if raw is None or raw.strip() == "":
        return DEFAULT_DISTANCES
    values = []
    for part in raw.split(","):
        try:
            value = float(part)
        except ValueError:
            raise BadUserInput(
                Text(f"distances: {part!r} 不是数字", f"distances: {part!r} is not a number"),
                "distances",
            ) from None
        if not math.isfinite(value) or not 0 < value <= MAX_DISTANCE_M:
            raise BadUserInput(
                Text(
                    f"distances: 每个须大于 0 且不超过 {MAX_DISTANCE_M:,.0f} 米",
                    f"distances: each more than 0 and at most {MAX_DISTANCE_M:,.0f} m",
                ),
                "distances",
            )
        values.append(value)
    if len(values) > MAX_REPORT_DISTANCES:
        raise BadUserInput(
            Text(
                f"distances: 至多 {MAX_REPORT_DISTANCES} 个距离",
                f"distances: at most {MAX_REPORT_DISTANCES} distances",
            ),
            "distances",
        )
    return tuple(sorted(set(values)))


def _covered_within(rows: list[Row], metres: float) -> list[Row]:
    return [
        {**r, "covered": r["distance_m"] is not None and r["distance_m"] <= metres} for r in rows
    ]


async def area_report(
    ctx: RegistryContext, area_code: str, kinds: list[str] | None, distances: tuple[float, ...]
) -> AreaReport:
    require(ctx.actor, "planner", "an area report")
    code = check_area_code(area_code, "code")
    wanted = list(SERVICE_KINDS) if not kinds else [k for k in SERVICE_KINDS if k in kinds]
    farthest = max(distances)

    def gather(conn: Connection) -> tuple[list[Row], dict[tuple[str, str], list[Row]], Row]:
        villages = villages_of(conn, code)
        if not villages:
            raise NotFound(
                Text(
                    f"code: 没有代码为 {code} 且含村的区划",
                    f"code: no area with villages has code {code}",
                ),
                "code",
            )
        # One computation per kind and measure, at the largest distance: coverage at a
        # smaller one is read off each village's distance to its nearest service.
        nearest = {
            (kind, mode): village_distances(conn, code, [kind], mode, farthest)
            for kind in wanted
            for mode in MODES
        }
        return villages, nearest, service_counts(conn, code)

    villages, nearest, counts = await ctx.database.read(gather)
    area = await ctx.loaders.area.load(code)
    figures = await ctx.loaders.figures.load(code)
    capacity = await ctx.loaders.capacity.load(code)
    assert area is not None and figures is not None and capacity is not None

    kind_coverage = [
        KindCoverage(
            kind=kind,
            services=counts.get(kind, 0),
            coverage={
                (mode, d): figures_of(code, _covered_within(nearest[kind, mode], d))
                for mode in MODES
                for d in distances
            },
            road_distance={r["code"]: r["distance_m"] for r in nearest[kind, "road"]},
        )
        for kind in wanted
    ]

    township_codes = sorted({v["code"][:TOWNSHIP_DIGITS] for v in villages})
    township_rows = await ctx.loaders.area.load_many(township_codes)
    township_capacity = await ctx.loaders.capacity.load_many(township_codes)
    # The first kind at the planner's first distance, by road: the headline measure.
    worst_kind = "elder_dining_table" if "elder_dining_table" in wanted else wanted[0]
    village_of = {v["code"]: v for v in villages}
    headline = [
        {**village_of[r["code"]], **r}
        for r in _covered_within(nearest[worst_kind, "road"], distances[0])
    ]
    townships = []
    for t_code, t_row, t_capacity in zip(
        township_codes, township_rows, township_capacity, strict=True
    ):
        inside = [r for r in headline if r["code"].startswith(t_code)]
        share = figures_of(t_code, inside).share
        townships.append(
            TownshipFigures(
                code=t_code,
                name=t_row["name"] if t_row else t_code,
                elderly=sum(r["elderly"] for r in inside),
                beds=t_capacity["beds"] if t_capacity else 0,
                meals=t_capacity["meals"] if t_capacity else 0,
                coverage={worst_kind: share},
            )
        )
    gaps = gap_rows(headline)
    return AreaReport(
        area=area,
        figures=figures,
        villages=villages,
        distances=distances,
        kinds=kind_coverage,
        capacity=capacity,
        townships=townships,
        worst_kind=worst_kind,
        worst_served=gaps[:WORST_SERVED],
        gaps=gaps,
    )
