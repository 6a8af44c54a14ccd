"""Alternate names of place names, a record's several names in the search index, and the
indexes that name checks use (names; proposals in review).

``place_name.alternate_names`` holds the other names of a place (former, colloquial,
abbreviated, historic, in a minority language, foreign exonyms), each with its language,
whether it is the preferred one, and when it was valid; the former names already kept
become alternate names of kind "former".  A record may now have several rows in
``search_name``, one per name.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "place_name",
        sa.Column(
            "alternate_names",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
            comment="Other names of the place: name, kind, language, preferred, valid_from,"
            " valid_to (as GeoNames' alternate names)",
        ),
    )
    op.alter_column(
        "place_name",
        "former_names",
        existing_type=postgresql.ARRAY(sa.Text()),
        comment="The names of the FORMER alternate names, kept with them",
        existing_nullable=False,
        existing_server_default=sa.text("'{}'::text[]"),
    )
    op.execute(
        """
        UPDATE place_name SET alternate_names = (
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                'name', n, 'kind', 'former', 'language', 'zh', 'preferred', false,
                'valid_from', NULL, 'valid_to', NULL)), '[]'::jsonb)
            FROM unnest(former_names) AS n)
        WHERE cardinality(former_names) > 0
        """
    )
    for table, column in (
        ("place_name", "standard_name"),
        ("village_road", "name"),
        ("service", "name"),
    ):
        op.create_index(f"ix_{table}_{column}", table, [column])
        op.create_index(
            f"ix_{table}_pending", table, ["id"], postgresql_where=sa.text("pending IS NOT NULL")
        )
    op.drop_constraint("uq_search_name_entity_entity_key", "search_name", type_="unique")
    op.create_unique_constraint(
        op.f("uq_search_name_entity_entity_key_name"),
        "search_name",
        ["entity", "entity_key", "name"],
    )


def downgrade() -> None:
    op.execute(
        "DELETE FROM search_name s USING place_name p WHERE s.entity = 'place_name'"
        " AND s.entity_key = p.id::text AND s.name <> p.standard_name"
    )
    op.drop_constraint(op.f("uq_search_name_entity_entity_key_name"), "search_name", type_="unique")
    op.create_unique_constraint(
        "uq_search_name_entity_entity_key", "search_name", ["entity", "entity_key"]
    )
    op.alter_column(
        "place_name",
        "former_names",
        existing_type=postgresql.ARRAY(sa.Text()),
        comment=None,
        existing_nullable=False,
        existing_server_default=sa.text("'{}'::text[]"),
    )
    op.drop_column("place_name", "alternate_names")
    for table, column in (
        ("place_name", "standard_name"),
        ("village_road", "name"),
        ("service", "name"),
    ):
        op.drop_index(f"ix_{table}_pending", table_name=table)
        op.drop_index(f"ix_{table}_{column}", table_name=table)
