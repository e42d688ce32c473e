"""`make up`: the portal's web, worker and beat processes on PostgreSQL and Redis, under
production settings.

Whatever the environment or `.env` sets is used as it is, so the same command serves a
server configured in `.env`. What neither sets gets a default fit for trying the stack on
this machine: PostgreSQL and Redis on 127.0.0.1, the site at http://127.0.0.1:8000 (so no
redirect to HTTPS), and a random secret key made on the first run and kept in
`.up-secret-key` (ignored by git, readable by you alone), so that sessions and two-factor
secrets survive a restart. Production settings refuse a published secret key.

The demo network, whose accounts share a published password, is loaded only when asked
(`DEMO=1`). `--prepare-only` does everything but start the processes.
"""

import argparse
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_FILE = ".up-secret-key"
DEFAULTS = {
    "DJANGO_SETTINGS_MODULE": "tc_portal.settings.production",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/tc_portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SITE_URL": "http://127.0.0.1:8000",
}


def dotenv(path: Path) -> dict[str, str]:
    """The names and values a `.env` file sets (as django-environ reads them)."""
    import environ

    found: dict[str, str] = {}
    if path.is_file():
        # The same parser as the settings, writing into ``found`` instead of os.environ.
        reader = type("DotEnv", (environ.Env,), {"ENVIRON": found})
        reader.read_env(path, overwrite=True)
    return found


def up_environment(environ: dict[str, str], *, root: Path = ROOT) -> dict[str, str]:
    """``environ`` completed for `make up`: `.env` under ``root`` fills what ``environ``
    lacks, then the defaults fill what both lack. A secret key is made once and kept in
    ``root / SECRET_FILE``."""
    result = {**dotenv(root / ".env"), **environ}
    for name, value in DEFAULTS.items():
        if not result.get(name):
            result[name] = value
    if not result.get("DJANGO_SECRET_KEY"):
        result["DJANGO_SECRET_KEY"] = _kept_secret(root / SECRET_FILE)
    if not result.get("DJANGO_SECURE_SSL_REDIRECT") and result["SITE_URL"].startswith("http:"):
        # A site served over plain HTTP cannot be redirected to HTTPS.
        result["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    return result


def _kept_secret(path: Path) -> str:
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(64) + "\n")
    return path.read_text().strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare-only", action="store_true", help="Do not start the processes.")
    args = parser.parse_args()

    env = up_environment(dict(os.environ))
    python = sys.executable
    steps = [
        [python, "scripts/ensure_database.py"],
        [python, "manage.py", "migrate", "--noinput"],
        [python, "manage.py", "collectstatic", "--noinput", "-v0"],
    ]
    if env.get("DEMO", "") not in ("", "0"):
        steps.append([python, "manage.py", "seed_demo", "--allow-production"])
    else:
        print("No demo data (run `make up DEMO=1` on a throwaway database to load it).")
    for step in steps:
        if subprocess.run(step, cwd=ROOT, env=env).returncode != 0:
            return 1
    if args.prepare_only:
        return 0
    honcho = str(Path(python).parent / "honcho")
    os.chdir(ROOT)
    os.execve(honcho, [honcho, "start", "-f", "Procfile"], env)


if __name__ == "__main__":
    sys.exit(main())
