"""SQL of the journal's seal (issue 22, `cordee/audit/chain.py`), shared by migration 0004, the
retention purge and the test suite. The digest's text must match `chain.digest` byte for byte:
the previous digest, then each field as `<length>:<text>`, joined by "|"."""

from __future__ import annotations

PG_SEAL = """
CREATE OR REPLACE FUNCTION audit_part(value text) RETURNS text AS $$
    SELECT length(coalesce(value, '')) || ':' || coalesce(value, '')
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION audit_access_seal() RETURNS trigger AS $$
DECLARE
    head audit_chainhead%ROWTYPE;
BEGIN
    -- One chain per server process (8 in all): concurrent requests seldom wait for one another.
    NEW.chain := pg_backend_pid() % 8;
    INSERT INTO audit_chainhead (chain, seq, digest, checkpoint_seq, checkpoint_digest)
        VALUES (NEW.chain, 0, repeat('0', 64), 0, repeat('0', 64)) ON CONFLICT (chain) DO NOTHING;
    SELECT * INTO head FROM audit_chainhead WHERE chain = NEW.chain FOR UPDATE;
    NEW.seq := head.seq + 1;
    NEW.digest := encode(sha256(convert_to(
        head.digest
        || '|' || audit_part(NEW.seq::text)
        || '|' || audit_part(NEW.chain::text)
        || '|' || audit_part(to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))
        || '|' || audit_part(NEW.user_id::text)
        || '|' || audit_part(NEW.structure_id::text)
        || '|' || audit_part(NEW.patient_id::text)
        || '|' || audit_part(NEW.requested_id)
        || '|' || audit_part(NEW.action)
        || '|' || audit_part(NEW.what)
        || '|' || audit_part(NEW.outcome),
        'UTF8')), 'hex');
    UPDATE audit_chainhead SET seq = NEW.seq, digest = NEW.digest WHERE chain = NEW.chain;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_access_seal ON audit_access;
CREATE TRIGGER audit_access_seal BEFORE INSERT ON audit_access
    FOR EACH ROW EXECUTE FUNCTION audit_access_seal();
"""
PG_UNSEAL = """
DROP TRIGGER IF EXISTS audit_access_seal ON audit_access;
DROP FUNCTION IF EXISTS audit_access_seal();
DROP FUNCTION IF EXISTS audit_part(text);
"""

# SQLite cannot assign NEW: the row is sealed right after its insert, by the one update the
# append-only rule allows (a row whose digest is still empty), with a function the application
# registers on each connection (`AuditConfig.ready`).
SQLITE_SEAL = [
    "DROP TRIGGER IF EXISTS audit_access_no_update;",
    "CREATE TRIGGER audit_access_no_update BEFORE UPDATE ON audit_access WHEN OLD.digest <> '' "
    "BEGIN SELECT RAISE(ABORT, 'audit_access is append-only'); END;",
    "DROP TRIGGER IF EXISTS audit_access_seal;",
    """CREATE TRIGGER audit_access_seal AFTER INSERT ON audit_access BEGIN
        INSERT OR IGNORE INTO audit_chainhead (chain, seq, digest, checkpoint_seq, checkpoint_digest)
            VALUES (0, 0, printf('%064d', 0), 0, printf('%064d', 0));
        UPDATE audit_access SET chain = 0,
            seq = (SELECT seq + 1 FROM audit_chainhead WHERE chain = 0),
            digest = cordee_journal_digest(
                (SELECT digest FROM audit_chainhead WHERE chain = 0),
                (SELECT seq + 1 FROM audit_chainhead WHERE chain = 0), 0, NEW.at, NEW.user_id,
                NEW.structure_id, NEW.patient_id, NEW.requested_id, NEW.action, NEW.what, NEW.outcome)
            WHERE id = NEW.id;
        UPDATE audit_chainhead SET seq = seq + 1, digest = (SELECT digest FROM audit_access WHERE id = NEW.id)
            WHERE chain = 0;
    END;""",
]
SQLITE_UNSEAL = [
    "DROP TRIGGER IF EXISTS audit_access_seal;",
    "DROP TRIGGER IF EXISTS audit_access_no_update;",
    "CREATE TRIGGER audit_access_no_update BEFORE UPDATE ON audit_access "
    "BEGIN SELECT RAISE(ABORT, 'audit_access is append-only'); END;",
]


def lift_append_only(vendor: str) -> list[str]:
    """For the table owner's retention purge (and the test suite's flush): deletes allowed, on
    the journal and on the lists of dossiers its rows name."""
    from cordee.audit.migrations._append_only_sql import LISTED_SQLITE_DOWN

    if vendor == "postgresql":
        # Foreign-key checks still pending in the transaction would forbid the ALTER.
        return [
            "SET CONSTRAINTS ALL IMMEDIATE",
            "ALTER TABLE audit_access DISABLE TRIGGER audit_access_no_update",
            "ALTER TABLE audit_listeddossier DISABLE TRIGGER audit_listeddossier_no_change",
        ]
    return ["DROP TRIGGER IF EXISTS audit_access_no_delete;", LISTED_SQLITE_DOWN[1]]


def restore_append_only(vendor: str) -> list[str]:
    from cordee.audit.migrations._append_only_sql import LISTED_SQLITE_NO_DELETE

    if vendor == "postgresql":
        return [
            "ALTER TABLE audit_access ENABLE TRIGGER audit_access_no_update",
            "ALTER TABLE audit_listeddossier ENABLE TRIGGER audit_listeddossier_no_change",
        ]
    return [
        "CREATE TRIGGER audit_access_no_delete BEFORE DELETE ON audit_access "
        "BEGIN SELECT RAISE(ABORT, 'audit_access is append-only'); END;",
        LISTED_SQLITE_NO_DELETE,
    ]
