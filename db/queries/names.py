"""Names a new or renamed record may be confused with: those of its jurisdiction, and
records of the same kind and name close by.  Live records only (retired names are free);
a name a pending change proposes counts as taken, as in ``edits.name_taken``."""

from __future__ import annotations

from typing import Any

import shapely
from sqlalchemy import Connection, text

from db.kinds import EditableKind
from db.queries.search import like_escape
from gis import SRID

Row = dict[str, Any]


def _kind_clause(spec: EditableKind, kind: str | None, pending: bool) -> str:
    if not (spec.kind_column and kind):
        return ""
    column = f"(t.pending ->> '{spec.kind_column}')" if pending else f"t.{spec.kind_column}"
    return f" AND {column} = :kind"


def one_character_off_patterns(name: str) -> list[str]:
    """LIKE patterns of the names as long as ``name`` that differ from it in one place."""
    chars = [like_escape(c) for c in name]
    return ["".join([*chars[:i], "_", *chars[i + 1 :]]) for i in range(len(chars))]


def resembling_in_scope(
    conn: Connection,
    spec: EditableKind,
    name: str,
    pinyin: str,
    area_prefix: str,
    *,
    kind: str | None,
    except_id: int | None,
) -> list[Row]:
    """(id, name) of the live records (of ``kind``, when given) within the area whose code
    starts with ``area_prefix`` whose name reads as ``pinyin`` (the search index's pinyin)
    or is one character off ``name``; and the names their pending changes propose, all
    of them (few): the caller tells which resemble."""
    column, area = spec.name_column, spec.area_column
    return [
        dict(row)
        for row in conn.execute(
            text(
                f"SELECT t.id, t.{column} AS name FROM {spec.entity} t"
                " JOIN search_name sn ON sn.entity = :entity AND sn.entity_key = t.id::text"
                f" AND sn.name = t.{column}"
                " WHERE t.status <> 'retired' AND t.id IS DISTINCT FROM :except_id"
                f" AND t.{area} LIKE :prefix || '%'{_kind_clause(spec, kind, False)}"
                f" AND t.{column} <> :name"
                f" AND (sn.pinyin_compact = :pinyin OR t.{column} LIKE ANY(:patterns))"
                f" UNION SELECT t.id, t.pending ->> '{column}' FROM {spec.entity} t"
                " WHERE t.pending IS NOT NULL AND t.id IS DISTINCT FROM :except_id"
                f" AND t.pending ->> '{area}' LIKE :prefix || '%'{_kind_clause(spec, kind, True)}"
            ),
            {
                "entity": spec.entity,
                "name": name,
                "pinyin": pinyin,
                "patterns": one_character_off_patterns(name),
                "prefix": area_prefix,
                "except_id": except_id,
                "kind": kind,
            },
        ).mappings()
    ]


def same_name_near(
    conn: Connection,
    spec: EditableKind,
    name: str,
    geom: shapely.Geometry,
    *,
    metres: float,
    kind: str | None,
    except_id: int | None,
) -> list[Row]:
    """(id, name, distance_m) of the live records (of ``kind``) named ``name`` within
    ``metres`` (geodesic) of ``geom``, nearest first."""
    return [
        dict(row)
        for row in conn.execute(
            text(
                f"SELECT t.id, t.{spec.name_column} AS name,"
                " ST_Distance(t.geom::geography, g.geom::geography) AS distance_m"
                f" FROM {spec.entity} t, (SELECT ST_GeomFromWKB(:wkb, {SRID}) AS geom) g"
                f" WHERE t.status <> 'retired' AND t.{spec.name_column} = :name"
                " AND t.id IS DISTINCT FROM :except_id"
                # The box first (the geometry index), then the geodesic distance.
                " AND t.geom && ST_Expand(g.geom, :degrees)"
                " AND ST_DWithin(t.geom::geography, g.geom::geography, :metres)"
                f"{_kind_clause(spec, kind, False)}"
                " ORDER BY distance_m"
            ),
            {
                "wkb": shapely.to_wkb(geom),
                "name": name,
                "metres": metres,
                # A degree of longitude is at least 78 km south of 45°N; more is harmless.
                "degrees": metres / 50_000,
                "kind": kind,
                "except_id": except_id,
            },
        ).mappings()
    ]
