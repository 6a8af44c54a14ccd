"""Table definitions: the one source of truth for the schema; Alembic migrations derive from it.

Conventions shared by every editable record (place names, village roads, services):
``status`` follows the review lifecycle, ``version`` counts committed edits (optimistic
locking), ``source`` says where a record comes from (``synthetic`` for the demo's invented
positions and facilities), and nothing is ever hard-deleted: retiring is a status.
"""

from __future__ import annotations

from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from gis import SRID

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

AREA_LEVELS = ("city", "county", "township", "village")
# The rows of service_kind (seeded by the first migration), in the order maps list them.
SERVICE_KINDS = (
    "elder_care_institution",
    "township_elder_center",
    "community_elder_facility",
    "elder_dining_table",
    "assistance_station",
)
LIFECYCLE_STATUSES = ("proposed", "approved", "published", "retired")

# Sources a record can have; "synthetic" marks invented positions and facilities.
SOURCE_SYNTHETIC = "synthetic"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _geometry(kind: str) -> Geometry:
    # Spatial indexes are declared explicitly below so that migrations show them.
    return Geometry(geometry_type=kind, srid=SRID, spatial_index=False)


PENDING_STATUSES = ("proposed", "approved")


def _record_columns() -> list[Column[Any]]:
    """Lifecycle, versioning and timestamps carried by every editable record.

    An edit of a published record waits in ``pending`` (the whole proposed record, geometry
    as GeoJSON) while it is reviewed; the public goes on seeing the record as published
    until the change is published in turn."""
    return [
        Column("status", String(16), nullable=False, server_default="published"),
        Column("proposed_by", BigInteger, ForeignKey("app_user.id"), nullable=True),
        Column("pending", JSONB, nullable=True, comment="A change of the published record"),
        Column("pending_status", String(16), nullable=True),
        Column("pending_by", BigInteger, ForeignKey("app_user.id"), nullable=True),
        Column(
            "review_case",
            JSONB,
            nullable=True,
            comment="The approval case of the proposal in review (or the last one): its kind,"
            " the stages it needs and those recorded (domain.approval)",
        ),
        Column("source", Text, nullable=False),
        Column("version", Integer, nullable=False, server_default="1"),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


def _record_constraints() -> list[CheckConstraint]:
    return [
        CheckConstraint(_in("status", LIFECYCLE_STATUSES), name="status"),
        CheckConstraint(
            f"pending_status IS NULL OR {_in('pending_status', PENDING_STATUSES)}",
            name="pending_status",
        ),
        CheckConstraint(
            "(pending IS NULL) = (pending_status IS NULL)"
            " AND (pending IS NULL OR status = 'published')",
            name="pending_of_published",
        ),
    ]


admin_area = Table(
    "admin_area",
    metadata,
    Column("code", String(12), primary_key=True, comment="Statistical division code (NBS)"),
    Column("name", Text, nullable=False),
    Column("level", String(16), nullable=False),
    Column("parent_code", String(12), ForeignKey("admin_area.code"), nullable=True),
    Column("geom", _geometry("MULTIPOLYGON"), nullable=False),
    Column("rep_point", _geometry("POINT"), nullable=False),
    # Counted at village level only; larger areas sum their villages.
    Column("households", Integer, nullable=True),
    Column("population", Integer, nullable=True),
    Column("elderly", Integer, nullable=True, comment="Residents aged 60 and over"),
    Column(
        "elderly_80",
        Integer,
        nullable=True,
        comment="Residents aged 80 and over, where the source has them",
    ),
    Column("names_source", Text, nullable=False),
    Column("geometry_source", Text, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(_in("level", AREA_LEVELS), name="level"),
    CheckConstraint("(level = 'city') = (parent_code IS NULL)", name="parent_unless_city"),
    CheckConstraint(
        "(level = 'village') = (households IS NOT NULL AND population IS NOT NULL"
        " AND elderly IS NOT NULL)",
        name="figures_on_villages",
    ),
    CheckConstraint(
        "households >= 0 AND population >= households AND elderly BETWEEN 0 AND population",
        name="figures_plausible",
    ),
    CheckConstraint("elderly_80 BETWEEN 0 AND elderly", name="elderly_80_plausible"),
    # Codes embed their parent's code: prefix searches find an area's descendants.
    Index("ix_admin_area_code_pattern", "code", postgresql_ops={"code": "varchar_pattern_ops"}),
    Index("ix_admin_area_geom", "geom", postgresql_using="gist"),
    Index("ix_admin_area_rep_point", "rep_point", postgresql_using="gist"),
    Index("ix_admin_area_parent_code", "parent_code"),
    Index("ix_admin_area_level", "level"),
    # The village figures that every area sums, read from the index alone.
    Index(
        "ix_admin_area_village_figures",
        "code",
        postgresql_include=["households", "population", "elderly"],
        postgresql_where=text("level = 'village'"),
    ),
)

service_kind = Table(
    "service_kind",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
)


service = Table(
    "service",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("kind", String(40), ForeignKey("service_kind.code"), nullable=False),
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=True),
    Column("geom", _geometry("POINT"), nullable=False),
    Column(
        "area_code",
        String(12),
        ForeignKey("admin_area.code"),
        nullable=False,
        comment="The smallest area (village) that holds the service",
    ),
    Column("beds", Integer, nullable=True),
    Column("nursing_beds", Integer, nullable=True),
    Column("medical_care_combined", Boolean, nullable=True, comment="医养结合"),
    Column("dementia_care_unit", Boolean, nullable=True, comment="认知症照护专区"),
    Column("meal_capacity", Integer, nullable=True, comment="Meals a day"),
    *_record_columns(),
    *_record_constraints(),
    CheckConstraint("beds >= 0 AND nursing_beds >= 0 AND nursing_beds <= beds", name="beds"),
    CheckConstraint("meal_capacity > 0", name="meal_capacity"),
    CheckConstraint(
        "(kind = 'elder_care_institution') = (beds IS NOT NULL AND nursing_beds IS NOT NULL"
        " AND medical_care_combined IS NOT NULL AND dementia_care_unit IS NOT NULL)",
        name="institution_fields",
    ),
    CheckConstraint(
        "(kind = 'elder_dining_table') = (meal_capacity IS NOT NULL)", name="dining_fields"
    ),
    Index("ix_service_geom", "geom", postgresql_using="gist"),
    Index("ix_service_kind", "kind"),
    Index("ix_service_area_code", "area_code"),
    Index("ix_service_name", "name"),
    Index("ix_service_pending", "id", postgresql_where=text("pending IS NOT NULL")),
)

place_name_category = Table(
    "place_name_category",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
)


designation = Table(
    "designation",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
)


place_name = Table(
    "place_name",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("standard_name", Text, nullable=False),
    Column("specific_part", Text, nullable=False, comment="专名"),
    Column("generic_part", Text, nullable=False, comment="通名"),
    Column("pinyin", Text, nullable=False, comment="Hanyu Pinyin after GB/T 16159"),
    Column("category", String(40), ForeignKey("place_name_category.code"), nullable=False),
    Column("geom", _geometry("GEOMETRY"), nullable=False),
    Column("meaning", Text, nullable=True, comment="含义"),
    Column("origin", Text, nullable=True, comment="来历"),
    Column(
        "former_names",
        ARRAY(Text),
        nullable=False,
        server_default=text("'{}'"),
        comment="The names of the FORMER alternate names, kept with them",
    ),
    Column(
        "alternate_names",
        JSONB,
        nullable=False,
        server_default=text("'[]'::jsonb"),
        comment="Other names of the place: name, kind, language, preferred, valid_from,"
        " valid_to (as GeoNames' alternate names)",
    ),
    Column("area_code", String(12), ForeignKey("admin_area.code"), nullable=True),
    *_record_columns(),
    *_record_constraints(),
    CheckConstraint("standard_name = specific_part || generic_part", name="name_parts"),
    Index("ix_place_name_geom", "geom", postgresql_using="gist"),
    Index("ix_place_name_area_code", "area_code"),
    Index("ix_place_name_category", "category"),
    # Names are looked up as they are proposed (the same name, a homophone, one character
    # off, in the same jurisdiction), and proposals in review (pending) among them.
    Index("ix_place_name_standard_name", "standard_name"),
    Index("ix_place_name_pending", "id", postgresql_where=text("pending IS NOT NULL")),
)

place_name_designation = Table(
    "place_name_designation",
    metadata,
    Column("place_name_id", BigInteger, ForeignKey("place_name.id"), nullable=False),
    Column("designation", String(40), ForeignKey("designation.code"), nullable=False),
    Column("listed_year", Integer, nullable=True),
    PrimaryKeyConstraint("place_name_id", "designation"),
    Index("ix_place_name_designation_designation", "designation"),
)

village_road = Table(
    "village_road",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("name", Text, nullable=False),
    Column("pinyin", Text, nullable=False),
    Column("village_code", String(12), ForeignKey("admin_area.code"), nullable=False),
    Column("geom", _geometry("LINESTRING"), nullable=False),
    Column("length_m", Double, Computed("ST_Length(geom::geography)", persisted=True)),
    *_record_columns(),
    *_record_constraints(),
    Index("ix_village_road_geom", "geom", postgresql_using="gist"),
    Index("ix_village_road_village_code", "village_code"),
    Index("ix_village_road_name", "name"),
    Index("ix_village_road_pending", "id", postgresql_where=text("pending IS NOT NULL")),
)

# The road network, in the shape pgRouting expects: integer ids, source and target nodes.
road_node = Table(
    "road_node",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("geom", _geometry("POINT"), nullable=False),
    Index("ix_road_node_geom", "geom", postgresql_using="gist"),
)

ROAD_CLASSES = ("township", "rural", "village_road", "access")

road_edge = Table(
    "road_edge",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("source", BigInteger, ForeignKey("road_node.id"), nullable=False),
    Column("target", BigInteger, ForeignKey("road_node.id"), nullable=False),
    Column("road_class", String(16), nullable=False),
    Column(
        "village_road_id",
        BigInteger,
        ForeignKey("village_road.id"),
        nullable=True,
        comment="Set when the edge is (part of) a named village road",
    ),
    Column("geom", _geometry("LINESTRING"), nullable=False),
    Column("length_m", Double, Computed("ST_Length(geom::geography)", persisted=True)),
    CheckConstraint(_in("road_class", ROAD_CLASSES), name="road_class"),
    CheckConstraint("source <> target", name="no_loops"),
    Index("ix_road_edge_geom", "geom", postgresql_using="gist"),
    Index("ix_road_edge_source", "source"),
    Index("ix_road_edge_target", "target"),
    Index("ix_road_edge_village_road_id", "village_road_id"),
)


def _road_link_columns() -> list[Column[Any]]:
    """Where a point joins the road network: the nearest point on the nearest road edge,
    the leg from the point to it and the way from it to either end of the edge, all in
    geodesic metres."""
    return [
        Column(
            "edge_id", BigInteger, ForeignKey("road_edge.id", ondelete="CASCADE"), nullable=False
        ),
        Column("source", BigInteger, nullable=False),
        Column("target", BigInteger, nullable=False),
        Column("fraction", Double, nullable=False, comment="Where on the edge, 0 at source"),
        Column("leg_m", Double, nullable=False, comment="From the point to the road"),
        Column("to_source_m", Double, nullable=False),
        Column("to_target_m", Double, nullable=False),
        Column("point", _geometry("POINT"), nullable=False, comment="The point on the road"),
    ]


# Kept by triggers in the same transaction as every change of a village's representative
# point, a service's position or the road network (migration 0006), so that a road
# distance never starts from a stale place.
village_road_link = Table(
    "village_road_link",
    metadata,
    Column(
        "village_code",
        String(12),
        ForeignKey("admin_area.code", ondelete="CASCADE"),
        primary_key=True,
    ),
    *_road_link_columns(),
    Index("ix_village_road_link_edge_id", "edge_id"),
)

service_road_link = Table(
    "service_road_link",
    metadata,
    Column(
        "service_id", BigInteger, ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    ),
    *_road_link_columns(),
    Index("ix_service_road_link_edge_id", "edge_id"),
)


# Per village and kind of service, the nearest published service within 100 km and its
# distance in geodesic metres: a coverage by radius is then one indexed pass.  Kept by
# triggers in the same transaction as every publish, move, change of kind or retirement,
# and every move of a village (migration 0008).  No foreign key on service_id: the row of
# a deleted service must still be found, to find the village's next nearest.
NEAREST_SERVICE_MAX_M = 100_000.0

village_nearest_service = Table(
    "village_nearest_service",
    metadata,
    Column(
        "village_code",
        String(12),
        ForeignKey("admin_area.code", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(40), nullable=False),
    Column("service_id", BigInteger, nullable=False),
    Column("distance_m", Double, nullable=False),
    # Kind first: a province's or the country's villages of one kind come in code order,
    # ready to be joined with the villages without a sort.
    PrimaryKeyConstraint("kind", "village_code"),
    Index("ix_village_nearest_service_service_id", "service_id"),
)

SEARCH_ENTITIES = ("place_name", "village_road", "admin_area", "service")

# Names in every form a person may type them: characters, pinyin run together without
# tones, and the syllables' initials (威海市 → weihaishi, whs).  Pinyin needs Python
# (pypinyin), so the application keeps this table in step with the named records.
search_name = Table(
    "search_name",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("entity", String(16), nullable=False),
    Column("entity_key", Text, nullable=False, comment="id, or code for areas"),
    Column("name", Text, nullable=False),
    Column("pinyin_compact", Text, nullable=False),
    Column("initials", Text, nullable=False),
    # A record has its name, and may have others (a place name's alternate names).
    UniqueConstraint("entity", "entity_key", "name"),
    CheckConstraint(_in("entity", SEARCH_ENTITIES), name="entity"),
    Index(
        "ix_search_name_name_trgm",
        "name",
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    ),
    Index(
        "ix_search_name_pinyin_trgm",
        "pinyin_compact",
        postgresql_using="gin",
        postgresql_ops={"pinyin_compact": "gin_trgm_ops"},
    ),
    Index("ix_search_name_initials", "initials", postgresql_ops={"initials": "text_pattern_ops"}),
    Index(
        "ix_search_name_pinyin_prefix",
        "pinyin_compact",
        postgresql_ops={"pinyin_compact": "text_pattern_ops"},
    ),
)

ROLES = ("public", "planner", "editor", "reviewer", "admin")

app_user = Table(
    "app_user",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(_in("role", ROLES), name="role"),
)

# API keys are stored as their SHA-256: a stolen table gives no usable key.
api_token = Table(
    "api_token",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("app_user.id"), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("label", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

REVISION_OPERATIONS = (
    "create",
    "update",
    "stage",
    "approve",
    "publish",
    "withdraw",
    "reject",
    "retire",
    "restore",
    "revert",
)

# Every change to an editable record, written in the same transaction as the change;
# never updated or deleted (a trigger refuses).
revision = Table(
    "revision",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("entity", String(16), nullable=False),
    Column("entity_id", BigInteger, nullable=False),
    Column("operation", String(16), nullable=False),
    Column("actor_id", BigInteger, ForeignKey("app_user.id"), nullable=False),
    Column("comment", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("version", Integer, nullable=False, comment="The record's version after the change"),
    Column("before", JSONB, nullable=True),
    Column("after", JSONB, nullable=False),
    Column(
        "client_mutation_id",
        Text,
        nullable=True,
        comment="The caller's key for the change: the same key twice makes one change",
    ),
    Column(
        "request_digest",
        Text,
        nullable=True,
        comment="Fingerprint of the mutation's arguments that the key stands for",
    ),
    Column(
        "warnings",
        JSONB,
        nullable=False,
        server_default=text("'[]'::jsonb"),
        comment="Warnings about the name the editor acknowledged with this change",
    ),
    UniqueConstraint("actor_id", "client_mutation_id"),
    CheckConstraint(_in("operation", REVISION_OPERATIONS), name="operation"),
    CheckConstraint(_in("entity", ("place_name", "village_road", "service")), name="entity"),
    Index("ix_revision_entity_entity_id", "entity", "entity_id"),
)

# Documents of an approval case (assessment reports, expert opinions, the approval
# document), kept in the database with the case: backed up, replicated and rolled back
# with it.  Their size and type are checked before they are written.
attachment = Table(
    "attachment",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("entity", String(16), nullable=False),
    Column("entity_id", BigInteger, nullable=False),
    Column("stage", String(16), nullable=False),
    Column("filename", Text, nullable=False),
    Column("media_type", Text, nullable=False),
    Column("byte_size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", BigInteger, ForeignKey("app_user.id"), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(_in("entity", ("place_name", "village_road", "service")), name="entity"),
    Index("ix_attachment_entity_entity_id", "entity", "entity_id"),
)
