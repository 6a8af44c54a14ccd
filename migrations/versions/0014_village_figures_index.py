"""An index holding the village figures, so that the areas layer sums them from the index.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_admin_area_village_figures",
        "admin_area",
        ["code"],
        unique=False,
        postgresql_include=["households", "population", "elderly"],
        postgresql_where=sa.text("level = 'village'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_admin_area_village_figures",
        table_name="admin_area",
        postgresql_where=sa.text("level = 'village'"),
    )
