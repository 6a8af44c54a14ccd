"""The approval stages of a naming case, as the place-name regulations run them.

地名管理条例 (2022) and its 实施办法 (2024): a name is proposed with its reason, meaning
and origin; for naming and renaming, a comprehensive assessment (综合评估), an expert
review (专家论证) and a public consultation (征求意见) come before the approving
authority's decision (批复, with its document number), and the decision is announced
(公告) when the name takes effect.  Which stages a case needs depends on what it is
(naming a new place, renaming one, changing other particulars of a published record) and
on the kind and category of the record: ``REQUIRED_STAGES`` says it, in this one place.

A case's stages are recorded in order; none may be skipped or taken out of order, and a
consultation closes no earlier than the end of its period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import BadUserInput, Text

PROPOSAL = "proposal"
ASSESSMENT = "assessment"
EXPERT_REVIEW = "expert_review"
CONSULTATION = "consultation"
APPROVAL = "approval"
ANNOUNCEMENT = "announcement"
STAGES = (PROPOSAL, ASSESSMENT, EXPERT_REVIEW, CONSULTATION, APPROVAL, ANNOUNCEMENT)
STAGE_NAMES = {
    PROPOSAL: Text("申报", "proposal"),
    ASSESSMENT: Text("综合评估", "assessment"),
    EXPERT_REVIEW: Text("专家论证", "expert review"),
    CONSULTATION: Text("征求意见", "public consultation"),
    APPROVAL: Text("批准", "approval"),
    ANNOUNCEMENT: Text("公告", "announcement"),
}
# The stages recorded by the stage mutation; the others come with create/update
# (proposal), approve (approval) and publish (announcement).
RECORDED_APART = (ASSESSMENT, EXPERT_REVIEW, CONSULTATION)

NAMING = "naming"  # a new record
RENAMING = "renaming"  # a published record's name changes
CHANGE = "change"  # other particulars of a published record change
CASE_KINDS = (NAMING, RENAMING, CHANGE)

FULL = STAGES
PLAIN = (PROPOSAL, APPROVAL, ANNOUNCEMENT)

# (entity, case kind, category or None for any) → the stages the case goes through.  The
# most specific entry wins.  Place names follow the 实施办法 in full when they are named or
# renamed; village roads are named by the township after consulting the villagers; the
# registry's services (not place names) are checked and approved only.
REQUIRED_STAGES: dict[tuple[str, str, str | None], tuple[str, ...]] = {
    ("place_name", NAMING, None): FULL,
    ("place_name", RENAMING, None): FULL,
    ("place_name", CHANGE, None): PLAIN,
    ("village_road", NAMING, None): (PROPOSAL, CONSULTATION, APPROVAL, ANNOUNCEMENT),
    ("village_road", RENAMING, None): (PROPOSAL, CONSULTATION, APPROVAL, ANNOUNCEMENT),
    ("village_road", CHANGE, None): PLAIN,
    ("service", NAMING, None): PLAIN,
    ("service", RENAMING, None): PLAIN,
    ("service", CHANGE, None): PLAIN,
}


def required_stages(entity: str, case: str, category: str | None) -> tuple[str, ...]:
    found = REQUIRED_STAGES.get((entity, case, category)) or REQUIRED_STAGES.get(
        (entity, case, None)
    )
    return found or PLAIN


@dataclass(frozen=True)
class Case:
    """One case as a record keeps it (``review_case``): its kind, the stages it needs, the
    stages recorded so far (each a dict with ``stage``, ``at``, ``by`` and its details)."""

    kind: str
    required: tuple[str, ...]
    stages: tuple[dict[str, Any], ...]
    outcome: str | None = None  # withdrawn or rejected: the case ended unpublished

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> Case | None:
        if not value:
            return None
        return cls(
            value["kind"], tuple(value["required"]), tuple(value["stages"]), value.get("outcome")
        )

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "required": list(self.required), "stages": list(self.stages)}

    @property
    def done(self) -> list[str]:
        return [s["stage"] for s in self.stages if s.get("closed", True)]

    @property
    def open_consultation(self) -> dict[str, Any] | None:
        last = self.stages[-1] if self.stages else None
        return last if last and last["stage"] == CONSULTATION and not last["closed"] else None

    @property
    def next_stage(self) -> str | None:
        done = self.done
        return next((s for s in self.required if s not in done), None)

    def with_stage(self, entry: dict[str, Any]) -> Case:
        return Case(self.kind, self.required, (*self.stages, entry))

    def with_last(self, entry: dict[str, Any]) -> Case:
        return Case(self.kind, self.required, (*self.stages[:-1], entry))


def _stage_error(zh: str, en: str, field: str = "stage") -> BadUserInput:
    return BadUserInput(Text(f"{field}: {zh}", f"{field}: {en}"), field)


def check_next(case: Case, stage: str) -> None:
    """``stage`` may be recorded now: it is required, and every stage before it is done."""
    name = STAGE_NAMES[stage]
    if stage not in case.required:
        raise _stage_error(
            f"本案（{case.kind}）无需{name.zh}环节",
            f"a {case.kind} case of this kind has no {name.en} stage",
        )
    if case.open_consultation is not None and stage != CONSULTATION:
        raise _stage_error(
            f"征求意见期尚未结束，不能进行{name.zh}",
            f"the public consultation is still open; {name.en} comes after it closes",
        )
    following = case.next_stage
    if following != stage:
        if stage in case.done:
            raise _stage_error(f"{name.zh}已经完成", f"the {name.en} stage is already done")
        assert following is not None
        before = STAGE_NAMES[following]
        raise _stage_error(
            f"须先完成{before.zh}，才能进行{name.zh}（不得跳过或颠倒环节）",
            f"{before.en} comes before {name.en}; stages are taken in order, none skipped",
        )


def consultation_period(start: date | None, end: date | None) -> tuple[date, date]:
    if start is None or end is None:
        raise _stage_error(
            "征求意见须给出起止日期（start、end）",
            "a public consultation needs its period: start and end",
            "details",
        )
    if end < start:
        raise _stage_error(
            "征求意见的结束日期早于开始日期",
            "the consultation ends before it starts",
            "details.end",
        )
    return start, end


def check_can_close(consultation: dict[str, Any], today: date) -> None:
    end = date.fromisoformat(consultation["end"])
    if today < end:
        raise _stage_error(
            f"征求意见期至 {end.isoformat()} 结束，不能提前结束",
            f"the consultation runs until {end.isoformat()}; it cannot close before",
            "details",
        )
