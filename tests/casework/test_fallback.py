"""Office messages the chat could not deliver go to the contact e-mail, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from bot.casework.fallback import email_fallback
from bot.outbox import Outbox
from bot.settings import load_settings
from bot.store import RequestStore
from bot.texts import text as catalogue_text

SETTINGS = load_settings({"WELCOME_EMAIL_FALLBACK_MINUTES": "30"})
WEB = "web-" + "c" * 32


def request_of(store: RequestStore, sender: str, contact: str, language: str = "uk"):
    return store.save_request(
        sender_id=sender,
        channel="webchat" if sender.startswith("web-") else "telegram",
        category="interpreter",
        language=language,
        fields={"municipality": "Böblingen", "contact": contact},
        excerpt=[],
    )


def later(minutes: float) -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)


def emails(url: str) -> list[tuple[str, dict]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT recipient, payload FROM outbox WHERE channel = 'email' ORDER BY id")
            )
            return [(r, json.loads(p) if isinstance(p, str) else p) for r, p in rows]
    finally:
        engine.dispose()


def deliveries(casework, reference: str) -> list[str]:
    return [e.delivery for e in casework.case(reference).entries if e.kind == "reply"]


@pytest.fixture
def anna(add_staff):
    return add_staff("Anna Berger")


def test_a_web_chat_reply_nobody_fetched_goes_by_e_mail_after_the_wait(
    store, casework, anna, database_url
) -> None:
    request = request_of(store, WEB, "olena@example.org")
    casework.reply(request.reference, anna, "Der Termin ist am Montag.", "Понеділок.", "uk", True)

    assert email_fallback(database_url, SETTINGS, later(10)) == 0, "the widget may still fetch it"
    assert deliveries(casework, request.reference) == ["pending"]

    assert email_fallback(database_url, SETTINGS, later(31)) == 1
    ((recipient, payload),) = emails(database_url)
    assert recipient == "olena@example.org"
    assert payload["subject"] == catalogue_text(
        "office.email_subject", "uk", reference=request.reference
    )
    assert "Понеділок." in payload["body"]
    assert catalogue_text("office.email_footer", "uk") in payload["body"]
    assert deliveries(casework, request.reference) == ["emailed"]
    assert email_fallback(database_url, SETTINGS, later(60)) == 0, "sent once"
    assert len(emails(database_url)) == 1


def test_a_fetched_web_chat_reply_is_not_e_mailed(store, casework, anna, database_url) -> None:
    from bot.casework.conversation import OfficeMessages

    request = request_of(store, WEB, "olena@example.org")
    casework.reply(request.reference, anna, "Ja.", "Так.", "uk", True)
    reader = OfficeMessages(database_url)
    reader.updates(WEB, 0)
    reader.close()

    assert email_fallback(database_url, SETTINGS, later(60)) == 0
    assert emails(database_url) == []


def test_a_rest_reply_goes_by_e_mail_at_once(store, casework, anna, database_url) -> None:
    request = request_of(store, "test-user-1", "olena@example.org", language="en")
    casework.reply(request.reference, anna, "Ja.", "Yes.", "en", True)

    assert email_fallback(database_url, SETTINGS) == 1
    ((recipient, payload),) = emails(database_url)
    assert recipient == "olena@example.org" and "Yes." in payload["body"]
    assert deliveries(casework, request.reference) == ["emailed"]


def test_without_an_e_mail_contact_a_web_chat_reply_keeps_waiting(
    store, casework, anna, database_url
) -> None:
    request = request_of(store, WEB, "+4915123456789")
    casework.reply(request.reference, anna, "Ja.", "Так.", "uk", True)

    assert email_fallback(database_url, SETTINGS, later(120)) == 0
    assert emails(database_url) == []
    assert deliveries(casework, request.reference) == ["pending"], "shown when they come back"


def test_telegram_replies_follow_their_outbox_rows(store, casework, anna, database_url) -> None:
    blocked = request_of(store, "tg-111", "olena@example.org")
    no_mail = request_of(store, "tg-222", "+4915123456789")
    delivered = request_of(store, "tg-333", "olena@example.org")
    waiting = request_of(store, "tg-444", "olena@example.org")
    for request in (blocked, no_mail, delivered, waiting):
        casework.reply(request.reference, anna, "Ja.", "Так.", "uk", True)
    outbox = Outbox(database_url)
    for chat in ("111", "222"):
        outbox.fail_recipient("telegram", chat, "Forbidden: bot was blocked by the user")
    (row,) = outbox.items("telegram", "333")
    outbox.mark_sent(row["id"])
    outbox.close()

    assert email_fallback(database_url, SETTINGS) == 1

    assert deliveries(casework, blocked.reference) == ["emailed"]
    assert deliveries(casework, no_mail.reference) == ["failed"]
    assert deliveries(casework, delivered.reference) == ["sent"]
    assert deliveries(casework, waiting.reference) == ["pending"]
    ((recipient, payload),) = emails(database_url)
    assert recipient == "olena@example.org" and "Так." in payload["body"]
