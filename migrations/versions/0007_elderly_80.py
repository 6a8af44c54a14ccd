"""The oldest old: residents aged 80 and over, per village, where the source has them.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "admin_area",
        sa.Column(
            "elderly_80",
            sa.Integer(),
            nullable=True,
            comment="Residents aged 80 and over, where the source has them",
        ),
    )
    op.create_check_constraint(
        op.f("ck_admin_area_elderly_80_plausible"), "admin_area", "elderly_80 BETWEEN 0 AND elderly"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_admin_area_elderly_80_plausible"), "admin_area", type_="check")
    op.drop_column("admin_area", "elderly_80")
