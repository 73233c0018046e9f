"""SQL of the journal's append-only triggers, shared by migration 0003 and the test suite."""

from __future__ import annotations

PG_UP = """
CREATE OR REPLACE FUNCTION audit_access_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_access is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_access_no_update BEFORE UPDATE OR DELETE ON audit_access
    FOR EACH ROW EXECUTE FUNCTION audit_access_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_access_no_update ON audit_access;
DROP FUNCTION IF EXISTS audit_access_append_only();
"""
SQLITE_UP = [
    "CREATE TRIGGER audit_access_no_update BEFORE UPDATE ON audit_access "
    "BEGIN SELECT RAISE(ABORT, 'audit_access is append-only'); END;",
    "CREATE TRIGGER audit_access_no_delete BEFORE DELETE ON audit_access "
    "BEGIN SELECT RAISE(ABORT, 'audit_access is append-only'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_access_no_update;",
    "DROP TRIGGER IF EXISTS audit_access_no_delete;",
]


# The lists of dossiers a journal row names (audit.ListedDossier, migration 0006): the same rule.
LISTED_PG_UP = """
CREATE OR REPLACE FUNCTION audit_listeddossier_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_listeddossier is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_listeddossier_no_change BEFORE UPDATE OR DELETE ON audit_listeddossier
    FOR EACH ROW EXECUTE FUNCTION audit_listeddossier_append_only();
"""
LISTED_PG_DOWN = """
DROP TRIGGER IF EXISTS audit_listeddossier_no_change ON audit_listeddossier;
DROP FUNCTION IF EXISTS audit_listeddossier_append_only();
"""
LISTED_SQLITE_NO_DELETE = (
    "CREATE TRIGGER IF NOT EXISTS audit_listeddossier_no_delete BEFORE DELETE ON audit_listeddossier "
    "BEGIN SELECT RAISE(ABORT, 'audit_listeddossier is append-only'); END;"
)
LISTED_SQLITE_UP = [
    "CREATE TRIGGER audit_listeddossier_no_update BEFORE UPDATE ON audit_listeddossier "
    "BEGIN SELECT RAISE(ABORT, 'audit_listeddossier is append-only'); END;",
    LISTED_SQLITE_NO_DELETE,
]
LISTED_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_listeddossier_no_update;",
    "DROP TRIGGER IF EXISTS audit_listeddossier_no_delete;",
]
