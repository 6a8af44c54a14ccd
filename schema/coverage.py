"""Coverage reports: how many villages, households and elderly have a service within reach."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from schema.pagination import check_first

if TYPE_CHECKING:
    from schema.area import AdminArea

AreaType = Annotated["AdminArea", strawberry.lazy("schema.area")]
MAX_GAPS = 500
# Code length of the next level down: city 4 → county 6 → township 9 → village 12.
_CHILD_CODE_LENGTH = {4: 6, 6: 9, 9: 12}


@strawberry.type(description="Coverage of an area's villages by services of some kinds.")
class CoverageReport:
    area_code: str
    villages: int
    covered_villages: int
    households: int
    covered_households: int
    elderly: int
    covered_elderly: int
    share: float = strawberry.field(description="coveredElderly / elderly")
    rows: strawberry.Private[list[dict[str, Any]]]

    @classmethod
    def from_villages(cls, area_code: str, rows: list[dict[str, Any]]) -> CoverageReport:
        covered = [r for r in rows if r["covered"]]
        elderly = sum(r["elderly"] for r in rows)
        covered_elderly = sum(r["elderly"] for r in covered)
        return cls(
            area_code=area_code,
            villages=len(rows),
            covered_villages=len(covered),
            households=sum(r["households"] for r in rows),
            covered_households=sum(r["households"] for r in covered),
            elderly=elderly,
            covered_elderly=covered_elderly,
            share=covered_elderly / elderly if elderly else 0.0,
            rows=rows,
        )

    @strawberry.field(description="One report per child area of areaCode, by code.")
    def by_area(self) -> list[CoverageReport]:
        length = _CHILD_CODE_LENGTH.get(len(self.area_code))
        if length is None:
            return []
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in self.rows:
            groups.setdefault(row["code"][:length], []).append(row)
        return [CoverageReport.from_villages(code, rows) for code, rows in sorted(groups.items())]

    @strawberry.field(description="Uncovered villages, most elderly first.")
    def gaps(self, first: int | None = 20) -> list[AreaType]:
        from schema.area import AdminArea

        first = check_first(20 if first is None else first, MAX_GAPS)
        uncovered = sorted(
            (r for r in self.rows if not r["covered"]), key=lambda r: (-r["elderly"], r["code"])
        )
        return [AdminArea.from_row(r) for r in uncovered[:first]]
