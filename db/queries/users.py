"""Users and their API tokens.  A token is shown once when made; only its SHA-256 is kept."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import Connection, text

TOKEN_PREFIX = "wr_"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(conn: Connection, token: str) -> dict[str, Any] | None:
    """The active user an unrevoked token belongs to, or None."""
    row = (
        conn.execute(
            text(
                "SELECT u.id, u.name, u.role FROM api_token t JOIN app_user u ON u.id = t.user_id"
                " WHERE t.token_sha256 = :digest AND t.revoked_at IS NULL AND u.active"
            ),
            {"digest": token_digest(token)},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def create_user(conn: Connection, name: str, role: str) -> int:
    return int(
        conn.execute(
            text("INSERT INTO app_user (name, role) VALUES (:name, :role) RETURNING id"),
            {"name": name, "role": role},
        ).scalar_one()
    )


def user_id_by_name(conn: Connection, name: str) -> int | None:
    found = conn.execute(text("SELECT id FROM app_user WHERE name = :n"), {"n": name}).scalar()
    return int(found) if found is not None else None


def create_token(conn: Connection, user_id: int, label: str | None = None) -> str:
    """A new API token for the user; the caller shows it once, the database keeps its hash."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        text(
            "INSERT INTO api_token (user_id, token_sha256, label)"
            " VALUES (:user_id, :digest, :label)"
        ),
        {"user_id": user_id, "digest": token_digest(token), "label": label},
    )
    return token


def revoke_tokens(conn: Connection, user_id: int) -> int:
    result = conn.execute(
        text("UPDATE api_token SET revoked_at = now() WHERE user_id = :u AND revoked_at IS NULL"),
        {"u": user_id},
    )
    return int(result.rowcount)


def has_users(conn: Connection) -> bool:
    return bool(conn.execute(text("SELECT EXISTS (SELECT 1 FROM app_user)")).scalar())
