"""The edit lifecycle every editable kind shares (place names, village roads, services).

An editor proposes: a new record, or an edit.  An edit of a record in review changes the
proposal; an edit of a published record waits beside it as a pending change, so that the
public goes on seeing the record as published.  A reviewer other than the proposer
approves, then publishes (the record, or its pending change); a reviewer retires and
restores, and may revert any revision.  Each mutation names the version it acts on (a
stale one is VERSION_CONFLICT), writes an immutable revision in the same transaction, and
keeps the record's search keys in step.  What differs between kinds (their checks) lives
in the modules that call these functions; what they store, in ``db.kinds``.

Every function here that touches the database runs as one piece of work off the event
loop (``Database.run``): its checks, its writes and its revision in one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import shapely
import shapely.geometry
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.kinds import EditableKind
from db.queries import edits as queries
from db.queries.collections import rows_by_id
from db.queries.search import index_names
from domain import approval
from domain.approval import Case
from domain.codes import LEVEL_NAMES, check_area_code
from domain.documents import Document, document_type
from domain.errors import BadUserInput, Forbidden, NotFound, Text, VersionConflict
from domain.roles import require
from gis.chinese_crs import CoordinateSystem, geojson_to_wgs84
from gis.geojson import check_crs_member, parse_geometry
from resolvers import cases
from resolvers.cases import Who
from resolvers.context import RegistryContext
from resolvers.name_checks import NameWarning, acknowledged, name_warnings

MAX_KEY_LENGTH = 200
Row = dict[str, Any]

Disallowed = tuple[str, ...]  # words no name may contain (settings)


@dataclass(frozen=True)
class EditRules:
    """What one kind of record checks, and nothing else: everything around it (roles,
    versions, pending changes, revisions, search keys, replays) is this module's."""

    # Fields a patch may not set to null.
    required: tuple[str, ...]
    # A proposal's fields (WGS84) → the columns to write and the geometry.
    check_new: Callable[[Connection, Row, Disallowed], tuple[Row, shapely.Geometry]]
    # The record as it is (with its pending change) and the fields a patch names → the
    # columns to write and the geometry (None: unchanged).
    check_change: Callable[[Connection, Row, Row, Disallowed], tuple[Row, shapely.Geometry | None]]


def camel(name: str) -> str:
    """The GraphQL name of a field: area_code → areaCode."""
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def in_wgs84(fields: Row, crs: CoordinateSystem) -> Row:
    """``fields`` with a geometry given in ``crs`` moved to WGS84 (checked as given first)."""
    geometry = fields.get("geometry")
    if geometry is None or not crs.shifted:
        return fields
    parse_geometry(geometry, "geometry")
    if check_crs_member(geometry, "geometry"):
        raise BadUserInput(
            Text(
                f"geometry.crs: 几何自带经纬度坐标系，与 crs 参数 {crs.value} 矛盾",
                f"geometry.crs: the geometry names a longitude/latitude system, the crs argument"
                f" {crs.value}: give one",
            ),
            "geometry.crs",
        )
    return {**fields, "geometry": geojson_to_wgs84(geometry, crs)}


def refuse_nulls(given: Row, required: tuple[str, ...]) -> Row:
    """A patch may set optional fields to null (clearing them), never required ones."""
    for name in required:
        if name in given and given[name] is None:
            raise BadUserInput(
                Text(f"{camel(name)} 不能为 null", f"{camel(name)} cannot be null"), camel(name)
            )
    return given


def record_id(value: str, field: str, label: str) -> int:
    if not str(value).isdigit():
        raise BadUserInput(
            Text(f"{field}: {value!r} 不是{label}编号", f"{field}: {value!r} is not a {label} id"),
            field,
        )
    return int(value)


def actor_id(ctx: RegistryContext, role: str, what: str) -> int:
    require(ctx.actor, role, what)
    found = ctx.actor.id
    assert found is not None  # only the public has no id, and it may not edit
    return found


@dataclass(frozen=True)
class ClientKey:
    """A client mutation id, and the fingerprint of the arguments it was sent with."""

    value: str
    digest: str


def request_digest(kind: EditableKind, request: object) -> str:
    """A fingerprint of one mutation's arguments (what a client mutation id stands for)."""
    text = orjson.dumps(
        [kind.entity, request], option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=repr
    )
    return hashlib.sha256(text).hexdigest()


