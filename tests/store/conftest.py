"""Fixtures for the store tests: every test runs on SQLite and, when
WELCOME_TEST_DATABASE_URL is set, again on PostgreSQL in a schema of its own
that is dropped afterwards (nothing is left in the shared database)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bot.settings import load_settings
from bot.store import RequestStore

POSTGRES_URL = load_settings().test_database_url


def _backends() -> list:
    backends = [pytest.param("sqlite", id="sqlite")]
    if POSTGRES_URL:
        backends.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))
    return backends


@pytest.fixture(params=_backends())
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, tmp_path) -> Iterator[str]:
    """An empty database. SQLite: a file in a folder that does not exist yet."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'var' / 'welcome.db'}"
        return
    schema = f"welcome_test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(POSTGRES_URL, future=True)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.engine.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[RequestStore]:
    """A migrated request store on the test database."""
    request_store = RequestStore(database_url)
    request_store.migrate()
    yield request_store
    request_store.close()
