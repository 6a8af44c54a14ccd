# mypy: disable-error-code="attr-defined"
# (geoalchemy2 adds the *_geospatial_* operations to alembic at run time)
"""Registry schema: areas, place names, village roads, services, road network.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


LOOKUP_ROWS: dict[str, list[tuple[str, str, str]]] = {
    "service_kind": [
        ("elder_care_institution", "养老机构", "Elder-care institution"),
        (
            "township_elder_center",
            "镇街综合养老服务中心",
            "Township comprehensive elder-care centre",
        ),
        ("community_elder_facility", "社区养老服务设施", "Community elder-care facility"),
        ("elder_dining_table", "老年餐桌", "Elder dining table"),
        ("assistance_station", "社会救助转介服务驿站", "Social-assistance referral station"),
    ],
    "place_name_category": [
        ("administrative_area", "行政区域", "Administrative area"),
        ("settlement", "居民点", "Settlement"),
        ("road_street", "道路街巷", "Road or street"),
        ("natural_feature", "自然地理实体", "Natural feature"),
        ("memorial_site", "纪念地", "Memorial site"),
        ("heritage_site", "名胜古迹", "Historic site"),
        ("facility", "专业设施", "Facility"),
    ],
    "designation": [
        ("red", "红色地名", "Red place name"),
        ("heritage", "地名文化遗产", "Place-name cultural heritage"),
        ("protected", "地名保护名录", "Place-name protection list"),
    ],
}


def upgrade() -> None:
    op.create_geospatial_table(
        "admin_area",
        sa.Column(
            "code", sa.String(length=12), nullable=False, comment="Statistical division code (NBS)"
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=12), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "rep_point",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("elderly", sa.Integer(), nullable=True, comment="Residents aged 60 and over"),
        sa.Column("names_source", sa.Text(), nullable=False),
        sa.Column("geometry_source", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(level = 'city') = (parent_code IS NULL)",
            name=op.f("ck_admin_area_parent_unless_city"),
        ),
        sa.CheckConstraint(
            "(level = 'village') = (households IS NOT NULL AND population IS NOT NULL AND elderly IS NOT NULL)",
            name=op.f("ck_admin_area_figures_on_villages"),
        ),
        sa.CheckConstraint(
            "level IN ('city', 'county', 'township', 'village')", name=op.f("ck_admin_area_level")
        ),
        sa.CheckConstraint(
            "households >= 0 AND population >= households AND elderly BETWEEN 0 AND population",
            name=op.f("ck_admin_area_figures_plausible"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["admin_area.code"], name=op.f("fk_admin_area_parent_code_admin_area")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_admin_area")),
    )
    op.create_index(
        "ix_admin_area_code_pattern",
        "admin_area",
        ["code"],
        unique=False,
        postgresql_ops={"code": "varchar_pattern_ops"},
    )
    op.create_geospatial_index(
        "ix_admin_area_geom",
        "admin_area",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_admin_area_level", "admin_area", ["level"], unique=False)
    op.create_index("ix_admin_area_parent_code", "admin_area", ["parent_code"], unique=False)
    op.create_geospatial_index(
        "ix_admin_area_rep_point",
        "admin_area",
        ["rep_point"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "designation",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_designation")),
    )
    op.create_table(
        "place_name_category",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_place_name_category")),
    )
    op.create_geospatial_table(
        "road_node",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_road_node")),
    )
    op.create_geospatial_index(
        "ix_road_node_geom",
        "road_node",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "service_kind",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_service_kind")),
    )
    op.create_geospatial_table(
        "place_name",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("standard_name", sa.Text(), nullable=False),
        sa.Column("specific_part", sa.Text(), nullable=False, comment="专名"),
        sa.Column("generic_part", sa.Text(), nullable=False, comment="通名"),
        sa.Column("pinyin", sa.Text(), nullable=False, comment="Hanyu Pinyin after GB/T 16159"),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("meaning", sa.Text(), nullable=True, comment="含义"),
        sa.Column("origin", sa.Text(), nullable=True, comment="来历"),
        sa.Column(
            "former_names", sa.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column("area_code", sa.String(length=12), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="published", nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'approved', 'published', 'retired')",
            name=op.f("ck_place_name_status"),
        ),
        sa.CheckConstraint(
            "standard_name = specific_part || generic_part", name=op.f("ck_place_name_name_parts")
        ),
        sa.ForeignKeyConstraint(
            ["area_code"], ["admin_area.code"], name=op.f("fk_place_name_area_code_admin_area")
        ),
        sa.ForeignKeyConstraint(
            ["category"],
            ["place_name_category.code"],
            name=op.f("fk_place_name_category_place_name_category"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_name")),
    )
    op.create_index("ix_place_name_area_code", "place_name", ["area_code"], unique=False)
    op.create_index("ix_place_name_category", "place_name", ["category"], unique=False)
    op.create_geospatial_index(
        "ix_place_name_geom",
        "place_name",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "service",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "area_code",
            sa.String(length=12),
            nullable=False,
            comment="The smallest area (village) that holds the service",
        ),
        sa.Column("beds", sa.Integer(), nullable=True),
        sa.Column("nursing_beds", sa.Integer(), nullable=True),
        sa.Column("medical_care_combined", sa.Boolean(), nullable=True, comment="医养结合"),
        sa.Column("dementia_care_unit", sa.Boolean(), nullable=True, comment="认知症照护专区"),
        sa.Column("meal_capacity", sa.Integer(), nullable=True, comment="Meals a day"),
        sa.Column("status", sa.String(length=16), server_default="published", nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(kind = 'elder_care_institution') = (beds IS NOT NULL AND nursing_beds IS NOT NULL AND medical_care_combined IS NOT NULL AND dementia_care_unit IS NOT NULL)",
            name=op.f("ck_service_institution_fields"),
        ),
        sa.CheckConstraint(
            "(kind = 'elder_dining_table') = (meal_capacity IS NOT NULL)",
            name=op.f("ck_service_dining_fields"),
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'approved', 'published', 'retired')",
            name=op.f("ck_service_status"),
        ),
        sa.CheckConstraint(
            "beds >= 0 AND nursing_beds >= 0 AND nursing_beds <= beds", name=op.f("ck_service_beds")
        ),
        sa.CheckConstraint("meal_capacity > 0", name=op.f("ck_service_meal_capacity")),
        sa.ForeignKeyConstraint(
            ["area_code"], ["admin_area.code"], name=op.f("fk_service_area_code_admin_area")
        ),
        sa.ForeignKeyConstraint(
            ["kind"], ["service_kind.code"], name=op.f("fk_service_kind_service_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
    )
    op.create_index("ix_service_area_code", "service", ["area_code"], unique=False)
    op.create_geospatial_index(
        "ix_service_geom",
        "service",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_service_kind", "service", ["kind"], unique=False)
    op.create_geospatial_table(
        "village_road",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("pinyin", sa.Text(), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="LINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "length_m",
            sa.Double(),
            sa.Computed("ST_Length(geom::geography)", persisted=True),
            nullable=True,
        ),
        sa.Column("status", sa.String(length=16), server_default="published", nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'approved', 'published', 'retired')",
            name=op.f("ck_village_road_status"),
        ),
        sa.ForeignKeyConstraint(
            ["village_code"],
            ["admin_area.code"],
            name=op.f("fk_village_road_village_code_admin_area"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_village_road")),
    )
    op.create_geospatial_index(
        "ix_village_road_geom",
        "village_road",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_village_road_village_code", "village_road", ["village_code"], unique=False)
    op.create_table(
        "place_name_designation",
        sa.Column("place_name_id", sa.BigInteger(), nullable=False),
        sa.Column("designation", sa.String(length=40), nullable=False),
        sa.Column("listed_year", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["designation"],
            ["designation.code"],
            name=op.f("fk_place_name_designation_designation_designation"),
        ),
        sa.ForeignKeyConstraint(
            ["place_name_id"],
            ["place_name.id"],
            name=op.f("fk_place_name_designation_place_name_id_place_name"),
        ),
        sa.PrimaryKeyConstraint(
            "place_name_id", "designation", name=op.f("pk_place_name_designation")
        ),
    )
    op.create_index(
        "ix_place_name_designation_designation",
        "place_name_designation",
        ["designation"],
        unique=False,
    )
    op.create_geospatial_table(
        "road_edge",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.BigInteger(), nullable=False),
        sa.Column("road_class", sa.String(length=16), nullable=False),
        sa.Column(
            "village_road_id",
            sa.BigInteger(),
            nullable=True,
            comment="Set when the edge is (part of) a named village road",
        ),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="LINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "length_m",
            sa.Double(),
            sa.Computed("ST_Length(geom::geography)", persisted=True),
            nullable=True,
        ),
        sa.CheckConstraint(
            "road_class IN ('township', 'rural', 'village_road', 'access')",
            name=op.f("ck_road_edge_road_class"),
        ),
        sa.CheckConstraint("source <> target", name=op.f("ck_road_edge_no_loops")),
        sa.ForeignKeyConstraint(
            ["source"], ["road_node.id"], name=op.f("fk_road_edge_source_road_node")
        ),
        sa.ForeignKeyConstraint(
            ["target"], ["road_node.id"], name=op.f("fk_road_edge_target_road_node")
        ),
        sa.ForeignKeyConstraint(
            ["village_road_id"],
            ["village_road.id"],
            name=op.f("fk_road_edge_village_road_id_village_road"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_road_edge")),
    )
    op.create_geospatial_index(
        "ix_road_edge_geom",
        "road_edge",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_road_edge_source", "road_edge", ["source"], unique=False)
    op.create_index("ix_road_edge_target", "road_edge", ["target"], unique=False)
    op.create_index("ix_road_edge_village_road_id", "road_edge", ["village_road_id"], unique=False)

    # Lookup rows: a new service kind, category or designation is a new row, not a new column.
    for name, rows in LOOKUP_ROWS.items():
        lookup = sa.table(name, sa.column("code"), sa.column("name_zh"), sa.column("name_en"))
        op.bulk_insert(lookup, [{"code": c, "name_zh": zh, "name_en": en} for c, zh, en in rows])


def downgrade() -> None:
    op.drop_index("ix_road_edge_village_road_id", table_name="road_edge")
    op.drop_index("ix_road_edge_target", table_name="road_edge")
    op.drop_index("ix_road_edge_source", table_name="road_edge")
    op.drop_geospatial_index(
        "ix_road_edge_geom", table_name="road_edge", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("road_edge")
    op.drop_index("ix_place_name_designation_designation", table_name="place_name_designation")
    op.drop_table("place_name_designation")
    op.drop_index("ix_village_road_village_code", table_name="village_road")
    op.drop_geospatial_index(
        "ix_village_road_geom",
        table_name="village_road",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("village_road")
    op.drop_index("ix_service_kind", table_name="service")
    op.drop_geospatial_index(
        "ix_service_geom", table_name="service", postgresql_using="gist", column_name="geom"
    )
    op.drop_index("ix_service_area_code", table_name="service")
    op.drop_geospatial_table("service")
    op.drop_geospatial_index(
        "ix_place_name_geom", table_name="place_name", postgresql_using="gist", column_name="geom"
    )
    op.drop_index("ix_place_name_category", table_name="place_name")
    op.drop_index("ix_place_name_area_code", table_name="place_name")
    op.drop_geospatial_table("place_name")
    op.drop_table("service_kind")
    op.drop_geospatial_index(
        "ix_road_node_geom", table_name="road_node", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("road_node")
    op.drop_table("place_name_category")
    op.drop_table("designation")
    op.drop_geospatial_index(
        "ix_admin_area_rep_point",
        table_name="admin_area",
        postgresql_using="gist",
        column_name="rep_point",
    )
    op.drop_index("ix_admin_area_parent_code", table_name="admin_area")
    op.drop_index("ix_admin_area_level", table_name="admin_area")
    op.drop_geospatial_index(
        "ix_admin_area_geom", table_name="admin_area", postgresql_using="gist", column_name="geom"
    )
    op.drop_index("ix_admin_area_code_pattern", table_name="admin_area")
    op.drop_geospatial_table("admin_area")
