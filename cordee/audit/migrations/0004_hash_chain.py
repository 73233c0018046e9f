"""Issue 22: the journal's seal — each row chained to the previous one of its chain by a digest
(cordee/audit/chain.py). Rows already written are sealed here, in id order, on chain 0."""

from django.conf import settings
from django.db import migrations, models

from cordee.audit.migrations import _chain_sql as sql

SQLITE_GUARDS = [
    # SQLite rebuilt the table to add the columns, dropping its triggers: all are put back.
    "CREATE TRIGGER IF NOT EXISTS audit_access_no_delete BEFORE DELETE ON audit_access "
    "BEGIN SELECT RAISE(ABORT, 'audit_access is append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS audit_access_no_replace BEFORE INSERT ON audit_access "
    "WHEN EXISTS (SELECT 1 FROM audit_access WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit_access is append-only'); END;",
]


def seal(apps, schema_editor):  # type: ignore[no-untyped-def]
    from cordee.audit.chain import GENESIS, digest

    Access = apps.get_model("audit", "Access")
    connection = schema_editor.connection
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("ALTER TABLE audit_access DISABLE TRIGGER audit_access_no_update")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_access_no_update")
        previous, seq, batch = GENESIS, 0, []
        fields = (
            "id",
            "at",
            "user_id",
            "structure_id",
            "patient_id",
            "requested_id",
            "action",
            "what",
            "outcome",
        )
        for row in Access.objects.order_by("id").values(*fields).iterator(chunk_size=2000):
            seq += 1
            previous = digest(previous, {**row, "seq": seq, "chain": 0})
            batch.append((seq, previous, row["id"]))
            if len(batch) == 1000:
                cursor.executemany(
                    "UPDATE audit_access SET chain = 0, seq = %s, digest = %s WHERE id = %s", batch
                )
                batch = []
        if batch:
            cursor.executemany(
                "UPDATE audit_access SET chain = 0, seq = %s, digest = %s WHERE id = %s", batch
            )
        cursor.execute(
            "INSERT INTO audit_chainhead (chain, seq, digest, checkpoint_seq, checkpoint_digest) VALUES (0, %s, %s, 0, %s)",
            [seq, previous, GENESIS],
        )
        if postgres:
            cursor.execute("ALTER TABLE audit_access ENABLE TRIGGER audit_access_no_update")
            cursor.execute(sql.PG_SEAL)
        else:
            for statement in [*SQLITE_GUARDS, *sql.SQLITE_SEAL]:
                cursor.execute(statement)


def unseal(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(sql.PG_UNSEAL)
        else:
            for statement in sql.SQLITE_UNSEAL:
                cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_reference_data"),
        ("audit", "0003_append_only"),
        ("patients", "0010_name_prefix_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                ("chain", models.SmallIntegerField(primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(default=0)),
                ("digest", models.CharField(max_length=64)),
                ("checkpoint_seq", models.BigIntegerField(default=0)),
                ("checkpoint_digest", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "tête de chaîne du journal",
                "verbose_name_plural": "têtes de chaîne du journal",
                "db_table": "audit_chainhead",
            },
        ),
        migrations.AddField(
            model_name="access",
            name="chain",
            field=models.SmallIntegerField(editable=False, null=True, verbose_name="chaîne"),
        ),
        migrations.AddField(
            model_name="access",
            name="digest",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="empreinte"),
        ),
        migrations.AddField(
            model_name="access",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="rang"),
        ),
        migrations.AddIndex(
            model_name="access",
            index=models.Index(fields=["chain", "seq"], name="access_chain_idx"),
        ),
        migrations.RunPython(seal, unseal),
    ]
