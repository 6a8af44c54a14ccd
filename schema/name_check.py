"""``checkName``: what proposing a place name would meet, before anything is written."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers.context import RegistryContext
from resolvers.place_name_edits import check_name as check_name_resolver
from schema.inputs import WGS84, CoordinateSystem, PointInput
from schema.name_warning import NameWarning
from schema.place_name import PlaceNameCategory


@strawberry.type(description="名称检查中的错误 / An error a proposal of the name would meet.")
class NameProblem:
    field: str | None = strawberry.field(description="出错的字段 / The field it concerns")
    message: str


@strawberry.type(
    description="名称检查 / What proposing a name would meet, before anything is written: "
    "errors (the naming rules; an identical name in the jurisdiction) refuse it, warnings "
    "must be acknowledged."
)
class NameCheck:
    ok: bool = strawberry.field(description="无错误 / No errors (warnings may remain)")
    errors: list[NameProblem]
    warnings: list[NameWarning]
    pinyin: str | None = strawberry.field(
        description="将生成的汉语拼音 / The pinyin createPlaceName would give it (GB/T 16159)"
    )


async def check_name(
    info: Info[RegistryContext, None],
    *,
    name: str,
    category: PlaceNameCategory,
    area_code: str,
    near: PointInput | None = None,
    crs: CoordinateSystem = WGS84,
) -> NameCheck:
    found = await check_name_resolver(
        info.context,
        name,
        category=category.value,
        area_code=area_code,
        near=near.to_point() if near is not None else None,
        crs=crs,
    )
    return NameCheck(
        ok=not found.errors,
        errors=[NameProblem(field=e.field, message=e.message) for e in found.errors],
        warnings=[NameWarning.from_raised(w) for w in found.warnings],
        pinyin=found.pinyin,
    )
