"""How many requests a second the public directory serves, against a minimal Django view
served by the same gunicorn configuration.

    .venv/bin/python bench/directory_throughput.py --postgres postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/directory_throughput.py --postgres ... --organisations 5000 --seconds 15

Builds a throwaway PostgreSQL database with 5,000 public organisations (both kinds, every
region, joined over ten years, a third with submitted stages), starts gunicorn as the
Procfile does (3 sync workers) with these settings (`bench/settings.py`: the base settings,
DEBUG off, plus `/bench/minimal/`), and drives each address with wrk (2 threads, 8
connections) after a warm-up: page 1 of the directory, the directory filtered, and the
minimal view. With REDIS_URL set, the cache is Redis, as deployed.

Target on the 2-core reference machine: the directory at 50 % or more of the minimal
view's rate."""

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, throwaway_portal  # noqa: E402

PORT = 8091
TARGET_RATIO = 0.5


def build(organisations: int) -> None:
    from django.utils.text import slugify

    from accounts.models import User
    from action_plans.models import Submission
    from organisations.enums import OnboardingStatus, OrganisationKind, OrganisationType, Region
    from organisations.models import Organisation

    rng = random.Random(7)
    regions = [r for r in Region if r != Region.OUTSIDE_UK]
    today = date.today()
    rows = []
    for n in range(organisations):
        kind = OrganisationKind.SUPPORTER if n % 7 == 0 else OrganisationKind.SIGNATORY
        name = f"{rng.choice(['University', 'Institute', 'College', 'Society'])} of Place {n:05d}"
        rows.append(
            Organisation(
                name=name,
                short_name=f"P{n}",
                slug=slugify(name),
                kind=kind,
                org_type=OrganisationType.UNIVERSITY
                if kind == OrganisationKind.SIGNATORY
                else OrganisationType.LEARNED_SOCIETY,
                region=rng.choice(regions),
                status=OnboardingStatus.LAPSED if n % 23 == 0 else OnboardingStatus.ACTIVE,
                enquiry_received_on=today - timedelta(days=4000),
                announced_on=today - timedelta(days=rng.randint(30, 3650)),
                latitude=round(50.5 + rng.random() * 5, 4),
                longitude=round(-4.5 + rng.random() * 5, 4),
                contact_name="Sam Patel",
                contact_email=f"technicians@place-{n}.example.org",
            )
        )
    Organisation.objects.bulk_create(rows, batch_size=1000)
    lead = User.objects.create_user(email="bench@example.org", password="x", name="Bench")
    submissions = [
        Submission(
            organisation=organisation,
            stage_number=stage,
            status="submitted",
            started_by=lead,
            submitted_at=organisation.announced_on and time_of(organisation.announced_on),
        )
        for organisation in Organisation.objects.all()[: organisations // 3]
        for stage in range(1, 1 + (organisation.pk % 3) + 1)
    ]
    Submission.objects.bulk_create(submissions, batch_size=1000)


def time_of(day):
    from datetime import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def serve() -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DJANGO_DEBUG": "false"}
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "tc_portal.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "3",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/minimal/", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def rate(path: str, seconds: int) -> float:
    url = f"http://127.0.0.1:{PORT}{path}"
    for _ in range(30):  # warm every worker
        urllib.request.urlopen(url, timeout=10).read()
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{path}: {errors.group(1)} failed responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", required=True)
    parser.add_argument("--organisations", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    with (
        tempfile.TemporaryDirectory() as folder,
        throwaway_portal(Path(folder), postgres_url=args.postgres) as database,
    ):
        build(args.organisations)
        from django.db import connections

        connections.close_all()
        server = serve()
        try:
            minimal = rate("/bench/minimal/", args.seconds)
            first = rate("/organisations/", args.seconds)
            filtered = rate(
                "/organisations/?kind=signatory&region=london&sort=newest", args.seconds
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
            connections.close_all()
    print(f"Directory throughput, {args.organisations:,} organisations, {database}")
    print(f"  minimal view:         {minimal:8.1f} requests/s")
    print(f"  directory, page 1:    {first:8.1f} requests/s  ({first / minimal:.0%} of minimal)")
    print(
        f"  directory, filtered:  {filtered:8.1f} requests/s  ({filtered / minimal:.0%} of minimal)"
    )
    verdict = "within target" if first / minimal >= TARGET_RATIO else "BELOW TARGET"
    print(f"  target: page 1 at {TARGET_RATIO:.0%} or more of the minimal view: {verdict}")


if __name__ == "__main__":
    main()
