"""Users, hashed API tokens, immutable revisions; who proposed each record.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('public', 'planner', 'editor', 'reviewer', 'admin')",
            name=op.f("ck_app_user_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("name", name=op.f("uq_app_user_name")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_api_token_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_token_token_sha256")),
    )
    op.create_table(
        "revision",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("operation", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "version", sa.Integer(), nullable=False, comment="The record's version after the change"
        ),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.CheckConstraint(
            "entity IN ('place_name', 'village_road', 'service')", name=op.f("ck_revision_entity")
        ),
        sa.CheckConstraint(
            "operation IN ('create', 'update', 'approve', 'publish', 'retire', 'restore', 'revert')",
            name=op.f("ck_revision_operation"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_revision_actor_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision")),
    )
    op.create_index(
        "ix_revision_entity_entity_id", "revision", ["entity", "entity_id"], unique=False
    )
    # History is never rewritten: the database itself refuses to change a revision.
    op.execute(
        """
        CREATE FUNCTION revision_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'revisions are immutable';
        END $$;
        CREATE TRIGGER revision_is_immutable BEFORE UPDATE OR DELETE ON revision
            FOR EACH ROW EXECUTE FUNCTION revision_is_immutable();
        """
    )
    op.add_column("place_name", sa.Column("proposed_by", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_place_name_proposed_by_app_user"),
        "place_name",
        "app_user",
        ["proposed_by"],
        ["id"],
    )
    op.add_column("service", sa.Column("proposed_by", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_service_proposed_by_app_user"), "service", "app_user", ["proposed_by"], ["id"]
    )
    op.add_column("village_road", sa.Column("proposed_by", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_village_road_proposed_by_app_user"),
        "village_road",
        "app_user",
        ["proposed_by"],
        ["id"],
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_village_road_proposed_by_app_user"), "village_road", type_="foreignkey"
    )
    op.drop_column("village_road", "proposed_by")
    op.drop_constraint(op.f("fk_service_proposed_by_app_user"), "service", type_="foreignkey")
    op.drop_column("service", "proposed_by")
    op.drop_constraint(op.f("fk_place_name_proposed_by_app_user"), "place_name", type_="foreignkey")
    op.drop_column("place_name", "proposed_by")
    op.drop_index("ix_revision_entity_entity_id", table_name="revision")
    op.execute("DROP TRIGGER revision_is_immutable ON revision")
    op.execute("DROP FUNCTION revision_is_immutable()")
    op.drop_table("revision")
    op.drop_table("api_token")
    op.drop_table("app_user")
