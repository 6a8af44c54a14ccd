"""Name search: every named record in characters, toneless pinyin and initials.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_name",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_key", sa.Text(), nullable=False, comment="id, or code for areas"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("pinyin_compact", sa.Text(), nullable=False),
        sa.Column("initials", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "entity IN ('place_name', 'village_road', 'admin_area', 'service')",
            name=op.f("ck_search_name_entity"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_name")),
        sa.UniqueConstraint("entity", "entity_key", name=op.f("uq_search_name_entity_entity_key")),
    )
    op.create_index(
        "ix_search_name_initials",
        "search_name",
        ["initials"],
        unique=False,
        postgresql_ops={"initials": "text_pattern_ops"},
    )
    op.create_index(
        "ix_search_name_name_trgm",
        "search_name",
        ["name"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_search_name_pinyin_prefix",
        "search_name",
        ["pinyin_compact"],
        unique=False,
        postgresql_ops={"pinyin_compact": "text_pattern_ops"},
    )
    op.create_index(
        "ix_search_name_pinyin_trgm",
        "search_name",
        ["pinyin_compact"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"pinyin_compact": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index(
        "ix_search_name_pinyin_trgm",
        table_name="search_name",
        postgresql_using="gin",
        postgresql_ops={"pinyin_compact": "gin_trgm_ops"},
    )
    op.drop_index(
        "ix_search_name_pinyin_prefix",
        table_name="search_name",
        postgresql_ops={"pinyin_compact": "text_pattern_ops"},
    )
    op.drop_index(
        "ix_search_name_name_trgm",
        table_name="search_name",
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.drop_index(
        "ix_search_name_initials",
        table_name="search_name",
        postgresql_ops={"initials": "text_pattern_ops"},
    )
    op.drop_table("search_name")
