from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cordee.audit"
    label = "audit"
    verbose_name = "Journal des accès"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        connection_created.connect(_register_digest, dispatch_uid="cordee_journal_digest")


def _register_digest(sender: object, connection: Any, **kwargs: object) -> None:
    """SQLite's seal trigger calls the digest in Python (PostgreSQL computes it in SQL)."""
    if connection.vendor == "sqlite":
        from cordee.audit.chain import SEALED, sqlite_digest

        connection.connection.create_function(
            "cordee_journal_digest", len(SEALED) + 1, sqlite_digest, deterministic=True
        )
