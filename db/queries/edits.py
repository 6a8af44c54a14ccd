"""Writing place names: inserts, checked updates, status changes and their revisions.

Every function runs inside the caller's transaction; a change and its revision commit or
roll back together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import shapely
from sqlalchemy import Connection, text

from gis import OUTPUT_DECIMALS, SRID

# The whole record of place_name ``p`` as JSON, geometry as GeoJSON: what revisions keep.
_SNAPSHOT_OF_P = f"""
    (to_jsonb(p) - 'geom') || jsonb_build_object(
        'geometry', ST_AsGeoJSON(p.geom, {OUTPUT_DECIMALS})::jsonb,
        'designations', ARRAY(SELECT designation FROM place_name_designation
                              WHERE place_name_id = p.id))
"""

_SNAPSHOT = text(f"SELECT {_SNAPSHOT_OF_P} FROM place_name p WHERE p.id = :id")


def place_name_snapshot(conn: Connection, place_id: int) -> dict[str, Any] | None:
    """The whole record, geometry included, as it is now."""
    found = conn.execute(_SNAPSHOT, {"id": place_id}).scalar()
    return dict(found) if found is not None else None


def lock_place_name(conn: Connection, place_id: int) -> dict[str, Any] | None:
    """Version, status and proposer of a record, locked until the transaction ends."""
    row = (
        conn.execute(
            text(
                "SELECT id, version, status, proposed_by FROM place_name WHERE id = :id FOR UPDATE"
            ),
            {"id": place_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def insert_place_name(conn: Connection, values: dict[str, Any], geom: shapely.Geometry) -> int:
    return int(
        conn.execute(
            text(
                f"""
                INSERT INTO place_name (standard_name, specific_part, generic_part, pinyin,
                    category, geom, meaning, origin, former_names, area_code, status,
                    proposed_by, source)
                VALUES (:standard_name, :specific_part, :generic_part, :pinyin, :category,
                    ST_GeomFromWKB(:wkb, {SRID}), :meaning, :origin, :former_names,
                    :area_code, 'proposed', :proposed_by, 'edited')
                RETURNING id
                """
            ),
            {**values, "wkb": shapely.to_wkb(geom)},
        ).scalar_one()
    )


_EDITABLE = (
    "standard_name",
    "specific_part",
    "generic_part",
    "pinyin",
    "category",
    "meaning",
    "origin",
    "former_names",
    "area_code",
)


def update_place_name(
    conn: Connection, place_id: int, values: dict[str, Any], geom: shapely.Geometry | None
) -> int:
    """Writes the given fields, sends the record back to review, and returns its new version."""
    sets = [f"{column} = :{column}" for column in _EDITABLE if column in values]
    params: dict[str, Any] = {k: v for k, v in values.items() if k in _EDITABLE}
    if geom is not None:
        sets.append(f"geom = ST_GeomFromWKB(:wkb, {SRID})")
        params["wkb"] = shapely.to_wkb(geom)
    sets += [
        "status = 'proposed'",
        "proposed_by = :actor",
        "version = version + 1",
        "updated_at = now()",
    ]
    return int(
        conn.execute(
            text(f"UPDATE place_name SET {', '.join(sets)} WHERE id = :id RETURNING version"),
            {**params, "id": place_id, "actor": values["proposed_by"]},
        ).scalar_one()
    )


def set_place_name_status(conn: Connection, place_id: int, status: str) -> int:
    return int(
        conn.execute(
            text(
                "UPDATE place_name SET status = :status, version = version + 1,"
                " updated_at = now() WHERE id = :id RETURNING version"
            ),
            {"id": place_id, "status": status},
        ).scalar_one()
    )


def write_revision(
    conn: Connection,
    place_id: int,
    operation: str,
    actor_id: int,
    comment: str | None,
    before: dict[str, Any] | None,
    client_mutation_id: str | None = None,
) -> None:
    after = place_name_snapshot(conn, place_id)
    assert after is not None
    conn.execute(
        text(
            "INSERT INTO revision (entity, entity_id, operation, actor_id, comment, version,"
            " before, after, client_mutation_id) VALUES ('place_name', :id, :operation, :actor,"
            " :comment, :version, CAST(:before AS jsonb), CAST(:after AS jsonb), :key)"
        ),
        {
            "id": place_id,
            "operation": operation,
            "actor": actor_id,
            "comment": comment,
            "version": after["version"],
            "before": json.dumps(before) if before is not None else None,
            "after": json.dumps(after),
            "key": client_mutation_id,
        },
    )


def replayed(conn: Connection, actor_id: int, client_mutation_id: str) -> int | None:
    """The record an earlier mutation with this key changed, if there was one."""
    found = conn.execute(
        text(
            "SELECT entity_id FROM revision WHERE actor_id = :actor AND client_mutation_id = :key"
        ),
        {"actor": actor_id, "key": client_mutation_id},
    ).scalar()
    return int(found) if found is not None else None


def history_of(
    conn: Connection, entity: str, ids: Sequence[int]
) -> dict[int, list[dict[str, Any]]]:
    rows = conn.execute(
        text(
            "SELECT r.*, u.name AS actor_name FROM revision r JOIN app_user u ON u.id = r.actor_id"
            " WHERE r.entity = :entity AND r.entity_id = ANY(:ids) ORDER BY r.entity_id, r.id"
        ),
        {"entity": entity, "ids": list(ids)},
    ).mappings()
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for row in rows:
        found[row["entity_id"]].append(dict(row))
    return found


def status_before_last_retire(conn: Connection, place_id: int) -> str | None:
    return conn.execute(
        text(
            "SELECT before->>'status' FROM revision WHERE entity = 'place_name'"
            " AND entity_id = :id AND operation = 'retire' ORDER BY id DESC LIMIT 1"
        ),
        {"id": place_id},
    ).scalar()


def name_taken(
    conn: Connection, name: str, category: str, area_code: str, scope: int, except_id: int | None
) -> bool:
    """Whether another live record of the category has the name within the area whose code
    is the first ``scope`` digits of ``area_code`` (a township: 9, a county: 6)."""
    return bool(
        conn.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM place_name WHERE standard_name = :name"
                " AND category = :category AND status <> 'retired'"
                " AND area_code LIKE :prefix || '%' AND id IS DISTINCT FROM :except_id)"
            ),
            {
                "name": name,
                "category": category,
                "prefix": area_code[:scope],
                "except_id": except_id,
            },
        ).scalar()
    )


def geometry_inside_area(conn: Connection, geom: shapely.Geometry, area_code: str) -> bool | None:
    """Whether the geometry lies inside the area's outline, give or take a metre; None when
    no area has the code."""
    return conn.execute(
        text(
            f"SELECT ST_CoveredBy(ST_GeomFromWKB(:wkb, {SRID}), ST_Buffer(geom, 0.00001))"
            " FROM admin_area WHERE code = :code"
        ),
        {"wkb": shapely.to_wkb(geom), "code": area_code},
    ).scalar()


_AS_OF_STATES = f"""
    WITH later AS (
        SELECT DISTINCT ON (entity_id) entity_id, before
        FROM revision
        WHERE entity = 'place_name' AND created_at > :as_of
        ORDER BY entity_id, id
    )
    SELECT snapshot FROM (
        SELECT p.id,
               CASE WHEN l.entity_id IS NULL
                    THEN {_SNAPSHOT_OF_P}
                    ELSE l.before END AS snapshot
        FROM place_name p
        LEFT JOIN later l ON l.entity_id = p.id
        -- A record changed since then is as its first later revision found it (absent if
        -- that revision created it); an unchanged one is as it is, if it existed then.
        WHERE CASE WHEN l.entity_id IS NULL THEN p.created_at <= :as_of
                   ELSE l.before IS NOT NULL END
    ) states
    WHERE snapshot->>'status' = :status
      AND (CAST(:categories AS text[]) IS NULL OR snapshot->>'category' = ANY(:categories))
      AND (CAST(:in_area AS text) IS NULL OR snapshot->>'area_code' LIKE :in_area || '%')
