"""Backups of everything the portal keeps: the PostgreSQL database (``pg_dump -Fc``) and
the two file folders, public media and private files (signed forms, attachments, PDFs).

A backup is one folder, made under a temporary name and renamed when complete, so a
folder with the final name is always whole::

    tc-portal-20261206-031500/
        database.dump     pg_dump's custom format (restorable table by table)
        media.tar.gz      MEDIA_ROOT
        private.tar.gz    PRIVATE_MEDIA_ROOT
        manifest.json     when, from where, the latest migration of each app, and the
                          SHA-256 of each part (checked before anything is restored)

The secret key is not in it, on purpose: keep DJANGO_SECRET_KEY (and MFA_ENCRYPTION_KEY,
if set) apart from the backups. Without the same key the two-factor secrets in the
database cannot be read, and every staff member and reviewer must enrol again.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from core.exceptions import ApplicationError

DATABASE = "database.dump"
MANIFEST = "manifest.json"
FOLDERS = {"media.tar.gz": "MEDIA_ROOT", "private.tar.gz": "PRIVATE_MEDIA_ROOT"}


class BackupError(ApplicationError):
    """A backup or restore that could not be done; nothing was changed."""


def backup_create(*, destination: Path, database: str = "default") -> Path:
    """Write a backup folder under ``destination`` and return it. Raises BackupError
    (leaving nothing behind) when the database is not PostgreSQL or pg_dump fails."""
    connection = _postgresql(database)
    destination.mkdir(parents=True, exist_ok=True)
    name = f"tc-portal-{timezone.localtime():%Y%m%d-%H%M%S}"
    final = destination / name
    if final.exists():
        raise BackupError(f"{final} already exists; wait a second and try again.")
    partial = destination / f".{name}.partial"
    partial.mkdir(mode=0o700)
    try:
        # The database first, then the files: a file uploaded meanwhile is kept without
        # its row (harmless), rather than a row kept without its file.
        _run(["pg_dump", "--format=custom", "--file", str(partial / DATABASE)], connection)
        for archive, setting in FOLDERS.items():
            _pack(Path(getattr(settings, setting)), partial / archive)
        manifest = {
            "made_at": timezone.now().isoformat(),
            "database": connection.settings_dict["NAME"],
            "migrations": _latest_migrations(connection),
            "sha256": {part: _sha256(partial / part) for part in [DATABASE, *FOLDERS]},
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def backup_restore(*, source: Path, database: str = "default") -> dict:
    """Restore the backup folder ``source`` into the configured database and file folders,
    which must be empty (a fresh database, new folders): a restore never mixes with, or
    overwrites, what is there. Every part is checked against the manifest first. Returns
    the manifest."""
    connection = _postgresql(database)
    manifest = _checked_manifest(source)
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} already has {len(tables)} "
            "tables. Restore into a new, empty database (createdb …) and point "
            "DATABASE_URL at it."
        )
    folders = {archive: Path(getattr(settings, setting)) for archive, setting in FOLDERS.items()}
    for folder in folders.values():
        if folder.exists() and any(folder.iterdir()):
            raise BackupError(
                f"{folder} is not empty. Restore into new folders (MEDIA_ROOT, "
                "PRIVATE_MEDIA_ROOT) so that no file is overwritten."
            )
    connection.close()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            connection.settings_dict["NAME"],
            str(source / DATABASE),
        ],
        connection,
    )
    for archive, folder in folders.items():
        _unpack(source / archive, folder)
    return manifest


def _postgresql(database: str):
    connection = connections[database]
    if connection.vendor != "postgresql":
        raise BackupError(
            "Backups are made of PostgreSQL databases. On a laptop's SQLite, copy "
            "db.sqlite3 with the media/ and private/ folders instead."
        )
    return connection


def _run(command: list[str], connection) -> None:
    """Run a PostgreSQL client on ``connection``'s database, connected through libpq's
    environment: the password never appears on a command line, where anyone can read it."""
    params = connection.settings_dict
    libpq = {
        "PGHOST": params["HOST"],
        "PGPORT": str(params["PORT"] or ""),
        "PGUSER": params["USER"],
        "PGPASSWORD": params["PASSWORD"],
        "PGDATABASE": params["NAME"],
        "PGSSLMODE": params.get("OPTIONS", {}).get("sslmode", ""),
    }
    env = {**os.environ, **{name: value for name, value in libpq.items() if value}}
    program = command[0]
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(
            f"{program} is not installed (Debian: apt-get install postgresql-client)."
        ) from exc
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip()}")


def _pack(folder: Path, archive: Path) -> None:
    with tarfile.open(archive, "w:gz") as tar:
        if folder.is_dir():
            for child in sorted(folder.iterdir()):
                tar.add(child, arcname=child.name)


def _unpack(archive: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        # "data": no absolute paths, no links out of the folder, no device files.
        tar.extractall(folder, filter="data")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _latest_migrations(connection) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def _checked_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
        expected = manifest["sha256"]
    except (OSError, ValueError, KeyError) as exc:
        raise BackupError(f"{source} is not a complete backup (no readable {MANIFEST}).") from exc
    for part in [DATABASE, *FOLDERS]:
        if not (source / part).is_file():
            raise BackupError(f"{source / part} is missing.")
        if _sha256(source / part) != expected.get(part):
            raise BackupError(f"{source / part} does not match the manifest: it is damaged.")
    return manifest
