"""Notices to staff: queued in the outbox, delivered to the staff's Telegram group on the
fake Bot API server; only reference, category and link, never the newcomer's data."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bot.casework.labels import CATEGORY_LABELS
from bot.casework.notify import STAFF_TELEGRAM, StaffNotifier
from bot.outbox import DeliveryWorker, Outbox
from bot.outbox.email import CHANNEL as EMAIL
from bot.outbox.telegram import TelegramSender, close_bot, make_bot
from bot.settings import Settings, load_settings
from bot.store import RequestStore, StoredRequest
from bot.store.models import HandoffRequest
from bot.vocabulary import HANDOFF_CATEGORIES
from tests.helpers.fake_telegram import FakeTelegram

STAFF_CHAT = -100123456
STAFF_TOKEN = "654321:STAFF-fake-token"
OFFICE = "https://office.lrabb.example"
NEWCOMER = {
    "sender_id": "telegram:424242",
    "channel": "telegram",
    "language": "ar",
    "fields": {
        "contact": "amal.haddad@example.org",
        "municipality": "Sindelfingen",
        "description": "أحتاج مترجما عند الطبيب يوم الثلاثاء",
    },
    "excerpt": [
        {"role": "user", "text": "مرحبا، اسمي أمل حداد", "text_de": "Hallo, ich heiße Amal Haddad"},
        {"role": "bot", "text": "…"},
    ],
}


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(STAFF_TOKEN) as server:
        yield server


def office_settings(database_url: str, **values) -> Settings:
    return dataclasses.replace(
        load_settings(), database_url=database_url, office_url=OFFICE, **values
    )


@pytest.fixture
def configured(database_url: str, fake: FakeTelegram) -> Settings:
    return office_settings(
        database_url,
        staff_telegram_bot_token=STAFF_TOKEN,
        staff_telegram_chat_id=str(STAFF_CHAT),
        telegram_api_base_url=fake.base_url,
        staff_notify_emails=("team@lrabb.example", "leitung@lrabb.example"),
        unclaimed_alert_minutes=120,
    )


@pytest.fixture
def notifier(configured: Settings) -> Iterator[StaffNotifier]:
    staff_notifier = StaffNotifier(configured)
    yield staff_notifier
    staff_notifier.close()


@pytest.fixture
def outbox(database_url: str) -> Iterator[Outbox]:
    box = Outbox(database_url)
    yield box
    box.close()


def save(store: RequestStore, category: str = "interpreter") -> StoredRequest:
    return store.save_request(category=category, **NEWCOMER)


async def deliver_to_staff_group(outbox: Outbox, fake: FakeTelegram) -> list[str]:
    bot = make_bot(fake.token, fake.base_url)
    try:
        await DeliveryWorker(outbox, STAFF_TELEGRAM, TelegramSender(bot)).deliver_pending()
    finally:
        await close_bot(bot)
    return fake.texts(STAFF_CHAT)


def newcomer_data(request: StoredRequest) -> list[str]:
    """Everything of the newcomer's that must stay out of a notice."""
    values = [request.sender_id, "424242", "Amal", "Haddad", "amal.haddad", "Sindelfingen"]
    values += [str(value) for value in request.fields.values()]
    for turn in request.excerpt:
        values += [turn["text"], turn.get("text_de", "")]
    return [value for value in values if value and value != "…"]


def assert_only_reference_and_category(text: str, request: StoredRequest) -> None:
    assert request.reference in text
    assert CATEGORY_LABELS[request.category] in text
    assert f"{OFFICE}/anfragen/{request.reference}" in text
    for value in newcomer_data(request):
        assert value not in text


def email_rows(outbox: Outbox) -> list[dict]:
    return outbox.items(EMAIL)


# -- the three events -------------------------------------------------------------------


async def test_a_new_request_reaches_the_staff_group_and_the_mailboxes(
    store, notifier, outbox, fake
) -> None:
    request = save(store)

    assert notifier.new_request(request.reference, request.category) == 3

    [text] = await deliver_to_staff_group(outbox, fake)
    assert text.startswith(f"Neue Anfrage {request.reference} – Dolmetschen")
    assert_only_reference_and_category(text, request)
    rows = email_rows(outbox)
    assert [row["recipient"] for row in rows] == ["team@lrabb.example", "leitung@lrabb.example"]
    for row in rows:
        assert_only_reference_and_category(
            row["payload"]["subject"] + row["payload"]["body"], request
        )


