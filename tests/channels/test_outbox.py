"""The persistent outbox and its delivery worker against a fake Telegram Bot API server.

Nothing of Rasa runs here: messages are written to the outbox as the channel
writes them, and python-telegram-bot sends them over real HTTP to the fake
server, which fails on demand.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bot.outbox import FAILED, PENDING, SENT, DeliveryWorker, Outbox
from bot.outbox.delivery import Pacer
from bot.outbox.store import outbox_table
from bot.outbox.telegram import (
    CHANNEL,
    MAX_CALLBACK_BYTES,
    MAX_MESSAGE_LENGTH,
    TelegramSender,
    close_bot,
    inline_keyboard,
    make_bot,
    message_payloads,
    split_text,
    utf16_length,
)
from tests.helpers.databases import POSTGRES_URL, database_backends, empty_database
from tests.helpers.fake_telegram import FakeTelegram

ALICE, BOB = 1001, 1002


@pytest.fixture(params=database_backends())
def outbox(request: pytest.FixtureRequest, tmp_path) -> Iterator[Outbox]:
    with empty_database(request.param, tmp_path, POSTGRES_URL) as url:
        box = Outbox(url)
        box.migrate()
        yield box
        box.close()


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


_bots = []  # made by make_worker; closed after each test


@pytest.fixture(autouse=True)
async def close_bots():
    yield
    while _bots:
        await close_bot(_bots.pop())


def make_worker(outbox: Outbox, fake: FakeTelegram, **options) -> DeliveryWorker:
    # Fast retries and no pacing delays, so that tests wait for behaviour, not for timers.
    settings = dict(
        retry_base_seconds=0.05,
        retry_max_seconds=0.5,
        poll_seconds=0.2,
        per_recipient_rate=1000.0,
        global_rate=1000.0,
    )
    settings.update(options)
    bot = make_bot(fake.token, fake.base_url)
    _bots.append(bot)
    return DeliveryWorker(outbox, CHANNEL, TelegramSender(bot), **settings)


def enqueue_texts(outbox: Outbox, chat: int, texts: list[str]) -> None:
    outbox.enqueue(CHANNEL, str(chat), [{"text": text} for text in texts])


async def wait_until(condition, timeout: float = 20.0, what: str = "condition"):
    """Wait in the event loop (the worker runs there) until ``condition()`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := condition()):
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return value


def statuses(outbox: Outbox, chat: int) -> list[str]:
    return [row["status"] for row in outbox.items(CHANNEL, str(chat))]


# -- delivery ---------------------------------------------------------------------------


async def test_messages_arrive_in_the_order_they_were_written(outbox, fake) -> None:
    enqueue_texts(outbox, ALICE, [f"Alice {n}" for n in range(5)])
    enqueue_texts(outbox, BOB, ["Bob 0", "Bob 1"])
    enqueue_texts(outbox, ALICE, ["Alice 5"])

    sent = await make_worker(outbox, fake).deliver_pending()

    assert sent == 8
    assert fake.texts(ALICE) == [f"Alice {n}" for n in range(6)]
    assert fake.texts(BOB) == ["Bob 0", "Bob 1"]
    assert outbox.counts(CHANNEL) == {PENDING: 0, SENT: 8, FAILED: 0}


async def test_a_delivered_message_text_is_not_kept(outbox, fake) -> None:
    enqueue_texts(outbox, ALICE, ["Meine Adresse ist Bahnhofstraße 1"])
    await make_worker(outbox, fake).deliver_pending()
    (row,) = outbox.items(CHANNEL, str(ALICE))
    assert row["status"] == SENT and row["sent_at"] is not None
    assert row["payload"] == {}


async def test_buttons_arrive_as_an_inline_keyboard(outbox, fake) -> None:
    buttons = [
        {"title": "Ja, alles löschen", "payload": "/affirm"},
        {"title": "Nein, nicht löschen", "payload": "/deny"},
    ]
    outbox.enqueue(CHANNEL, str(ALICE), message_payloads("Soll ich löschen?", buttons))
    await make_worker(outbox, fake).deliver_pending()
    (params,) = fake.sent(ALICE)
    assert params["text"] == "Soll ich löschen?"
    keyboard = [b for row in params["reply_markup"]["inline_keyboard"] for b in row]
    assert [(b["text"], b["callback_data"]) for b in keyboard] == [
        ("Ja, alles löschen", "/affirm"),
        ("Nein, nicht löschen", "/deny"),
    ]
    assert "parse_mode" not in params  # plain text: nothing in it can be taken for markup


async def test_429_retry_after_is_honoured_and_nothing_is_lost(outbox, fake) -> None:
    fake.fail_next("sendMessage", 1, status=429, retry_after=1)
    enqueue_texts(outbox, ALICE, ["eins", "zwei", "drei"])
    worker = make_worker(outbox, fake)
    worker.start()
    try:
        await wait_until(lambda: len(fake.sent()) == 3, what="all three messages")
    finally:
        await worker.stop()
    assert fake.texts(ALICE) == ["eins", "zwei", "drei"]
    calls = fake.calls_of("sendMessage")
    assert calls[0].status == 429
    # Nothing at all was sent before Telegram's retry_after had passed.
    assert all(call.at - calls[0].at >= 0.95 for call in calls[1:])


async def test_an_outage_delays_but_loses_nothing_and_keeps_the_order(outbox, fake) -> None:
    fake.down = True
    worker = make_worker(outbox, fake)
    worker.start()
    try:
        enqueue_texts(outbox, ALICE, ["a1", "a2", "a3"])
        enqueue_texts(outbox, BOB, ["b1", "b2"])
        worker.wake()
        await wait_until(
            lambda: len(fake.calls_of("sendMessage")) >= 6, what="retries in the outage"
        )
        assert fake.sent() == []
        assert set(statuses(outbox, ALICE) + statuses(outbox, BOB)) == {PENDING}

        fake.down = False
        await wait_until(lambda: len(fake.sent()) == 5, what="delivery after the outage")
    finally:
        await worker.stop()
    assert fake.texts(ALICE) == ["a1", "a2", "a3"]
    assert fake.texts(BOB) == ["b1", "b2"]
    rows = outbox.items(CHANNEL, str(ALICE))
    assert rows[0]["attempts"] > 1 and rows[0]["last_error"] is None


async def test_server_errors_are_retried_until_accepted(outbox, fake) -> None:
    fake.fail_next("sendMessage", 3, status=502)
    fake.fail_next("sendMessage", 1, status=500)
    enqueue_texts(outbox, ALICE, ["Hallo", "Wie geht's?"])
    worker = make_worker(outbox, fake)
    worker.start()
    try:
        await wait_until(lambda: len(fake.sent()) == 2, what="delivery after 5xx")
    finally:
        await worker.stop()
    assert fake.texts(ALICE) == ["Hallo", "Wie geht's?"]


async def test_a_user_who_blocked_the_bot_is_not_retried(outbox, fake) -> None:
    fake.blocked.add(ALICE)
    enqueue_texts(outbox, ALICE, ["eins", "zwei", "drei"])
    enqueue_texts(outbox, BOB, ["one"])
    await make_worker(outbox, fake).deliver_pending()
    assert statuses(outbox, ALICE) == [FAILED, FAILED, FAILED]
    assert len([c for c in fake.calls_of("sendMessage") if c.params["chat_id"] == ALICE]) == 1
    assert fake.texts(BOB) == ["one"]
    assert all(row["payload"] == {} for row in outbox.items(CHANNEL, str(ALICE)))
    assert "blocked" in outbox.items(CHANNEL, str(ALICE))[0]["last_error"]


async def test_a_refused_message_is_skipped_and_the_next_one_delivered(outbox, fake) -> None:
    fake.fail_next("sendMessage", 1, status=400, description="Bad Request: message is too long")
    enqueue_texts(outbox, ALICE, ["refused", "delivered"])
    await make_worker(outbox, fake).deliver_pending()
    assert statuses(outbox, ALICE) == [FAILED, SENT]
    assert fake.texts(ALICE) == ["delivered"]


async def test_waiting_messages_are_delivered_after_a_restart(outbox, fake, tmp_path) -> None:
    # The process that wrote these died before delivering them (Telegram was down).
    fake.down = True
    first = make_worker(outbox, fake)
    enqueue_texts(outbox, ALICE, ["vor dem Neustart 1", "vor dem Neustart 2"])
    await first.deliver_pending()
    assert statuses(outbox, ALICE) == [PENDING, PENDING]
    outbox.close()

    fake.down = False
    restarted = Outbox(outbox._url)
    worker = make_worker(restarted, fake)
    worker.start()
    try:
        await wait_until(lambda: len(fake.sent()) == 2, what="delivery after the restart")
    finally:
        await worker.stop()
        restarted.close()
    assert fake.texts(ALICE) == ["vor dem Neustart 1", "vor dem Neustart 2"]


async def test_a_later_message_waits_for_an_earlier_one_being_retried(outbox, fake) -> None:
    enqueue_texts(outbox, ALICE, ["first", "second"])
    (first, second) = outbox.items(CHANNEL, str(ALICE))
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    outbox.mark_retry(first["id"], later, "NetworkError: test")
    assert outbox.due_queues(CHANNEL, dt.datetime.now(dt.timezone.utc)) == []
    await make_worker(outbox, fake).deliver_pending()
    assert fake.sent() == []


async def test_old_finished_rows_are_purged_but_waiting_ones_kept(outbox, fake) -> None:
    enqueue_texts(outbox, ALICE, ["sent"])
    await make_worker(outbox, fake).deliver_pending()
    fake.down = True
    enqueue_texts(outbox, BOB, ["waiting"])
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    assert outbox.purge_finished(future) == 1
    assert statuses(outbox, ALICE) == [] and statuses(outbox, BOB) == [PENDING]


async def test_forgetting_a_recipient_keeps_what_is_still_owed(outbox, fake) -> None:
    enqueue_texts(outbox, ALICE, ["delivered"])
    enqueue_texts(outbox, BOB, ["bob"])
    await make_worker(outbox, fake).deliver_pending()
    enqueue_texts(outbox, ALICE, ["Erledigt. Ich habe unser Gespräch gelöscht."])
    assert outbox.forget_recipient(CHANNEL, str(ALICE)) == 1
    assert statuses(outbox, ALICE) == [PENDING]
    assert statuses(outbox, BOB) == [SENT]


async def test_the_outbox_table_is_made_by_the_migrations(outbox) -> None:
    engine = outbox._get_engine()
    assert sa.inspect(engine).has_table(outbox_table.name)
    assert sa.inspect(engine).has_table("telegram_callback_data")


# -- pacing -----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_pacing_allows_a_short_burst_then_one_message_per_second_per_chat() -> None:
    clock = Clock()
    pacer = Pacer(per_key_rate=1.0, per_key_burst=3, global_rate=30.0, clock=clock)
    waits = [pacer.reserve_key("alice") for _ in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(1.0) and waits[4] == pytest.approx(2.0)
    # Another chat is not slowed down by Alice's messages.
    assert pacer.reserve_key("bob") == 0.0


def test_pacing_keeps_under_the_overall_limit() -> None:
    clock = Clock()
    pacer = Pacer(per_key_rate=1.0, per_key_burst=1, global_rate=30.0, clock=clock)
    waits = [pacer.reserve_global() for _ in range(60)]
    assert waits[29] == 0.0
    # The 60th message of this second goes out one second later.
    assert waits[59] == pytest.approx(1.0)


# -- texts and keyboards ----------------------------------------------------------------


def test_a_long_text_is_split_at_sentence_ends() -> None:
    sentences = [f"Dies ist Satz Nummer {n} über Beratung in Böblingen." for n in range(300)]
    text = " ".join(sentences)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(utf16_length(part) <= MAX_MESSAGE_LENGTH for part in parts)
    assert all(part.endswith(".") for part in parts)
    assert " ".join(parts) == text


def test_without_sentence_ends_a_text_is_split_at_lines_then_words() -> None:
    lines = "\n".join(f"Zeile {n} ohne Punkt mit einigen Wörtern" for n in range(400))
    parts = split_text(lines)
    assert all(utf16_length(part) <= MAX_MESSAGE_LENGTH for part in parts)
    assert "\n".join(parts) == lines

    words = " ".join(["Wort"] * 3000)
    parts = split_text(words)
    assert all(utf16_length(part) <= MAX_MESSAGE_LENGTH for part in parts)
    assert " ".join(parts) == words

    word = "Donaudampfschifffahrtsgesellschaft" * 300
    parts = split_text(word)
    assert "".join(parts) == word and max(map(len, parts)) == MAX_MESSAGE_LENGTH


def test_emoji_count_twice_towards_the_limit() -> None:
    text = "🙏" * 3000  # 6000 UTF-16 units
    parts = split_text(text)
    assert [utf16_length(part) for part in parts] == [4096, 1904]


def test_right_to_left_text_is_split_and_kept_intact() -> None:
    sentence = "هل تحتاج إلى مترجم لموعد في المستشفى؟ يمكننا مساعدتك في ذلك. "
    text = (sentence * 150).strip()
    parts = split_text(text)
    assert len(parts) > 1
    assert all(part.endswith(("؟", ".")) for part in parts)
    assert " ".join(parts) == text


async def test_right_to_left_text_arrives_unchanged(outbox, fake) -> None:
    text = "مرحبا! سأكتب بالعربية من الآن. \u200fرقم الطلب: WL-7K3M9"
    persian = "سلام، چطور می‌توانم کمک کنم؟"
    outbox.enqueue(CHANNEL, str(ALICE), message_payloads(text) + message_payloads(persian))
    await make_worker(outbox, fake).deliver_pending()
    assert fake.texts(ALICE) == [text, persian]


def test_a_long_button_payload_travels_as_a_short_key(outbox) -> None:
    payload = '/inform{"municipality": "Weil der Stadt", "topic": "Sprachkurse für Frauen"}'
    assert len(payload.encode()) > MAX_CALLBACK_BYTES
    markup = inline_keyboard(
        [{"title": "Weil der Stadt", "payload": payload}, {"title": "Ja", "payload": "/affirm"}],
        outbox.callback_key,
    )
    buttons = [button for row in markup["inline_keyboard"] for button in row]
    key = buttons[0]["callback_data"]
    assert len(key.encode()) <= MAX_CALLBACK_BYTES
    assert outbox.callback_payload(key) == payload
    assert buttons[1]["callback_data"] == "/affirm"
    # The same payload again reuses its key.
    assert outbox.callback_key(payload) == key


def test_text_and_buttons_split_keep_the_keyboard_on_the_last_part() -> None:
    text = "Ein Satz. " * 1000
    payloads = message_payloads(text, [{"title": "Weiter", "payload": "/more"}])
    assert len(payloads) > 1
    assert all("reply_markup" not in p for p in payloads[:-1])
    assert payloads[-1]["reply_markup"]["inline_keyboard"] == [
        [{"text": "Weiter", "callback_data": "/more"}]
    ]
    assert message_payloads("") == []
    assert message_payloads("", [{"title": "Ja", "payload": "/affirm"}])[0]["text"].strip()


def test_the_pending_rows_reach_the_database_before_enqueue_returns(outbox) -> None:
    enqueue_texts(outbox, ALICE, ["gespeichert"])
    # A second connection (another process, after a crash) sees the row.
    other = Outbox(outbox._url)
    try:
        assert [row["payload"]["text"] for row in other.items(CHANNEL, str(ALICE))] == [
            "gespeichert"
        ]
    finally:
        other.close()