def _check_key(client_mutation_id: str | None) -> str | None:
    key = client_mutation_id.strip() if client_mutation_id else None
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise BadUserInput(
            Text(
                f"clientMutationId 须为 1 至 {MAX_KEY_LENGTH} 个字符",
                f"clientMutationId must have 1 to {MAX_KEY_LENGTH} characters",
            ),
            "clientMutationId",
        )
    if key is not None and not key.isprintable():
        raise BadUserInput(
            Text(
                "clientMutationId: 不得含控制字符",
                "clientMutationId: may not hold control characters",
            ),
            "clientMutationId",
        )
    return key


async def _once(
    ctx: RegistryContext,
    kind: EditableKind,
    actor: int,
    key: str | None,
    change: Callable[[Connection, ClientKey | None], int],
    *,
    request: object = None,
) -> Row:
    """Runs ``change`` in a transaction, once per client mutation id: a replay (or a second
    copy racing the first) returns the record as it is, and changes nothing.  The key
    names one change: sent again with a different ``request`` (the mutation's arguments),
    it is refused rather than answered with the first change's record."""
    digest = request_digest(kind, request)

    def first_change(conn: Connection, key: str) -> int | None:
        done = queries.replayed(conn, actor, key)
        if done is None:
            return None
        changed, recorded = done
        if recorded is not None and recorded != digest:
            raise BadUserInput(
                Text(
                    "clientMutationId: 此键已用于另一项修改，请换一个新键",
                    "clientMutationId: this key was used for a different change; send a new key",
                ),
                "clientMutationId",
            )
        return changed

    def work(database: Database) -> Row:
        try:
            with database.transaction() as conn:
                done = first_change(conn, key) if key else None
                if done is None:
                    changed = change(conn, ClientKey(key, digest) if key else None)
                else:
                    changed = done
        except IntegrityError:
            if key is None:
                raise
            with database.connect() as conn:
                done = first_change(conn, key)
            if done is None:
                raise
            changed = done
        with database.connect() as conn:
            return rows_by_id(conn, kind, [changed])[changed]

    return await ctx.database.run(work)


def locked(conn: Connection, kind: EditableKind, id: int, version: int) -> Row:
    current = queries.lock(conn, kind, id)
    if current is None:
        raise NotFound(
            Text(f"id: 没有编号为 {id} 的{kind.label_zh}", f"id: no {kind.label} has id {id}"), "id"
        )
    if current["version"] != version:
        raise VersionConflict(
            Text(
                f"version: 记录当前为第 {current['version']}"
                f" 版，不是第 {version} 版；请重新读取后再编辑",
                f"version: the record is at version {current['version']}, not {version};"
                " reload it and edit again",
            ),
            "version",
            {"currentVersion": current["version"]},
        )
    return current


def record_change(
    conn: Connection,
    kind: EditableKind,
    id: int,
    operation: str,
    *,
    actor: int,
    comment: str | None,
    before: Row | None,
    key: ClientKey | None = None,
    warnings: Sequence[NameWarning] = (),
) -> None:
    """What every change does besides itself: the revision, the search keys, the news."""
    after = queries.write_revision(
        conn,
        kind,
        id,
        operation,
        actor_id=actor,
        comment=comment,
        before=before,
        client_mutation_id=key.value if key else None,
        request_digest=key.digest if key else None,
        warnings=[w.stored() for w in warnings],
    )
    index_names(conn, kind.entity, str(id), kind.names_of(after))
    was_public = before is not None and before["status"] == "published"
    is_public = after["status"] == "published"
    # Only what changes the public map is news: a change of a published record waiting for
    # review is not, until it is published.
    if was_public != is_public or (is_public and operation in PUBLIC_CHANGES):
        was_at = None
        if was_public and before is not None and before.get("geometry"):
            was_at = shapely.geometry.shape(before["geometry"]).bounds
        queries.notify_public_change(conn, kind, id, was_at)


# Operations that may change a published record as the public sees it.
PUBLIC_CHANGES = ("publish", "revert", "restore")


