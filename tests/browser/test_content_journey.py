"""Staff keep the assistant current, end to end: an FAQ and an offer edited in the browser.

Everything `welcome run` starts is running (Rasa server with the REST channel,
action server, office); an admin creates an editor account with the CLI; the
editor signs in, adds an FAQ in German and English in the office's editor (a
broken entry is refused, naming the fields, with nothing typed lost), and
publishes. Without a restart, REST users asking the new question in German,
English, Arabic and Romanian get the answer in their language: Arabic and
Romanian through word-by-word test models (the question is read in English,
the answer is the translation prepared at publishing, with the marker). Then
the editor changes an offer's summary and newcomers get the new text. Each
step is saved as a screenshot (test-artifacts/screenshots/content_journey-*).
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bot.commands.service import model_path
from bot.settings import get_settings
from tests.browser.office_system import (
    OfficeSystem,
    build_models,
    running_office_system,
)
from tests.e2e.support import Chat, assert_polite, transcript
from tests.helpers.smtp import SmtpServer

pytestmark = pytest.mark.model

EDITOR = ("erika", "Erika Schmidt", "Redaktion-Passwort-2026")

# --- the new FAQ (a topic data/content/faq.yml does not have) --------------------------

FAQ_ID = "bibliotheksausweis"
QUESTION_DE = "Wo bekomme ich einen Bibliotheksausweis?"
QUESTION_EN = "Where do I get a library card?"
EXAMPLES_DE = [
    QUESTION_DE,
    "Wie kann ich Bücher in der Bücherei ausleihen?",
    "bibliotheksausweis beantragen",
    "Ich möchte mich in der Stadtbibliothek anmelden",
]
EXAMPLES_EN = [
    QUESTION_EN,
    "Where do I get a card for the library?",
    "how can I borrow books from the library",
    "library card application",
]
ANSWER_DE = "Fragen Sie in der Bücherei Ihrer Stadt nach einem Ausweis. Bringen Sie Ihren Pass mit."
ANSWER_EN = "Ask the library of your town for a library card. Bring your passport."

# What the users ask. Arabic and Romanian become "Where do I get a card for the
# library?" in English (the word-by-word models below), one of the English examples.
QUESTIONS = {
    "de": "Wo bekomme ich einen Bibliotheksausweis?",
    "en": "Where can I get a library card?",
    "ar": "أين أحصل على بطاقة للمكتبة؟",
    "ro": "Unde primesc un permis pentru bibliotecă?",
}
TO_ENGLISH = {
    "ar": {
        "أين": "where",
        "أحصل": "do I get",
        "على": "a",
        "بطاقة": "card",
        "للمكتبة؟": "for the library?",
    },
    "ro": {
        "unde": "where",
        "primesc": "do I get",
        "un": "a",
        "permis": "card",
        "pentru": "for the",
        "bibliotecă": "library",
    },
    # German texts without English are translated through English (de -> en -> ar).
    "de": {"bibliothek": "library", "ausweis": "card"},
}
FROM_ENGLISH = {
    "ar": {
        "ask": "اسأل",
        "library": "المكتبة",
        "card": "بطاقة",
        "town": "مدينتك",
        "bring": "أحضر",
        "passport": "جواز السفر",
    },
    "ro": {
        "ask": "întrebați",
        "library": "biblioteca",
        "card": "permis",
        "town": "orașului",
        "bring": "aduceți",
        "passport": "pașaportul",
    },
    "de": {"library": "Bibliothek", "card": "Ausweis"},
}
# What the answer must contain in each language: the editor's text, or the words the
# test dictionaries give for the English answer, and the curated marker
# (data/texts.yml, marker.machine_translated).
EXPECTED = {
    "de": ("Bücherei Ihrer Stadt", "Pass mit"),
    "en": ("library of your town", "Bring your passport"),
    "ar": ("المكتبة", "بطاقة", "جواز السفر", "ترجمة آلية"),
    "ro": ("biblioteca", "permis", "pașaportul", "Tradus automat"),
}
LANGUAGE_HINTS = {"ar": "ar", "ro": "ro"}

# --- the offer the editor changes ------------------------------------------------------

OFFER_ID = "migrationsberatung-erwachsene"
OFFER_QUESTION = "Ich suche eine Migrationsberatung in Böblingen"
NEW_SUMMARY_DE = (
    "Die Migrationsberatung berät Erwachsene ab 27 Jahren. "
    "Die Beratung ist kostenlos. Sie hat jetzt auch eine Sprechstunde am Samstag."
)
NEW_SUMMARY_EN = (
    "Migration counselling advises adults aged 27 and over. "
    "The counselling is free of charge. It now also has a consultation hour on Saturday."
)

#: How long a newcomer may wait for a published change (a poll limit, not a measurement).
PUBLISHED_WITHIN = 60.0


def build_journey_models(folder: Path) -> Path:
    return build_models(folder, TO_ENGLISH, FROM_ENGLISH)


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OfficeSystem]:
    if not model_path(get_settings()).exists():
        pytest.fail("no trained model; run `make train`")
    folder = tmp_path_factory.mktemp("content-journey")
    with (
        SmtpServer() as smtp,
        running_office_system(
            folder,
            smtp,
            models=build_journey_models,
            languages=("ar", "ro"),
            prepare_translations=True,
            extra_env={"WELCOME_REST_CHANNEL": "on"},
        ) as running,
    ):
        yield running


# --- helpers ---------------------------------------------------------------------------

_senders = itertools.count(1)


def ask(system: OfficeSystem, language: str, text: str) -> list[dict]:
    """A new REST user (their own conversation) asks ``text``; the replies."""
    chat = Chat(system.chat_url, f"journey-{language}-{next(_senders)}-{uuid.uuid4().hex[:6]}")
    hint = LANGUAGE_HINTS.get(language)
    replies = chat.say(text, metadata={"language_hint": hint} if hint else None)
    assert_polite(replies, text)
    return replies


def said(replies: list[dict]) -> str:
    return "\n".join(message.get("text") or "" for message in replies)


def answered(replies: list[dict], words: tuple[str, ...]) -> bool:
    text = said(replies)
    return all(word in text for word in words)


def wait_until_answered(
    system: OfficeSystem, language: str, question: str, words: tuple[str, ...], since: float
) -> tuple[float, list[dict]]:
    """Ask until the answer contains ``words``; seconds since ``since`` and the replies."""
    deadline = time.monotonic() + PUBLISHED_WITHIN
    replies: list[dict] = []
    while time.monotonic() < deadline:
        replies = ask(system, language, question)
        if answered(replies, words):
            return time.monotonic() - since, replies
        time.sleep(0.2)
    raise AssertionError(
        f"{language}: {question!r} not answered with {words} within {PUBLISHED_WITHIN} s "
        f"of publishing; last replies:\n{transcript(replies)}"
    )


def publish_while_asking(
    page: Page, system: OfficeSystem, questions: dict[str, tuple[str, tuple[str, ...]]]
) -> tuple[float, dict[str, tuple[float, list[dict]]]]:
    """Press "Veröffentlichen" while users ask (language -> question, expected words).

    The users start asking when the button is pressed, each in their own thread,
    until they get the expected answer. Returns the seconds the publish page took
    and, per language, the seconds from pressing to the first right answer and
    that answer.
    """
    page.goto(f"{system.office_url}/inhalte")
    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        pressed = time.monotonic()
        waiting = {
            language: pool.submit(wait_until_answered, system, language, question, words, pressed)
            for language, (question, words) in questions.items()
        }
        page.click("#publish-button")
        expect(page.get_by_text("ist veröffentlicht")).to_be_visible()
        page_seconds = time.monotonic() - pressed
        return page_seconds, {language: future.result() for language, future in waiting.items()}


def sign_in(page: Page, system: OfficeSystem, username: str, password: str) -> None:
    page.goto(f"{system.office_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


# --- the journey -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def figures() -> dict[str, float]:
    """Seconds from "Veröffentlichen" to the first right answer, printed at the end."""
    found: dict[str, float] = {}
    yield found
    print("\nfrom publishing to the first right answer:")
    for what, seconds in found.items():
        print(f"  {what}: {seconds:.2f} s")


def test_content_journey(
    system: OfficeSystem, page: Page, shot: Callable[[str], Path], figures: dict[str, float]
):
    # An admin creates the editor's account on the command line.
    username, name, password = EDITOR
    added = system.welcome(
        "users", "add", username, "--role", "editor", "--name", name, "--password-stdin",
        stdin=password + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr

    # Nobody knows the library card yet: the German question is not answered with it.
    before = ask(system, "de", QUESTIONS["de"])
    assert not answered(before, EXPECTED["de"]), transcript(before)

    sign_in(page, system, username, password)
    page.goto(f"{system.office_url}/inhalte")
    shot("1-overview")
    page.click("#new-faq-faq")
    expect(page.locator("#field-question-de")).to_be_visible()

    # A broken entry: an id with spaces and no German answer.
    broken_id = "bibliotheks ausweis"
    page.fill("#field-id", broken_id)
    page.fill("#field-question-de", QUESTION_DE)
    page.fill("#field-question-en", QUESTION_EN)
    page.fill("#field-examples-de", "\n".join(EXAMPLES_DE))
    page.fill("#field-examples-en", "\n".join(EXAMPLES_EN))
    page.fill("#field-answer-en", ANSWER_EN)
    shot("2-faq-form")
    page.click("#save-entry")

    expect(page.locator("#form-errors")).to_contain_text("Nicht gespeichert")
    # Each problem stands next to its field ...
    expect(page.locator("#field-id-errors")).to_be_visible()
    answer_errors = page.locator("#field-answer-errors, #field-answer-de-errors")
    expect(answer_errors.first).to_be_visible()
    # ... and what was typed is still there.
    expect(page.locator("#field-id")).to_have_value(broken_id)
    expect(page.locator("#field-examples-de")).to_have_value("\n".join(EXAMPLES_DE))
    expect(page.locator("#field-examples-en")).to_have_value("\n".join(EXAMPLES_EN))
    expect(page.locator("#field-answer-en")).to_have_value(ANSWER_EN)
    shot("3-faq-refused")

    # Fixed and saved: a draft, not yet served.
    page.fill("#field-id", FAQ_ID)
    page.fill("#field-answer-de", ANSWER_DE)
    page.click("#save-entry")
    expect(page.get_by_text("Gespeichert (Entwurf)")).to_be_visible()
    assert page.url.endswith(f"/inhalte/faq/{FAQ_ID}"), page.url
    shot("4-faq-saved")
    draft = ask(system, "de", QUESTIONS["de"])
    assert not answered(draft, EXPECTED["de"]), transcript(draft)

    page_seconds, answers = publish_while_asking(
        page, system, {lang: (QUESTIONS[lang], EXPECTED[lang]) for lang in QUESTIONS}
    )
    shot("5-faq-published")
    figures["FAQ: the publish page (publish, translate, overview)"] = page_seconds
    for language, (seconds, replies) in answers.items():
        figures[f"FAQ {language}"] = seconds
        if language in ("ar", "ro"):
            # The answer is a translation, not the English source.
            assert ANSWER_EN not in said(replies), transcript(replies)

    # The editor changes an offer's summary; newcomers get the new text.
    offer_before = ask(system, "de", OFFER_QUESTION)
    assert "Migrationsberatung" in said(offer_before), transcript(offer_before)
    assert NEW_SUMMARY_DE not in said(offer_before)
    page.goto(f"{system.office_url}/inhalte/offers/{OFFER_ID}")
    page.fill("#field-summary-de", NEW_SUMMARY_DE)
    page.fill("#field-summary-en", NEW_SUMMARY_EN)
    shot("6-offer-form")
    page.click("#save-entry")
    expect(page.get_by_text("Gespeichert (Entwurf)")).to_be_visible()
    page_seconds, answers = publish_while_asking(
        page, system, {"de": (OFFER_QUESTION, ("Sprechstunde am Samstag",))}
    )
    shot("7-offer-published")
    figures["offer: the publish page"] = page_seconds
    figures["offer de"] = answers["de"][0]

    # The overview shows what happened: both publications, and the other languages of
    # the changed summary are no longer up to date.
    page.goto(f"{system.office_url}/inhalte")
    shot("8-overview-statuses")
