"""`make up` (scripts/up.py): production settings completed for a laptop without weakening a
configured server, and no demo account unless asked for."""

import importlib.util
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent


def _load_up():
    spec = importlib.util.spec_from_file_location("make_up", ROOT / "scripts" / "up.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


up = _load_up()


def test_on_a_bare_laptop_it_serves_127_0_0_1_over_http_with_a_kept_secret(tmp_path):
    first = up.up_environment({}, root=tmp_path)
    again = up.up_environment({}, root=tmp_path)

    assert {k: first[k] for k in up.DEFAULTS} == up.DEFAULTS
    assert first["DJANGO_SETTINGS_MODULE"] == "tc_portal.settings.production"
    assert first["DJANGO_SECURE_SSL_REDIRECT"] == "false"
    assert len(first["DJANGO_SECRET_KEY"]) >= 80
    assert again["DJANGO_SECRET_KEY"] == first["DJANGO_SECRET_KEY"]
    assert (tmp_path / up.SECRET_FILE).stat().st_mode & 0o777 == 0o600


def test_a_configured_server_keeps_its_own_settings(tmp_path):
    (tmp_path / ".env").write_text(
        "DJANGO_SECRET_KEY=from-the-dot-env-file\n"
        "SITE_URL=https://portal.example.org\n"
        "DJANGO_ALLOWED_HOSTS=portal.example.org\n"
        "DATABASE_URL=postgres://portal@db.internal/portal\n"
    )

    result = up.up_environment({"DATABASE_URL": "postgres://from-environment/x"}, root=tmp_path)

    assert result["DJANGO_SECRET_KEY"] == "from-the-dot-env-file"
    assert result["SITE_URL"] == "https://portal.example.org"
    assert result["DJANGO_ALLOWED_HOSTS"] == "portal.example.org"
    assert result["DATABASE_URL"] == "postgres://from-environment/x"
    assert "DJANGO_SECURE_SSL_REDIRECT" not in result
    assert not (tmp_path / up.SECRET_FILE).exists()


@pytest.fixture
def fresh_database_url():
    """The address of a database that does not exist yet on the test's PostgreSQL server;
    dropped afterwards."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs this on PostgreSQL")
        pytest.skip("needs PostgreSQL")
    params = connection.settings_dict
    name = f"tc_up_{uuid.uuid4().hex[:10]}"
    password = f":{quote(params['PASSWORD'], safe='')}" if params["PASSWORD"] else ""
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    yield f"postgres://{params['USER']}{password}@{host}:{port}/{name}"
    server = psycopg2.connect(
        host=host, port=port, user=params["USER"], password=params["PASSWORD"], dbname="postgres"
    )
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.close()


def test_on_a_fresh_database_it_creates_no_demo_account(fresh_database_url, tmp_path):
    result = subprocess.run(
        [sys.executable, "scripts/up.py", "--prepare-only"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DATABASE_URL": fresh_database_url,
            "DJANGO_SECRET_KEY": "k" + uuid.uuid4().hex + uuid.uuid4().hex,
            "STATIC_ROOT": str(tmp_path / "static"),
            "LOG_LEVEL": "WARNING",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert "No demo data" in result.stdout
    with psycopg2.connect(fresh_database_url) as created, created.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations")
        assert cursor.fetchone()[0] > 0
        cursor.execute("SELECT count(*) FROM accounts_user")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM organisations_organisation")
        assert cursor.fetchone()[0] == 0