async def create(
    ctx: RegistryContext,
    kind: EditableKind,
    rules: EditRules,
    fields: Row,
    *,
    crs: CoordinateSystem,
    comment: str | None,
    client_mutation_id: str | None,
    acknowledge: Sequence[str] | None = None,
    reason: str | None = None,
) -> Row:
    """Proposes a new record from the fields its input gives (geometry in ``crs``), opening
    its naming case with ``reason``; the warnings its name raises must be among those
    ``acknowledge`` names."""
    actor = actor_id(ctx, "editor", f"create{kind.type_name}")
    who = Who(actor, ctx.actor.name)
    key = _check_key(client_mutation_id)
    request = ("create", fields, crs, comment, sorted(acknowledge or ()), reason)
    fields = in_wgs84(fields, crs)
    disallowed = ctx.settings.disallowed_name_words

    def change(conn: Connection, key: ClientKey | None) -> int:
        values, geom = rules.check_new(conn, fields, disallowed)
        warnings = acknowledged(name_warnings(conn, kind, values, geom, None), acknowledge)
        case = cases.open_case(kind, approval.NAMING, values, who, reason)
        new_id = queries.insert(conn, kind, values, geom, actor)
        queries.set_case(conn, kind, new_id, case.to_json(), new_version=False)
        record_change(
            conn,
            kind,
            new_id,
            "create",
            actor=actor,
            comment=comment,
            before=None,
            key=key,
            warnings=warnings,
        )
        return new_id

    return await _once(ctx, kind, actor, key, change, request=request)


async def update(
    ctx: RegistryContext,
    kind: EditableKind,
    rules: EditRules,
    id: str,
    version: int,
    *,
    given: Row,
    crs: CoordinateSystem,
    comment: str | None,
    client_mutation_id: str | None,
    acknowledge: Sequence[str] | None = None,
    reason: str | None = None,
) -> Row:
    """Edits the version named with the fields a patch names (None: set to null), opening
    a new case for it (naming, renaming or a change) with ``reason``; the warnings a new
    name or place raises must be among those ``acknowledge`` names."""
    actor = actor_id(ctx, "editor", f"update{kind.type_name}")
    who = Who(actor, ctx.actor.name)
    the_id = record_id(id, "id", kind.label)
    key = _check_key(client_mutation_id)
    request = ("update", the_id, version, given, crs, comment, sorted(acknowledge or ()), reason)
    given = in_wgs84(refuse_nulls(given, rules.required), crs)
    disallowed = ctx.settings.disallowed_name_words

    def change(conn: Connection, key: ClientKey | None) -> int:
        current = locked(conn, kind, the_id, version)
        if current["status"] == "retired":
            raise BadUserInput(
                Text(
                    f"id: 已撤销的{kind.label_zh}须先恢复才能编辑",
                    f"id: a retired {kind.label} is restored before it is edited",
                ),
                "id",
            )
        before = queries.snapshot(conn, kind, the_id)
        assert before is not None
        # An edit builds on the change already pending, if there is one.
        base = {**before, **(before.get("pending") or {})}
        values, geom = rules.check_change(conn, base, given, disallowed)
        raised = name_warnings(conn, kind, {**base, **values}, geom, base)
        warnings = acknowledged(raised, acknowledge)
        which = cases.case_kind(kind, current["status"], {**base, **values}, before)
        case = cases.open_case(kind, which, {**base, **values}, who, reason)
        queries.set_case(conn, kind, the_id, case.to_json(), new_version=False)
        if current["status"] == "published":
            # The public keeps the published record until this change is published.
            geometry = shapely.geometry.mapping(geom) if geom is not None else base["geometry"]
            queries.propose_change(conn, kind, the_id, {**values, "geometry": geometry}, actor)
        else:
            queries.update(conn, kind, the_id, values=values, geom=geom, actor_id=actor)
        record_change(
            conn,
            kind,
            the_id,
            "update",
            actor=actor,
            comment=comment,
            before=before,
            key=key,
            warnings=warnings,
        )
        return the_id

    return await _once(ctx, kind, actor, key, change, request=request)


# operation → (the stages it starts from, the stage it leads to).  A record's stage is its
# status, or, while a change of the published record is pending, that change's status.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "approve": (("proposed",), "approved"),
    "publish": (("approved",), "published"),
    "retire": (("proposed", "approved", "published"), "retired"),
    "restore": (("retired",), None),  # to the status it had before it was retired
}


