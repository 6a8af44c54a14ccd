"""The edit lifecycle shared by place names, village roads and services.

An editor proposes: a new record, or an edit.  An edit of a record in review changes the
proposal; an edit of a published record waits beside it as a pending change, so that the
public goes on seeing the record as published.  A reviewer other than the proposer
approves, then publishes (the record, or its pending change); a reviewer retires and
restores, and may revert any revision.  Each mutation names the version it acts on (a stale one is
VERSION_CONFLICT), writes an immutable revision in the same transaction, and keeps the
record's search keys in step.  What differs between kinds of record (their checks) lives
in the modules that call these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

import shapely
import shapely.geometry
import strawberry
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from strawberry.types import Info

from db.queries import edits
from db.queries.edits import Editable
from db.queries.search import index_name
from gis.chinese_crs import CoordinateSystem, geojson_to_wgs84
from gis.geojson import parse_geometry
from resolvers.auth import require
from resolvers.errors import BadUserInput, Forbidden, NotFound, VersionConflict
from resolvers.filters import check_area_code
from schema.context import RegistryContext

T = TypeVar("T")
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class EditTarget(Generic[T]):
    """One kind of editable record, as the GraphQL API shows it."""

    spec: Editable
    type_name: str  # the GraphQL type, for operation names: createVillageRoad
    label: str  # for messages: "village road"
    rows_by_id: Callable[[Connection, Sequence[int]], dict[int, dict[str, Any]]]
    from_row: Callable[[dict[str, Any]], T]
    # Called in the transaction when a change shows on, or leaves, the public map.
    on_public_change: Callable[[Connection, int], None] | None = None
    # Where a record's name must be unique: (name, area code prefix, kind) of a state, or
    # None when the rule does not apply to it.
    unique_name: Callable[[dict[str, Any]], tuple[str, str, str | None] | None] | None = None


# Checks a proposal; returns the columns to write and the geometry.
CreateCheck = Callable[[Connection], tuple[dict[str, Any], shapely.Geometry]]
# Checks an update against the record as it is (a snapshot); None: geometry unchanged.
UpdateCheck = Callable[[Connection, dict[str, Any]], tuple[dict[str, Any], shapely.Geometry | None]]


def fields_of(given: object, crs: CoordinateSystem) -> dict[str, Any]:
    """The fields an input or patch sets (None: left out), enums as their values, and a
    geometry given in ``crs`` moved to WGS84 (checked as given first)."""
    fields = {k: v.value if isinstance(v, Enum) else v for k, v in vars(given).items()}
    fields = {k: v for k, v in fields.items() if v is not None}
    if "geometry" in fields and crs is not CoordinateSystem.WGS84:
        parse_geometry(fields["geometry"], "geometry")
        fields["geometry"] = geojson_to_wgs84(fields["geometry"], crs)
    return fields


def record_id(value: str, field: str, label: str) -> int:
    if not str(value).isdigit():
        raise BadUserInput(f"{field}: {value!r} is not a {label} id", field)
    return int(value)


def actor_id(info: Info[RegistryContext, None]) -> int:
    found = info.context.actor.id
    assert found is not None  # the permission classes let no anonymous caller through
    return found


def load(info: Info[RegistryContext, None], target: EditTarget[T], id: int) -> T:
    with info.context.database.connect() as conn:
        row = target.rows_by_id(conn, [id]).get(id)
    assert row is not None
    return target.from_row(row)


def once(
    info: Info[RegistryContext, None],
    target: EditTarget[T],
    client_mutation_id: str | None,
    change: Callable[[Connection, str | None], int],
) -> T:
    """Runs ``change`` in a transaction, once per client mutation id: a replay (or a second
    copy racing the first) returns the record as it is, and changes nothing."""
    actor = actor_id(info)
    key = client_mutation_id.strip() if client_mutation_id else None
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise BadUserInput(
            f"clientMutationId must have 1 to {MAX_KEY_LENGTH} characters", "clientMutationId"
        )
    try:
        with info.context.database.transaction() as conn:
            done = edits.replayed(conn, actor, key) if key else None
            changed = done if done is not None else change(conn, key)
    except IntegrityError:
        if key is None:
            raise
        with info.context.database.connect() as conn:
            done = edits.replayed(conn, actor, key)
        if done is None:
            raise
        changed = done
    return load(info, target, changed)


def locked(conn: Connection, target: EditTarget[Any], id: int, version: int) -> dict[str, Any]:
    current = edits.lock(conn, target.spec, id)
    if current is None:
        raise NotFound(f"id: no {target.label} has id {id}", "id")
    if current["version"] != version:
        raise VersionConflict(
            f"version: the record is at version {current['version']}, not {version};"
            " reload it and edit again",
            "version",
            {"currentVersion": current["version"]},
        )
    return current


def record_change(
    conn: Connection,
    target: EditTarget[Any],
    id: int,
    operation: str,
    actor: int,
    comment: str | None,
    before: dict[str, Any] | None,
    key: str | None = None,
) -> None:
    """What every change does besides itself: the revision, the search keys, the news."""
    after = edits.write_revision(conn, target.spec, id, operation, actor, comment, before, key)
    index_name(conn, target.spec.entity, str(id), after[target.spec.name_column])
    was_public = before is not None and before["status"] == "published"
    if target.on_public_change and (was_public or after["status"] == "published"):
        target.on_public_change(conn, id)


def create(
    info: Info[RegistryContext, None],
    target: EditTarget[T],
    check: CreateCheck,
    comment: str | None,
    client_mutation_id: str | None,
) -> T:
    require(info.context.actor, "editor", f"create{target.type_name}")
    actor = actor_id(info)

    def change(conn: Connection, key: str | None) -> int:
        values, geom = check(conn)
        new_id = edits.insert(conn, target.spec, values, geom, actor)
        record_change(conn, target, new_id, "create", actor, comment, None, key)
        return new_id

    return once(info, target, client_mutation_id, change)


def update(
    info: Info[RegistryContext, None],
    target: EditTarget[T],
    id: strawberry.ID,
    version: int,
    check: UpdateCheck,
    comment: str | None,
    client_mutation_id: str | None,
) -> T:
    require(info.context.actor, "editor", f"update{target.type_name}")
    actor = actor_id(info)
    the_id = record_id(id, "id", target.label)

    def change(conn: Connection, key: str | None) -> int:
        current = locked(conn, target, the_id, version)
        if current["status"] == "retired":
            raise BadUserInput(
                f"id: a retired {target.label} is restored before it is edited", "id"
            )
        before = edits.snapshot(conn, target.spec, the_id)
        assert before is not None
        # An edit builds on the change already pending, if there is one.
        base = {**before, **(before.get("pending") or {})}
        values, geom = check(conn, base)
        if current["status"] == "published":
            # The public keeps the published record until this change is published.
            geometry = shapely.geometry.mapping(geom) if geom is not None else base["geometry"]
            pending = {**values, "geometry": geometry}
            edits.propose_change(conn, target.spec, the_id, pending, actor)
        else:
            edits.update(conn, target.spec, the_id, values, geom, actor)
        record_change(conn, target, the_id, "update", actor, comment, before, key)
        return the_id

    return once(info, target, client_mutation_id, change)


# operation → (the stage it starts from, the stage it leads to).  A record's stage is its
# status, or, while a change of the published record is pending, that change's status.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "approve": (("proposed",), "approved"),
    "publish": (("approved",), "published"),
    "retire": (("proposed", "approved", "published"), "retired"),
    "restore": (("retired",), None),  # to the status it had before it was retired
}


def change_status(
    info: Info[RegistryContext, None],
    target: EditTarget[T],
    operation: str,
    id: strawberry.ID,
    version: int,
    comment: str | None,
    client_mutation_id: str | None = None,
) -> T:
    sources, status = TRANSITIONS[operation]
    require(info.context.actor, "reviewer", f"{operation}{target.type_name}")
    actor = actor_id(info)
    the_id = record_id(id, "id", target.label)

    def change(conn: Connection, key: str | None) -> int:
        current = locked(conn, target, the_id, version)
        # Approving and publishing act on a pending change when there is one; retiring
        # and restoring act on the record (retiring drops a pending change).
        reviewing_change = current["pending_status"] is not None and operation in (
            "approve",
            "publish",
        )
        stage = current["pending_status"] if reviewing_change else current["status"]
        if stage not in sources:
            what = f"{target.label} with a {stage} change" if reviewing_change else target.label
            raise BadUserInput(
                f"id: a {current['status']} {what} cannot be {operation}d"
                f" (only {' or '.join(sources)})",
                "id",
            )
        proposer = current["pending_by"] if reviewing_change else current["proposed_by"]
        if operation == "approve" and proposer == actor:
            raise Forbidden("a reviewer cannot approve his own proposal")
        before = edits.snapshot(conn, target.spec, the_id)
        if reviewing_change and operation == "approve":
            edits.set_pending_status(conn, target.spec, the_id, "approved")
        elif reviewing_change:
            edits.publish_pending(conn, target.spec, the_id)
        else:
            new_status = (
                status or edits.status_before_last_retire(conn, target.spec, the_id) or "proposed"
            )
            edits.set_status(conn, target.spec, the_id, new_status)
        record_change(conn, target, the_id, operation, actor, comment, before, key)
        return the_id

    return once(info, target, client_mutation_id, change)


def revert(
    info: Info[RegistryContext, None],
    target: EditTarget[T],
    revision: strawberry.ID,
    version: int,
    comment: str | None,
) -> T:
    """Undoes one revision: the record goes back to the state that revision found (a
    revision that created the record retires it).  The revert is itself a revision."""
    require(info.context.actor, "reviewer", f"revert{target.type_name}")
    actor = actor_id(info)
    revision_id = record_id(revision, "revision", "revision")
    with info.context.database.transaction() as conn:
        found = edits.revision_by_id(conn, revision_id)
        if found is None or found["entity"] != target.spec.entity:
            raise NotFound(f"revision: no {target.label} revision has id {revision_id}", "revision")
        the_id = found["entity_id"]
        locked(conn, target, the_id, version)
        before = edits.snapshot(conn, target.spec, the_id)
        state = found["before"]
        if state is None:
            edits.set_status(conn, target.spec, the_id, "retired")
        else:
            _check_name_still_free(conn, target, the_id, state)
            edits.restore_state(conn, target.spec, the_id, state)
        record_change(conn, target, the_id, "revert", actor, comment, before)
    return load(info, target, the_id)


def _check_name_still_free(
    conn: Connection, target: EditTarget[Any], id: int, state: dict[str, Any]
) -> None:
    """A name given up since may have been taken by another record: a revert that would
    bring it back twice is refused, as a new proposal of it would be."""
    scope = target.unique_name(state) if target.unique_name else None
    if scope is None or state["status"] == "retired":
        return
    name, prefix, kind = scope
    if edits.name_taken(conn, target.spec, name, prefix, id, kind):
        raise BadUserInput(
            f"revision: reverting it would bring back {name}, which another {target.label}"
            " of the area now has",
            "revision",
        )


def check_inside(
    conn: Connection,
    geom: shapely.Geometry,
    area_code: str,
    tolerance_m: float,
    area_field: str,
) -> None:
    inside = edits.geometry_inside_area(conn, geom, area_code, tolerance_m)
    if inside is None:
        raise BadUserInput(f"{area_field}: no area has code {area_code}", area_field)
    if not inside:
        raise BadUserInput(
            f"geometry: lies outside the outline of area {area_code}"
            f" (by more than {tolerance_m:g} m)",
            "geometry",
        )


def check_village(conn: Connection, code: str, field: str) -> str:
    code = check_area_code(code, field)
    level = edits.area_level(conn, code)
    if level is None:
        raise BadUserInput(f"{field}: no area has code {code}", field)
    if level != "village":
        raise BadUserInput(f"{field}: {code} is a {level}, not a village", field)
    return code
