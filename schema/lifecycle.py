"""The review lifecycle every editable record follows."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON


@strawberry.enum(description="Where a record stands in review.")
class LifecycleStatus(Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETIRED = "retired"


@strawberry.type(
    description="An edit of a published record, in review: the public sees the record as "
    "published until this change is published in turn."
)
class PendingChange:
    status: LifecycleStatus
    proposed_by: str | None
    record: JSON = strawberry.field(
        description="The record as the change would make it, geometry (WGS84) included"
    )


def pending_change_of(row: dict[str, Any]) -> PendingChange | None:
    if not row.get("pending"):
        return None
    return PendingChange(
        status=LifecycleStatus(row["pending_status"]),
        proposed_by=row.get("pending_by_name"),
        record=row["pending"],
    )
