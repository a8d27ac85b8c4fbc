"""The widget's own words in the browser come from the catalogue (data/texts.yml, ``widget.*``).

A second assistant with Romanian models installed (word-by-word test models,
``welcome languages install --from-file``) and the texts prepared by
``welcome content translate``, as an operator does it: a Romanian website gets
the widget's words as prepared, marked once as machine translated; German
needs no marker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from bot.settings import PROJECT_ROOT
from bot.texts import get_catalogue
from tests.browser.chat_page import ChatPage, serving_page
from tests.browser.webchat_server import running_webchat_assistant
from tests.helpers.dictionaries import build_models
from tests.helpers.services import RunningAssistant

pytestmark = pytest.mark.model

MARKER = "🌐 Tradus automat"  # curated in data/texts.yml (marker.machine_translated)
WIDGET = get_catalogue().group("widget")


def welcome(var_dir, *args: str) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("WELCOME_")}
    env["WELCOME_VAR_DIR"] = str(var_dir)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def romanian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    var_dir = tmp_path_factory.mktemp("browser-romanian")
    models = build_models(var_dir / "argosmodels", ("ro",))
    welcome(var_dir, "languages", "install", "ro", "--from-file", str(models))
    welcome(var_dir, "content", "translate", "--language", "ro")
    with running_webchat_assistant(var_dir) as running:
        yield running


def prepared_widget(running: RunningAssistant) -> dict[str, str]:
    """The widget's words as `welcome content translate` prepared them in Romanian."""
    path = running.settings.prepared_dir / "ro.json"
    entries = json.loads(path.read_text(encoding="utf-8"))["entries"]
    return {key: entries[texts["en"]] for key, texts in WIDGET.items() if texts["en"] in entries}


def widget_page(running: RunningAssistant, language: str) -> str:
    script = f"{running.base_url}/webhooks/webchat/webchat.js"
    return (
        f"<!doctype html><html lang='{language}'><head><title>Primăria</title></head><body>"
        "<h1>Bine ați venit</h1>"
        f'<script src="{script}" data-language="{language}" defer></script></body></html>'
    )


def test_a_romanian_website_gets_the_widget_in_romanian_marked_once(page, romanian, shot) -> None:
    words = prepared_widget(romanian)
    # The test models know these words: a prepared text, not the English one.
    assert words["open"] != WIDGET["open"]["en"] and words["send"] != WIDGET["send"]["en"]
    with serving_page(widget_page(romanian, "ro")) as website:
        page.goto(website)
        launcher = page.locator(".wl-launcher")
        expect(launcher).to_have_text(words["open"])
        launcher.click()
        chat = ChatPage(page)
        expect(page.locator(".wl-send")).to_have_text(words["send"])
        expect(page.locator(".wl-privacy-text")).to_have_text(words["privacy"])
        expect(page.locator(".wl-welcome p")).to_have_text(words["welcome"])
        marker = page.locator(".wl-machine-translated")
        expect(marker).to_be_visible()
        expect(marker).to_have_text(MARKER)
        # Once for the widget, not once for each of its words.
        assert chat.chat.inner_text().count("Tradus automat") == 1
        shot("romanian")

        # German is curated: no marker.
        chat.choose_language("de")
        expect(page.locator(".wl-send")).to_have_text(WIDGET["send"]["de"])
        expect(marker).to_be_hidden()
        assert "Tradus automat" not in chat.chat.inner_text()
        shot("german")


def test_curated_languages_show_no_marker(page, romanian) -> None:
    with serving_page(widget_page(romanian, "uk")) as website:
        page.goto(website)
        expect(page.locator(".wl-launcher")).to_have_text(WIDGET["open"]["uk"])
        page.locator(".wl-launcher").click()
        expect(page.locator(".wl-send")).to_have_text(WIDGET["send"]["uk"])
        expect(page.locator(".wl-machine-translated")).to_be_hidden()


def test_a_language_without_models_gets_english(page, romanian) -> None:
    # Polish: in the catalogue of languages, no models here.
    with serving_page(widget_page(romanian, "pl")) as website:
        page.goto(website)
        expect(page.locator(".wl-launcher")).to_have_text(WIDGET["open"]["en"])
        page.locator(".wl-launcher").click()
        expect(page.locator(".wl-machine-translated")).to_be_hidden()
