"""Approval cases as the API shows them: the stages a proposal goes through, what each
recorded, and the inputs that record them (``domain.approval``)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry

from domain import approval


@strawberry.enum(description="审批环节 / A stage of an approval case, in the order they are taken.")
class ApprovalStage(Enum):
    PROPOSAL = strawberry.enum_value(
        approval.PROPOSAL,
        description="申报：理由、含义、来历 / The proposal: reason, meaning, origin",
    )
    ASSESSMENT = strawberry.enum_value(
        approval.ASSESSMENT, description="综合评估 / The comprehensive assessment"
    )
    EXPERT_REVIEW = strawberry.enum_value(
        approval.EXPERT_REVIEW, description="专家论证 / The expert review"
    )
    CONSULTATION = strawberry.enum_value(
        approval.CONSULTATION,
        description="征求意见：期间与收到的意见 / The public consultation: its period, the "
        "comments received",
    )
    APPROVAL = strawberry.enum_value(
        approval.APPROVAL,
        description="批准：批准机关、批复文号、日期 / The approval: authority, document number, "
        "date",
    )
    ANNOUNCEMENT = strawberry.enum_value(
        approval.ANNOUNCEMENT,
        description="公告：名称生效 / The announcement: the name takes effect",
    )


@strawberry.enum(description="案件类型 / What a case decides.")
class CaseKind(Enum):
    NAMING = strawberry.enum_value(approval.NAMING, description="命名 / Naming a new place")
    RENAMING = strawberry.enum_value(
        approval.RENAMING, description="更名 / Renaming a published one"
    )
    CHANGE = strawberry.enum_value(
        approval.CHANGE, description="变更 / Changing other particulars of a published record"
    )


@strawberry.type(
    description="审批文件 / A document of the case (an assessment report, an expert opinion, "
    "the approval document), kept with it."
)
class Attachment:
    id: strawberry.ID
    filename: str
    media_type: str
    byte_size: int
    sha256: str = strawberry.field(description="内容的 SHA-256 / The content's SHA-256, hex")

    @strawberry.field(description="下载地址（须持令牌） / Where staff download it (bearer token)")
    def url(self) -> str:
        return f"/attachments/{self.id}"

    @classmethod
    def from_json(cls, kept: dict[str, Any]) -> Attachment:
        return cls(
            id=strawberry.ID(str(kept["id"])),
            filename=kept["filename"],
            media_type=kept["media_type"],
            byte_size=kept["byte_size"],
            sha256=kept["sha256"],
        )


@strawberry.type(description="已记录的审批环节 / A stage as it was recorded.")
class StageRecord:
    stage: ApprovalStage
    recorded_at: datetime | None = strawberry.field(description="记录时间 / When it was recorded")
    recorded_by: str | None = strawberry.field(description="记录人 / Who recorded it")
    reason: str | None = strawberry.field(
        description="申报理由（更名理由） / The reason (PROPOSAL)"
    )
    meaning: str | None = strawberry.field(description="含义 / The name's meaning (PROPOSAL)")
    origin: str | None = strawberry.field(description="来历 / The name's origin (PROPOSAL)")
    summary: str | None = strawberry.field(
        description="结论摘要 / Its conclusion (ASSESSMENT, EXPERT_REVIEW, CONSULTATION)"
    )
    experts: list[str] = strawberry.field(description="论证专家 / The experts (EXPERT_REVIEW)")
    consultation_start: date | None = strawberry.field(
        description="征求意见开始 / First day of the consultation"
    )
    consultation_end: date | None = strawberry.field(
        description="征求意见结束 / Last day of the consultation"
    )
    consultation_closed: bool | None = strawberry.field(
        description="征求意见已结束 / Whether the consultation is closed"
    )
    comments_received: int | None = strawberry.field(
        description="收到意见数 / Comments received (CONSULTATION)"
    )
    authority: str | None = strawberry.field(description="批准机关 / Approving authority")
    document_number: str | None = strawberry.field(
        description="批复文号 / Approval document number"
    )
    on: date | None = strawberry.field(
        name="date", description="批准或公告日期 / Date of approval or announcement"
    )
    announcement_number: str | None = strawberry.field(description="公告编号 / Announcement number")
    documents: list[Attachment] = strawberry.field(
        description="本环节的文件 / The documents recorded with the stage"
    )

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> StageRecord:
        def day(key: str) -> date | None:
            value = entry.get(key)
            return date.fromisoformat(value) if value else None

        at = entry.get("at")
        stage = entry["stage"]
        return cls(
            stage=ApprovalStage(stage),
            recorded_at=datetime.fromisoformat(at) if at else None,
            recorded_by=entry.get("by_name"),
            reason=entry.get("reason"),
            meaning=entry.get("meaning"),
            origin=entry.get("origin"),
            summary=entry.get("summary"),
            experts=list(entry.get("experts") or []),
            consultation_start=day("start"),
            consultation_end=day("end"),
            consultation_closed=entry.get("closed") if stage == approval.CONSULTATION else None,
            comments_received=entry.get("comments_received"),
            authority=entry.get("authority"),
            document_number=entry.get("document_number"),
            on=day("date"),
            announcement_number=entry.get("number"),
            documents=[Attachment.from_json(d) for d in entry.get("documents") or []],
        )


@strawberry.type(
    description="审批案件 / The approval case of a proposal: what it decides, the stages it "
    "needs (configured per kind of case and record, following the 地名管理条例实施办法), "
    "those recorded, and what comes next."
)
class ReviewCase:
    kind: CaseKind
    required_stages: list[ApprovalStage]
    stages: list[StageRecord]
    next_stage: ApprovalStage | None = strawberry.field(
        description="下一环节 / The stage to record next; null when the case is done or closed"
    )
    consultation_open: bool = strawberry.field(
        description="征求意见进行中 / A public consultation is open"
    )
    outcome: str | None = strawberry.field(
        description="结案方式：withdrawn（撤回）、rejected（驳回） / How the case ended unpublished"
    )
    outcome_reason: str | None = strawberry.field(description="撤回或驳回理由 / Why")

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> ReviewCase | None:
        case = approval.Case.from_json(value)
        if case is None or value is None:
            return None
        following = None if case.outcome else case.next_stage
        return cls(
            kind=CaseKind(case.kind),
            required_stages=[ApprovalStage(s) for s in case.required],
            stages=[StageRecord.from_json(s) for s in case.stages],
            next_stage=ApprovalStage(following) if following else None,
            consultation_open=case.open_consultation is not None,
            outcome=case.outcome,
            outcome_reason=value.get("reason"),
        )


@strawberry.input(description="审批环节的内容 / What a stage records.")
class StageDetailsInput:
    summary: str | None = strawberry.field(
        default=None,
        description="结论摘要 / The conclusion (required for ASSESSMENT and EXPERT_REVIEW)",
    )
    experts: list[str] | None = strawberry.field(
        default=None, description="论证专家 / The experts (EXPERT_REVIEW)"
    )
    start: date | None = strawberry.field(
        default=None, description="征求意见开始 / Opening a CONSULTATION: its first day"
    )
    end: date | None = strawberry.field(
        default=None, description="征求意见结束 / Opening a CONSULTATION: its last day"
    )
    comments_received: int | None = strawberry.field(
        default=None,
        description="收到意见数 / Closing a CONSULTATION (on or after its last day): comments "
        "received",
    )


@strawberry.input(description="批准 / The approving authority's decision.")
class ApprovalInput:
    authority: str = strawberry.field(description="批准机关 / Approving authority")
    document_number: str = strawberry.field(description="批复文号 / Document number")
    on: date = strawberry.field(name="date", description="批准日期 / Date of the decision")


@strawberry.input(description="公告 / The announcement of a name taking effect.")
class AnnouncementInput:
    on: date | None = strawberry.field(
        name="date",
        default=None,
        description="公告日期（默认今天） / Its date (today when left out)",
    )
    number: str | None = strawberry.field(default=None, description="公告编号 / Its number")