async def change_status(
    ctx: RegistryContext,
    kind: EditableKind,
    operation: str,
    id: str,
    version: int,
    *,
    comment: str | None,
    client_mutation_id: str | None,
    details: Row | None = None,
    documents: Sequence[Document] = (),
) -> Row:
    """Approves (with the approving authority's decision, ``details``, and its documents),
    publishes (with the announcement's), retires or restores the version named."""
    sources, status = TRANSITIONS[operation]
    actor = actor_id(ctx, "reviewer", f"{operation}{kind.type_name}")
    who = Who(actor, ctx.actor.name)
    the_id = record_id(id, "id", kind.label)
    key = _check_key(client_mutation_id)
    typed = _typed_documents(ctx, documents)
    request = (operation, the_id, version, comment, details, [d.filename for d in documents])

    def change(conn: Connection, key: ClientKey | None) -> int:
        current = locked(conn, kind, the_id, version)
        # Approving and publishing act on a pending change when there is one; retiring
        # and restoring act on the record (retiring drops a pending change).
        reviewing_change = current["pending_status"] is not None and operation in (
            "approve",
            "publish",
        )
        stage = current["pending_status"] if reviewing_change else current["status"]
        if stage not in sources:
            what = f"{kind.label} with a {stage} change" if reviewing_change else kind.label
            raise BadUserInput(
                Text(
                    f"id: 状态为 {current['status']} 的{what}不能执"
                    f"行 {operation}（仅限 {' 或 '.join(sources)}）",
                    f"id: a {current['status']} {what} cannot be {operation}d"
                    f" (only {' or '.join(sources)})",
                ),
                "id",
            )
        proposer = current["pending_by"] if reviewing_change else current["proposed_by"]
        if operation == "approve" and proposer == actor:
            raise Forbidden(
                Text("审核人不能批准自己提交的申报", "a reviewer cannot approve his own proposal")
            )
        case = None
        if operation == "approve":
            case = cases.with_approval(cases.case_of(current), details, who)
        elif operation == "publish":
            case = cases.with_announcement(cases.case_of(current), details, who, cases.today())
        if case is not None:
            case = _with_documents(conn, kind, the_id, case, documents=typed, actor=actor)
        before = queries.snapshot(conn, kind, the_id)
        if case is not None:
            queries.set_case(conn, kind, the_id, case.to_json(), new_version=False)
        if reviewing_change and operation == "approve":
            queries.set_pending_status(conn, kind, the_id, "approved")
        elif reviewing_change:
            queries.publish_pending(conn, kind, the_id)
        else:
            new_status = (
                status or queries.status_before_last_retire(conn, kind, the_id) or "proposed"
            )
            queries.set_status(conn, kind, the_id, new_status)
        record_change(
            conn, kind, the_id, operation, actor=actor, comment=comment, before=before, key=key
        )
        return the_id

    return await _once(ctx, kind, actor, key, change, request=request)


def _typed_documents(
    ctx: RegistryContext, documents: Sequence[Document]
) -> list[tuple[Document, str]]:
    """Each document with its media type, checked before any work: size and kind."""
    most = ctx.settings.max_attachment_bytes
    return [(d, document_type(d, most, f"documents[{n}]")) for n, d in enumerate(documents)]


def _with_documents(
    conn: Connection,
    kind: EditableKind,
    id: int,
    case: Case,
    *,
    documents: Sequence[tuple[Document, str]],
    actor: int,
) -> Case:
    """The case with ``documents`` kept (in the database, in this transaction) and listed
    with the stage just recorded."""
    if not documents:
        return case
    entry = dict(case.stages[-1])
    kept = [
        queries.insert_attachment(
            conn,
            kind,
            id,
            stage=entry["stage"],
            filename=document.filename,
            media_type=media_type,
            content=document.content,
            actor_id=actor,
        )
        for document, media_type in documents
    ]
    entry["documents"] = [*entry.get("documents", []), *kept]
    return case.with_last(entry)


