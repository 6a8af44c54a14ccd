"""revision.request_digest: what a client mutation id stands for.

A mutation sent again with the same ``clientMutationId`` is a replay and changes nothing;
sent with other arguments it is a mistake (or a guess), and is refused.  The fingerprint
of the arguments the key was first used with is kept beside the key.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "revision",
        sa.Column(
            "request_digest",
            sa.Text(),
            nullable=True,
            comment="Fingerprint of the mutation's arguments that the key stands for",
        ),
    )


def downgrade() -> None:
    op.drop_column("revision", "request_digest")
