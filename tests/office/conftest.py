"""Fixtures for the office app: a migrated database (SQLite, and PostgreSQL when
WELCOME_TEST_DATABASE_URL is set), the app on it, and accounts per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.content import get_content
from bot.content.store import ContentStore
from bot.office.app import create_app
from bot.office.services import Office
from bot.settings import PROJECT_ROOT, Settings, get_settings, load_settings
from bot.store import RequestStore
from bot.store.models import StaffUser
from tests.helpers.databases import POSTGRES_URL, database_backends, empty_database
from tests.helpers.office import login

CONTENT_DIR = PROJECT_ROOT / "data" / "content"

PASSWORD = "Kaffee im Landratsamt 7"
START = datetime(2026, 12, 3, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(params=database_backends())
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, tmp_path) -> Iterator[str]:
    """A migrated, empty database."""
    with empty_database(backend, tmp_path, POSTGRES_URL) as url:
        with RequestStore(url) as store:
            store.migrate()
        yield url


def office_settings(tmp_path, database_url: str, **environ: str) -> Settings:
    return load_settings(
        {
            "WELCOME_VAR_DIR": str(tmp_path / "var"),
            "WELCOME_DATABASE_URL": database_url,
            # The test client speaks http: a Secure cookie would never be sent back.
            "WELCOME_OFFICE_SECURE_COOKIES": "off",
            # The training's status and models of the test, never the repository's models/.
            "WELCOME_MODEL_DIR": str(tmp_path / "models"),
            **environ,
        }
    )


class Clock:
    """The office's time, moved by tests instead of sleeping."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(tmp_path, database_url: str, clock: Clock) -> Iterator[Flask]:
    application = create_app(office_settings(tmp_path, database_url), testing=True)
    application.extensions["welcome"].clock = clock
    yield application
    application.extensions["welcome"].close()


@pytest.fixture
def office(app: Flask) -> Office:
    return app.extensions["welcome"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(office: Office) -> Callable[..., StaffUser]:
    """Create an account: ``make_user("coordinator")`` -> user ``coordinator`` with PASSWORD."""

    def make(role: str, username: str | None = None, password: str = PASSWORD) -> StaffUser:
        name = username or role
        return office.accounts.add(name, f"{name.title()} Muster", role, password)

    return make


@pytest.fixture
def signed_in(app: Flask, make_user) -> Callable[[str], FlaskClient]:
    """A new browser signed in through the login form as a fresh account of ``role``."""

    def sign_in(role: str, username: str | None = None) -> FlaskClient:
        user = make_user(role, username)
        browser = app.test_client()
        page = login(browser, user.username, PASSWORD)
        assert "Abmelden" in page.get_data(as_text=True)
        return browser

    return sign_in


# --- the content editor's tests (/inhalte)


@pytest.fixture
def environment(monkeypatch, tmp_path, database_url: str) -> Iterator[None]:
    """The assistant's settings on the test database; no prepared translations (content tests)."""
    monkeypatch.setenv("WELCOME_DATABASE_URL", database_url)
    monkeypatch.setenv("WELCOME_CONTENT_REFRESH_SECONDS", "0")
    monkeypatch.setenv("WELCOME_TRANSLATION_DIR", str(tmp_path / "translation"))
    monkeypatch.setenv("WELCOME_CONTENT_DIR", str(CONTENT_DIR))
    get_settings.cache_clear()
    get_content.cache_clear()
    yield
    get_settings.cache_clear()
    get_content.cache_clear()


@pytest.fixture
def store(environment, database_url: str) -> Iterator[ContentStore]:
    """The content store with the repository's files imported (as ``welcome content import``)."""
    with ContentStore(database_url) as content_store:
        content_store.import_dir(CONTENT_DIR, "test")
        yield content_store


@pytest.fixture
def editor(store, signed_in) -> FlaskClient:
    return signed_in("editor")
