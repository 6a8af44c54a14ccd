"""json_float: a float8 as JSON text, written as the registry's JSON encoder writes it.

Reads that PostgreSQL answers with the response's JSON (db/queries/json_reads.py) must
give the same bytes as the GraphQL executor, which writes floats with orjson: the
shortest digits that read back to the same double (as PostgreSQL's own output since 12),
but ``1.0`` where PostgreSQL writes ``1``, decimals from 1e-5 up to 1e16, and exponents
without leading zeros (``1e-7``, ``1e+16``).  It relies on extra_float_digits at its
default (1: the shortest digits); it sets nothing itself, so that PostgreSQL can inline it.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        r"""
        CREATE FUNCTION json_float(x float8) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$
            SELECT CASE
                WHEN x IS NULL OR x = 'NaN'::float8 OR x IN ('Infinity', '-Infinity') THEN 'null'
                WHEN abs(x) >= 1e-5 AND abs(x) < 1e16 THEN
                    CASE WHEN x = trunc(x) THEN x::text::numeric::text || '.0'
                         WHEN strpos(x::text, 'e') > 0 THEN x::text::numeric::text
                         ELSE x::text END
                WHEN x = 0 THEN CASE WHEN x::text LIKE '-%' THEN '-0.0' ELSE '0.0' END
                ELSE regexp_replace(x::text, 'e([+-])0*([0-9])', 'e\1\2')
            END
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION json_float(float8)")
