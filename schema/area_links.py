"""Links from a record to the areas that hold it.

Areas list the records they hold and records name their areas: ``schema.area`` imports
the record types, and the record types refer to ``AdminArea`` through strawberry.lazy,
as strawberry resolves such cycles inside one schema.  This module is the one place that
turns area rows into ``AdminArea`` for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from domain.codes import area_chain_codes
from resolvers.context import RegistryContext

if TYPE_CHECKING:
    from schema.area import AdminArea

AreaType = Annotated["AdminArea", strawberry.lazy("schema.area")]


async def area_of(info: Info[RegistryContext, None], code: str) -> AdminArea:
    from schema.area import AdminArea  # the lazy type, as a class (see above)

    row = await info.context.loaders.area.load(code)
    assert row is not None  # a record's area code is a foreign key
    return AdminArea.from_row(row)


async def area_chain(info: Info[RegistryContext, None], code: str | None) -> list[AdminArea]:
    """The areas that hold ``code``, smallest first, up to the city."""
    from schema.area import AdminArea

    if code is None:
        return []
    rows = await info.context.loaders.area.load_many(area_chain_codes(code))
    return [AdminArea.from_row(row) for row in rows if row is not None]


def area_from_row(row: dict[str, Any]) -> AdminArea:
    """An area from a row that has its code, name, level and parent_code."""
    from schema.area import AdminArea

    return AdminArea.from_row(row)
