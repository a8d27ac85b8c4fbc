"""The catalogue of interface words (data/texts.yml): checked on load, one fallback chain,
prepared for every served language like every other answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.prepared import get_prepared
from bot.settings import get_settings
from bot.texts import (
    MARKER_KEY,
    CatalogueError,
    get_catalogue,
    load_catalogue,
    localized,
    marked_text,
    recording_machine_translation,
    text,
)
from bot.translation.engine import Translator
from bot.translation.preparing import prepare
from tests.helpers.argos_dictionary import build_dictionary_package

# Just enough words to see that a notice came out of the model.
ENGLISH_ROMANIAN = {"only": "doar", "read": "citesc", "please": "vă rog", "wait": "așteptați"}
ROMANIAN_MARKER = "🌐 Tradus automat"


def write_catalogue(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "texts.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def minimal(**texts: dict) -> dict:
    return {
        "review": {"pending": ["ar"], "reviewed": []},
        "texts": {MARKER_KEY: {"de": "Automatisch übersetzt", "en": "Automatically translated"}}
        | texts,
    }


def test_the_real_catalogue_loads_with_german_and_english_everywhere():
    catalogue = get_catalogue()
    assert len(catalogue.texts) >= 40
    assert all({"de", "en"} <= set(texts) for texts in catalogue.texts.values())
    # Every language beyond German and English is marked as awaiting review (or reviewed).
    used = {language for texts in catalogue.texts.values() for language in texts}
    assert used - {"de", "en"} <= set(catalogue.pending_review) | set(catalogue.reviewed)
    assert set(catalogue.group("notice")) == {"not_text", "edited", "flood"}


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ({"card.phone": {"de": "Telefon"}}, "'card.phone': the 'en' text is missing"),
        (
            {"card.age_between": {"de": "{min} bis {max}", "en": "{min} to"}},
            "'card.age_between'.en: must have the placeholders of the German text",
        ),
        ({"card.phone": {"de": "Telefon", "en": "Phone", "tr": ""}}, "'card.phone'.tr: is empty"),
        (
            {"card.phone": {"de": "Telefon", "en": "Phone", "ru": "Телефон"}},
            "texts in ru are neither 'pending' nor 'reviewed'",
        ),
    ],
)
def test_a_broken_catalogue_names_the_entry_and_the_problem(tmp_path, texts, message):
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(write_catalogue(tmp_path, minimal(**texts)))
    assert message in str(caught.value)
    assert str(tmp_path / "texts.yml") in str(caught.value)


def test_understood_words_must_be_lower_case(tmp_path):
    document = minimal() | {"understood": {"yes": {"de": ["Ja"]}}}
    with pytest.raises(CatalogueError, match="understood 'yes'.de: words must be lower case"):
        load_catalogue(write_catalogue(tmp_path, document))


@pytest.fixture
def romanian(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    """Models en<->ro installed and `welcome content translate` run for Romanian."""
    monkeypatch.setenv("WELCOME_TRANSLATION_DIR", str(tmp_path / "translation"))
    get_settings.cache_clear()
    packages = get_settings().packages_dir
    build_dictionary_package(packages, "en", "ro", ENGLISH_ROMANIAN)
    build_dictionary_package(packages, "ro", "en", {"doar": "only"})
    report = prepare(get_prepared(), ["ro"], Translator(packages))
    assert report.for_language("ro").rejected == 0
    yield packages
    get_settings.cache_clear()


def test_content_translate_prepares_every_channel_notice_for_a_served_language(romanian):
    notices = get_catalogue().group("notice")
    for key, texts in notices.items():
        prepared = get_prepared().lookup(texts["en"], "ro")
        assert prepared is not None, f"notice.{key} was not prepared for Romanian"
        assert prepared != texts["en"]

    not_text = marked_text("notice.not_text", "ro")
    # Word by word: "I can only read text messages, ..." -> "I can doar citesc text messages, ..."
    assert not_text.startswith("I can doar citesc text messages")
    assert not_text.endswith(f"\n{ROMANIAN_MARKER}")
    # A language with its own text gets it, unmarked.
    assert marked_text("notice.not_text", "ar") == notices["not_text"]["ar"]


def test_the_one_chain_curated_then_prepared_then_english_then_german(romanian):
    texts = {"de": "Nur Deutsch", "en": "Please wait", "ar": "انتظر"}
    with recording_machine_translation() as record:
        assert localized(texts, "ar") == "انتظر"
    assert not record.used
    # No prepared entry for this English text (it is not in the catalogue): English.
    assert localized(texts, "ro") == "Please wait"
    assert localized({"de": "Nur Deutsch"}, "ro") == "Nur Deutsch"
    # A catalogue text prepared for Romanian, noted as machine translated.
    with recording_machine_translation() as record:
        assert text("notice.flood", "ro").endswith("așteptați a moment, then write again.")
    assert record.used
    # Placeholders are filled after the lookup.
    assert text("card.age_between", "de", min=14, max=18) == "14 bis 18 Jahre"
