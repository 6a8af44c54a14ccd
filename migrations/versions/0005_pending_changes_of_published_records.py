"""Pending changes: an edit of a published record waits beside it until it is published.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("place_name", "service", "village_road")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column(
                "pending",
                postgresql.JSONB(astext_type=sa.Text()),
                nullable=True,
                comment="A change of the published record",
            ),
        )
        op.add_column(table, sa.Column("pending_status", sa.String(length=16), nullable=True))
        op.add_column(table, sa.Column("pending_by", sa.BigInteger(), nullable=True))
        op.create_foreign_key(
            op.f(f"fk_{table}_pending_by_app_user"), table, "app_user", ["pending_by"], ["id"]
        )
        op.create_check_constraint(
            op.f(f"ck_{table}_pending_status"),
            table,
            "pending_status IS NULL OR pending_status IN ('proposed', 'approved')",
        )
        op.create_check_constraint(
            op.f(f"ck_{table}_pending_of_published"),
            table,
            "(pending IS NULL) = (pending_status IS NULL)"
            " AND (pending IS NULL OR status = 'published')",
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_constraint(op.f(f"ck_{table}_pending_of_published"), table, type_="check")
        op.drop_constraint(op.f(f"ck_{table}_pending_status"), table, type_="check")
        op.drop_constraint(op.f(f"fk_{table}_pending_by_app_user"), table, type_="foreignkey")
        op.drop_column(table, "pending_by")
        op.drop_column(table, "pending_status")
        op.drop_column(table, "pending")
