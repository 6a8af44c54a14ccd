"""Revisions: the immutable record of every change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from schema.context import RegistryContext


@strawberry.type(
    description="One change to a record: who, when, why, and the whole record before and after."
)
class Revision:
    id: strawberry.ID
    operation: str
    actor: str
    comment: str | None
    created_at: datetime
    version: int = strawberry.field(description="The record's version after the change")
    before: JSON | None
    after: JSON

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Revision:
        return cls(
            id=strawberry.ID(str(row["id"])),
            operation=row["operation"],
            actor=row["actor_name"],
            comment=row["comment"],
            created_at=row["created_at"],
            version=row["version"],
            before=row["before"],
            after=row["after"],
        )


async def revisions_of(
    info: Info[RegistryContext, None], entity: str, id: strawberry.ID
) -> list[Revision]:
    rows = await info.context.loaders.history(entity).load(int(id))
    return [Revision.from_row(row) for row in rows]
