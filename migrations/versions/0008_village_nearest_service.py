"""The nearest published service of each kind to each village, kept by triggers.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 100 km: the farthest reach a coverage may ask for; farther services are not kept.
FUNCTIONS = """
-- A lon/lat box holding every point within r metres of p (as gis.spatial.geodesic_box_sql).
CREATE FUNCTION geodesic_box(p geometry, r float8) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ST_Expand(p, (r / 110000.0) / cos(radians(least(89.9, abs(ST_Y(p)) + r / 110000.0))),
                     r / 110000.0)
$$;

-- The nearest published service of kind k to each of the villages (joined, not matched
-- with = ANY: a whole country's codes are a long array), exactly: the nearest
-- in degrees (the index) bounds the search, widened by 0.6 % (more than sphere and
-- spheroid ever differ); the few services in that box are measured on the spheroid and
-- ranked, ties by id.
CREATE FUNCTION refresh_nearest_service(k text, codes text[]) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM village_nearest_service n USING unnest(codes) c(code)
    WHERE n.kind = k AND n.village_code = c.code;
    INSERT INTO village_nearest_service (village_code, kind, service_id, distance_m)
    SELECT v.code, k, best.id, best.d
    FROM unnest(codes) c(code)
    JOIN admin_area v ON v.code = c.code
    CROSS JOIN LATERAL (
        SELECT ST_Distance(s.geom::geography, v.rep_point::geography, false) * 1.006 + 1 AS r
        FROM service s WHERE s.status = 'published' AND s.kind = k
        ORDER BY s.geom <-> v.rep_point LIMIT 1
    ) bound
    CROSS JOIN LATERAL (
        SELECT s.id, ST_Distance(s.geom::geography, v.rep_point::geography) AS d
        FROM service s
        WHERE s.status = 'published' AND s.kind = k
          AND s.geom && geodesic_box(v.rep_point, bound.r)
        ORDER BY d, s.id LIMIT 1
    ) best
    WHERE v.level = 'village' AND best.d <= 100000;
$$;

CREATE FUNCTION refresh_all_nearest_services() RETURNS void LANGUAGE plpgsql AS $$
DECLARE k text;
BEGIN
    DELETE FROM village_nearest_service;
    FOR k IN SELECT code FROM service_kind LOOP
        PERFORM refresh_nearest_service(
            k, ARRAY(SELECT code FROM admin_area WHERE level = 'village'));
    END LOOP;
END $$;

CREATE FUNCTION keep_nearest_services() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('registry.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
    -- The villages this service was nearest to look again (the service may still be
    -- among the candidates, where it is now).
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'published' THEN
        PERFORM refresh_nearest_service(OLD.kind, ARRAY(
            SELECT village_code FROM village_nearest_service
            WHERE service_id = OLD.id AND kind = OLD.kind));
    END IF;
    -- The villages it is nearer to than their nearest so far take it.
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'published' THEN
        INSERT INTO village_nearest_service AS n (village_code, kind, service_id, distance_m)
        SELECT v.code, NEW.kind, NEW.id, d.m
        FROM admin_area v
        CROSS JOIN LATERAL (
            SELECT ST_Distance(v.rep_point::geography, NEW.geom::geography) AS m
        ) d
        WHERE v.level = 'village'
          AND v.rep_point && geodesic_box(NEW.geom, 100000)
          AND ST_DWithin(v.rep_point::geography, NEW.geom::geography, 100000)
        ON CONFLICT (village_code, kind) DO UPDATE
            SET service_id = EXCLUDED.service_id, distance_m = EXCLUDED.distance_m
            WHERE EXCLUDED.distance_m < n.distance_m
               OR (EXCLUDED.distance_m = n.distance_m AND EXCLUDED.service_id < n.service_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER keep_nearest_services
    AFTER INSERT OR DELETE OR UPDATE OF status, kind, geom ON service
    FOR EACH ROW EXECUTE FUNCTION keep_nearest_services();

CREATE FUNCTION keep_nearest_services_of_village() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE k text;
BEGIN
    IF current_setting('registry.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
    FOR k IN SELECT code FROM service_kind LOOP
        PERFORM refresh_nearest_service(k, ARRAY[NEW.code]::text[]);
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER keep_nearest_services_of_village
    AFTER INSERT OR UPDATE OF rep_point, level ON admin_area
    FOR EACH ROW EXECUTE FUNCTION keep_nearest_services_of_village();
"""


def upgrade() -> None:
    op.create_table(
        "village_nearest_service",
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        sa.Column("distance_m", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_code"],
            ["admin_area.code"],
            name=op.f("fk_village_nearest_service_village_code_admin_area"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("kind", "village_code", name=op.f("pk_village_nearest_service")),
    )
    op.create_index(
        "ix_village_nearest_service_service_id", "village_nearest_service", ["service_id"]
    )
    op.execute(FUNCTIONS)
    op.execute("SELECT refresh_all_nearest_services()")


def downgrade() -> None:
    op.execute("DROP TRIGGER keep_nearest_services_of_village ON admin_area")
    op.execute("DROP TRIGGER keep_nearest_services ON service")
    op.execute("DROP FUNCTION keep_nearest_services_of_village()")
    op.execute("DROP FUNCTION keep_nearest_services()")
    op.execute("DROP FUNCTION refresh_all_nearest_services()")
    op.execute("DROP FUNCTION refresh_nearest_service(text, text[])")
    op.execute("DROP FUNCTION geodesic_box(geometry, float8)")
    op.drop_index("ix_village_nearest_service_service_id", table_name="village_nearest_service")
    op.drop_table("village_nearest_service")
