"""Fixtures for the store tests: every test runs on SQLite and, when
WELCOME_TEST_DATABASE_URL is set, again on PostgreSQL in a schema of its own
that is dropped afterwards (nothing is left in the shared database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.store import RequestStore
from tests.helpers.databases import POSTGRES_URL, database_backends, empty_database


@pytest.fixture(params=database_backends())
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, tmp_path) -> Iterator[str]:
    """An empty database. SQLite: a file in a folder that does not exist yet."""
    with empty_database(backend, tmp_path, POSTGRES_URL) as url:
        yield url


@pytest.fixture
def store(database_url: str) -> Iterator[RequestStore]:
    """A migrated request store on the test database."""
    request_store = RequestStore(database_url)
    request_store.migrate()
    yield request_store
    request_store.close()