def _in_review(current: Row, kind: EditableKind, what: Text, stages: tuple[str, ...]) -> bool:
    """Whether the proposal in review is a pending change of a published record (else the
    record itself); BadUserInput when the record has no proposal at one of ``stages``."""
    pending = current["pending_status"]
    stage = pending or current["status"]
    if stage not in stages:
        raise BadUserInput(
            Text(
                f"id: 该{kind.label_zh}没有处于{'、'.join(stages)}阶段的申报，不能{what.zh}",
                f"id: this {kind.label} has no proposal {' or '.join(stages)} to {what.en}",
            ),
            "id",
        )
    return pending is not None


async def record_stage(
    ctx: RegistryContext,
    kind: EditableKind,
    id: str,
    version: int,
    *,
    stage: str,
    details: Row,
    comment: str | None,
    client_mutation_id: str | None,
    documents: Sequence[Document] = (),
) -> Row:
    """Records a stage of the proposal's case (assessment, expert review, the opening or
    closing of a public consultation), in order, with its documents."""
    actor = actor_id(ctx, "editor", f"recordStage{kind.type_name}")
    who = Who(actor, ctx.actor.name)
    the_id = record_id(id, "id", kind.label)
    key = _check_key(client_mutation_id)
    typed = _typed_documents(ctx, documents)
    request = ("stage", the_id, version, stage, details, comment, [d.filename for d in documents])

    def change(conn: Connection, key: ClientKey | None) -> int:
        current = locked(conn, kind, the_id, version)
        _in_review(current, kind, Text("记录审批环节", "record a stage for"), ("proposed",))
        case = cases.with_stage(cases.case_of(current), stage, details, who, cases.today())
        case = _with_documents(conn, kind, the_id, case, documents=typed, actor=actor)
        before = queries.snapshot(conn, kind, the_id)
        queries.set_case(conn, kind, the_id, case.to_json(), new_version=True)
        record_change(
            conn, kind, the_id, "stage", actor=actor, comment=comment, before=before, key=key
        )
        return the_id

    return await _once(ctx, kind, actor, key, change, request=request)


async def close_unpublished(
    ctx: RegistryContext,
    kind: EditableKind,
    operation: str,
    id: str,
    version: int,
    *,
    reason: str,
    client_mutation_id: str | None,
) -> Row:
    """Ends a proposal's case without publication: ``withdraw`` (its proposer) or
    ``reject`` (a reviewer, with the reason).  A new record is retired; a change of a
    published record is dropped, and the record stays as published."""
    role = "editor" if operation == "withdraw" else "reviewer"
    actor = actor_id(ctx, role, f"{operation}{kind.type_name}")
    who = Who(actor, ctx.actor.name)
    the_id = record_id(id, "id", kind.label)
    key = _check_key(client_mutation_id)
    reason = (reason or "").strip()
    if not reason:
        raise BadUserInput(Text("reason: 须说明理由", "reason must be given"), "reason")
    request = (operation, the_id, version, reason)
    what = Text("撤回", "withdraw") if operation == "withdraw" else Text("驳回", "reject")

    def change(conn: Connection, key: ClientKey | None) -> int:
        current = locked(conn, kind, the_id, version)
        of_change = _in_review(current, kind, what, ("proposed", "approved"))
        proposer = current["pending_by"] if of_change else current["proposed_by"]
        if operation == "withdraw" and proposer != actor:
            raise Forbidden(
                Text("只有申报人可以撤回申报", "only the proposer may withdraw a proposal")
            )
        outcome = "withdrawn" if operation == "withdraw" else "rejected"
        case = cases.closed(cases.case_of(current), outcome, reason, who)
        before = queries.snapshot(conn, kind, the_id)
        if of_change:
            queries.drop_pending(conn, kind, the_id)
        else:
            queries.set_status(conn, kind, the_id, "retired")
        queries.set_case(conn, kind, the_id, case, new_version=False)
        record_change(
            conn, kind, the_id, operation, actor=actor, comment=reason, before=before, key=key
        )
        return the_id

    return await _once(ctx, kind, actor, key, change, request=request)


