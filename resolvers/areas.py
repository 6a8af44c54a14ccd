"""Resolvers for administrative areas."""

from __future__ import annotations

import re

from strawberry.types import Info

from resolvers.errors import BadUserInput
from schema.area import AdminArea
from schema.context import RegistryContext

# City 4 digits, county 6, township 9, village 12 (NBS statistical division codes).
AREA_CODE = re.compile(r"\d{4}(\d{2}(\d{3}(\d{3})?)?)?")


def check_area_code(code: str, field: str = "code") -> str:
    code = code.strip()
    if not AREA_CODE.fullmatch(code):
        raise BadUserInput(
            f"{field}: an area code has 4, 6, 9 or 12 digits (e.g. 3710, 371002), got {code!r}",
            field,
        )
    return code


async def area(info: Info[RegistryContext, None], code: str) -> AdminArea | None:
    row = await info.context.loaders.area.load(check_area_code(code))
    return AdminArea.from_row(row) if row else None
