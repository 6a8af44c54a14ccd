"""Approval cases: the stages a proposal goes through, withdrawals and rejections, and the
documents of a case.

Each editable record keeps the case of its proposal in review (``review_case``: its kind,
the stages it needs, those recorded); revisions record each stage ("stage"), a
proposer's withdrawal ("withdraw") and a reviewer's rejection ("reject"); attachments hold
the documents (assessment reports, expert opinions, the approval document).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("place_name", "village_road", "service")
OLD = ("create", "update", "approve", "publish", "retire", "restore", "revert")
NEW = (
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


def _operations(values: tuple[str, ...]) -> str:
    return "operation IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column(
                "review_case",
                postgresql.JSONB(astext_type=sa.Text()),
                nullable=True,
                comment="The approval case of the proposal in review (or the last one): its"
                " kind, the stages it needs and those recorded (domain.approval)",
            ),
        )
    op.drop_constraint(op.f("ck_revision_operation"), "revision", type_="check")
    op.create_check_constraint(op.f("ck_revision_operation"), "revision", _operations(NEW))
    op.create_table(
        "attachment",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.Text(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.BigInteger(), nullable=False),
        sa.Column(
            "uploaded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "entity IN ('place_name', 'village_road', 'service')", name=op.f("ck_attachment_entity")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["app_user.id"], name=op.f("fk_attachment_uploaded_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    op.create_index(
        "ix_attachment_entity_entity_id", "attachment", ["entity", "entity_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_attachment_entity_entity_id", table_name="attachment")
    op.drop_table("attachment")
    # History is immutable (a trigger refuses); going back drops what the old rule forbids.
    op.execute("ALTER TABLE revision DISABLE TRIGGER revision_is_immutable")
    op.execute(f"DELETE FROM revision WHERE NOT ({_operations(OLD)})")
    op.execute("ALTER TABLE revision ENABLE TRIGGER revision_is_immutable")
    op.drop_constraint(op.f("ck_revision_operation"), "revision", type_="check")
    op.create_check_constraint(op.f("ck_revision_operation"), "revision", _operations(OLD))
    for table in TABLES:
        op.drop_column(table, "review_case")
