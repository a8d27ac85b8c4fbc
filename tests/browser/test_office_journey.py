"""The coordination office end to end, with everything `welcome run` starts.

An Arabic newcomer on Telegram asks for an interpreter; a coordinator signs
in, claims the request, books an interpreter from the pool and replies in
German; the newcomer reads all of it in Arabic (word-by-word test models),
answers, and the answer reaches the coordinator on the same request; closing
it lets the assistant answer again. A web chat newcomer's widget shows the
coordinator's reply without the newcomer sending anything, and keeps it after
a reload. Each page is saved as a screenshot (test-artifacts/screenshots/).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from bot.commands.service import model_path
from bot.settings import PROJECT_ROOT, get_settings
from tests.browser.chat_page import ChatPage
from tests.browser.office_system import (
    ADMIN_PASSWORD,
    COORDINATOR,
    STAFF_CHAT,
    OfficeSystem,
    running_office_system,
)
from tests.e2e.support import interpreter_answers
from tests.helpers import fake_telegram as tg
from tests.helpers.smtp import SmtpServer

pytestmark = pytest.mark.model

CHAT = 7_300_001
REFERENCE = re.compile(r"\bWL-[0-9A-Z]{6}\b")
INTERPRETER_EMAIL = "samira.haddad@example.org"
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OfficeSystem]:
    if not model_path(get_settings()).exists():
        pytest.fail("no trained model; run `make train`")
    folder = tmp_path_factory.mktemp("office-e2e")
    with SmtpServer() as smtp, running_office_system(folder, smtp) as running:
        yield running


# --- the newcomer on Telegram ------------------------------------------------------------


def telegram_says(system: OfficeSystem, text: str, *, button: bool = False) -> list[dict]:
    """Send ``text`` (or press the button with this payload); the messages that came back.

    Waits for the first reply, then until nothing more arrives for a moment.
    """
    fake = system.newcomers
    keep_below_the_flood_limit()
    before = len(fake.sent(CHAT))
    update = tg.callback_update(CHAT, text, "ar") if button else tg.text_update(CHAT, text, "ar")
    fake.push_update(update)
    return telegram_messages_after(system, before)


_SENT_AT: list[float] = []


def keep_below_the_flood_limit() -> None:
    """Type no faster than a person: the channel takes 12 messages per chat in 30 s."""
    window = 31.0
    recent = [at for at in _SENT_AT if time.monotonic() - at < window]
    if len(recent) >= 11:
        time.sleep(window - (time.monotonic() - recent[-11]))
    _SENT_AT.append(time.monotonic())


def telegram_messages_after(system: OfficeSystem, before: int, timeout: float = 90) -> list[dict]:
    fake = system.newcomers
    try:
        fake.wait_for(lambda: len(fake.sent(CHAT)) > before, timeout=timeout, what="a reply")
    except AssertionError as error:
        said = "\n---\n".join(fake.texts(CHAT)[-6:])
        raise AssertionError(f"{error}\nthe chat's last messages:\n{said}") from None
    count = len(fake.sent(CHAT))
    while True:
        time.sleep(1.0)
        if len(fake.sent(CHAT)) == count:
            return fake.sent(CHAT)[before:]
        count = len(fake.sent(CHAT))


def texts_of(messages: list[dict]) -> str:
    return "\n".join(message.get("text", "") for message in messages)


def ask_for_an_interpreter_in_arabic(system: OfficeSystem) -> str:
    answers = interpreter_answers("ar")
    telegram_says(system, "/start")
    for slot in ("start", "interpreter_language", "interpreter_dialect", "appointment_date",
                 "appointment_time", "appointment_kind", "appointment_place", "municipality",
                 "interpreter_mode", "consent", "contact", "description"):  # fmt: skip
        telegram_says(system, answers[slot])
    confirmed = texts_of(telegram_says(system, answers["interpreter_confirmed"]))
    found = REFERENCE.search(confirmed)
    assert found, f"no reference in the confirmation: {confirmed}"
    return found.group(0)


# --- the office in the browser ----------------------------------------------------------


def sign_in(page: Page, system: OfficeSystem, username: str, password: str) -> None:
    page.goto(f"{system.office_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator(".user__name")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Abmelden").click()
    expect(page.locator("#username")).to_be_visible()


def add_interpreter_as_admin(page: Page, system: OfficeSystem, shot) -> None:
    sign_in(page, system, "admin", ADMIN_PASSWORD)
    page.goto(f"{system.office_url}/dolmetscher/neu")
    page.fill("#name", "Samira Haddad")
    page.fill("#email", INTERPRETER_EMAIL)
    page.fill("#languages", "Arabisch\nDari: Herati")
    page.check("input[name=modes][value=on_site]")
    page.check("input[name=modes][value=phone]")
    page.fill("#trained_on", (dt.date.today() - dt.timedelta(days=30)).isoformat())
    page.check("#listing_consent")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Samira Haddad").first).to_be_visible()
    shot("pool-registry")
    sign_out(page)


def test_an_arabic_telegram_newcomer_is_answered_by_the_office_in_arabic(
    system: OfficeSystem, page: Page, shot
) -> None:
    reference = ask_for_an_interpreter_in_arabic(system)
    # Staff hear of it in their group: the reference and category, nothing personal.
    staff = system.staff
    notice = staff.wait_for(
        lambda: [t for t in staff.texts(int(STAFF_CHAT)) if reference in t],
        timeout=60, what="the staff group's notice of the new request",
    )[0]  # fmt: skip
    assert "Dolmetschen" in notice and "0151" not in notice

    add_interpreter_as_admin(page, system, shot)
    username, name, password = COORDINATOR
    sign_in(page, system, username, password)
    page.goto(f"{system.office_url}/anfragen")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    shot("queue")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=f"Anfrage {reference}")).to_be_visible()
    # The newcomer's own words next to the German machine translation.
    expect(page.get_by_text(interpreter_answers("ar")["description"]).first).to_be_visible()
    shot("detail")

    # Claim: the newcomer hears, in Arabic, that someone works on it.
    before = len(system.newcomers.sent(CHAT))
    page.get_by_role("button", name="Übernehmen").click()
    expect(page.get_by_role("button", name="Zurückgeben")).to_be_visible()
    claimed = texts_of(telegram_messages_after(system, before))
    assert reference in claimed and "مكتب تنسيق الاندماج" in claimed

    # Book the interpreter: an e-mail to her, a confirmation to the newcomer in Arabic.
    page.get_by_role("link", name="Dolmetscher:in vermitteln").click()
    expect(page.get_by_text("Samira Haddad").first).to_be_visible()
    shot("interpreter-suggestions")
    before = len(system.newcomers.sent(CHAT))
    page.get_by_role("button", name="Buchen und beide informieren").click()
    email = system.smtp.wait_for(lambda: system.smtp.to(INTERPRETER_EMAIL), timeout=60,
                                 what="the interpreter's e-mail")[0]  # fmt: skip
    assert reference in email.body and "0151" not in email.body
    confirmation = texts_of(telegram_messages_after(system, before))
    assert "Samira" in confirmation and "Haddad" not in confirmation
    assert INTERPRETER_EMAIL not in confirmation
    shot("interpreter-booked")

    # Reply in German with a preview of the Arabic and its way back into German.
    page.goto(f"{system.office_url}/anfragen/{reference}")
    page.fill("#reply-text", "Termin bestätigt.")
    page.get_by_role("button", name="Vorschau").click()
    preview = page.locator("#reply-preview")
    expect(preview).to_contain_text("موعد مؤكد")
    expect(preview).to_contain_text("Termin bestätigt")
    shot("reply-preview")
    before = len(system.newcomers.sent(CHAT))
    page.get_by_role("button", name="Senden").click()
    reply = texts_of(telegram_messages_after(system, before))
    assert "موعد مؤكد" in reply and reference in reply
    assert "ترجمة آلية" in reply  # the "automatically translated" marker, in Arabic

    # The newcomer answers: it reaches the coordinator, not the assistant.
    passed_on = telegram_says(system, "شكرا")
    assert reference in texts_of(passed_on)
    assert any("reply_markup" in message for message in passed_on)  # "back to the assistant"
    page.reload()
    expect(page.get_by_text("شكرا").first).to_be_visible()
    expect(page.get_by_text("danke").first).to_be_visible()
    shot("newcomer-answered")
    staff.wait_for(
        lambda: len([t for t in staff.texts(int(STAFF_CHAT)) if reference in t]) >= 2,
        timeout=60, what="the staff group's notice of the newcomer's answer",
    )  # fmt: skip

    # Closing: the newcomer is told, and the assistant answers again.
    before = len(system.newcomers.sent(CHAT))
    page.get_by_role("button", name="Erledigt").click()
    closed = texts_of(telegram_messages_after(system, before))
    assert reference in closed
    shot("closed")
    greeting = texts_of(telegram_says(system, "مرحبا"))
    assert reference not in greeting and greeting.strip()

    # The county's figures: this request counted, nothing personal on the page.
    page.goto(f"{system.office_url}/zahlen")
    expect(page.locator("img.figure__chart").first).to_be_visible()
    assert reference not in page.content() and "0151" not in page.content()
    shot("figures")
    sign_out(page)

    # The admin's records: who viewed and changed the request, and the accounts.
    sign_in(page, system, "admin", ADMIN_PASSWORD)
    page.goto(f"{system.office_url}/audit?reference={reference}")
    expect(page.get_by_text(COORDINATOR[0]).first).to_be_visible()
    shot("audit-log")
    page.goto(f"{system.office_url}/accounts")
    expect(page.get_by_text(COORDINATOR[1]).first).to_be_visible()
    shot("accounts")


def test_a_web_chat_newcomer_sees_the_reply_without_sending_anything(
    system: OfficeSystem, context, page: Page, shot
) -> None:
    newcomer = ChatPage(context.new_page()).open(system.chat_url)
    newcomer.say("Ich möchte mit einem Menschen sprechen")
    newcomer.say("ja")
    newcomer.say("0151 23456789")
    confirmed = " ".join(newcomer.say("Ich habe eine Frage zur Wohnsitzauflage"))
    found = REFERENCE.search(confirmed)
    assert found, confirmed
    reference = found.group(0)

    username, _, password = COORDINATOR
    sign_in(page, system, username, password)
    page.goto(f"{system.office_url}/anfragen/{reference}")
    page.get_by_role("button", name="Übernehmen").click()
    page.fill("#reply-text", "Sie können am Montag um 10 Uhr ins Landratsamt kommen.")
    page.get_by_role("button", name="Senden").click()
    shot("webchat-reply-sent")

    # The widget polls: the reply appears while the newcomer does nothing.
    reply = newcomer.page.locator(".wl-msg", has_text="am Montag um 10 Uhr")
    expect(reply).to_be_visible(timeout=30_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    newcomer.page.screenshot(path=str(SCREENSHOTS / "office-webchat-widget.png"), full_page=True)
    newcomer.page.reload()
    expect(newcomer.page.locator(".wl-msg", has_text="am Montag um 10 Uhr")).to_be_visible()
