"""What the benchmark scripts share: Django on a throw-away PostgreSQL database."""

import os
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]


def configure(database_url):
    """Django on the benchmark database, DEBUG off, before anything imports settings."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
    import django

    django.setup()


def recreate_database(database_url):
    """Drop and create the benchmark database, through the server's `postgres` database."""
    import psycopg
    from django.db import connections

    connections.close_all()
    name = urlparse(database_url).path.lstrip("/")
    if not name.replace("_", "").isalnum() or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"Refusing to drop the database {name!r}.")
    admin_url = urlparse(database_url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def execute(sql, params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def vacuum_analyse():
    execute("VACUUM ANALYZE")
