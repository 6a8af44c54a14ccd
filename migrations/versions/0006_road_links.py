# mypy: disable-error-code="attr-defined"
# (geoalchemy2 adds the *_geospatial_* operations to alembic at run time)
"""Road links: where each village and each service joins the road network.

A road distance is the leg from a point to the nearest point on the nearest road, the way
along the network, and the leg off it at the other end.  The first and last pieces are
kept here, in step with every change by triggers.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _link_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("edge_id", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.BigInteger(), nullable=False),
        sa.Column(
            "fraction", sa.Double(), nullable=False, comment="Where on the edge, 0 at source"
        ),
        sa.Column("leg_m", sa.Double(), nullable=False, comment="From the point to the road"),
        sa.Column("to_source_m", sa.Double(), nullable=False),
        sa.Column("to_target_m", sa.Double(), nullable=False),
        sa.Column(
            "point",
            Geometry(geometry_type="POINT", srid=4326, spatial_index=False),
            nullable=False,
            comment="The point on the road",
        ),
    ]


# The nearest road: the index offers the 8 nearest in degrees and the spheroid decides
# among them (ties: lower id); a degree of longitude is shorter than one of latitude, so
# the order in degrees alone could pick a farther road.
# The two ways along the edge are measured on the spheroid too, so that every piece of a
# road distance is at least the straight distance it replaces.
ROAD_LINK_OF = """
CREATE FUNCTION road_link_of(p geometry)
RETURNS TABLE (edge_id bigint, source bigint, target bigint, fraction float8,
               leg_m float8, to_source_m float8, to_target_m float8, point geometry)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT e.id, e.source, e.target, f.fraction,
           ST_Distance(p::geography, q.point::geography),
           ST_Length(ST_LineSubstring(e.geom, 0, f.fraction)::geography),
           ST_Length(ST_LineSubstring(e.geom, f.fraction, 1)::geography),
           q.point
    FROM (SELECT c.id, c.source, c.target, c.geom FROM road_edge c
          ORDER BY c.geom <-> p LIMIT 8) e
    CROSS JOIN LATERAL (SELECT ST_ClosestPoint(e.geom, p) AS point) q
    CROSS JOIN LATERAL (SELECT ST_LineLocatePoint(e.geom, q.point) AS fraction) f
    WHERE p IS NOT NULL AND NOT ST_IsEmpty(p)
    ORDER BY ST_Distance(e.geom::geography, p::geography), e.id
    LIMIT 1
