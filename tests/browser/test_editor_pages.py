"""The editor's pages on a scripted day of chats: /statistik, /unbeantwortet, /inhalte.

Everything `welcome run` starts is running (REST channel and web chat on,
Arabic <-> English <-> German word-by-word test models). The scripted day
(tests/helpers/chat_day.py, SCRIPTED_DAY) goes through the real channels:
greetings and an offer search, FAQ questions, a handoff to the office,
three users asking the same unanswered question in slightly different words
(one with a phone number, one with an e-mail address), gibberish, an Arabic
question the assistant cannot answer, and five web chat votes on one FAQ
answer (helpful 3 times, not helpful twice). The office's job fills in the
Arabic question's German translation. Then an editor, created on the command
line, checks in Chromium that the pages show what follows from the script.
Screenshots: test-artifacts/screenshots/editor_pages-*.png.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from bot.commands.service import model_path
from bot.settings import PROJECT_ROOT, get_settings
from tests.browser.office_system import OfficeSystem, build_models, running_office_system
from tests.e2e.support import is_response, transcript
from tests.helpers.chat_day import (
    ARABIC_QUESTION,
    EMAIL_ADDRESS,
    FAQ_APPOINTMENT,
    FAQ_REGISTRATION,
    GIBBERISH,
    HANDOFF,
    PHONE_NUMBER,
    SAME_QUESTION,
    SCRIPTED_DAY,
    ScriptedConversation,
    run_script,
)
from tests.helpers.smtp import SmtpServer

pytestmark = pytest.mark.model

EDITOR = ("emil", "Emil Wagner", "Redaktion-Statistik-2026")

# The Arabic question, word by word: Arabic -> English -> German.
# (build_models makes <language> <-> en models for each language of TO_ENGLISH.)
TO_ENGLISH = {
    "ar": {"هل": "is", "يوجد": "there", "نادي": "a", "شطرنج؟": "chessclub?"},
    "de": {"schachverein": "chessclub"},
}
FROM_ENGLISH = {
    "ar": {"chessclub": "نادي شطرنج"},
    "de": {"is": "gibt", "there": "es", "a": "einen", "chessclub": "Schachverein"},
}
ARABIC_IN_GERMAN = "gibt es einen Schachverein?"

# What the script says, in the figures' words.
FAQ_APPOINTMENT_ID = "auslaenderbehoerde-termin"
FAQ_REGISTRATION_ID = "wohnsitz-anmelden"
VOTES = [conversation.vote for conversation in SCRIPTED_DAY if conversation.vote is not None]
HELPFUL, NOT_HELPFUL = VOTES.count(True), VOTES.count(False)
UNANSWERED = [*SAME_QUESTION, GIBBERISH, ARABIC_QUESTION]
#: How the statistics name what was not understood (Rasa's fallback intent).
FALLBACK_TOPIC = "nlu_fallback"


def build_day_models(folder: Path) -> Path:
    return build_models(folder, TO_ENGLISH, FROM_ENGLISH)


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OfficeSystem]:
    if not model_path(get_settings()).exists():
        pytest.fail("no trained model; run `make train`")
    folder = tmp_path_factory.mktemp("editor-pages")
    with (
        SmtpServer() as smtp,
        running_office_system(
            folder,
            smtp,
            models=build_day_models,
            languages=("ar",),
            extra_env={"WELCOME_REST_CHANNEL": "on"},
        ) as running,
    ):
        yield running


# --- helpers ---------------------------------------------------------------------------


def said(replies: list[dict]) -> str:
    return "\n".join(message.get("text") or "" for message in replies)


def check_the_day(day: list[ScriptedConversation]) -> None:
    """The script went as written: answered, fell back, handed over, votes counted."""
    for conversation in day:
        for message, replies in zip(conversation.chat.messages, conversation.replies, strict=True):
            language = conversation.chat.language
            assert replies, f"no reply to {message!r}"
            fell_back = any(is_response(reply, "utter_default", language) for reply in replies)
            assert fell_back == (message in UNANSWERED), (
                f"{message!r} ({language}): expected "
                f"{'the fallback' if message in UNANSWERED else 'an answer'}, got:\n"
                + transcript(replies)
            )
        if conversation.chat.vote is not None:
            assert conversation.voted == {"counted": True}, conversation.voted
    [handoff] = [c for c in day if c.chat.messages == HANDOFF]
    assert "WL-" in said(handoff.replies[-1]), transcript(handoff.replies[-1])


def translate_unanswered_now(system: OfficeSystem) -> None:
    """What the office's job (bot/office/jobs.py, every 5 minutes) does, run now."""
    done = subprocess.run(
        [
            sys.executable, "-c",
            "from bot.chatfigures.unanswered import translate_unanswered; "
            "from bot.settings import get_settings; "
            "print(translate_unanswered(get_settings().database_url))",
        ],
        cwd=PROJECT_ROOT, env=system.env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def sign_in(page: Page, system: OfficeSystem, username: str, password: str) -> None:
    page.goto(f"{system.office_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


def row(page: Page, figure: str, label: str) -> list[str]:
    """The cells of the row ``label`` in the table of ``figure`` (section id)."""
    header = page.locator(f"#{figure} table tbody tr th[scope=row]", has_text=re.compile(
        rf"^{re.escape(label)}$"
    ))  # fmt: skip
    expect(header).to_have_count(1)
    cells = header.locator("xpath=..").locator("td")
    return [text.strip() for text in cells.all_inner_texts()]


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}".replace(".", ",")


# --- the test --------------------------------------------------------------------------


def test_editor_pages(system: OfficeSystem, page: Page, shot: Callable[[str], Path]):
    username, name, password = EDITOR
    added = system.welcome(
        "users", "add", username, "--role", "editor", "--name", name, "--password-stdin",
        stdin=password + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr

    # The day of chats, through the REST channel and the web chat.
    day = run_script(system.chat_url)
    check_the_day(day)
    translate_unanswered_now(system)

    conversations = len(SCRIPTED_DAY)
    messages = sum(len(chat.messages) for chat in SCRIPTED_DAY)
    by_language = {
        language: (
            sum(1 for chat in SCRIPTED_DAY if chat.language == language),
            sum(len(chat.messages) for chat in SCRIPTED_DAY if chat.language == language),
        )
        for language in ("de", "en", "ar")
    }
    asked = [message for chat in SCRIPTED_DAY for message in chat.messages]
    fallbacks = sum(1 for message in asked if message in UNANSWERED)

    sign_in(page, system, username, password)

    # --- /statistik ------------------------------------------------------------------
    page.goto(f"{system.office_url}/statistik")
    expect(page.get_by_role("heading", name="Statistik des Willkommenslotsen")).to_be_visible()
    shot("1-statistics")
    assert row(page, "gespraeche", "Summe") == [str(conversations), str(messages)]
    labels = {"de": "Deutsch (de)", "en": "Englisch (en)", "ar": "Arabisch (ar)"}
    for language, label in labels.items():
        count, turns = by_language[language]
        assert row(page, "sprachen", label) == [str(count), str(turns)], label
    assert row(page, "themen", f"FAQ {FAQ_APPOINTMENT_ID}")[0] == str(asked.count(FAQ_APPOINTMENT))
    assert row(page, "themen", f"FAQ {FAQ_REGISTRATION_ID}")[0] == str(
        asked.count(FAQ_REGISTRATION)
    )
    assert row(page, "themen", FALLBACK_TOPIC)[1] == str(fallbacks)
    # One handoff in 15 conversations; 5 of 21 messages not understood.
    rates = [percent(1, conversations), percent(fallbacks, messages)]
    assert row(page, "quoten", "Zeitraum") == rates
    assert row(page, "rueckmeldungen", f"FAQ {FAQ_APPOINTMENT_ID}") == [
        str(HELPFUL), str(NOT_HELPFUL), percent(HELPFUL, HELPFUL + NOT_HELPFUL),
    ]  # fmt: skip
    assert row(page, "schlechteste", f"FAQ {FAQ_APPOINTMENT_ID}") == [
        percent(NOT_HELPFUL, HELPFUL + NOT_HELPFUL), str(HELPFUL + NOT_HELPFUL),
    ]  # fmt: skip
    # Every figure has its chart (a drawn image) above its table.
    charts = page.locator("section.figure img.figure__chart")
    expect(charts).to_have_count(6)
    for index in range(6):
        chart = charts.nth(index)
        assert chart.evaluate("image => image.complete && image.naturalWidth > 0"), index

    # The CSV files: the figures, and no sender id of the day.
    senders = [conversation.sender for conversation in day]
    for figure in ("gespraeche", "sprachen", "themen", "quoten", "rueckmeldungen", "schlechteste"):
        link = page.locator(f"#{figure} a", has_text="CSV herunterladen")
        with page.expect_download() as download_info:
            link.click()
        text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
        for sender in senders:
            assert sender not in text, f"a sender id in statistik-{figure}.csv"
        assert not re.search(r"\b(web|day)-[0-9a-f]{32}\b", text), figure
        if figure == "rueckmeldungen":
            rows = list(csv.reader(io.StringIO(text), delimiter=";"))
            [votes] = [cells for cells in rows if cells[0] == f"FAQ {FAQ_APPOINTMENT_ID}"]
            assert votes[1:3] == [str(HELPFUL), str(NOT_HELPFUL)], votes

    # --- /unbeantwortet --------------------------------------------------------------
    page.goto(f"{system.office_url}/unbeantwortet")
    expect(page.get_by_role("heading", name="Unbeantwortete Fragen")).to_be_visible()
    groups = page.locator("section.question-group")
    # The three users' question is one group: the grilling question, the Arabic one, gibberish.
    expect(groups).to_have_count(3)
    grilling = groups.filter(has_text="Grillen im Park")
    expect(grilling).to_have_count(1)
    expect(grilling.locator("p.hint").first).to_contain_text(f"{len(SAME_QUESTION)}-mal gefragt")
    expect(grilling.locator("tbody tr")).to_have_count(len(SAME_QUESTION))
    # Masked before storing: the number and the address appear nowhere on the page.
    html = page.content()
    digits = PHONE_NUMBER.replace(" ", "")
    for secret in (PHONE_NUMBER, digits, digits[-8:], EMAIL_ADDRESS, "amina.yousef"):
        assert secret not in html, f"{secret!r} on /unbeantwortet"
    expect(grilling).to_contain_text("[Telefon]")
    expect(grilling).to_contain_text("[E-Mail]")
    # The Arabic question with its German translation.
    arabic = groups.filter(has_text=ARABIC_QUESTION)
    expect(arabic).to_have_count(1)
    arabic_row = arabic.locator("tbody tr", has_text=ARABIC_QUESTION)
    expect(arabic_row.locator("td").nth(1)).to_have_text(ARABIC_IN_GERMAN)
    expect(arabic_row.locator("td").nth(2)).to_have_text("Arabisch (ar)")
    shot("2-unanswered")

    # "FAQ daraus erstellen": the FAQ form, prefilled with the group's question.
    suggestion = grilling.locator("h2").inner_text().strip()
    assert suggestion in SAME_QUESTION, suggestion
    grilling.get_by_role("link", name="FAQ daraus erstellen").click()
    expect(page.locator("#field-question-de")).to_have_value(suggestion)
    expect(page.locator("#field-examples-de")).to_have_value(suggestion)
    assert parse_qs(urlparse(page.url).query)["frage"] == [suggestion], page.url
    shot("3-faq-from-question")

    # Dismissing the gibberish removes its group.
    page.goto(f"{system.office_url}/unbeantwortet")
    gibberish = groups.filter(has_text=GIBBERISH)
    gibberish.get_by_role("button", name="Verwerfen").click()
    expect(page.get_by_text("1 Frage(n) verworfen.")).to_be_visible()
    expect(groups).to_have_count(2)
    expect(groups.filter(has_text=GIBBERISH)).to_have_count(0)
    shot("4-unanswered-dismissed")
    page.get_by_role("link", name="verworfen").click()
    expect(groups.filter(has_text=GIBBERISH)).to_have_count(1)

    # --- /inhalte: readability --------------------------------------------------------
    page.goto(f"{system.office_url}/inhalte")
    welcome_center = page.locator("#entry-welcome_center-welcome-center-region-stuttgart")
    flags = welcome_center.locator(".readability-flag")
    # Its service texts are hard German ("Informationen zur Arbeitssuche …").
    expect(flags.filter(has_text="services")).not_to_have_count(0)
    welcome_center.scroll_into_view_if_needed()
    shot("5-content-readability")
    welcome_center.get_by_role("link").first.click()
    # In the editor, the first service's German text has its score and hints.
    service = page.locator("#field-services-0-text-de-readability")
    expect(service).to_have_class(re.compile(r"readability--low"))
    expect(service).to_contain_text("schwer verständlich")
    expect(service.locator(".hints li").first).to_contain_text("Langes Wort")
    service.scroll_into_view_if_needed()
    shot("6-editor-hints")
