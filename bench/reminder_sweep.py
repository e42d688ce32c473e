"""How long the daily reminder sweep takes over 10,000 organisations, and how many queries.

    .venv/bin/python bench/reminder_sweep.py                      # SQLite, temporary file
    .venv/bin/python bench/reminder_sweep.py --postgres postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/reminder_sweep.py --organisations 2000

Builds, in a throwaway database, organisations at every point of the cycle: announced
over the last ten years (so some are before their first window, some inside it, some
overdue, some on their second or third stage), signatories and supporters, with leads,
submitted earlier stages, stages being written, extensions and dated rounds. Then runs
the sweep as the daily task does, three times:

1. the first sweep, which sends a reminder to every organisation with one due;
2. the same sweep again at once, which must send nothing;
3. the first sweep again (its rows removed) at other batch sizes, to show that the
   number of queries follows the number of batches, not of organisations.

Delivery is queued (to an in-memory broker), not performed: it is the worker's work,
one message at a time. Target on the 2-core reference machine: under 20 seconds and at
most a few hundred queries for 10,000 organisations."""

import argparse
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import throwaway_portal  # noqa: E402

TARGET_SECONDS = 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--postgres", metavar="URL", default="", help="server to use")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="tc-bench-") as folder,
        throwaway_portal(Path(folder), postgres_url=args.postgres) as database,
    ):
        from tc_portal.celery import app

        app.conf.task_always_eager = False
        app.conf.broker_url = "memory://localhost/"
        print(f"Database: {database}")
        started = time.perf_counter()
        _build(args.organisations, random.Random(args.seed))
        print(
            f"Built {args.organisations:,} organisations in {time.perf_counter() - started:.1f} s"
        )
        _measure()


def _build(count: int, rng: random.Random) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.enums import MembershipRole
    from accounts.models import Membership, User
    from action_plans.deadlines import UK, add_months
    from action_plans.enums import SubmissionStatus
    from action_plans.models import DueDateExtension, Submission, SubmissionRound
    from organisations.enums import OnboardingStatus, OrganisationKind, OrganisationType, Region

    today = date.today()
    with transaction.atomic():
        for year in range(today.year - 10, today.year + 4):
            for month, name in ((1, "January"), (9, "September")):
                SubmissionRound.objects.create(
                    name=f"{name} {year}",
                    deadline=datetime(year, month, 20, 17, 0, tzinfo=UK),
                )
        organisations = [
            _organisation(n, rng, today, OrganisationKind, OrganisationType, Region)
            for n in range(count)
        ]
        from organisations.models import Organisation

        Organisation.objects.bulk_create(organisations, batch_size=1000)
        organisations = list(Organisation.objects.order_by("pk"))
        for organisation in organisations:
            organisation.status = OnboardingStatus.ACTIVE
        password = make_password(None)
        users = User.objects.bulk_create(
            [
                User(email=f"lead{o.pk}@bench.example.org", name=f"Lead {o.pk}", password=password)
                for o in organisations
            ],
            batch_size=1000,
        )
        Membership.objects.bulk_create(
            [
                Membership(organisation=o, user=u, role=MembershipRole.LEAD)
                for o, u in zip(organisations, users, strict=True)
            ],
            batch_size=1000,
        )
        submissions, extensions = [], []
        for organisation, lead in zip(organisations, users, strict=True):
            years = (today - organisation.announced_on).days / 365
            # Those announced long ago have submitted earlier stages, mostly.
            done = sum(
                1 for threshold in (1.8, 5.0, 8.0) if years > threshold and rng.random() < 0.85
            )
            for number in range(1, done + 1):
                submitted_at = datetime.combine(
                    add_months(organisation.announced_on, 17 + 36 * (number - 1)),
                    datetime.min.time(),
                    tzinfo=UK,
                )
                submissions.append(
                    Submission(
                        organisation=organisation,
                        stage_number=number,
                        status=SubmissionStatus.SUBMITTED,
                        started_by=lead,
                        submitted_by=lead,
                        submitted_at=submitted_at,
                        due_at_submission=submitted_at,
                    )
                )
            if rng.random() < 0.3:
                submissions.append(
                    Submission(organisation=organisation, stage_number=done + 1, started_by=lead)
                )
            if rng.random() < 0.03:
                extensions.append(
                    DueDateExtension(
                        organisation=organisation,
                        stage_number=done + 1,
                        due_at=datetime.combine(
                            today + timedelta(days=rng.randint(10, 120)),
                            datetime.min.time().replace(hour=17),
                            tzinfo=UK,
                        ),
                        reason="Benchmark extension.",
                        approved_by=lead,
                    )
                )
        Submission.objects.bulk_create(submissions, batch_size=1000)
        DueDateExtension.objects.bulk_create(extensions, batch_size=1000)


def _organisation(n, rng, today, OrganisationKind, OrganisationType, Region):
    from organisations.models import Organisation

    announced_on = today - timedelta(days=rng.randint(0, 3650))
    kind = OrganisationKind.SUPPORTER if rng.random() < 0.2 else OrganisationKind.SIGNATORY
    return Organisation(
        kind=kind,
        name=f"Benchmark Organisation {n:05d}",
        slug=f"benchmark-organisation-{n:05d}",
        org_type=OrganisationType.UNIVERSITY,
        region=rng.choice(Region.values[:-1]),
        status="active",
        enquiry_received_on=announced_on - timedelta(days=120),
        announced_on=announced_on,
        lead_email=f"nominated{n}@bench.example.org",
        head_email=f"head{n}@bench.example.org" if rng.random() < 0.7 else "",
    )


def _measure() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from action_plans.models import Reminder
    from action_plans.reminders import BATCH_SIZE, reminders_send_due
    from core.models import OutboundEmail

    def sweep(batch_size):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = reminders_send_due(batch_size=batch_size)
            seconds = time.perf_counter() - started
        return result, seconds, len(queries.captured_queries)

    first, seconds, queries = sweep(BATCH_SIZE)
    print(
        f"\nFirst sweep:  {seconds:6.2f} s, {queries:4d} queries, {first.batches} batches "
        f"of {BATCH_SIZE}, {first.sent:,} reminders sent of {first.due:,} due"
    )
    verdict = "within" if seconds < TARGET_SECONDS else "OVER"
    print(f"              {verdict} the {TARGET_SECONDS:.0f} s target")
    again, seconds, queries = sweep(BATCH_SIZE)
    print(
        f"Second sweep: {seconds:6.2f} s, {queries:4d} queries, {again.sent} reminders sent "
        "(everything due was already sent)"
    )
    print("\nQueries follow batches, not organisations (first sweep, rows removed each time):")
    print(f"{'batch size':>11} {'batches':>8} {'queries':>8} {'per batch':>10} {'seconds':>8}")
    for size in (250, 500, 1000, 2000):
        Reminder.objects.all().delete()
        OutboundEmail.objects.all().delete()
        result, seconds, queries = sweep(size)
        print(
            f"{size:>11} {result.batches:>8} {queries:>8} "
            f"{queries / result.batches:>10.1f} {seconds:>8.2f}"
        )


if __name__ == "__main__":
    main()