"""
_AS_OF_PAGE = text(_AS_OF_STATES + " AND id > :after ORDER BY id LIMIT :limit")
_AS_OF_COUNT = text(f"SELECT count(*) FROM ({_AS_OF_STATES}) matching")


def place_names_as_of(
    conn: Connection, filters: dict[str, Any], after: int, limit: int
) -> list[dict[str, Any]]:
    """Place names as they were at ``filters["as_of"]``, rebuilt from the revisions written
    since; ``filters`` also holds status, categories and in_area (None: any)."""
    params = {**filters, "after": after, "limit": limit}
    return [dict(row[0]) for row in conn.execute(_AS_OF_PAGE, params)]


def count_place_names_as_of(conn: Connection, filters: dict[str, Any]) -> int:
    return int(conn.execute(_AS_OF_COUNT, filters).scalar_one())


def revision_by_id(conn: Connection, revision_id: int) -> dict[str, Any] | None:
    row = (
        conn.execute(text("SELECT * FROM revision WHERE id = :id"), {"id": revision_id})
        .mappings()
        .first()
    )
    return dict(row) if row else None


def restore_place_name_state(conn: Connection, place_id: int, state: dict[str, Any]) -> None:
    """Puts a record back as a revision's snapshot had it (its version still goes up)."""
    conn.execute(
        text(
            f"""
            UPDATE place_name SET
                standard_name = :standard_name, specific_part = :specific_part,
                generic_part = :generic_part, pinyin = :pinyin, category = :category,
                geom = ST_SetSRID(ST_GeomFromGeoJSON(:geometry), {SRID}),
                meaning = :meaning, origin = :origin, former_names = :former_names,
                area_code = :area_code, status = :status,
                version = version + 1, updated_at = now()
            WHERE id = :id
            """
        ),
        {
            **{
                k: state.get(k)
                for k in (
                    "standard_name",
                    "specific_part",
                    "generic_part",
                    "pinyin",
                    "category",
                    "meaning",
                    "origin",
                    "area_code",
                    "status",
                )
            },
            "former_names": list(state.get("former_names") or []),
            "geometry": json.dumps(state["geometry"]),
            "id": place_id,
        },
    )


PLACE_NAME_CHANNEL = "place_name_changed"


def notify_place_name_changed(conn: Connection, place_id: int) -> None:
    """Tells listeners (delivered when the transaction commits, never if it rolls back)."""
    conn.execute(text(f"SELECT pg_notify('{PLACE_NAME_CHANNEL}', :id)"), {"id": str(place_id)})


def place_name_in_bbox(
    conn: Connection, place_id: int, bbox: tuple[float, float, float, float]
) -> bool:
    return bool(
        conn.execute(
            text(
                f"SELECT ST_Intersects(geom, ST_MakeEnvelope(:x1, :y1, :x2, :y2, {SRID}))"
                " FROM place_name WHERE id = :id"
            ),
            {"id": place_id, "x1": bbox[0], "y1": bbox[1], "x2": bbox[2], "y2": bbox[3]},
        ).scalar()
    )
