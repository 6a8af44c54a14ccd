"""What the servers say of replication: WAL positions, recovery, replay lag."""

from __future__ import annotations

from sqlalchemy import text

from db.statements import Statement

_PRIMARY_POSITION = text(
    "SELECT pg_is_in_recovery() AS in_recovery,"
    " CASE WHEN pg_is_in_recovery() THEN NULL"
    " ELSE pg_current_wal_insert_lsn()::text END AS lsn"
)
_REPLAY_POSITION = text(
    "SELECT pg_is_in_recovery() AS in_recovery,"
    " CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END AS lsn,"
    " extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS since_replay"
)
# After a commit, on the connection that made it: at or past the commit's WAL record.
COMMITTED_POSITION = "SELECT pg_current_wal_insert_lsn()::text"


def primary_position() -> Statement:
    """Whether the server is in recovery and, if not, where its WAL is written up to."""
    return Statement(_PRIMARY_POSITION, {})


def replay_position() -> Statement:
    """Whether the server is in recovery, how far it has replayed, and how long ago it
    replayed its last transaction."""
    return Statement(_REPLAY_POSITION, {})
