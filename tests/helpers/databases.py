"""Empty test databases: a SQLite file, or a PostgreSQL schema of its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.settings import load_settings

#: PostgreSQL for the tests (WELCOME_TEST_DATABASE_URL; .ci/run sets it), else None.
POSTGRES_URL = load_settings().test_database_url


def database_backends() -> list:
    """Parameters for a fixture run on SQLite and, when configured, on PostgreSQL."""
    backends = [pytest.param("sqlite", id="sqlite")]
    if POSTGRES_URL:
        backends.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))
    return backends


@contextmanager
def empty_database(backend: str, tmp_path: Path, postgres_url: str | None) -> Iterator[str]:
    """The URL of an empty database, removed afterwards.

    SQLite: a file in a folder that does not exist yet. PostgreSQL: a fresh
    schema on ``postgres_url`` (WELCOME_TEST_DATABASE_URL), dropped at the end.
    """
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'var' / 'welcome.db'}"
        return
    schema = f"welcome_test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(postgres_url, future=True)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.engine.make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()
