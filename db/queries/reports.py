"""What an area report needs beyond coverage: how many services of each kind it holds."""

from __future__ import annotations

from sqlalchemy import Connection, text

_SERVICE_COUNTS = text(
    """
    SELECT kind, count(*) AS n FROM service
    WHERE status = 'published' AND area_code LIKE :code || '%'
    GROUP BY kind
    """
)


def service_counts(conn: Connection, area_code: str) -> dict[str, int]:
    """Published services of each kind in the area (kinds with none left out)."""
    return {row.kind: row.n for row in conn.execute(_SERVICE_COUNTS, {"code": area_code})}