async def revert(
    ctx: RegistryContext,
    kind: EditableKind,
    revision: str,
    version: int,
    *,
    comment: str | None,
) -> Row:
    """Undoes one revision: the record goes back to the state that revision found (a
    revision that created the record retires it).  The revert is itself a revision."""
    actor = actor_id(ctx, "reviewer", f"revert{kind.type_name}")
    revision_id = record_id(revision, "revision", "revision")

    def change(conn: Connection, key: ClientKey | None) -> int:
        found = queries.revision_by_id(conn, revision_id)
        if found is None or found["entity"] != kind.entity:
            raise NotFound(
                Text(
                    f"revision: 没有编号为 {revision_id} 的{kind.label_zh}修订",
                    f"revision: no {kind.label} revision has id {revision_id}",
                ),
                "revision",
            )
        the_id = int(found["entity_id"])
        locked(conn, kind, the_id, version)
        before = queries.snapshot(conn, kind, the_id)
        state = found["before"]
        if state is None:
            queries.set_status(conn, kind, the_id, "retired")
        else:
            _check_name_still_free(conn, kind, the_id, state)
            queries.restore_state(conn, kind, the_id, state)
        record_change(conn, kind, the_id, "revert", actor=actor, comment=comment, before=before)
        return the_id

    return await _once(ctx, kind, actor, None, change)


def _check_name_still_free(conn: Connection, kind: EditableKind, id: int, state: Row) -> None:
    """A name given up since may have been taken by another record: a revert that would
    bring it back twice is refused, as a new proposal of it would be."""
    scope = kind.name_scope(state)
    if scope is None or state["status"] == "retired":
        return
    name, prefix, of_kind = scope
    if queries.name_taken(conn, kind, name, prefix, except_id=id, kind=of_kind):
        raise BadUserInput(
            Text(
                f"revision: 撤销该修订会恢复名称「{name}」"
                f"，而该区域已有其他{kind.label_zh}使用此名",
                f"revision: reverting it would bring back {name}, which another {kind.label}"
                " of the area now has",
            ),
            "revision",
        )


def check_name_free(conn: Connection, kind: EditableKind, state: Row, before: Row | None) -> None:
    """A new or renamed record may not take a name another live record of its scope has
    (names registered twice before the rule stay, until one is renamed)."""
    scope = kind.name_scope(state)
    if scope is None:
        return
    if before is not None and kind.name_scope(before) == scope:
        return
    name, prefix, of_kind = scope
    if queries.name_taken(
        conn, kind, name, prefix, except_id=before["id"] if before else None, kind=of_kind
    ):
        raise name_taken(kind, name, prefix)


def name_taken(kind: EditableKind, name: str, prefix: str) -> BadUserInput:
    """The error of a name another live record of the jurisdiction has."""
    field = camel(kind.name_column)
    where = LEVEL_NAMES.get(len(prefix), LEVEL_NAMES[9])
    return BadUserInput(
        Text(
            f"{field}: 本{where.zh}已有名为「{name}」的{kind.label_zh}（同一辖区内不得重名）",
            f"{field}: {name} is already used in this {where.en}",
        ),
        field,
    )


def no_such_area(area_code: str, field: str) -> BadUserInput:
    return BadUserInput(
        Text(f"{field}: 没有代码为 {area_code} 的区划", f"{field}: no area has code {area_code}"),
        field,
    )


def outside_area(area_code: str, tolerance_m: float) -> BadUserInput:
    return BadUserInput(
        Text(
            f"geometry: 位于区划 {area_code} 的边界之外（超出 {tolerance_m:g} 米以上）",
            f"geometry: lies outside the outline of area {area_code}"
            f" (by more than {tolerance_m:g} m)",
        ),
        "geometry",
    )


def check_inside(
    conn: Connection,
    geom: shapely.Geometry,
    area_code: str,
    *,
    tolerance_m: float,
    area_field: str,
) -> None:
    inside = queries.geometry_inside_area(conn, geom, area_code, tolerance_m)
    if inside is None:
        raise no_such_area(area_code, area_field)
    if not inside:
        raise outside_area(area_code, tolerance_m)


def check_village(conn: Connection, code: str, field: str) -> str:
    code = check_area_code(code, field)
    level = queries.area_level(conn, code)
    if level is None:
        raise no_such_area(code, field)
    if level != "village":
        raise BadUserInput(
            Text(
                f"{field}: {code} 是{level}，不是村", f"{field}: {code} is a {level}, not a village"
            ),
            field,
        )
    return code
