"""The content in the database: drafts, publications, export/import, served without restart."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

import bot.content.published
from bot.content import ContentError, content_version, get_content
from bot.content.store import ContentStore
from bot.settings import PROJECT_ROOT, get_settings
from bot.store import RequestStore
from bot.store.models import ContentPublication
from tests.content.conftest import REAL_DIR
from tests.helpers.databases import POSTGRES_URL, database_backends, empty_database


@pytest.fixture(params=database_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with empty_database(request.param, tmp_path, POSTGRES_URL) as url:
        with RequestStore(url) as migrate:
            migrate.migrate()
        yield url


@pytest.fixture
def store(database_url: str) -> Iterator[ContentStore]:
    with ContentStore(database_url) as content_store:
        yield content_store


@pytest.fixture
def served(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """get_content() of this process reads the test database, looking every time."""
    monkeypatch.setenv("WELCOME_DATABASE_URL", database_url)
    monkeypatch.setenv("WELCOME_CONTENT_DIR", str(REAL_DIR))
    monkeypatch.setenv("WELCOME_CONTENT_REFRESH_SECONDS", "0")
    get_settings.cache_clear()
    get_content.cache_clear()
    yield
    get_settings.cache_clear()
    get_content.cache_clear()


def files_in(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.glob("*.yml"))}


def offers_with_title(texts: dict[str, str], old: str, new: str) -> str:
    text = texts["offers.yml"]
    assert old in text
    return text.replace(old, new, 1)


def test_export_import_export_gives_the_same_bytes(store: ContentStore, tmp_path: Path) -> None:
    store.import_dir(REAL_DIR, "editor")
    first = tmp_path / "first"
    store.export_dir(first)
    assert files_in(first) == files_in(REAL_DIR)

    store.import_dir(first, "editor", publish=True)
    second = tmp_path / "second"
    store.export_dir(second)
    assert files_in(second) == files_in(REAL_DIR)
    third = tmp_path / "third"
    store.export_dir(third, published=True)
    assert files_in(third) == files_in(REAL_DIR)


def test_line_ends_and_comments_survive_the_round_trip(
    store: ContentStore, real_dir: Path, tmp_path: Path
) -> None:
    windows = real_dir / "contacts.yml"
    windows.write_bytes(windows.read_bytes().replace(b"\n", b"\r\n"))
    store.import_dir(real_dir, "editor")
    store.export_dir(tmp_path / "out")
    assert files_in(tmp_path / "out") == files_in(real_dir)


def test_a_broken_entry_is_refused_naming_file_entry_and_field(store: ContentStore) -> None:
    texts = store.draft_texts()
    broken = texts["offers.yml"].replace("    topics: [integration_course, language_course]\n",
                                         "    topics: [integration_curse]\n", 1)  # fmt: skip
    with pytest.raises(ContentError) as error:
        store.save_draft("offers.yml", broken, "editor")
    messages = [str(issue) for issue in error.value.issues]
    assert any(
        "offers.yml" in message
        and "bamf-integrationskurs" in message
        and "topics" in message
        and "integration_curse" in message
        for message in messages
    ), messages
    assert store.draft_texts() == texts


def test_an_import_with_a_problem_changes_nothing(store: ContentStore, real_dir: Path) -> None:
    store.import_dir(REAL_DIR, "editor")
    (real_dir / "contacts.yml").write_text("coordination_office: [\n", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        store.import_dir(real_dir, "editor")
    assert "contacts.yml" in str(error.value)
    assert store.draft_texts()["contacts.yml"] == (REAL_DIR / "contacts.yml").read_text(
        encoding="utf-8"
    )


def test_a_publication_is_served_without_restart(store: ContentStore, served: None) -> None:
    before = get_content()
    assert content_version().startswith("files:")
    title = before.offers[0].title.get("de")
    texts = store.draft_texts()
    store.save_draft(
        "offers.yml", offers_with_title(texts, f"de: {title}", "de: Deutschkurs neu"), "editor"
    )
    # A draft is not served.
    assert get_content().offers[0].title.get("de") == title

    publication = store.publish("editor", note="Titel")
    assert publication.version == 1
    assert publication.changed_files == ("offers.yml",)
    assert not publication.needs_training

    assert get_content().offers[0].title.get("de") == "Deutschkurs neu"
    assert content_version() == "db:1"
    assert [p.version for p in store.publications()] == [1]


def test_another_process_serves_the_publication(
    store: ContentStore, database_url: str, tmp_path: Path
) -> None:
    texts = store.draft_texts()
    title = "Sprachcafé für alle"
    store.save_draft("offers.yml", offers_with_title(texts, "de: Integrationskurs", f"de: {title}"),
                     "editor")  # fmt: skip
    store.publish("editor")
    environment = {
        **os.environ,
        "WELCOME_DATABASE_URL": database_url,
        "WELCOME_CONTENT_DIR": str(REAL_DIR),
        "WELCOME_VAR_DIR": str(tmp_path / "var"),
    }
    script = (
        "from bot.content import get_content, content_version\n"
        "print(content_version()); print(get_content().offers[0].title.get('de'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.splitlines() == ["db:1", title]


def test_republishing_an_old_version_rolls_back(store: ContentStore, served: None) -> None:
    texts = store.draft_texts()
    original = get_content().offers[0].title.get("de")
    store.publish("editor")
    store.save_draft("offers.yml", offers_with_title(texts, f"de: {original}", "de: Falsch"),
                     "editor")  # fmt: skip
    store.publish("editor")
    assert get_content().offers[0].title.get("de") == "Falsch"

    rollback = store.republish(1, "chefin")
    assert rollback.version == 3
    assert rollback.changed_files == ("offers.yml",)
    assert get_content().offers[0].title.get("de") == original
    assert content_version() == "db:3"
    # The working copy is the restored version: the next publication builds on it.
    assert store.draft_texts() == store.published_texts(1)
    assert [p.version for p in store.publications()] == [3, 2, 1]
    assert store.publications()[0].author == "chefin"


def test_a_new_town_spelling_needs_training(store: ContentStore) -> None:
    texts = store.draft_texts()
    municipalities = texts["municipalities.yml"]
    assert "  - name: Herrenberg\n" in municipalities
    spelling = "aliases: [Херренберг,"
    assert spelling in municipalities
    store.save_draft(
        "municipalities.yml",
        municipalities.replace(spelling, "aliases: [Herrenbärg, Херренберг,", 1),
        "editor",
    )
    assert store.publish("editor").needs_training


def test_unreachable_database_serves_the_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WELCOME_DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:1/nothing")
    monkeypatch.setenv("WELCOME_CONTENT_DIR", str(REAL_DIR))
    get_settings.cache_clear()
    get_content.cache_clear()
    try:
        assert len(get_content().municipality_names) == 26
        assert content_version().startswith("files:")
    finally:
        get_settings.cache_clear()
        get_content.cache_clear()


def test_the_default_refresh_notices_a_publication_within_seconds(
    store: ContentStore, served: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WELCOME_CONTENT_REFRESH_SECONDS", "1")
    get_settings.cache_clear()
    assert content_version().startswith("files:")
    store.publish("editor")
    deadline = time.monotonic() + 30
    while content_version() != "db:1" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert content_version() == "db:1"


def test_a_publication_that_does_not_load_keeps_the_last_good_content(
    store: ContentStore, database_url: str, served: None, caplog: pytest.LogCaptureFixture
) -> None:
    store.import_dir(REAL_DIR, "editor")
    store.publish("editor")
    assert content_version() == "db:1"
    good = get_content()
    # A version stored by other means (an older program, a hand-made row) that fails the check.
    texts = store.published_texts(1)
    texts["contacts.yml"] = "coordination_office: [\n"
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                ContentPublication.__table__.insert().values(
                    version=2,
                    published_at=datetime.now(timezone.utc),
                    published_by="someone",
                    snapshot=texts,
                    changed_files=["contacts.yml"],
                    needs_training=False,
                )
            )
    finally:
        engine.dispose()

    with caplog.at_level(logging.WARNING, logger="bot.content.published"):
        assert get_content() is good
    assert content_version() == "db:1"
    assert any("version 2 does not load" in record.getMessage() for record in caplog.records)

    # The next good publication is served again.
    store.publish("editor")
    assert content_version() == "db:3"


def test_a_chat_server_answers_while_a_publication_loads(
    store: ContentStore, served: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On an event loop (the Rasa and action servers) nobody waits for a new publication."""
    first = get_content()
    title = first.offers[0].title.get("de")
    loading, release = threading.Event(), threading.Event()
    load = bot.content.published.load_content_from_texts

    def slow_load(texts):
        loading.set()
        release.wait(60)
        return load(texts)

    monkeypatch.setattr(bot.content.published, "load_content_from_texts", slow_load)
    texts = store.draft_texts()
    store.save_draft("offers.yml", offers_with_title(texts, f"de: {title}", "de: Neu"), "editor")
    store.publish("editor")

    async def chat_turn() -> tuple[str | None, str]:
        return get_content().offers[0].title.get("de"), content_version()

    try:
        # The publication is being loaded (in the background): the chats get the old one.
        assert asyncio.run(chat_turn())[0] == title
        assert loading.wait(30)
        assert asyncio.run(chat_turn())[0] == title
    finally:
        release.set()
    deadline = time.monotonic() + 30
    while asyncio.run(chat_turn()) != ("Neu", "db:1") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert asyncio.run(chat_turn()) == ("Neu", "db:1")


