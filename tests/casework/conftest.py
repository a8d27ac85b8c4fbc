"""Fixtures for the office's casework: a migrated database (SQLite, and PostgreSQL
when WELCOME_TEST_DATABASE_URL is set), staff members and stored requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from bot.casework.store import Casework, Staff
from bot.store import RequestStore
from bot.store.models import StaffUser
from tests.helpers.databases import POSTGRES_URL, database_backends, empty_database


@pytest.fixture(params=database_backends())
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    with empty_database(request.param, tmp_path, POSTGRES_URL) as url:
        store = RequestStore(url)
        store.migrate()
        store.close()
        yield url


@pytest.fixture
def store(database_url: str) -> Iterator[RequestStore]:
    request_store = RequestStore(database_url)
    yield request_store
    request_store.close()


@pytest.fixture
def casework(database_url: str) -> Iterator[Casework]:
    work = Casework(database_url)
    yield work
    work.close()


@pytest.fixture
def add_staff(database_url: str) -> Iterator[Callable[..., Staff]]:
    """Staff rows written directly (accounts and passwords are tested in tests/office)."""
    engine = sa.create_engine(database_url)

    def add(name: str, role: str = "coordinator") -> Staff:
        with engine.begin() as connection:
            result = connection.execute(
                StaffUser.__table__.insert().values(
                    username=name.lower().replace(" ", "."),
                    display_name=name,
                    role=role,
                    password_hash="-",
                    created_at=dt.datetime.now(dt.timezone.utc),
                )
            )
            return Staff(int(result.inserted_primary_key[0]), name)

    yield add
    engine.dispose()
