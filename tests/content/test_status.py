"""Per-language status of content texts, from the German each translation was made from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.content.status import (
    AWAITING_REVIEW,
    MACHINE_TRANSLATED,
    MISSING,
    OUTDATED,
    UP_TO_DATE,
    summary,
)
from bot.content.store import ContentStore
from bot.prepared import PreparedTranslations
from bot.store import RequestStore
from tests.content.conftest import MINI_DIR
from tests.helpers.databases import POSTGRES_URL, database_backends, empty_database

OFFERS = "offers.yml"
SINDELFINGEN = "kurs-sindelfingen"


@pytest.fixture(params=database_backends())
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ContentStore]:
    with empty_database(request.param, tmp_path, POSTGRES_URL) as url:
        with RequestStore(url) as requests:
            requests.migrate()
        with ContentStore(url) as content_store:
            content_store.import_dir(MINI_DIR, "redaktion")
            yield content_store


def status_of(store: ContentStore, entry: str, field: str, language: str, **options) -> str:
    statuses = store.text_statuses(languages=[language], **options)
    matches = [
        item.status
        for item in statuses
        if (item.file, item.entry, item.field) == (OFFERS, entry, field)
    ]
    assert len(matches) == 1, statuses
    return matches[0]


def edit_offers(store: ContentStore, old: str, new: str) -> None:
    text = store.draft_texts()[OFFERS]
    assert old in text
    store.save_draft(OFFERS, text.replace(old, new, 1), "redaktion")


def test_imported_texts_are_current_and_pending_languages_await_review(store: ContentStore):
    assert status_of(store, SINDELFINGEN, "title", "en") == UP_TO_DATE
    # offers.yml lists Arabic as pending review.
    assert status_of(store, SINDELFINGEN, "title", "ar") == AWAITING_REVIEW
    assert status_of(store, SINDELFINGEN, "summary", "ar") == MISSING
    assert status_of(store, SINDELFINGEN, "title", "uk") == MISSING


def test_changing_the_german_makes_the_translations_outdated(store: ContentStore):
    edit_offers(store, "de: Deutschkurs Sindelfingen", "de: Deutschkurs in Sindelfingen")

    assert status_of(store, SINDELFINGEN, "title", "en") == OUTDATED
    assert status_of(store, SINDELFINGEN, "title", "ar") == OUTDATED
    # Other texts of the entry did not change.
    assert status_of(store, SINDELFINGEN, "summary", "en") == UP_TO_DATE

    # Staff rewrite the English: current again (English needs no native review).
    edit_offers(store, "en: German course Sindelfingen", "en: German course in Sindelfingen")
    assert status_of(store, SINDELFINGEN, "title", "en") == UP_TO_DATE
    assert status_of(store, SINDELFINGEN, "title", "ar") == OUTDATED

    # A native speaker checks the Arabic against the new German.
    assert store.mark_reviewed(OFFERS, SINDELFINGEN, "ar", "reviewerin") == 1
    assert status_of(store, SINDELFINGEN, "title", "ar") == UP_TO_DATE


def test_a_rewritten_translation_awaits_review_until_marked(store: ContentStore):
    store.mark_reviewed(OFFERS, SINDELFINGEN, "ar", "reviewerin")
    assert status_of(store, SINDELFINGEN, "title", "ar") == UP_TO_DATE

    edit_offers(store, "ar: دورة ألمانية زيندلفينغن", "ar: دورة اللغة الألمانية زيندلفينغن")
    assert status_of(store, SINDELFINGEN, "title", "ar") == AWAITING_REVIEW

    store.mark_reviewed(OFFERS, SINDELFINGEN, "ar", "reviewerin")
    statuses = store.text_statuses(languages=["ar"])
    title = next(s for s in statuses if (s.entry, s.field) == (SINDELFINGEN, "title"))
    assert (title.status, title.reviewed_by) == (UP_TO_DATE, "reviewerin")


def test_a_prepared_machine_translation_counts_until_the_source_changes(
    store: ContentStore, tmp_path: Path
):
    prepared = PreparedTranslations(tmp_path / "prepared")
    prepared.write(
        "uk",
        {"language": "uk", "entries": {"German course Herrenberg": "Курс німецької Херренберг"}},
    )

    assert status_of(store, "kurs-herrenberg", "title", "uk", prepared=prepared) == (
        MACHINE_TRANSLATED
    )
    assert status_of(store, "kurs-herrenberg", "summary", "uk", prepared=prepared) == MISSING

    edit_offers(store, "en: German course Herrenberg", "en: German lessons Herrenberg")
    assert status_of(store, "kurs-herrenberg", "title", "uk", prepared=prepared) == MISSING


def test_summary_counts_per_file_and_language(store: ContentStore):
    counts = summary(store.text_statuses(languages=["en", "ar"]))
    offers = counts[OFFERS]
    assert offers["en"][UP_TO_DATE] == sum(offers["en"].values())
    assert offers["ar"][AWAITING_REVIEW] == 1
    assert offers["ar"][MISSING] == sum(offers["ar"].values()) - 1
    assert set(counts) >= {OFFERS, "contacts.yml", "welcome_center.yml"}
