"""``reviewQueue``: the proposals waiting for staff, across every editable kind."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from resolvers import review_queue
from resolvers.context import RegistryContext
from schema.approval import ApprovalStage, CaseKind
from schema.pagination import Connection, connection_from
from schema.reviewable import LifecycleStatus, Reviewable


@strawberry.enum(description="可编辑的记录类型 / A kind of record staff edit.")
class RecordKind(Enum):
    PLACE_NAME = strawberry.enum_value("place_name", description="地名 / Place names")
    VILLAGE_ROAD = strawberry.enum_value("village_road", description="村内道路 / Village roads")
    SERVICE = strawberry.enum_value("service", description="服务设施 / Services")


@strawberry.type(
    description="待审事项 / A proposal waiting in review: a new record, or a change of a "
    "published one, with the stage its case waits for."
)
class ReviewItem:
    kind: RecordKind
    record: Reviewable = strawberry.field(
        description="记录（已发布记录的待审变更见 pendingChange） / The record (a change of a "
        "published one is its pendingChange)"
    )
    status: LifecycleStatus = strawberry.field(
        description="申报所处状态 / Where the proposal stands: PROPOSED or APPROVED"
    )
    case_kind: CaseKind | None = strawberry.field(description="案件类型 / What the case decides")
    next_stage: ApprovalStage = strawberry.field(description="待办环节 / The stage it waits for")
    proposed_by: str | None = strawberry.field(description="申报人 / Who proposed it")
    waiting_since: datetime = strawberry.field(
        description="上次变动时间 / When it last changed: the queue's order, oldest first"
    )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ReviewItem:
        from schema.mutation import EDITABLE_TYPES  # the types of the kinds, made there

        (editable,) = [t for t in EDITABLE_TYPES if t.kind.entity == row["entity"]]
        return cls(
            kind=RecordKind(row["entity"]),
            record=editable.from_row(row["record"]),
            status=LifecycleStatus(row["status"]),
            case_kind=CaseKind(row["case_kind"]) if row["case_kind"] else None,
            next_stage=ApprovalStage(row["next_stage"]),
            proposed_by=row["proposed_by"],
            waiting_since=row["waiting_since"],
        )


ReviewItemConnection = Connection[ReviewItem]


async def review_queue_field(
    info: Info[RegistryContext, None],
    *,
    kinds: list[RecordKind] | None = None,
    stages: list[ApprovalStage] | None = None,
    in_area: str | None = None,
    proposed_by: str | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> ReviewItemConnection:
    page = await review_queue.waiting(
        info.context,
        review_queue.QueueQuery(
            entities=[str(k.value) for k in kinds] if kinds else None,
            stages=[str(s.value) for s in stages] if stages else None,
            in_area=in_area,
            proposed_by=proposed_by,
            first=first,
            after=after,
            last=last,
            before=before,
        ),
    )
    return connection_from(page, ReviewItem.from_row)
