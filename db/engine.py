"""Engines: one pooled engine per database URL, configured from the settings."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine

from db.settings import Settings


def make_engine(settings: Settings, url: str | None = None, **overrides: object) -> Engine:
    options: dict[str, object] = {
        "pool_size": settings.pool_size,
        "max_overflow": settings.pool_size,
        "pool_pre_ping": True,
        "connect_args": {
            "options": f"-c statement_timeout={settings.statement_timeout_ms}",
            "application_name": "weihai-registry",
        },
    }
    options.update(overrides)
    return create_engine(url or settings.url_for(), **options)  # type: ignore[arg-type]
