"""The settings fail closed: the base has no debug and no secret, servers and workers start
under production settings, and production refuses a published secret key. Each case loads
the settings in a process of its own, as a server would."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

import tc_portal.settings.base as base

ROOT = Path(__file__).resolve().parent.parent.parent
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({n: getattr(s, n) for n in ("
    "'DEBUG', 'SESSION_COOKIE_NAME', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_NAME', "
    "'SECURE_HSTS_SECONDS', 'ALLOW_DEMO_DATA')}))"
)


def _example_env() -> dict[str, str]:
    """What .env.example sets, as CI loads it for the deployment checks."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name] = value.strip('"')
    return values


def _run(code: str, *, settings: str | None, **environ: str) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env = {**keep, **environ}
    if settings:
        env["DJANGO_SETTINGS_MODULE"] = settings
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def _production(**environ: str) -> subprocess.CompletedProcess:
    return _run(PROBE, settings="tc_portal.settings.production", **environ)


def _real_secret() -> str:
    return secrets.token_urlsafe(64)


def test_the_base_has_debug_off_and_no_secret():
    assert base.DEBUG is False
    assert not hasattr(base, "SECRET_KEY")
    assert base.ALLOW_DEMO_DATA is False


def test_the_base_alone_refuses_to_start():
    result = _run(
        "import django; django.setup(); from django.conf import settings; settings.SECRET_KEY",
        settings="tc_portal.settings.base",
    )

    assert result.returncode != 0
    assert "The SECRET_KEY setting must not be empty" in result.stderr


def test_production_refuses_the_placeholder_secret_of_env_example():
    result = _production(**_example_env())

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is a placeholder or a published key" in result.stderr


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        (
            "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz",
            "is a placeholder or a published key",
        ),
        ("short-but-random-Zx81q", "is too short"),
        ("a" * 60, "is too short"),
    ],
    ids=["the laptop's key", "short", "repetitive"],
)
def test_production_refuses_a_weak_secret(secret, problem):
    result = _production(**{**_example_env(), "DJANGO_SECRET_KEY": secret})

    assert result.returncode != 0
    assert f"DJANGO_SECRET_KEY {problem}" in result.stderr


def test_production_needs_a_secret_and_a_database():
    without_secret = {k: v for k, v in _example_env().items() if k != "DJANGO_SECRET_KEY"}
    without_database = {**_example_env(), "DJANGO_SECRET_KEY": _real_secret()}
    del without_database["DATABASE_URL"]

    assert "Set the DJANGO_SECRET_KEY environment variable" in _production(**without_secret).stderr
    assert "Set the DATABASE_URL environment variable" in _production(**without_database).stderr


def test_production_with_a_real_secret_is_hardened():
    result = _production(**{**_example_env(), "DJANGO_SECRET_KEY": _real_secret()})

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "DEBUG": False,
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SECURE_HSTS_SECONDS": 31536000,
        "ALLOW_DEMO_DATA": False,
    }


def test_production_passes_the_deployment_checks_with_a_real_secret():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            **_example_env(),
            "DJANGO_SECRET_KEY": _real_secret(),
            "DJANGO_SETTINGS_MODULE": "tc_portal.settings.production",
        },
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("tc_portal.wsgi", "tc_portal.settings.production"),
        ("tc_portal.asgi", "tc_portal.settings.production"),
        ("tc_portal.celery", "tc_portal.settings.production"),
    ],
)
def test_servers_and_workers_start_under_production_settings(module, expected):
    code = f"import os, {module}; print(os.environ['DJANGO_SETTINGS_MODULE'])"

    result = _run(code, settings=None, **{**_example_env(), "DJANGO_SECRET_KEY": _real_secret()})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [expected]


def test_a_server_started_with_the_placeholder_secret_refuses_to_start():
    result = _run("import tc_portal.wsgi", settings=None, **_example_env())

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is a placeholder" in result.stderr


def test_manage_py_defaults_to_the_laptop():
    result = subprocess.run(
        [sys.executable, "manage.py", "diffsettings", "--all"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    assert "DEBUG = True" in result.stdout
    assert "ALLOW_DEMO_DATA = True" in result.stdout
