"""Client mutation ids on revisions: a replayed mutation makes one change.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "revision",
        sa.Column(
            "client_mutation_id",
            sa.Text(),
            nullable=True,
            comment="The caller's key for the change: the same key twice makes one change",
        ),
    )
    op.create_unique_constraint(
        op.f("uq_revision_actor_id_client_mutation_id"),
        "revision",
        ["actor_id", "client_mutation_id"],
    )


def downgrade() -> None:
    op.drop_constraint(op.f("uq_revision_actor_id_client_mutation_id"), "revision", type_="unique")
    op.drop_column("revision", "client_mutation_id")
