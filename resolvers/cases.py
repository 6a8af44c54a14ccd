"""Approval cases of proposals (``domain.approval``): opened with a proposal, advanced a
stage at a time, closed by publication, withdrawal or rejection.  The functions here
build and check a case; ``resolvers.lifecycle`` writes it with the change it belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from db.kinds import EditableKind
from db.queries import edits
from domain import approval
from domain.approval import Case
from domain.errors import BadUserInput, NotFound, Text
from domain.roles import require
from resolvers.context import RegistryContext

Row = dict[str, Any]
MAX_TEXT = 2_000
MAX_EXPERTS = 50


@dataclass(frozen=True)
class Who:
    id: int
    name: str


# Dates of a case (a consultation's end, an announcement) are China's: UTC+8, no DST.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


def today() -> date:
    return datetime.now(CHINA).date()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _entry(stage: str, who: Who, **details: Any) -> Row:
    return {"stage": stage, "at": _now(), "by": who.id, "by_name": who.name, **details}


def _text(value: Any, field: str, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadUserInput(Text(f"{field}: 此项必填", f"{field} must be given"), field)
        return None
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise BadUserInput(
            Text(f"{field}: 超过 {MAX_TEXT} 字", f"{field} is longer than {MAX_TEXT} characters"),
            field,
        )
    return text


def case_kind(kind: EditableKind, status: str, values: Row, published: Row | None) -> str:
    """Naming (a record never published), renaming (the name of a published one changes) or
    a change of its other particulars."""
    if status != "published" or published is None:
        return approval.NAMING
    name = kind.name_column
    return approval.RENAMING if values.get(name) != published.get(name) else approval.CHANGE


def open_case(kind: EditableKind, which: str, values: Row, who: Who, reason: str | None) -> Case:
    """A new case, its proposal recorded: the reason for the (re)name, its meaning and
    origin where the kind has them."""
    category = values.get(kind.kind_column) if kind.kind_column else None
    required = approval.required_stages(kind.entity, which, category)
    proposal = _entry(
        approval.PROPOSAL,
        who,
        reason=_text(reason, "reason"),
        meaning=values.get("meaning"),
        origin=values.get("origin"),
    )
    return Case(which, required, (proposal,))


def case_of(current: Row) -> Case:
    """The record's case; a proposal made before cases were kept counts as a plain one, at
    the stage its status says."""
    found = Case.from_json(current.get("review_case"))
    if found is not None:  # a withdrawn or rejected case restored goes on where it stopped
        return Case(found.kind, found.required, found.stages)
    pending = current.get("pending_status")
    stage = pending or current["status"]
    which = approval.CHANGE if pending else approval.NAMING
    stages: list[Row] = [{"stage": approval.PROPOSAL, "at": None, "by": None}]
    if stage in ("approved", "published"):
        stages.append({"stage": approval.APPROVAL, "at": None, "by": None})
    return Case(which, approval.PLAIN, tuple(stages))


def with_stage(case: Case, stage: str, details: Row, who: Who, today: date) -> Case:
    """``case`` with ``stage`` recorded from ``details`` (checked: in order, none skipped;
    a consultation opened with its period, closed once it has ended)."""
    if stage not in approval.RECORDED_APART:
        name = approval.STAGE_NAMES[stage]
        raise BadUserInput(
            Text(
                f"stage: {name.zh}由{'提交' if stage == approval.PROPOSAL else '批准、发布'}时记录",
                f"stage: the {name.en} stage is recorded by the"
                f" {'proposal' if stage == approval.PROPOSAL else 'approve or publish'} mutation",
            ),
            "stage",
        )
    open_now = case.open_consultation
    if stage == approval.CONSULTATION and open_now is not None:
        approval.check_can_close(open_now, today)
        comments = details.get("comments_received")
        if comments is None or comments < 0:
            raise BadUserInput(
                Text(
                    "details.commentsReceived: 结束征求意见须给出收到的意见数",
                    "details.commentsReceived: closing a consultation needs the number of"
                    " comments received",
                ),
                "details.commentsReceived",
            )
        closed = {
            **open_now,
            "closed": True,
            "closed_at": _now(),
            "comments_received": comments,
            "summary": _text(details.get("summary"), "details.summary"),
        }
        return case.with_last(closed)
    approval.check_next(case, stage)
    if stage == approval.CONSULTATION:
        start, end = approval.consultation_period(details.get("start"), details.get("end"))
        return case.with_stage(
            _entry(stage, who, start=start.isoformat(), end=end.isoformat(), closed=False)
        )
    experts = details.get("experts") or []
    if len(experts) > MAX_EXPERTS:
        raise BadUserInput(
            Text(
                f"details.experts: 至多 {MAX_EXPERTS} 位", f"details.experts: at most {MAX_EXPERTS}"
            ),
            "details.experts",
        )
    return case.with_stage(
        _entry(
            stage,
            who,
            summary=_text(details.get("summary"), "details.summary", required=True),
            experts=[_text(e, "details.experts", required=True) for e in experts],
        )
    )


def with_approval(case: Case, details: Row | None, who: Who) -> Case:
    """``case`` approved: every stage before approval done, and the approving authority's
    decision given where the case needs one (a formal naming case)."""
    approval.check_next(case, approval.APPROVAL)
    formal = approval.CONSULTATION in case.required
    details = details or {}
    if formal and not details:
        raise BadUserInput(
            Text(
                "approval: 须给出批准机关、批复文号和批准日期",
                "approval: the approving authority, the document number and the date are needed",
            ),
            "approval",
        )
    decided = details.get("date")
    return case.with_stage(
        _entry(
            approval.APPROVAL,
            who,
            authority=_text(details.get("authority"), "approval.authority", required=formal),
            document_number=_text(
                details.get("document_number"), "approval.documentNumber", required=formal
            ),
            date=decided.isoformat() if isinstance(decided, date) else None,
        )
    )


def with_announcement(case: Case, details: Row | None, who: Who, today: date) -> Case:
    approval.check_next(case, approval.ANNOUNCEMENT)
    details = details or {}
    on = details.get("date") or today
    return case.with_stage(
        _entry(
            approval.ANNOUNCEMENT,
            who,
            date=on.isoformat(),
            number=_text(details.get("number"), "announcement.number"),
        )
    )


def closed(case: Case, outcome: str, reason: str, who: Who) -> Row:
    """The case as it ends without publication: withdrawn by its proposer, or rejected."""
    return {**case.to_json(), "outcome": outcome, "reason": reason, "closed_by": who.name}


async def attachment(ctx: RegistryContext, attachment_id: str) -> Row:
    """A document of an approval case, for staff (planners and up)."""
    require(ctx.actor, "planner", "a case document")
    if not attachment_id.isascii() or not attachment_id.isdigit():
        raise NotFound(Text(f"id: 没有编号为 {attachment_id} 的文件", "id: no such document"), "id")
    found = await ctx.database.read(lambda conn: edits.attachment(conn, int(attachment_id)))
    if found is None:
        raise NotFound(Text(f"id: 没有编号为 {attachment_id} 的文件", "id: no such document"), "id")
    return found