$$
"""

# Bulk loads of the network set registry.bulk_load and relink once at the end.
TRIGGERS = """
CREATE FUNCTION link_village_to_roads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('registry.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
    DELETE FROM village_road_link WHERE village_code = NEW.code;
    IF NEW.level = 'village' THEN
        INSERT INTO village_road_link
        SELECT NEW.code, l.* FROM road_link_of(NEW.rep_point) l;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER link_village_to_roads AFTER INSERT OR UPDATE OF rep_point, level ON admin_area
    FOR EACH ROW EXECUTE FUNCTION link_village_to_roads();

CREATE FUNCTION link_service_to_roads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('registry.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
    DELETE FROM service_road_link WHERE service_id = NEW.id;
    INSERT INTO service_road_link SELECT NEW.id, l.* FROM road_link_of(NEW.geom) l;
    RETURN NULL;
END $$;

CREATE TRIGGER link_service_to_roads AFTER INSERT OR UPDATE OF geom ON service
    FOR EACH ROW EXECUTE FUNCTION link_service_to_roads();

CREATE FUNCTION relink_all_to_roads() RETURNS void LANGUAGE sql AS $$
    DELETE FROM village_road_link;
    DELETE FROM service_road_link;
    INSERT INTO village_road_link
    SELECT a.code, l.* FROM admin_area a CROSS JOIN LATERAL road_link_of(a.rep_point) l
    WHERE a.level = 'village';
    INSERT INTO service_road_link
    SELECT s.id, l.* FROM service s CROSS JOIN LATERAL road_link_of(s.geom) l;
$$;

-- After a change of the network, the points that must join it anew: those that joined a
-- road that is gone or changed (their links went with it), and those nearer to a new road
-- than to the one they join.  A large change relinks every point.
CREATE FUNCTION relink_near(added bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(added) > 100 THEN
        PERFORM relink_all_to_roads();
        RETURN;
    END IF;
    INSERT INTO village_road_link
    SELECT a.code, l.*
    FROM admin_area a
    LEFT JOIN village_road_link k ON k.village_code = a.code
    CROSS JOIN LATERAL road_link_of(a.rep_point) l
    WHERE a.level = 'village'
      AND (k.village_code IS NULL OR EXISTS (
          SELECT 1 FROM road_edge e WHERE e.id = ANY(added)
            AND ST_DWithin(e.geom::geography, a.rep_point::geography, k.leg_m)))
    ON CONFLICT (village_code) DO UPDATE SET
        edge_id = EXCLUDED.edge_id, source = EXCLUDED.source, target = EXCLUDED.target,
        fraction = EXCLUDED.fraction, leg_m = EXCLUDED.leg_m,
        to_source_m = EXCLUDED.to_source_m, to_target_m = EXCLUDED.to_target_m,
        point = EXCLUDED.point;
    INSERT INTO service_road_link
    SELECT s.id, l.*
    FROM service s
    LEFT JOIN service_road_link k ON k.service_id = s.id
    CROSS JOIN LATERAL road_link_of(s.geom) l
    WHERE k.service_id IS NULL OR EXISTS (
          SELECT 1 FROM road_edge e WHERE e.id = ANY(added)
            AND ST_DWithin(e.geom::geography, s.geom::geography, k.leg_m))
    ON CONFLICT (service_id) DO UPDATE SET
        edge_id = EXCLUDED.edge_id, source = EXCLUDED.source, target = EXCLUDED.target,
        fraction = EXCLUDED.fraction, leg_m = EXCLUDED.leg_m,
        to_source_m = EXCLUDED.to_source_m, to_target_m = EXCLUDED.to_target_m,
        point = EXCLUDED.point;
END $$;

CREATE FUNCTION relink_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('registry.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
    PERFORM relink_near(ARRAY(SELECT id FROM added));
    RETURN NULL;
END $$;

CREATE FUNCTION relink_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('registry.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
    DELETE FROM village_road_link WHERE edge_id IN (SELECT id FROM changed);
    DELETE FROM service_road_link WHERE edge_id IN (SELECT id FROM changed);
    PERFORM relink_near(ARRAY(SELECT id FROM changed));
    RETURN NULL;
END $$;

CREATE FUNCTION relink_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('registry.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
    PERFORM relink_near('{}');
    RETURN NULL;
END $$;

CREATE TRIGGER relink_after_insert AFTER INSERT ON road_edge
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION relink_after_insert();
CREATE TRIGGER relink_after_update AFTER UPDATE ON road_edge
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION relink_after_update();
CREATE TRIGGER relink_after_delete AFTER DELETE ON road_edge
    FOR EACH STATEMENT EXECUTE FUNCTION relink_after_delete();
"""


def upgrade() -> None:
    op.create_geospatial_table(
        "village_road_link",
        sa.Column("village_code", sa.String(length=12), nullable=False),
        *_link_columns(),
        sa.ForeignKeyConstraint(
            ["village_code"],
            ["admin_area.code"],
            name=op.f("fk_village_road_link_village_code_admin_area"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["edge_id"],
            ["road_edge.id"],
            name=op.f("fk_village_road_link_edge_id_road_edge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("village_code", name=op.f("pk_village_road_link")),
    )
    op.create_index("ix_village_road_link_edge_id", "village_road_link", ["edge_id"])
    op.create_geospatial_table(
        "service_road_link",
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        *_link_columns(),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_road_link_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["edge_id"],
            ["road_edge.id"],
            name=op.f("fk_service_road_link_edge_id_road_edge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_service_road_link")),
    )
    op.create_index("ix_service_road_link_edge_id", "service_road_link", ["edge_id"])
    op.execute(ROAD_LINK_OF)
    op.execute(TRIGGERS)
    op.execute("SELECT relink_all_to_roads()")


def downgrade() -> None:
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER relink_after_{event} ON road_edge")
        op.execute(f"DROP FUNCTION relink_after_{event}()")
    op.execute("DROP FUNCTION relink_near(bigint[])")
    op.execute("DROP TRIGGER link_service_to_roads ON service")
    op.execute("DROP TRIGGER link_village_to_roads ON admin_area")
    op.execute("DROP FUNCTION relink_all_to_roads()")
    op.execute("DROP FUNCTION link_service_to_roads()")
    op.execute("DROP FUNCTION link_village_to_roads()")
    op.execute("DROP FUNCTION road_link_of(geometry)")
    op.drop_index("ix_service_road_link_edge_id", table_name="service_road_link")
    op.drop_geospatial_table("service_road_link")
    op.drop_index("ix_village_road_link_edge_id", table_name="village_road_link")
    op.drop_geospatial_table("village_road_link")
