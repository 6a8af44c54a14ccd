"""What every editable record shares: its stage in review, its pending change, its
revisions, and the ``Reviewable`` interface that carries them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

from db.kinds import EditableKind
from resolvers.context import RegistryContext
from resolvers.pages import check_slice, page_of_rows
from schema.approval import ReviewCase
from schema.name_warning import NameWarning
from schema.node import Node
from schema.pagination import Connection, connection_from
from schema.permissions import IsPlanner


@strawberry.enum(description="审核状态 / Where a record stands in review.")
class LifecycleStatus(Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETIRED = "retired"


def status_code(status: LifecycleStatus | None) -> str | None:
    return status.value if status is not None else None


@strawberry.type(
    description="待审变更 / An edit of a published record, in"
    " review: the public sees the record as "
    "published until this change is published in turn."
)
class PendingChange:
    status: LifecycleStatus
    proposed_by: str | None
    record: JSON = strawberry.field(
        description="变更后的记录 / The record as the change would"
        " make it, geometry (WGS84) included; field names and enum values as in the API"
    )


# Stored values that the API spells as enum names (LifecycleStatus, PlaceNameCategory,
# Designation, ServiceKind, ApprovalStage, the case's kind, AlternateNameKind, AreaLevel).
_ENUM_KEYS = frozenset({"status", "category", "designations", "kind", "stage", "required", "level"})


def as_api_json(value: Any, key: str | None = None) -> Any:
    """A stored record (revision, pending change) as the API spells records: field names
    in camelCase, enum values as enum names; geometry left as GeoJSON."""
    if isinstance(value, dict):
        if key == "geometry":
            return value
        return {to_camel_case(k): as_api_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [as_api_json(item, key) for item in value]
    if isinstance(value, str) and key in _ENUM_KEYS:
        return value.upper()
    return value


def pending_change_of(row: dict[str, Any]) -> PendingChange | None:
    if not row.get("pending"):
        return None
    return PendingChange(
        status=LifecycleStatus(row["pending_status"]),
        proposed_by=row.get("pending_by_name"),
        record=as_api_json(row["pending"]),
    )


@strawberry.type(
    description="修订记录 / One change to a record: who, when,"
    " why, and the whole record before and after."
)
class Revision:
    id: strawberry.ID
    operation: str
    actor: str
    comment: str | None
    created_at: datetime
    version: int = strawberry.field(
        description="变更后的版本号 / The record's version after the change"
    )
    before: JSON | None
    after: JSON
    acknowledged_warnings: list[NameWarning] = strawberry.field(
        description="编辑确认过的名称提示 / The warnings about the name the editor acknowledged"
    )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Revision:
        return cls(
            id=strawberry.ID(str(row["id"])),
            operation=row["operation"],
            actor=row["actor_name"],
            comment=row["comment"],
            created_at=row["created_at"],
            version=row["version"],
            before=as_api_json(row["before"]),
            after=as_api_json(row["after"]),
            acknowledged_warnings=[NameWarning.from_stored(w) for w in row["warnings"] or []],
        )


# A page of a record's history when the client names no size (most records have fewer).
DEFAULT_HISTORY = 100


@strawberry.interface(
    description="可审核记录 / A record staff edit under review:"
    " place names, village roads, services."
)
class Reviewable(Node):
    # Which kind of record the implementing type is (db.kinds): its history comes from it.
    kind_of_record: ClassVar[EditableKind]

    def node_key(self) -> tuple[str, Any]:
        return self.kind_of_record.type_name, self.id

    id: strawberry.ID
    status: LifecycleStatus
    version: int = strawberry.field(
        description="版本号 / Named by every edit: a stale one is refused"
    )
    pending: strawberry.Private[PendingChange | None]
    case_json: strawberry.Private[dict[str, Any] | None]

    @strawberry.field(
        description="修订历史 / Every change to the record, oldest first, a page at a time.",
        permission_classes=[IsPlanner],
    )
    async def history(
        self,
        info: Info[RegistryContext, None],
        *,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Revision]:
        part = check_slice(
            first=first, after=after, last=last, before=before, default=DEFAULT_HISTORY
        )
        rows = await info.context.loaders.history(self.kind_of_record).load(int(self.id))
        page = page_of_rows(rows, part=part, cursor_kind="revision", key="id")
        return connection_from(page, Revision.from_row)

    @strawberry.field(
        description="待审变更 / An edit of the published record"
        " waiting for review, if there is one.",
        permission_classes=[IsPlanner],
    )
    def pending_change(self) -> PendingChange | None:
        return self.pending

    @strawberry.field(
        description="审批案件 / The approval case of the proposal in review (of the record, "
        "or of its pending change), or the last one: its stages and what comes next.",
        permission_classes=[IsPlanner],
    )
    def review_case(self) -> ReviewCase | None:
        return ReviewCase.from_json(self.case_json)
