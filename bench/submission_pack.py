"""How long the submission pack of a large plan takes to render, and how much memory.

    .venv/bin/python bench/submission_pack.py             # render in a fresh process
    .venv/bin/python bench/submission_pack.py --worker    # through a real Celery worker
    .venv/bin/python bench/submission_pack.py --keep out.pdf

Builds, in a throwaway SQLite database in a temporary folder (migrated from scratch,
test settings), a submitted Stage 1 with a 60-action plan of realistic length across
every theme, then renders its pack:

- by default in a fresh Python process that runs the Celery task
  ``action_plans.render_submission_pack`` in place (``Task.apply``: the worker's code
  path without the broker); its peak RSS (ru_maxrss) includes Django itself, so the
  process's footprint before rendering is printed too;
- with ``--worker`` (needs REDIS_URL) by a real ``celery worker`` (solo pool, its own
  queue) fed through Redis; its peak RSS is read from /proc (VmHWM).

Target on the 2-core reference machine: under 5 s and under 400 MB."""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = 60
TARGET_SECONDS, TARGET_MB = 5.0, 400

THEMED = {
    "visibility": [
        "Name every technician on departmental web pages",
        "Credit technical contributions in research outputs",
        "Feature a technician in each issue of the staff newsletter",
        "Add technical staff to the authorship guidance for papers",
        "Hold an annual technical showcase open to the public",
        "List technicians as contributors in grant applications",
        "Create a technical community page on the intranet",
        "Include technicians in open-day and outreach rotas",
    ],
    "recognition": [
        "Fund professional registration fees for technicians",
        "Add a technician category to the annual staff awards",
        "Recognise technical expertise in the promotions criteria",
        "Nominate technicians for national awards each year",
        "Acknowledge technical contributions at research committees",
        "Record technical achievements in annual reviews",
        "Give technicians a seat on the research and innovation board",
    ],
    "career-development": [
        "Publish technical career pathways with example roles",
        "Guarantee two days of training a year for every technician",
        "Start a mentoring scheme pairing senior and new technicians",
        "Offer secondments between departments and facilities",
        "Support technicians towards chartered status",
        "Create a leadership programme for technical managers",
        "Fund conference attendance for technical staff",
        "Map the skills of every technical team",
    ],
    "sustainability": [
        "Start a technical apprenticeship scheme",
        "Record skills at risk in each department's succession plan",
        "Plan workforce needs for technical roles five years ahead",
        "Recruit technical trainees from local colleges",
        "Document critical procedures in every facility",
        "Review technical salaries against the sector each year",
        "Share equipment expertise across the region",
    ],
}
OWNERS = [
    "Technical Services Board",
    "Human Resources",
    "Heads of department",
    "Research Office",
    "Technical Managers",
    "Director of Technical Services",
    "Faculty technical leads",
]
SENTENCES = [
    "The technical network asked for this in the 2025 survey, and the board agreed it first.",
    "Each faculty appoints a named person to carry it forward and reports to the board.",
    "It builds on the pilot run in the School of Chemistry, which staff rated highly.",
    "Funding comes from the central staff development budget for the first two years.",
    "Progress is reviewed each term by the Technical Services Board and published.",
    "Technicians from every grade took part in designing the approach.",
    "The work is shared with partner institutions in the regional network.",
    "Departments without a technical manager are supported by the central team.",
]
MEASURES = [
    "Number of technicians taking part, reported each year.",
    "At least 80% of departments have adopted it by the target date.",
    "Survey score on feeling valued rises by ten points.",
    "A published report to the Technical Services Board each term.",
    "Twenty technicians registered with the Science Council.",
    "Every facility has documented procedures reviewed within two years.",
]
PARAGRAPH = (
    "Our technical community numbers over four hundred people in laboratories, workshops, "
    "studios and facilities across three campuses. Since signing we have set up a "
    "technician network with elected representatives from each faculty, run two surveys "
    "and brought technical staff into the committees that shape research and teaching. "
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help="render in a real Celery worker")
    parser.add_argument("--keep", metavar="PDF", help="copy the rendered PDF here")
    parser.add_argument("--render", type=int, help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args()
    if args.render:
        _child(args.render)
        return
    with tempfile.TemporaryDirectory(prefix="tc-bench-") as folder:
        _environment(Path(folder))
        pack_id = _build()
        figures = _in_worker(pack_id) if args.worker else _in_child(pack_id)
        _report(figures, pack_id, keep=args.keep)


def _environment(folder: Path) -> None:
    """Test settings on an SQLite file and media folders of our own, for us and children."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "tc_portal.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["TC_TEST_MEDIA"] = str(folder / "media")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))


def _setup_django() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()


def _build() -> int:
    """A submitted Stage 1 with ACTIONS actions; the id of its pending pack."""
    _setup_django()
    from django.core.management import call_command

    from tc_portal.celery import app

    call_command("migrate", verbosity=0, interactive=False)
    # Queue the render (to the in-memory broker, or Redis for --worker) instead of
    # running it here: it is measured in another process.
    app.conf.task_always_eager = False
    if app.conf.broker_url.startswith("memory"):
        app.conf.broker_url = "memory://localhost/"
    submission, lead = _submission()
    from django.db import transaction

    from action_plans import services
    from action_plans.models import SubmissionPack

    with transaction.atomic():
        services.submission_submit(actor=lead, submission=submission, confirmed=True)
    pack = SubmissionPack.objects.get(submission=submission)
    return pack.pk


def _submission():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from action_plans import services
    from action_plans.enums import ActionStatus, VoiceMethod
    from action_plans.models import RatingLevel
    from core.models import Theme
    from demo.pdf import minimal_pdf
    from tests.action_plans.builders import announced_organisation, lead_of, started

    rng = random.Random(2026)
    organisation = announced_organisation(
        name="University of Benchmarkshire", slug="university-of-benchmarkshire"
    )
    lead = lead_of(organisation)
    submission = started(organisation, lead)
    services.self_assessment_save(
        actor=lead,
        submission=submission,
        version=submission.self_assessment.version,
        lead_name="Priya Shah",
        lead_email="priya.shah@benchmarkshire.example.ac.uk",
        lead_phone="0115 496 0000",
        profile=PARAGRAPH * 3,
        technician_definition="Everyone whose role is mainly technical, at any grade. " * 4,
        technician_count=420,
        position_before=PARAGRAPH * 2,
        progress_since=PARAGRAPH * 3,
    )
    ratings = list(RatingLevel.objects.all())
    for assessment in submission.theme_assessments.select_related("theme"):
        services.theme_assessment_save(
            actor=lead,
            assessment=assessment,
            version=assessment.version,
            narrative=(f"On {assessment.theme.name.lower()}, " + " ".join(rng.sample(SENTENCES, 5)))
            * 2,
            rating=rng.choice(ratings),
        )
    themes = list(Theme.objects.filter(is_active=True))
    starts = date(2025, 9, 1)
    for n in range(ACTIONS):
        theme = themes[n % len(themes)]
        titles = THEMED.get(theme.slug) or [f"Advance {theme.name.lower()}"]
        extra = [rng.choice(themes)] if n % 5 == 0 else []
        start = starts + timedelta(days=30 * (n % 12))
        services.action_add(
            actor=lead,
            submission=submission,
            themes=[theme, *extra],
            title=f"{titles[(n // len(themes)) % len(titles)]} ({n + 1})",
            description=" ".join(rng.sample(SENTENCES, 3)),
            owner=rng.choice(OWNERS),
            success_measures=" ".join(rng.sample(MEASURES, 2)),
            starts_on=start,
            target_on=start + timedelta(days=365 + 30 * (n % 6)),
            status=rng.choice([ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]),
        )
    for method, when, people in [
        (VoiceMethod.SURVEY, date(2025, 3, 1), 312),
        (VoiceMethod.FOCUS_GROUP, date(2025, 4, 10), 24),
        (VoiceMethod.TECHNICIAN_NETWORK, date(2025, 5, 20), 65),
    ]:
        evidence = services.voice_evidence_add(
            actor=lead,
            submission=submission,
            method=method,
            held_on=when,
            participants=people,
            description=" ".join(rng.sample(SENTENCES, 3)),
            what_changed=" ".join(rng.sample(SENTENCES, 2)),
        )
        services.attachment_add(
            actor=lead,
            submission=submission,
            evidence=evidence,
            upload=SimpleUploadedFile(
                f"{method}-findings.pdf", minimal_pdf(method), content_type="application/pdf"
            ),
        )
    submission.refresh_from_db()
    return submission, lead


def _in_child(pack_id: int) -> dict:
    """Render in a fresh process, so its peak memory is the render's (and Django's)."""
    result = subprocess.run(
        [sys.executable, __file__, "--render", str(pack_id)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "how": "fresh process"}


def _child(pack_id: int) -> None:
    _setup_django()
    from django.db import connection

    from action_plans.tasks import render_submission_pack

    connection.ensure_connection()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    render_submission_pack.apply(kwargs={"pack_id": pack_id}, throw=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "rss_before_kb": before, "rss_peak_kb": peak}))


def _in_worker(pack_id: int) -> dict:
    """Start a real worker on a queue of its own, send it the pack, wait for it."""
    from django.conf import settings

    if not settings.REDIS_URL:
        sys.exit("--worker needs REDIS_URL (the worker takes the task from Redis).")
    from action_plans.enums import PackStatus
    from action_plans.models import SubmissionPack
    from action_plans.tasks import render_submission_pack

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "tc_portal",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=os.environ,
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(4)  # let the worker import Django and connect before the clock starts
        baseline = _vm_hwm_kb(worker.pid)
        started = time.perf_counter()
        render_submission_pack.apply_async(kwargs={"pack_id": pack_id}, queue=queue)
        pack = SubmissionPack.objects.get(pk=pack_id)
        while pack.status == PackStatus.PENDING and time.perf_counter() - started < 120:
            time.sleep(0.05)
            pack.refresh_from_db()
        seconds = time.perf_counter() - started
        peak = _vm_hwm_kb(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return {
        "seconds": seconds,
        "rss_before_kb": baseline,
        "rss_peak_kb": peak,
        "how": "Celery worker (solo pool, queue and wait included)",
    }


def _vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _report(figures: dict, pack_id: int, *, keep: str | None) -> None:
    from action_plans.models import SubmissionPack

    pack = SubmissionPack.objects.get(pk=pack_id)
    if pack.status != "ready":
        sys.exit(f"The pack did not render: {pack.status} {pack.error}")
    peak_mb = figures["rss_peak_kb"] / 1024
    print(f"Submission pack of a {ACTIONS}-action plan, rendered by {figures['how']}")
    print(f"  time:       {figures['seconds']:.2f} s (target under {TARGET_SECONDS:.0f} s)")
    print(f"  pages:      {pack.pages}")
    print(f"  size:       {pack.size / 1024:.0f} KiB")
    print(
        f"  peak RSS:   {peak_mb:.0f} MB (target under {TARGET_MB} MB); "
        f"{figures['rss_before_kb'] / 1024:.0f} MB before rendering"
    )
    if keep:
        Path(keep).write_bytes(pack.file.read())
        print(f"  saved to:   {keep}")
    within = figures["seconds"] < TARGET_SECONDS and peak_mb < TARGET_MB
    print("  within target" if within else "  OVER TARGET")


if __name__ == "__main__":
    main()
