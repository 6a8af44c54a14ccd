"""Warnings about a name that may be confused with others, as edits raise them and
revisions keep them."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from domain.errors import Text
from domain.naming import HOMOPHONE, ONE_CHARACTER_OFF, SAME_NAME_NEARBY
from resolvers.name_checks import NameWarning as Raised


@strawberry.enum(
    description="提示：名称可能与他名混淆，须编辑确认 / A warning about a name: allowed only when "
    "the editor acknowledges it (acknowledgeWarnings), and then recorded with the revision."
)
class WarningCode(Enum):
    HOMOPHONE = strawberry.enum_value(
        HOMOPHONE,
        description="同音：与同一辖区内的名称拼音相同（不计声调） / sounds the same (the same "
        "toneless pinyin) as a name of the same jurisdiction",
    )
    ONE_CHARACTER_OFF = strawberry.enum_value(
        ONE_CHARACTER_OFF,
        description="一字之差：与同一辖区内的名称只差一个字 / differs by one character from a name "
        "of the same jurisdiction",
    )
    SAME_NAME_NEARBY = strawberry.enum_value(
        SAME_NAME_NEARBY,
        description="近处同名：100 米内已有同类同名的记录 / a record of the same kind and name "
        "lies within 100 m",
    )


@strawberry.type(description="名称提示 / A warning about a name, and the record it concerns.")
class NameWarning:
    code: WarningCode
    message: str = strawberry.field(description="说明 / What was found, in the request's language")
    record_id: strawberry.ID = strawberry.field(
        description="相混淆的记录 / The record the name may be confused with"
    )
    record_name: str = strawberry.field(description="该记录的名称 / That record's name")
    distance_meters: float | None = strawberry.field(
        description="相距米数（近处同名） / How far away it is (SAME_NAME_NEARBY)"
    )

    @classmethod
    def from_raised(cls, warning: Raised) -> NameWarning:
        return cls(
            code=WarningCode(warning.code),
            message=str(warning.message),
            record_id=strawberry.ID(str(warning.record_id)),
            record_name=warning.record_name,
            distance_meters=warning.distance_m,
        )

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> NameWarning:
        """As a revision keeps it (``resolvers.name_checks.NameWarning.stored``)."""
        message = stored["message"]
        return cls(
            code=WarningCode(stored["code"]),
            message=str(Text(message["zh"], message["en"])),
            record_id=strawberry.ID(str(stored["record_id"])),
            record_name=stored["record_name"],
            distance_meters=stored.get("distance_m"),
        )
