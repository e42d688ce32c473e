"""scripts/backup and scripts/restore: a backup restored into a fresh database and fresh
file folders holds every row and every file, and a restore never overwrites anything."""

import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, models

from action_plans import services as plan_services
from action_plans.models import Attachment, Submission, SubmissionPack
from demo.pdf import minimal_pdf
from organisations.models import Organisation
from reviews.models import Review
from tests.action_plans.builders import announced_organisation, complete, lead_of, pdf_upload
from tests.action_plans.builders import started as started_stage
from tests.factories import OrganisationFactory
from tests.reviews.builders import assign, review_round, reviewer, write_review

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("backup")]


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs the backup tests on PostgreSQL")
        pytest.skip("backups are of PostgreSQL databases")


def _url(name: str) -> str:
    params = connection.settings_dict
    password = f":{quote(params['PASSWORD'], safe='')}" if params["PASSWORD"] else ""
    host, port = params["HOST"] or "127.0.0.1", params["PORT"] or 5432
    return f"postgres://{params['USER']}{password}@{host}:{port}/{name}"


def _server(statement: str) -> None:
    server = psycopg2.connect(_url("postgres"))
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(statement)
    server.close()


@pytest.fixture
def fresh_database():
    """The name of a new, empty database on the test server; dropped afterwards."""
    name = f"tc_restore_{uuid.uuid4().hex[:10]}"
    _server(f'CREATE DATABASE "{name}"')
    yield name
    _server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _script(name: str, *args: str, **environ: str) -> subprocess.CompletedProcess:
    """Run scripts/<name> as an operator would, under the laptop's settings."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "tc_portal.settings.local",
        "LOG_LEVEL": "WARNING",
        **environ,
    }
    return subprocess.run(
        [str(ROOT / "scripts" / name), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def world():
    """An organisation with its signed form, a submitted stage with an attachment and its
    PDF pack, a submitted review, and a public file."""
    autumn = review_round()  # before the submission, whose due date is its round's
    organisation = announced_organisation(name="University of Backupshire")
    organisation.signed_form.save("signed.pdf", ContentFile(minimal_pdf("Signed form")))
    lead = lead_of(organisation)
    submission = complete(started_stage(organisation, lead), lead)
    plan_services.attachment_add(actor=lead, submission=submission, upload=pdf_upload())
    # Outside a test transaction the pack is rendered as the submission commits.
    plan_services.submission_submit(actor=lead, submission=submission, confirmed=True)
    write_review(assign(autumn, submission, [reviewer(themes=["visibility"])])[0])
    default_storage.save("public-notice.txt", ContentFile(b"A public file."))
    assert SubmissionPack.objects.exclude(file="").exists()
    return organisation


def _tables() -> list[tuple[str, str]]:
    return sorted(
        (model._meta.db_table, model._meta.pk.column)
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    )


def _rows(database: str) -> dict[str, list[tuple]]:
    with psycopg2.connect(_url(database)) as db, db.cursor() as cursor:
        found = {}
        for table, pk in _tables():
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY "{pk}"')
            found[table] = cursor.fetchall()
    return found


def _stored_files() -> list[tuple[models.FileField, str]]:
    """Every file the database refers to, with the field that stores it."""
    files = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                for name in model.objects.exclude(**{field.name: ""}).values_list(
                    field.name, flat=True
                ):
                    files.append((field, name))
    return files


def test_a_restored_backup_has_every_row_and_every_file(world, fresh_database, tmp_path):
    folders = {
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
    }
    made = _script(
        "backup",
        str(tmp_path / "backups"),
        DATABASE_URL=_url(connection.settings_dict["NAME"]),
        **folders,
    )
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    restored_files = {
        "MEDIA_ROOT": str(tmp_path / "restored" / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "restored" / "private"),
    }

    restored = _script("restore", str(backup), DATABASE_URL=_url(fresh_database), **restored_files)

    assert restored.returncode == 0, restored.stderr
    assert "Restored the backup" in restored.stdout
    assert _rows(fresh_database) == _rows(connection.settings_dict["NAME"])
    counts = {
        model: len(_rows(fresh_database)[model._meta.db_table])
        for model in (Organisation, Submission, Review, Attachment, SubmissionPack)
    }
    assert all(counts.values()), counts
    files = _stored_files()
    assert len(files) >= 3  # the signed form, the attachment, the pack
    restored_folder = {
        os.path.abspath(settings.MEDIA_ROOT): restored_files["MEDIA_ROOT"],
        os.path.abspath(settings.PRIVATE_MEDIA_ROOT): restored_files["PRIVATE_MEDIA_ROOT"],
    }
    for field, name in files:
        copy = Path(restored_folder[os.path.abspath(field.storage.location)]) / name
        with field.storage.open(name) as original:
            assert copy.read_bytes() == original.read(), name
    assert (Path(restored_files["MEDIA_ROOT"]) / "public-notice.txt").read_bytes() == (
        b"A public file."
    )


def test_a_restore_never_overwrites_a_database_in_use(tmp_path):
    OrganisationFactory(name="Kept University")
    backup = Path(_backup_here(tmp_path))

    with pytest.raises(CommandError, match="already has .* tables. Restore into a new"):
        call_command("restore", str(backup))

    assert list(Organisation.objects.values_list("name", flat=True)) == ["Kept University"]


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path):
    backup = Path(_backup_here(tmp_path))
    with (backup / "private.tar.gz").open("ab") as archive:
        archive.write(b"\0")

    with pytest.raises(CommandError, match="private.tar.gz does not match the manifest"):
        call_command("restore", str(backup))


def _backup_here(tmp_path) -> str:
    out = tmp_path / "out.txt"
    with out.open("w") as handle:
        call_command("backup", str(tmp_path / "backups"), stdout=handle)
    return out.read_text().strip()
