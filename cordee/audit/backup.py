"""Backing up and restoring Cordée (issue 22): the database and the dossiers' files together, with
a manifest that lets a restore prove it is whole.

A backup is a directory: `database.dump` (PostgreSQL's `pg_dump --format=custom`, consistent in
one snapshot) or `database.sqlite3` (SQLite's online backup), `files.tar` (the documents on a
local disk; object storage is kept by the bucket's own versioning and replication, as the README
says), and `manifest.json` — written last, so a directory without it is an interrupted backup —
holding the row count of every table and the journal's last row. `restore` loads a backup into an
empty database and checks the same counts and the same journal before saying it is done.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.utils import timezone

from cordee.audit.models import Access

MANIFEST = "manifest.json"
FILES = "files.tar"


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why, in French."""


@dataclass
class Manifest:
    made_at: str
    vendor: str
    tables: dict[str, int]
    journal_rows: int
    journal_last_id: int
    files: int | None  # None: files are in object storage, not in this backup

    @classmethod
    def read(cls, source: Path) -> Manifest:
        path = source / MANIFEST
        if not path.exists():
            raise BackupError(f"{source} n'est pas une sauvegarde complète (pas de {MANIFEST}).")
        return cls(**json.loads(path.read_text()))


def _tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    )


def _census(cursor: Any) -> tuple[dict[str, int], int, int]:
    """Rows per table and the journal's count and last id, read through a DB-API cursor (the
    site's, or one on the restored database). Table names are the models', double-quoted."""
    counts = {}
    for table in _tables():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - model tables
        counts[table] = int(cursor.fetchone()[0])
    cursor.execute(f'SELECT COUNT(*), COALESCE(MAX(id), 0) FROM "{Access._meta.db_table}"')  # noqa: S608
    rows, last = cursor.fetchone()
    return counts, int(rows), int(last)


def _pg_environment(params: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    return env


def _pg_target(params: dict[str, Any]) -> list[str]:
    target = ["--dbname", str(params["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params.get(key):
            target += [option, str(params[key])]
    return target


def _local_files() -> Path | None:
    storage = default_storage._wrapped if hasattr(default_storage, "_wrapped") else default_storage
    if isinstance(storage, FileSystemStorage):
        return Path(storage.location)
    return None


def backup(destination: Path) -> Manifest:
    """The database, then the files, then the manifest (counted in the same database state the
    dump holds when nothing writes meanwhile; a live site's counts may be a few rows ahead)."""
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} n'est pas vide : choisissez un nouveau dossier de sauvegarde.")
    destination.mkdir(parents=True, exist_ok=True)
    params = connection.settings_dict
    with connection.cursor() as cursor:
        tables, rows, last = _census(cursor)
    if connection.vendor == "postgresql":
        dump = str(destination / "database.dump")
        command = ["pg_dump", "--format=custom", "--no-owner", "--file", dump, *_pg_target(params)]
        subprocess.run(command, check=True, env=_pg_environment(params))  # noqa: S603
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(destination / "database.sqlite3") as target:
            connection.connection.backup(target)
    else:
        raise BackupError(f"Base de données non prise en charge : {connection.vendor}.")
    files = _local_files()
    count = None
    if files is not None:
        count = 0
        with tarfile.open(destination / FILES, "w") as archive:
            if files.exists():
                for path in sorted(files.rglob("*")):
                    if path.is_file():
                        archive.add(path, arcname=str(path.relative_to(files)))
                        count += 1
    manifest = Manifest(timezone.now().isoformat(), connection.vendor, tables, rows, last, count)
    (destination / MANIFEST).write_text(json.dumps(asdict(manifest), indent=1, sort_keys=True))
    return manifest


def _connect(params: dict[str, Any]) -> Any:
    """A DB-API connection of its own to the target database (not one of the site's)."""
    if params["ENGINE"].endswith("sqlite3"):
        return sqlite3.connect(params["NAME"])
    import psycopg

    server = {key.lower(): params[key] for key in ("HOST", "PORT", "USER", "PASSWORD") if params.get(key)}
    return psycopg.connect(dbname=params["NAME"], autocommit=True, **server)


def restore(source: Path, database_url: str, files_to: Path | None = None) -> Manifest:
    """Into an empty database (refused otherwise: a restore never merges into live data), then the
    files, then the census compared with the manifest."""
    manifest = Manifest.read(source)
    params: dict[str, Any] = dict(dj_database_url.parse(database_url))
    postgres = params["ENGINE"].endswith("postgresql")
    if postgres != (manifest.vendor == "postgresql"):
        raise BackupError(f"Cette sauvegarde ({manifest.vendor}) se restaure dans une base du même type.")
    if postgres:
        with _connect(params) as target:
            found = target.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        if found[0]:
            raise BackupError("La base cible n'est pas vide : restaurez dans une base neuve.")
    try:
        if postgres:
            command = ["pg_restore", "--no-owner", "--exit-on-error", *_pg_target(params)]
            dump = str(source / "database.dump")
            subprocess.run([*command, dump], check=True, env=_pg_environment(params))  # noqa: S603
        else:
            path = Path(str(params["NAME"]))
            if path.exists() and path.stat().st_size:
                raise BackupError("La base cible n'est pas vide : restaurez dans une base neuve.")
            shutil.copyfile(source / "database.sqlite3", path)
        if manifest.files is not None and (source / FILES).exists():
            where = files_to or _local_files() or Path(settings.MEDIA_ROOT)
            where.mkdir(parents=True, exist_ok=True)
            with tarfile.open(source / FILES) as archive:
                archive.extractall(where, filter="data")
        target = _connect(params)
        try:
            tables, rows, last = _census(target.cursor())
        finally:
            target.close()
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BackupError(f"La restauration a échoué : {exc}.") from exc
    differing = {
        table: (count, tables.get(table))
        for table, count in manifest.tables.items()
        if tables.get(table) != count
    }
    if differing or (rows, last) != (manifest.journal_rows, manifest.journal_last_id):
        raise BackupError(f"La base restaurée ne correspond pas à la sauvegarde : {differing or 'journal'}.")
    return manifest


def stamp() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