async def test_a_newcomers_reply_is_announced_without_its_text(
    store, notifier, outbox, fake
) -> None:
    request = save(store, "human")

    notifier.newcomer_reply(request.reference, request.category)

    [text] = await deliver_to_staff_group(outbox, fake)
    assert "Neue Nachricht" in text
    assert CATEGORY_LABELS["human"] in text
    assert_only_reference_and_category(text, request)


async def test_an_unclaimed_request_is_announced_once_after_the_configured_time(
    store, notifier, outbox, fake, database_url
) -> None:
    request = save(store, "welcome_center_referral")
    created = store.get(request.reference).created_at

    assert notifier.alert_unclaimed(created + dt.timedelta(minutes=119)) == []
    assert notifier.alert_unclaimed(created + dt.timedelta(minutes=121)) == [request.reference]
    assert notifier.alert_unclaimed(created + dt.timedelta(minutes=180)) == []

    [text] = await deliver_to_staff_group(outbox, fake)
    assert "seit über 2 Stunden" in text
    assert_only_reference_and_category(text, request)
    assert len(email_rows(outbox)) == 2
    assert unclaimed_notified_at(database_url, request.reference) == created + dt.timedelta(
        minutes=121
    )


async def test_claimed_or_answered_requests_raise_no_alert(
    store, notifier, casework, add_staff, outbox, database_url
) -> None:
    claimed = save(store)
    waiting = save(store)
    later = store.get(claimed.reference).created_at + dt.timedelta(days=1)
    casework.claim(claimed.reference, add_staff("Petra Ott"))
    table = HandoffRequest.__table__
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            table.update().where(table.c.reference == waiting.reference).values(status="waiting")
        )
    engine.dispose()

    assert notifier.alert_unclaimed(later) == []
    assert outbox.counts() == {"pending": 0, "sent": 0, "failed": 0}


async def test_the_alert_follows_the_configured_minutes(store, configured, outbox) -> None:
    request = save(store)
    created = store.get(request.reference).created_at
    quick = StaffNotifier(dataclasses.replace(configured, unclaimed_alert_minutes=30))
    try:
        assert quick.alert_unclaimed(created + dt.timedelta(minutes=29)) == []
        assert quick.alert_unclaimed(created + dt.timedelta(minutes=31)) == [request.reference]
    finally:
        quick.close()
    assert "seit über 30 Minuten" in outbox.items(STAFF_TELEGRAM)[0]["payload"]["text"]


# -- configuration ----------------------------------------------------------------------


async def test_with_nothing_configured_nothing_is_queued(store, database_url, outbox) -> None:
    request = save(store)
    bare = StaffNotifier(office_settings(database_url))
    try:
        assert bare.new_request(request.reference, request.category) == 0
        assert bare.newcomer_reply(request.reference, request.category) == 0
        later = store.get(request.reference).created_at + dt.timedelta(days=1)
        assert bare.alert_unclaimed(later) == []
    finally:
        bare.close()
    assert outbox.counts() == {"pending": 0, "sent": 0, "failed": 0}
    # Not marked either: the alert comes once someone is there to read it.
    assert unclaimed_notified_at(database_url, request.reference) is None


async def test_a_chat_id_without_the_staff_bot_token_queues_no_telegram(
    store, database_url, outbox
) -> None:
    request = save(store)
    half = StaffNotifier(
        office_settings(
            database_url,
            staff_telegram_chat_id=str(STAFF_CHAT),
            staff_notify_emails=("team@lrabb.example",),
        )
    )
    try:
        assert half.new_request(request.reference, request.category) == 1
    finally:
        half.close()
    assert outbox.items(STAFF_TELEGRAM) == []
    assert [row["recipient"] for row in email_rows(outbox)] == ["team@lrabb.example"]


def test_every_category_has_a_german_name() -> None:
    assert set(CATEGORY_LABELS) == set(HANDOFF_CATEGORIES)


# -- helpers ----------------------------------------------------------------------------


def unclaimed_notified_at(database_url: str, reference: str) -> dt.datetime | None:
    table = HandoffRequest.__table__
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            value = connection.execute(
                sa.select(table.c.unclaimed_notified_at).where(table.c.reference == reference)
            ).scalar()
    finally:
        engine.dispose()
    return value
