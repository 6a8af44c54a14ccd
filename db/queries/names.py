"""Names a new or renamed record may be confused with: those of its jurisdiction, and
records of the same kind and name close by.  Live records only (retired names are free);
a name a pending change proposes counts as taken, as in ``edits.name_taken``."""

from __future__ import annotations

from collections.abc import Sequence
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


def scope_range(area_prefix: str) -> dict[str, str]:
    """The codes that start with ``area_prefix`` as a range (``lo`` ≤ code < ``hi``), which
    the area code's index answers (a LIKE on a column's prefix it does not)."""
    return {"lo": area_prefix, "hi": area_prefix[:-1] + chr(ord(area_prefix[-1]) + 1)}


def in_scope(column: str) -> str:
    return f"{column} >= :lo AND {column} < :hi"


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
    live = (
        "t.status <> 'retired' AND t.id IS DISTINCT FROM :except_id"
        f" AND {in_scope(f't.{area}')}{_kind_clause(spec, kind, False)}"
        f" AND t.{column} <> :name"
    )
    return [
        dict(row)
        for row in conn.execute(
            text(
                # Homophones, through the search index's pinyin.
                f"SELECT t.id, t.{column} AS name FROM search_name sn"
                f" JOIN {spec.entity} t ON t.id = sn.entity_key::bigint"
                f" AND sn.name = t.{column}"
                f" WHERE sn.entity = :entity AND sn.pinyin_compact = :pinyin AND {live}"
                # One character off: the jurisdiction's names (the area code's index).
                f" UNION SELECT t.id, t.{column} FROM {spec.entity} t WHERE {live}"
                f" AND char_length(t.{column}) = :length AND t.{column} LIKE ANY(:patterns)"
                # Names proposed by changes in review (few).
                f" UNION SELECT t.id, t.pending ->> '{column}' FROM {spec.entity} t"
                " WHERE t.pending IS NOT NULL AND t.id IS DISTINCT FROM :except_id"
                f" AND t.pending ->> '{area}' LIKE :prefix || '%'{_kind_clause(spec, kind, True)}"
            ),
            {
                "entity": spec.entity,
                "name": name,
                "pinyin": pinyin,
                "length": len(name),
                "patterns": one_character_off_patterns(name),
                "prefix": area_prefix,
                **scope_range(area_prefix),
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


def names_of_scope(
    conn: Connection, spec: EditableKind, area_prefix: str, *, kind: str | None
) -> list[Row]:
    """(id, name, pinyin) of every live record (of ``kind``) within the area whose code
    starts with ``area_prefix``, and the names their pending changes propose (pinyin None:
    not in the search index)."""
    column, area = spec.name_column, spec.area_column
    return [
        dict(row)
        for row in conn.execute(
            text(
                f"SELECT t.id, t.{column} AS name, sn.pinyin_compact AS pinyin"
                f" FROM {spec.entity} t LEFT JOIN search_name sn ON sn.entity = :entity"
                f" AND sn.entity_key = t.id::text AND sn.name = t.{column}"
                f" WHERE t.status <> 'retired' AND {in_scope(f't.{area}')}"
                f"{_kind_clause(spec, kind, False)}"
                f" UNION ALL SELECT t.id, t.pending ->> '{column}', NULL FROM {spec.entity} t"
                " WHERE t.pending IS NOT NULL"
                f" AND t.pending ->> '{area}' LIKE :prefix || '%'{_kind_clause(spec, kind, True)}"
            ),
            {
                "entity": spec.entity,
                "prefix": area_prefix,
                "kind": kind,
                **scope_range(area_prefix),
            },
        ).mappings()
    ]


def same_names_near_many(
    conn: Connection,
    spec: EditableKind,
    items: Sequence[tuple[str, str | None, shapely.Geometry]],
    *,
    metres: float,
) -> list[Row]:
    """``same_name_near`` for many (name, kind, geometry): rows of (n, id, name, distance_m),
    n the item's position from 0."""
    if not items:
        return []
    kind_clause = f" AND t.{spec.kind_column} = i.kind" if spec.kind_column else ""
    return [
        dict(row)
        for row in conn.execute(
            text(
                f"SELECT i.n - 1 AS n, t.id, t.{spec.name_column} AS name,"
                " ST_Distance(t.geom::geography, g::geography) AS distance_m"
                " FROM unnest(CAST(:names AS text[]), CAST(:kinds AS text[]),"
                " CAST(:wkbs AS bytea[])) WITH ORDINALITY AS i(name, kind, wkb, n)"
                f" CROSS JOIN LATERAL ST_GeomFromWKB(i.wkb, {SRID}) AS g"
                f" JOIN {spec.entity} t ON t.{spec.name_column} = i.name"
                " AND t.geom && ST_Expand(g, :degrees)"
                " AND ST_DWithin(t.geom::geography, g::geography, :metres)"
                f" AND t.status <> 'retired'{kind_clause}"
                " ORDER BY i.n, distance_m"
            ),
            {
                "names": [name for name, _, _ in items],
                "kinds": [kind for _, kind, _ in items],
                "wkbs": [shapely.to_wkb(geom) for _, _, geom in items],
                "metres": metres,
                "degrees": metres / 50_000,
            },
        ).mappings()
    ]
