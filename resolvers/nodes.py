"""Global ids: any record, fetched by one opaque id (Relay's ``node``).

A record's own ``id`` is the id its kind's mutations take (``updatePlaceName(id: "7")``);
its global id names the type as well, so that one field can fetch any record: the URL-safe
base64 of ``PlaceName:7`` (areas: ``AdminArea:371002``).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from db.kinds import EDITABLE_KINDS, EditableKind
from domain.codes import check_area_code
from domain.errors import BadUserInput, Text
from resolvers.context import RegistryContext

AREA_TYPE = "AdminArea"
KINDS_BY_TYPE: dict[str, EditableKind] = {k.type_name: k for k in EDITABLE_KINDS.values()}
Row = dict[str, Any]


def global_id(type_name: str, key: object) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


def parse_global_id(value: str, field: str = "id") -> tuple[str, str]:
    """(type name, key) of a global id, or BadUserInput naming ``field``."""
    try:
        padded = value + "=" * (-len(value) % 4)
        decoded = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        decoded = ""
    type_name, _, key = decoded.partition(":")
    if (type_name not in KINDS_BY_TYPE and type_name != AREA_TYPE) or not key:
        raise BadUserInput(
            Text(
                f"{field}: {value!r} 不是本登记系统的全局编号（见各记录的 nodeId）",
                f"{field}: {value!r} is not a global id of this registry (see a record's nodeId)",
            ),
            field,
        )
    return type_name, key


async def node(ctx: RegistryContext, value: str) -> tuple[str, Row] | None:
    """The record a global id names, as the caller may see it: the public sees areas and
    published records; staff see records in every stage.  None when there is none."""
    type_name, key = parse_global_id(value)
    if type_name == AREA_TYPE:
        row = await ctx.loaders.area.load(check_area_code(key, "id"))
        return (type_name, row) if row is not None else None
    if not key.isascii() or not key.isdigit():
        raise BadUserInput(
            Text(f"id: {value!r} 不指向任何记录", f"id: {value!r} names no record"), "id"
        )
    kind = KINDS_BY_TYPE[type_name]
    row = await ctx.loaders.record(kind).load(int(key))
    if row is None or (row["status"] != "published" and not ctx.actor.may("planner")):
        return None
    return type_name, row
