"""Test-suite support: emptying the append-only journal between transactional tests."""

from __future__ import annotations

from django.db import connection

from cordee.audit.migrations import _chain_sql as sql


def purge_journal_for_tests() -> None:
    """Django flushes tables between live-server tests; the journal refuses DELETE, so the
    suite lifts the rule for the time of one purge, as an operator's retention purge would, and
    the chains start again from nothing."""
    with connection.cursor() as cursor:
        for statement in sql.lift_append_only(connection.vendor):
            cursor.execute(statement)
        cursor.execute("DELETE FROM audit_listeddossier")
        cursor.execute("DELETE FROM audit_access")
        cursor.execute("DELETE FROM audit_chainhead")
        for statement in sql.restore_append_only(connection.vendor):
            cursor.execute(statement)
