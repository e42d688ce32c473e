"""The register's move from the directory app to the organisations app keeps every row.

The snapshot is a ``dumpdata`` of a database seeded by ``seed_demo`` before the move
(contenttypes included; permissions, sessions and the admin log left out). The test
takes the database back to the migrations of that day, loads the snapshot through the
models as they were then, migrates forward to today and compares."""

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Membership
from action_plans.models import Submission
from core.models import ActivityLog
from organisations.models import Cohort, Organisation

SNAPSHOT = Path(__file__).parent / "fixtures" / "demo_before_the_register_moved.json.gz"

# Our apps' migrations when the snapshot was taken; the organisations app did not exist.
BEFORE_THE_MOVE = {
    "core": "0003_outbox_attachments_and_bounces",
    "accounts": "0002_two_factor_enrolment_links",
    "directory": "0005_public_page_check",
    "signatories": "0001_initial",
    "supporters": "0001_initial",
    "action_plans": "0008_pack_render_attempts_and_heartbeat",
    "reviews": "0003_reopening_and_ready_feedback",
}
# Where the register's models live now.
MOVED = {
    "directory.organisation": "organisations.organisation",
    "directory.cohort": "organisations.cohort",
}


def _snapshot() -> list[dict]:
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def _targets(executor: MigrationExecutor) -> list[tuple[str, str | None]]:
    """Our apps at their migrations of that day, the organisations app unapplied, and
    every other (third-party) app at its latest."""
    third_party = [
        (app, name)
        for app, name in executor.loader.graph.leaf_nodes()
        if app not in BEFORE_THE_MOVE and app != "organisations"
    ]
    return [*BEFORE_THE_MOVE.items(), *third_party, ("organisations", None)]


def _historical_row(model, record: dict):
    """One snapshot row as an unsaved instance of the historical ``model``; foreign keys
    by their column (attname), so nothing is fetched."""
    row = model(pk=model._meta.pk.to_python(record["pk"]))
    many = {}
    for name, value in record["fields"].items():
        field = model._meta.get_field(name)
        if field.many_to_many:
            many[field] = value
        elif field.is_relation:
            target = field.target_field
            setattr(row, field.attname, None if value is None else target.to_python(value))
        else:
            setattr(row, field.attname, field.to_python(value))
    return row, many


def _load(apps, records: list[dict]) -> None:
    """Replace every table's rows with the snapshot's, through the historical models.
    What migrations and post-migrate handlers seeded (themes, scales, content types,
    permissions) goes first, so the snapshot's primary keys are the only ones."""
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed]
    with transaction.atomic(), connection.constraint_checks_disabled():
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        loaded = set()
        for record in records:
            model = apps.get_model(record["model"])
            row, many = _historical_row(model, record)
            row.save_base(raw=True, force_insert=True)
            for field, values in many.items():
                getattr(row, field.name).set(values)
            loaded.add(model)
        connection.check_constraints(table_names=[m._meta.db_table for m in models])
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(loaded)):
            cursor.execute(statement)


def _count_now(label: str) -> int:
    return django_apps.get_model(MOVED.get(label, label))._base_manager.count()


@pytest.mark.xdist_group("migrations")
@pytest.mark.django_db(transaction=True)
def test_the_register_move_keeps_every_row():
    records = _snapshot()
    expected_counts = Counter(record["model"] for record in records)
    organisations = {
        record["pk"]: {k: record["fields"][k] for k in ("name", "slug", "status")}
        for record in records
        if record["model"] == "directory.organisation"
    }
    belongs = {
        (record["model"], record["pk"]): record["fields"]["organisation"]
        for record in records
        if record["model"] in ("accounts.membership", "action_plans.submission")
    }
    about_organisations = {
        record["pk"]
        for record in records
        if record["model"] == "core.activitylog"
        and record["fields"]["content_type"]
        in {
            r["pk"]
            for r in records
            if r["model"] == "contenttypes.contenttype"
            and (r["fields"]["app_label"], r["fields"]["model"]) == ("directory", "organisation")
        }
    }
    assert organisations and belongs and about_organisations

    executor = MigrationExecutor(connection)
    try:
        targets = _targets(executor)
        executor.migrate(targets)
        executor.loader.build_graph()
        state = executor.loader.project_state([t for t in targets if t[1] is not None])
        _load(state.apps, records)
    finally:
        # Whatever happened, leave the database at the latest migrations for the tests
        # that follow.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()

    assert {label: _count_now(label) for label in expected_counts} == dict(expected_counts)
    assert {
        pk: {"name": name, "slug": slug, "status": status}
        for pk, name, slug, status in Organisation.objects.values_list(
            "pk", "name", "slug", "status"
        )
    } == organisations
    assert Cohort.objects.count() == expected_counts["directory.cohort"]
    now = {
        ("accounts.membership", pk): org
        for pk, org in Membership.objects.values_list("pk", "organisation_id")
    }
    now |= {
        ("action_plans.submission", pk): org
        for pk, org in Submission.objects.values_list("pk", "organisation_id")
    }
    assert now == belongs
    register = ContentType.objects.get_for_model(Organisation)
    assert (register.app_label, register.model) == ("organisations", "organisation")
    about = ActivityLog.objects.filter(pk__in=about_organisations)
    assert about.count() == len(about_organisations)
    assert set(about.values_list("content_type", flat=True)) == {register.pk}
    assert all(isinstance(entry.subject, Organisation) for entry in about)
