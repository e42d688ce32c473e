"""Create the PostgreSQL database named in DATABASE_URL if it does not exist yet."""

import os
import sys
from urllib.parse import urlsplit

import psycopg2
from psycopg2 import sql

url = os.environ.get("DATABASE_URL", "")
parts = urlsplit(url)
if not parts.scheme.startswith("postgres"):
    sys.exit(0)
name = parts.path.lstrip("/")
try:
    conn = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        connect_timeout=5,
    )
except psycopg2.OperationalError as exc:
    sys.exit(f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432}: {exc}")
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    if cur.fetchone() is None:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"Created database {name}.")
conn.close()
