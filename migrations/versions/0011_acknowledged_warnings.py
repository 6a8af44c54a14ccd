"""revision.warnings: the warnings about a name that an editor acknowledged.

A name that sounds like another of its jurisdiction, differs from one by a character, or
repeats a same-kind record's name within 100 m is allowed only when the editor says so;
what was said is kept with the change.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "revision",
        sa.Column(
            "warnings",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            server_default=sa.text("'[]'::jsonb"),
            comment="Warnings about the name the editor acknowledged with this change",
        ),
    )


def downgrade() -> None:
    op.drop_column("revision", "warnings")
