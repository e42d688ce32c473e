"""What every benchmark needs: the portal's Django, on a database of its own that is
thrown away afterwards, so a benchmark never touches real data."""

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def throwaway_portal(folder: Path, *, postgres_url: str = "") -> Iterator[str]:
    """Point the test settings at a fresh database (an SQLite file in ``folder``, or a
    new database on the PostgreSQL server of ``postgres_url``) and media folders of
    their own, for this process and its children; migrate it; drop it afterwards.
    Yields a description of the database."""
    database_name = ""
    if postgres_url:
        database_name = f"tc_bench_{uuid.uuid4().hex[:8]}"
        _postgres(postgres_url, f'CREATE DATABASE "{database_name}"')
        url = urlunsplit(urlsplit(postgres_url)._replace(path=f"/{database_name}"))
    else:
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tc_portal.settings.test"
    os.environ["DATABASE_URL"] = url
    os.environ["TC_TEST_MEDIA"] = str(folder / "media")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        setup_django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        yield f"PostgreSQL ({database_name})" if postgres_url else "SQLite (temporary file)"
    finally:
        if database_name:
            from django.db import connections

            connections.close_all()
            _postgres(postgres_url, f'DROP DATABASE IF EXISTS "{database_name}"')


def setup_django() -> None:
    import django

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    django.setup()


def _postgres(url: str, statement: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()
