"""Writing editable records (place names, village roads, services): inserts, checked
updates, status changes, their revisions, and the records as they were at a past time.

Every function runs inside the caller's transaction; a change and its revision commit or
roll back together.  Table and column names come from the kind descriptions of
``db.kinds``, never from a client; values are always bound parameters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import shapely
from sqlalchemy import Connection, text

from db.kinds import EditableKind
from db.statements import Lookup, Statement
from gis import SRID


def snapshot(conn: Connection, spec: EditableKind, record_id: int) -> dict[str, Any] | None:
    """The whole record, geometry included, as it is now."""
    found = conn.execute(
        text(f"SELECT {spec.snapshot_sql} FROM {spec.entity} t WHERE t.id = :id"),
        {"id": record_id},
    ).scalar()
    return dict(found) if found is not None else None


def lock(conn: Connection, spec: EditableKind, record_id: int) -> dict[str, Any] | None:
    """Version, status, proposer, pending change and approval case of a record, locked
    until the transaction ends."""
    row = (
        conn.execute(
            text(
                "SELECT id, version, status, proposed_by, pending_status, pending_by,"
                f" review_case FROM {spec.entity} WHERE id = :id FOR UPDATE"
            ),
            {"id": record_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def _columns_from(
    spec: EditableKind, columns: Sequence[str] | None = None, source: str = "CAST(:values AS jsonb)"
) -> str:
    """``columns`` (the spec's, by default), typed as the table has them, read from a JSON
    record (the one bound as :values, by default)."""
    listed = ", ".join(columns or spec.columns)
    return f"SELECT {listed} FROM jsonb_populate_record(NULL::{spec.entity}, {source})"


def insert(
    conn: Connection,
    spec: EditableKind,
    values: dict[str, Any],
    geom: shapely.Geometry,
    actor_id: int,
) -> int:
    """A new proposal; ``values`` has the spec's columns (missing ones are NULL)."""
    columns = ", ".join(spec.columns)
    return int(
        conn.execute(
            text(
                f"INSERT INTO {spec.entity} ({columns}, geom, status, proposed_by, source)"
                f" SELECT v.*, ST_GeomFromWKB(:wkb, {SRID}), 'proposed', :actor, 'edited'"
                f" FROM ({_columns_from(spec)}) v RETURNING id"
            ),
            {"values": json.dumps(values), "wkb": shapely.to_wkb(geom), "actor": actor_id},
        ).scalar_one()
    )


def update(
    conn: Connection,
    spec: EditableKind,
    record_id: int,
    *,
    values: dict[str, Any],
    geom: shapely.Geometry | None,
    actor_id: int,
) -> None:
    """Writes every column of the spec from ``values`` (and the geometry, when given) into a
    record not yet published, which goes back to the proposed stage."""
    geom_set = f", geom = ST_GeomFromWKB(:wkb, {SRID})" if geom is not None else ""
    conn.execute(
        text(
            f"UPDATE {spec.entity} SET ({', '.join(spec.columns)}) = ({_columns_from(spec)})"
            f"{geom_set}, status = 'proposed', proposed_by = :actor,"
            " version = version + 1, updated_at = now() WHERE id = :id"
        ),
        {
            "values": json.dumps(values),
            "wkb": shapely.to_wkb(geom) if geom is not None else None,
            "actor": actor_id,
            "id": record_id,
        },
    )


_PENDING_COLUMNS = ("pending", "pending_status", "pending_by")


def restore_state(
    conn: Connection, spec: EditableKind, record_id: int, state: dict[str, Any]
) -> None:
    """Puts a record back as a revision's snapshot had it, its pending change included
    (its version still goes up)."""
    columns = (*spec.columns, *_PENDING_COLUMNS)
    conn.execute(
        text(
            f"UPDATE {spec.entity} SET ({', '.join(columns)}) = ({_columns_from(spec, columns)}),"
            f" geom = ST_SetSRID(ST_GeomFromGeoJSON(:geometry), {SRID}), status = :status,"
            " version = version + 1, updated_at = now() WHERE id = :id"
        ),
        {
            "values": json.dumps(state),
            "geometry": json.dumps(state["geometry"]),
            "status": state["status"],
            "id": record_id,
        },
    )


def set_status(conn: Connection, spec: EditableKind, record_id: int, status: str) -> None:
    """A new status; a change pending for a record that is no longer published is dropped."""
    conn.execute(
        text(
            f"""
            UPDATE {spec.entity} SET status = :status,
                pending = CASE WHEN :status = 'published' THEN pending END,
                pending_status = CASE WHEN :status = 'published' THEN pending_status END,
                pending_by = CASE WHEN :status = 'published' THEN pending_by END,
                version = version + 1, updated_at = now()
            WHERE id = :id
            """
        ),
        {"id": record_id, "status": status},
    )


def propose_change(
    conn: Connection, spec: EditableKind, record_id: int, pending: dict[str, Any], actor_id: int
) -> None:
    """Keeps an edit of a published record beside it for review (replacing any earlier one);
    the published values stay as they are."""
    conn.execute(
        text(
            f"UPDATE {spec.entity} SET pending = CAST(:pending AS jsonb),"
            " pending_status = 'proposed', pending_by = :actor,"
            " version = version + 1, updated_at = now() WHERE id = :id"
        ),
        {"pending": json.dumps(pending), "actor": actor_id, "id": record_id},
    )


def set_case(
    conn: Connection,
    spec: EditableKind,
    record_id: int,
    case: dict[str, Any] | None,
    *,
    new_version: bool,
) -> None:
    """The record's approval case (``domain.approval.Case``); ``new_version`` when this is
    the change itself (a stage recorded), not a part of another one."""
    bump = ", version = version + 1, updated_at = now()" if new_version else ""
    conn.execute(
        text(f"UPDATE {spec.entity} SET review_case = CAST(:case AS jsonb){bump} WHERE id = :id"),
        {"case": json.dumps(case) if case is not None else None, "id": record_id},
    )


def drop_pending(conn: Connection, spec: EditableKind, record_id: int) -> None:
    """A published record's pending change withdrawn or rejected: the record stays as
    published."""
    conn.execute(
        text(
            f"UPDATE {spec.entity} SET pending = NULL, pending_status = NULL, pending_by = NULL,"
            " version = version + 1, updated_at = now() WHERE id = :id"
        ),
        {"id": record_id},
    )


def set_pending_status(conn: Connection, spec: EditableKind, record_id: int, status: str) -> None:
    conn.execute(
        text(
            f"UPDATE {spec.entity} SET pending_status = :status, version = version + 1,"
            " updated_at = now() WHERE id = :id"
        ),
        {"id": record_id, "status": status},
    )


def publish_pending(conn: Connection, spec: EditableKind, record_id: int) -> None:
    """The pending change becomes the published record."""
    conn.execute(
        text(
            f"""
            UPDATE {spec.entity} t SET ({", ".join(spec.columns)}) = (
                    {_columns_from(spec, source="t.pending")}),
                geom = ST_SetSRID(ST_GeomFromGeoJSON(t.pending -> 'geometry'), {SRID}),
                proposed_by = t.pending_by,
                pending = NULL, pending_status = NULL, pending_by = NULL,
                version = version + 1, updated_at = now()
            WHERE id = :id
            """
        ),
        {"id": record_id},
    )


def write_revision(
    conn: Connection,
    spec: EditableKind,
    record_id: int,
    operation: str,
    *,
    actor_id: int,
    comment: str | None,
    before: dict[str, Any] | None,
    client_mutation_id: str | None = None,
    request_digest: str | None = None,
    warnings: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Records a change (with the warnings the editor acknowledged); returns the record as
    it is after it."""
    after = snapshot(conn, spec, record_id)
    assert after is not None
    conn.execute(
        text(
            "INSERT INTO revision (entity, entity_id, operation, actor_id, comment, version,"
            " before, after, client_mutation_id, request_digest, warnings) VALUES (:entity,"
            " :id, :operation, :actor, :comment, :version, CAST(:before AS jsonb),"
            " CAST(:after AS jsonb), :key, :digest, CAST(:warnings AS jsonb))"
        ),
        {
            "entity": spec.entity,
            "id": record_id,
            "operation": operation,
            "actor": actor_id,
            "comment": comment,
            "version": after["version"],
            "before": json.dumps(before) if before is not None else None,
            "after": json.dumps(after),
            "key": client_mutation_id,
            "digest": request_digest,
            "warnings": json.dumps(list(warnings)),
        },
    )
    return after


def replayed(
    conn: Connection, actor_id: int, client_mutation_id: str
) -> tuple[int, str | None] | None:
    """The record an earlier mutation with this key changed, and the fingerprint of that
    mutation's arguments, if there was one."""
    found = conn.execute(
        text(
            "SELECT entity_id, request_digest FROM revision"
            " WHERE actor_id = :actor AND client_mutation_id = :key"
        ),
        {"actor": actor_id, "key": client_mutation_id},
    ).first()
    return (int(found.entity_id), found.request_digest) if found is not None else None


_HISTORY = text(
    "SELECT r.*, u.name AS actor_name FROM revision r JOIN app_user u ON u.id = r.actor_id"
    " WHERE r.entity = :entity AND r.entity_id = ANY(:ids) ORDER BY r.entity_id, r.id"
)


def history_of(entity: str) -> Lookup[int]:
    """The revisions of records of one kind, by record, oldest first."""
    return Lookup(
        lambda ids: Statement(_HISTORY, {"entity": entity, "ids": list(ids)}),
        key="entity_id",
        many=True,
    )


def status_before_last_retire(conn: Connection, spec: EditableKind, record_id: int) -> str | None:
    return conn.execute(
        text(
            "SELECT before->>'status' FROM revision WHERE entity = :entity"
            " AND entity_id = :id AND operation IN ('retire', 'withdraw', 'reject')"
            " ORDER BY id DESC LIMIT 1"
        ),
        {"entity": spec.entity, "id": record_id},
    ).scalar()


def name_taken(
    conn: Connection,
    spec: EditableKind,
    name: str,
    area_prefix: str,
    *,
    except_id: int | None,
    kind: str | None = None,
) -> bool:
    """Whether another live record (of ``kind``, when given) has the name within the area
    whose code starts with ``area_prefix``, or has a pending change that would give it so:
    a name proposed is held until its change is published or dropped."""

    def holds(pending: bool) -> str:
        def value(column: str) -> str:
            return f"(pending ->> '{column}')" if pending else column

        kind_clause = f" AND {value(spec.kind_column)} = :kind" if spec.kind_column and kind else ""
        return (
            f"status <> 'retired' AND id IS DISTINCT FROM :except_id"
            f" AND {value(spec.name_column)} = :name"
            f" AND {value(spec.area_column)} LIKE :prefix || '%'{kind_clause}"
        )

    # Two lookups, each through its index: the name's, and the proposals in review.
    return bool(
        conn.execute(
            text(
                f"SELECT EXISTS (SELECT 1 FROM {spec.entity} WHERE {holds(False)})"
                f" OR EXISTS (SELECT 1 FROM {spec.entity} WHERE pending IS NOT NULL"
                f" AND {holds(True)})"
            ),
            {"name": name, "prefix": area_prefix, "except_id": except_id, "kind": kind},
        ).scalar()
    )


def area_level(conn: Connection, code: str) -> str | None:
    return conn.execute(
        text("SELECT level FROM admin_area WHERE code = :code"), {"code": code}
    ).scalar()


def village_at(conn: Connection, geom: shapely.Geometry) -> str | None:
    """The village whose outline holds the geometry, if one does."""
    return conn.execute(
        text(
            f"SELECT code FROM admin_area WHERE level = 'village'"
            f" AND ST_CoveredBy(ST_GeomFromWKB(:wkb, {SRID}), geom) ORDER BY code LIMIT 1"
        ),
        {"wkb": shapely.to_wkb(geom)},
    ).scalar()


def geometry_inside_area(
    conn: Connection, geom: shapely.Geometry, area_code: str, tolerance_m: float
) -> bool | None:
    """Whether the geometry lies inside the area's outline, give or take ``tolerance_m``
    metres; None when no area has the code."""
    return conn.execute(
        text(
            f"""
            SELECT CASE WHEN ST_CoveredBy(g, geom) THEN true
                        ELSE ST_CoveredBy(g, ST_Buffer(geom::geography, :tolerance)::geometry)
                   END
            FROM admin_area, ST_GeomFromWKB(:wkb, {SRID}) AS g
            WHERE code = :code
            """
        ),
        {"wkb": shapely.to_wkb(geom), "code": area_code, "tolerance": tolerance_m},
    ).scalar()


def _as_of_states(spec: EditableKind) -> str:
    kind_filter = (
        f" AND (CAST(:kinds AS text[]) IS NULL OR snapshot->>'{spec.kind_column}' = ANY(:kinds))"
        if spec.kind_column
        else ""
    )
    return f"""
    WITH later AS (
        SELECT DISTINCT ON (entity_id) entity_id, before
        FROM revision
        WHERE entity = '{spec.entity}' AND created_at > :as_of
        ORDER BY entity_id, id
    )
    SELECT snapshot FROM (
        SELECT t.id,
               CASE WHEN l.entity_id IS NULL
                    THEN {spec.snapshot_sql}
                    ELSE l.before END AS snapshot
        FROM {spec.entity} t
        LEFT JOIN later l ON l.entity_id = t.id
        -- A record changed since then is as its first later revision found it (absent if
        -- that revision created it); an unchanged one is as it is, if it existed then.
        WHERE CASE WHEN l.entity_id IS NULL THEN t.created_at <= :as_of
                   ELSE l.before IS NOT NULL END
    ) states
    WHERE snapshot->>'status' = :status
      AND (CAST(:in_area AS text) IS NULL
           OR snapshot->>'{spec.area_column}' LIKE :in_area || '%'){kind_filter}
    """


def records_as_of(
    conn: Connection, spec: EditableKind, filters: dict[str, Any], after: int, limit: int
) -> list[dict[str, Any]]:
    """Records as they were at ``filters["as_of"]``, rebuilt from the revisions written
    since; ``filters`` also holds status, in_area and kinds (None: any)."""
    sql = text(_as_of_states(spec) + " AND id > :after ORDER BY id LIMIT :limit")
    params = {"kinds": None, **filters, "after": after, "limit": limit}
    return [dict(row[0]) for row in conn.execute(sql, params)]


def count_records_as_of(conn: Connection, spec: EditableKind, filters: dict[str, Any]) -> int:
    sql = text(f"SELECT count(*) FROM ({_as_of_states(spec)}) matching")
    return int(conn.execute(sql, {"kinds": None, **filters}).scalar_one())


def revision_by_id(conn: Connection, revision_id: int) -> dict[str, Any] | None:
    row = (
        conn.execute(text("SELECT * FROM revision WHERE id = :id"), {"id": revision_id})
        .mappings()
        .first()
    )
    return dict(row) if row else None


def notify_public_change(
    conn: Connection,
    spec: EditableKind,
    record_id: int,
    was_at: tuple[float, float, float, float] | None = None,
) -> None:
    """Tells the kind's listeners that a record showed on, moved on or left the public map
    (delivered when the transaction commits, never if it rolls back): its id, and the box
    of where it was on the map before, if it was (``id`` or ``id;x1,y1,x2,y2``)."""
    if spec.channel is not None:
        payload = str(record_id)
        if was_at is not None:
            payload += ";" + ",".join(repr(float(v)) for v in was_at)
        conn.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": spec.channel, "payload": payload},
        )


def geometries_inside_areas(
    conn: Connection, items: Sequence[tuple[shapely.Geometry, str]], tolerance_m: float
) -> list[bool | None]:
    """``geometry_inside_area`` for many (geometry, area code) pairs in one statement."""
    if not items:
        return []
    rows = conn.execute(
        text(
            f"""
            SELECT CASE WHEN a.code IS NULL THEN NULL
                        WHEN ST_CoveredBy(g, a.geom) THEN true
                        ELSE ST_CoveredBy(g, ST_Buffer(a.geom::geography, :tolerance)::geometry)
                   END
            FROM unnest(CAST(:codes AS text[]), CAST(:wkbs AS bytea[])) WITH ORDINALITY
                 AS i(code, wkb, n)
            CROSS JOIN LATERAL ST_GeomFromWKB(i.wkb, {SRID}) AS g
            LEFT JOIN admin_area a ON a.code = i.code
            ORDER BY i.n
            """
        ),
        {
            "codes": [code for _, code in items],
            "wkbs": [shapely.to_wkb(geom) for geom, _ in items],
            "tolerance": tolerance_m,
        },
    ).scalars()
    return list(rows)


def new_ids(conn: Connection, spec: EditableKind, count: int) -> list[int]:
    """``count`` ids for new records of the kind, taken from its identity sequence."""
    return [
        int(i)
        for i in conn.execute(
            text(
                f"SELECT nextval(pg_get_serial_sequence('{spec.entity}', 'id'))"
                " FROM generate_series(1, :n)"
            ),
            {"n": count},
        ).scalars()
    ]


def insert_many(
    conn: Connection,
    spec: EditableKind,
    records: Sequence[tuple[int, dict[str, Any], shapely.Geometry, dict[str, Any]]],
    actor_id: int,
) -> None:
    """New proposals, (id, values, geometry, approval case) each, in one statement."""
    rows = [
        {**values, "id": record_id, "review_case": case, "wkb": shapely.to_wkb(geom, hex=True)}
        for record_id, values, geom, case in records
    ]
    columns = ", ".join(spec.columns)
    picked = ", ".join(f"r.{c}" for c in spec.columns)
    conn.execute(
        text(
            f"INSERT INTO {spec.entity} (id, {columns}, review_case, geom, status, proposed_by,"
            f" source) SELECT r.id, {picked}, r.review_case,"
            f" ST_GeomFromWKB(decode(j ->> 'wkb', 'hex'), {SRID}), 'proposed', :actor, 'edited'"
            " FROM jsonb_array_elements(CAST(:rows AS jsonb)) AS j,"
            f" jsonb_populate_record(NULL::{spec.entity}, j) AS r"
        ),
        {"rows": json.dumps(rows), "actor": actor_id},
    )


def record_creations(
    conn: Connection,
    spec: EditableKind,
    created: Sequence[tuple[int, Sequence[dict[str, Any]]]],
    *,
    actor_id: int,
    comment: str | None,
) -> None:
    """The "create" revisions of new records, (id, acknowledged warnings) each, in one
    statement."""
    conn.execute(
        text(
            "INSERT INTO revision (entity, entity_id, operation, actor_id, comment, version,"
            f" before, after, warnings) SELECT :entity, t.id, 'create', :actor, :comment,"
            f" t.version, NULL, {spec.snapshot_sql}, w.warnings"
            " FROM unnest(CAST(:ids AS bigint[]), CAST(:warnings AS jsonb[])) AS w(id, warnings)"
            f" JOIN {spec.entity} t ON t.id = w.id ORDER BY w.id"
        ),
        {
            "entity": spec.entity,
            "actor": actor_id,
            "comment": comment,
            "ids": [record_id for record_id, _ in created],
            "warnings": [json.dumps(list(warnings)) for _, warnings in created],
        },
    )


def insert_attachment(
    conn: Connection,
    spec: EditableKind,
    record_id: int,
    *,
    stage: str,
    filename: str,
    media_type: str,
    content: bytes,
    actor_id: int,
) -> dict[str, Any]:
    """A document of a record's approval case; returns what the case keeps of it."""
    digest = hashlib.sha256(content).hexdigest()
    found = conn.execute(
        text(
            "INSERT INTO attachment (entity, entity_id, stage, filename, media_type, byte_size,"
            " sha256, content, uploaded_by) VALUES (:entity, :id, :stage, :filename, :media,"
            " :size, :sha256, :content, :actor) RETURNING id"
        ),
        {
            "entity": spec.entity,
            "id": record_id,
            "stage": stage,
            "filename": filename,
            "media": media_type,
            "size": len(content),
            "sha256": digest,
            "content": content,
            "actor": actor_id,
        },
    ).scalar_one()
    return {
        "id": int(found),
        "filename": filename,
        "media_type": media_type,
        "byte_size": len(content),
        "sha256": digest,
    }


def attachment(conn: Connection, attachment_id: int) -> dict[str, Any] | None:
    found = (
        conn.execute(
            text(
                "SELECT id, entity, entity_id, stage, filename, media_type, byte_size, sha256,"
                " content FROM attachment WHERE id = :id"
            ),
            {"id": attachment_id},
        )
        .mappings()
        .first()
    )
    return dict(found) if found is not None else None