def test_readers_in_many_threads_see_each_publication(store: ContentStore, served: None) -> None:
    problems: list[BaseException] = []
    versions: set[str] = set()
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                assert len(get_content().municipality_names) == 26
                versions.add(content_version())
        except BaseException as error:  # noqa: BLE001 - reported by the test
            problems.append(error)

    readers = [threading.Thread(target=read) for _ in range(8)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(3):
            store.publish("editor")
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=60)
    assert problems == []
    assert content_version() == "db:3"


def test_a_database_without_tables_serves_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "empty.db"
    sa.create_engine(f"sqlite:///{database}").connect().close()
    assert database.is_file()
    monkeypatch.setenv("WELCOME_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("WELCOME_CONTENT_DIR", str(REAL_DIR))
    get_settings.cache_clear()
    get_content.cache_clear()
    try:
        assert content_version().startswith("files:")
        assert len(get_content().offers) >= 6
    finally:
        get_settings.cache_clear()
        get_content.cache_clear()


def test_a_draft_from_a_browser_keeps_the_files_line_ends(store: ContentStore) -> None:
    store.import_dir(REAL_DIR, "editor")
    texts = store.draft_texts()
    edited = offers_with_title(texts, "de: Integrationskurs", "de: Integrationskurse")
    store.save_draft("offers.yml", edited.replace("\n", "\r\n"), "editor")
    assert store.draft_texts()["offers.yml"] == edited
    assert store.unpublished_files() == ["offers.yml"]
    store.publish("editor")
    assert store.unpublished_files() == []


def test_a_database_failing_after_a_publication_keeps_serving_it(
    store: ContentStore, database_url: str, served: None
) -> None:
    texts = store.draft_texts()
    store.save_draft("offers.yml", offers_with_title(texts, "de: Integrationskurs", "de: Neu"),
                     "editor")  # fmt: skip
    store.publish("editor")
    assert get_content().offers[0].title.get("de") == "Neu"

    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE content_publications"))
    finally:
        engine.dispose()

    assert get_content().offers[0].title.get("de") == "Neu"
    assert content_version() == "db:1"
