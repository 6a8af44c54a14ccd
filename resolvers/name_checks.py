"""Names that may be confused with others, found before a record is written.

An identical name in a record's jurisdiction is refused (``lifecycle.check_name_free``);
a name that sounds the same (the same toneless pinyin), differs by one character, or
repeats the name of a record of the same kind within ``NEARBY_METRES`` is a warning:
allowed when the editor acknowledges it (``acknowledgeWarnings``), and then recorded with
the revision.  The jurisdictions are the kinds' unique-name scopes (``db.kinds``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
import shapely.geometry
from sqlalchemy import Connection

from db.kinds import EditableKind
from db.queries import names as queries
from domain.codes import LEVEL_NAMES
from domain.errors import BadUserInput, Text
from domain.naming import (
    HOMOPHONE,
    ONE_CHARACTER_OFF,
    SAME_NAME_NEARBY,
    WARNING_CODES,
    resemblances,
    toneless_pinyin,
)

Row = dict[str, Any]
NEARBY_METRES = 100.0
FIELD = "acknowledgeWarnings"


@dataclass(frozen=True)
class NameWarning:
    code: str  # domain.naming.WARNING_CODES
    message: Text
    record_id: int
    record_name: str
    distance_m: float | None = None

    def as_json(self) -> dict[str, Any]:
        """As an error's extensions show it (the message in the request's language)."""
        return {
            "code": self.code.upper(),
            "message": str(self.message),
            "recordId": str(self.record_id),
            "recordName": self.record_name,
            "distanceMeters": self.distance_m,
        }

    def stored(self) -> dict[str, Any]:
        """As the revision keeps it: the message in both languages."""
        return {
            "code": self.code,
            "message": {"zh": self.message.zh, "en": self.message.en},
            "record_id": self.record_id,
            "record_name": self.record_name,
            "distance_m": self.distance_m,
        }


def resembling(name: str, others: Iterable[Row], where: Text) -> list[NameWarning]:
    """The warnings ``name`` raises against ``others`` (id, name) of its jurisdiction."""
    found = []
    for other in others:
        for code in resemblances(name, other["name"]):
            if code == HOMOPHONE:
                message = Text(
                    f"与本{where.zh}的「{other['name']}」同音（{toneless_pinyin(name)}）",
                    f"sounds the same as {other['name']} in the same {where.en}"
                    f" ({toneless_pinyin(name)})",
                )
            else:
                message = Text(
                    f"与本{where.zh}的「{other['name']}」仅一字之差",
                    f"differs by one character from {other['name']} in the same {where.en}",
                )
            found.append(NameWarning(code, message, int(other["id"]), other["name"]))
    return found


def _nearby(
    conn: Connection,
    kind: EditableKind,
    values: Row,
    geom: shapely.Geometry,
    except_id: int | None,
) -> list[NameWarning]:
    name = values[kind.name_column]
    of_kind = values.get(kind.kind_column) if kind.kind_column else None
    return [
        same_name_nearby(row)
        for row in queries.same_name_near(
            conn, kind, name, geom, metres=NEARBY_METRES, kind=of_kind, except_id=except_id
        )
    ]


def same_name_nearby(row: Row) -> NameWarning:
    """The warning of a record (id, name, distance_m) of the same kind and name close by."""
    return NameWarning(
        SAME_NAME_NEARBY,
        Text(
            f"{row['distance_m']:.0f} 米处已有同类同名的「{row['name']}」（编号 {row['id']}）",
            f"{row['name']} (id {row['id']}), of the same kind, lies"
            f" {row['distance_m']:.0f} m away",
        ),
        int(row["id"]),
        row["name"],
        round(float(row["distance_m"]), 1),
    )


def name_warnings(
    conn: Connection,
    kind: EditableKind,
    values: Row,
    geom: shapely.Geometry | None,
    before: Row | None,
) -> list[NameWarning]:
    """The warnings a record's name raises as ``values`` (and ``geom``, or the geometry it
    has) would write it.  An edit that changes neither the name, its jurisdiction nor the
    place raises none: what was acknowledged once is not asked again."""
    name = values[kind.name_column]
    scope = kind.name_scope(values)
    except_id = int(before["id"]) if before is not None else None
    if before is not None:
        unchanged = name == before.get(kind.name_column) and scope == kind.name_scope(before)
        if unchanged and geom is None:
            return []
    found: list[NameWarning] = []
    if scope is not None:
        _, prefix, of_kind = scope
        where = LEVEL_NAMES.get(len(prefix), LEVEL_NAMES[9])
        others = queries.resembling_in_scope(
            conn, kind, name, toneless_pinyin(name), prefix, kind=of_kind, except_id=except_id
        )
        found += resembling(name, others, where)
    place = geom
    if place is None and before is not None and before.get("geometry"):
        place = shapely.geometry.shape(before["geometry"])
    if place is not None:
        found += _nearby(conn, kind, values, place, except_id)
    return found


def acknowledged(
    warnings: list[NameWarning], given: Iterable[str] | None, *, strict: bool = True
) -> list[NameWarning]:
    """The warnings, each of whose codes the editor acknowledged; BadUserInput naming
    ``acknowledgeWarnings`` when one was not acknowledged, or (``strict``: one record's
    edit, not a batch's) one acknowledged was not raised."""
    codes = {code.lower() for code in given or ()}
    unknown = codes - set(WARNING_CODES)
    if unknown:
        raise BadUserInput(
            Text(
                f"{FIELD}: 未知提示 {sorted(unknown)}",
                f"{FIELD}: unknown warning {sorted(unknown)}",
            ),
            FIELD,
        )
    raised = {w.code for w in warnings}
    missing = [w for w in warnings if w.code not in codes]
    if missing:
        listed_zh = "；".join(w.message.zh for w in missing)
        listed_en = "; ".join(w.message.en for w in missing)
        wanted = ", ".join(sorted({w.code.upper() for w in missing}))
        raise BadUserInput(
            Text(
                f"{FIELD}: 名称{listed_zh}。确认无误后，请在 acknowledgeWarnings 中列出 {wanted}"
                " 再提交",
                f"{FIELD}: the name {listed_en}. If it is right, send again with {wanted} in"
                " acknowledgeWarnings",
            ),
            FIELD,
            {"warnings": [w.as_json() for w in missing]},
        )
    not_raised = codes - raised
    if not_raised and strict:
        shown = ", ".join(sorted(code.upper() for code in not_raised))
        raise BadUserInput(
            Text(
                f"{FIELD}: 本次修改未出现提示 {shown}，无需确认",
                f"{FIELD}: {shown} was not raised by this change; acknowledge only what was",
            ),
            FIELD,
        )
    return warnings


__all__ = ["HOMOPHONE", "NEARBY_METRES", "ONE_CHARACTER_OFF", "SAME_NAME_NEARBY", "NameWarning"]
