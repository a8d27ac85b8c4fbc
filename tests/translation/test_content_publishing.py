"""Publishing content prepares machine translations of its new texts, and never fails for them.

Real tiny Argos packages (gibberish, but deterministic) in a temporary folder;
the content lives in a real database (SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from bot.content.store import ContentStore
from bot.prepared import PreparedTranslations
from bot.publishing import publish_and_prepare
from bot.settings import PROJECT_ROOT, get_settings
from bot.store import RequestStore
from bot.translation import Translator
from tests.helpers.argos_packages import build_argos_package

MINI_CONTENT = PROJECT_ROOT / "tests" / "content" / "fixtures" / "mini"
OLD_TITLE = "German course Herrenberg"
NEW_TITLE = "German and English course Herrenberg"


class CountingTranslator:
    """The real translator, counting the texts it is asked to translate."""

    def __init__(self, inner: Translator):
        self.inner = inner
        self.texts: list[str] = []

    def translate_many(self, texts: Sequence[str], source: str, target: str, *, protected=()):
        self.texts.extend(texts)
        return self.inner.translate_many(texts, source, target, protected=protected)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


@pytest.fixture
def translation_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "translation"
    monkeypatch.setenv("WELCOME_TRANSLATION_DIR", str(directory))
    monkeypatch.setenv("WELCOME_CONTENT_DIR", str(MINI_CONTENT))
    get_settings.cache_clear()
    yield directory
    get_settings.cache_clear()


@pytest.fixture
def content_store(database_url: str, translation_dir: Path) -> Iterator[ContentStore]:
    with RequestStore(database_url) as requests:
        requests.migrate()
    with ContentStore(database_url) as store:
        store.import_dir(MINI_CONTENT, "redaktion")
        yield store


def retitled(store: ContentStore) -> str:
    text = store.draft_texts()["offers.yml"]
    assert f"en: {OLD_TITLE}\n" in text
    return text.replace(f"en: {OLD_TITLE}\n", f"en: {NEW_TITLE}\n", 1)


def test_publishing_translates_only_the_changed_text(
    content_store: ContentStore, translation_dir: Path
) -> None:
    settings = get_settings()
    build_argos_package(settings.packages_dir, "en", "ro", version="1.2")
    build_argos_package(settings.packages_dir, "de", "en", version="1.1")
    translator = CountingTranslator(Translator(settings.packages_dir))
    first = publish_and_prepare(content_store, settings, "redaktion", translator=translator)
    assert first.translation_note is None
    prepared = PreparedTranslations(settings.prepared_dir)
    assert prepared.lookup(OLD_TITLE, "ro")
    assert prepared.lookup(NEW_TITLE, "ro") is None

    content_store.save_draft("offers.yml", retitled(content_store), "redaktion")
    translator.texts.clear()
    result = publish_and_prepare(content_store, settings, "redaktion", translator=translator)

    assert result.publication.version == 2
    assert translator.texts == [NEW_TITLE]
    # The running assistant reads the new file on its next lookup.
    assert prepared.lookup(NEW_TITLE, "ro")
    assert prepared.lookup(OLD_TITLE, "ro") is None


def test_publishing_without_translation_models_still_publishes(
    content_store: ContentStore, translation_dir: Path
) -> None:
    content_store.save_draft("offers.yml", retitled(content_store), "redaktion")

    result = publish_and_prepare(content_store, get_settings(), "redaktion")

    assert result.publication.version == 1
    assert result.translations is None
    assert "Keine Übersetzungsmodelle" in result.translation_note
    assert NEW_TITLE in content_store.published_texts()["offers.yml"]
