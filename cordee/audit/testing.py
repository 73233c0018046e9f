"""Test-suite support: emptying the append-only journal between transactional tests."""

from __future__ import annotations

from django.db import connection

from cordee.audit.migrations import _append_only_sql as sql


def purge_journal_for_tests() -> None:
    """Django flushes tables between live-server tests; the journal refuses DELETE, so the
    suite lifts the rule for the time of one purge, as an operator's retention purge would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_access DISABLE TRIGGER USER")
            cursor.execute("DELETE FROM audit_access")
            cursor.execute("ALTER TABLE audit_access ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            for statement in sql.SQLITE_DOWN:
                cursor.execute(statement)
            cursor.execute("DELETE FROM audit_access")
            for statement in sql.SQLITE_UP:
                cursor.execute(statement)
