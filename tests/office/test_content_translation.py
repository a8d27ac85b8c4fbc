"""Editors machine translate a German content text into another language (real test models)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from bot.content import get_content
from bot.content.store import ContentStore
from bot.settings import PROJECT_ROOT, get_settings
from bot.translation.engine import reset_translator
from tests.helpers.argos_dictionary import build_dictionary_package
from tests.helpers.html_forms import filled, form_data

CONTENT_DIR = PROJECT_ROOT / "data" / "content"
OFFER = "/inhalte/offers/bamf-integrationskurs"
EASY_GERMAN = "Im Kurs lernen Sie Deutsch."
HARD_GERMAN = (
    "Die Inanspruchnahme der integrationsbezogenen Unterstützungsleistungen setzt die "
    "vorherige Beantragung einer entsprechenden Teilnahmeberechtigungsbescheinigung bei "
    "der zuständigen Ausländerbehörde beziehungsweise beim Bundesamt voraus."
)


@pytest.fixture
def editor(monkeypatch, tmp_path: Path, database_url: str, signed_in) -> Iterator[FlaskClient]:
    """An editor; word-by-word models German -> English -> Ukrainian are installed."""
    translation = tmp_path / "translation"
    packages = translation / "packages"
    packages.mkdir(parents=True)
    build_dictionary_package(
        packages, "de", "en", {"im": "in", "kurs": "course", "lernen": "learn", "sie": "you"}
    )
    build_dictionary_package(
        packages, "en", "uk", {"in": "на", "course": "курсі", "learn": "вивчаєте", "you": "ви"}
    )
    monkeypatch.setenv("WELCOME_DATABASE_URL", database_url)
    monkeypatch.setenv("WELCOME_TRANSLATION_DIR", str(translation))
    monkeypatch.setenv("WELCOME_CONTENT_REFRESH_SECONDS", "0")
    get_settings.cache_clear()
    get_content.cache_clear()
    reset_translator()
    with ContentStore(database_url) as store:
        store.import_dir(CONTENT_DIR, "test")
    yield signed_in("editor")
    reset_translator()
    get_settings.cache_clear()
    get_content.cache_clear()


def language_badge(client: FlaskClient, field: str, language: str) -> str:
    """The status badge next to the field's text in ``language`` on the entry's page."""
    shown = client.get(OFFER).get_data(as_text=True)
    head = shown.split(f'<label for="field-{field}-{language}">')[1].split("</div>")[0]
    found = re.search(r'<span class="badge[^"]*">([^<]+)</span>', head)
    return found.group(1) if found else ""


def press(client: FlaskClient, data: MultiDict, action: str) -> str:
    data = MultiDict(data)
    data.setlist("action", [action])
    return client.post(OFFER, data=data).get_data(as_text=True)


def current_form(client: FlaskClient) -> MultiDict:
    return form_data(client.get(OFFER).get_data(as_text=True), "entry-form")


def test_a_plain_german_text_is_translated_with_the_marker_into_the_form(editor, database_url):
    data = filled(current_form(editor), summary__de=EASY_GERMAN)

    shown = press(editor, data, "translate:summary:uk")

    form = form_data(shown, "entry-form")
    assert "вивчаєте" in form["summary.uk"]
    assert "🌐" in form["summary.uk"]  # the "automatically translated" marker
    assert form["summary.de"] == EASY_GERMAN
    assert form["origin.summary.uk"] == "machine"
    # Not saved before the editor saves.
    with ContentStore(database_url) as store:
        assert "🌐" not in store.draft_texts()["offers.yml"]

    response = editor.post(OFFER, data=MultiDict([*form.items(multi=True), ("action", "save")]))

    assert response.status_code == 302
    with ContentStore(database_url) as store:
        assert "🌐" in store.draft_texts()["offers.yml"]
    # Saved, it counts as a machine translation, not as a curated text awaiting review.
    assert language_badge(editor, "summary", "uk") == "maschinell übersetzt"
    assert language_badge(editor, "summary", "ar") != "maschinell übersetzt"

    reviewed = editor.post(
        f"{OFFER}/geprueft/uk", data={"csrf_token": form["csrf_token"]}, follow_redirects=True
    )

    assert "als geprüft vermerkt" in reviewed.get_data(as_text=True)
    assert language_badge(editor, "summary", "uk") == "aktuell"


def test_a_machine_translation_into_english_is_marked_until_checked(editor):
    data = filled(current_form(editor), summary__de=EASY_GERMAN)
    form = form_data(press(editor, data, "translate:summary:en"), "entry-form")
    assert form["origin.summary.en"] == "machine"

    editor.post(OFFER, data=MultiDict([*form.items(multi=True), ("action", "save")]))

    assert language_badge(editor, "summary", "en") == "maschinell übersetzt"


def test_a_hard_german_text_is_translated_only_after_confirmation(editor):
    data = filled(current_form(editor), summary__de=HARD_GERMAN)

    asked = press(editor, data, "translate:summary:uk")

    assert "Der deutsche Text ist schwer verständlich (Flesch" in asked
    assert "Trotzdem übersetzen?" in asked
    unchanged = form_data(asked, "entry-form")
    assert "🌐" not in unchanged["summary.uk"]

    confirmed = press(editor, unchanged, "translate-confirmed:summary:uk")

    assert "Trotzdem übersetzen?" not in confirmed
    assert "🌐" in form_data(confirmed, "entry-form")["summary.uk"]
