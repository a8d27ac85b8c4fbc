"""Feedback buttons and the chat figures against the real Rasa server and action server.

Web chat over HTTP, Telegram through the fake Bot API server: a content
answer carries "helpful / not helpful"; a vote is stored once, without the
sender, and thanked for; the turns are counted in the anonymous figures and
what was not understood is kept masked.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bot.commands.service import model_path
from bot.store.chat_figures import chat_figures_table, feedback_table, unanswered_table
from bot.texts import text
from tests.browser.webchat_server import running_webchat_assistant
from tests.channels.test_telegram import TelegramAssistant, keyboard, wait_delivered
from tests.channels.test_webchat import API, request
from tests.helpers import fake_telegram as tg
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.services import RunningAssistant

pytestmark = pytest.mark.model

PHONE = "0151 23456789"


def table_rows(url: str, table: sa.Table) -> list[dict]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(sa.select(table))]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def webchat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    with running_webchat_assistant(tmp_path_factory.mktemp("feedback-webchat")) as running:
        yield running


def say(assistant: RunningAssistant, sender: str, message: str) -> list[dict]:
    reply = request(assistant.base_url, f"{API}/webhook", {"sender": sender, "message": message})
    assert reply.status == 200, reply.body[:300]
    return reply.json()


def vote(assistant: RunningAssistant, body: dict) -> tuple[int, dict]:
    reply = request(assistant.base_url, f"{API}/feedback", body)
    return reply.status, reply.json()


def test_web_chat_vote_is_stored_once_without_the_sender(webchat: RunningAssistant) -> None:
    sender = f"web-{uuid.uuid4().hex}"
    say(webchat, sender, "Hallo")

    replies = say(webchat, sender, "Ich suche eine Mentorin")

    marked = [reply for reply in replies if reply.get("feedback")]
    assert len(marked) == 1, replies  # the mentoring text, not the question after it
    token = marked[0]["feedback"]["token"]
    assert "answer_id" not in marked[0]  # the widget gets a token, nothing internal

    assert vote(webchat, {"token": token, "helpful": False, "language": "de"}) == (
        200, {"counted": True},
    )  # fmt: skip
    # Pressed again (or from another tab): thanked by the widget, not counted twice.
    assert vote(webchat, {"token": token, "helpful": True, "language": "de"}) == (
        200, {"counted": False},
    )  # fmt: skip
    rows = table_rows(webchat.settings.database_url, feedback_table)
    assert len(rows) == 1
    [row] = rows
    assert (row["answer_id"], row["language"], row["helpful"]) == ("mentoring", "de", False)
    assert row["model_version"]  # the model that gave the answer
    assert sender not in repr(rows)

    # Bad input gets a clear error naming the field.
    status, body = vote(webchat, {"token": "nope", "helpful": True})
    assert status == 400 and "token" in body["error"]
    status, body = vote(webchat, {"token": token, "helpful": "ja"})
    assert status == 400 and "helpful" in body["error"]


def test_real_turns_are_counted_and_the_unanswered_kept_masked(webchat: RunningAssistant) -> None:
    sender = f"web-{uuid.uuid4().hex}"
    url = webchat.settings.database_url
    before = sum(row["conversations"] for row in table_rows(url, chat_figures_table))

    say(webchat, sender, "Hallo")
    say(webchat, sender, f"xqzv plorb {PHONE} wubbel fnord")
    say(webchat, sender, "Ich suche eine Mentorin")

    figures = table_rows(url, chat_figures_table)
    assert sum(row["conversations"] for row in figures) == before + 1
    topics = {row["topic"] for row in figures}
    assert {"greet", "ask_mentoring"} <= topics
    questions = [row["text"] for row in table_rows(url, unanswered_table)]
    assert any(question == "xqzv plorb [Telefon] wubbel fnord" for question in questions)
    dump = repr(figures) + repr(table_rows(url, unanswered_table))
    assert sender not in dump
    assert PHONE not in dump and "23456789" not in dump


# -- Telegram -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture(scope="module")
def telegram(tmp_path_factory: pytest.TempPathFactory, fake: FakeTelegram):
    running = TelegramAssistant(tmp_path_factory.mktemp("feedback-telegram"), fake)
    if not model_path(running.settings).exists():
        pytest.fail(f"no trained model at {model_path(running.settings)}; run `make train`")
    running.start()
    yield running
    running.stop()


def test_telegram_vote_is_stored_once_keyboard_removed_and_thanked(
    telegram: TelegramAssistant, fake: FakeTelegram
) -> None:
    chat = 7_100_001
    assert telegram.post(tg.text_update(chat, "Hallo")) == 200
    assert telegram.post(tg.text_update(chat, "Ich suche eine Mentorin")) == 200
    wait_delivered(telegram, fake, chat)

    sent = fake.sent(chat)
    voted = [params for params in sent if any(
        data and data.startswith("fb:") for _, data in keyboard(params)
    )]  # fmt: skip
    assert len(voted) == 1
    buttons = keyboard(voted[0])
    labels = [label for label, data in buttons if data.startswith("fb:")]
    assert labels == [
        text("widget.feedback_helpful", "de"),
        text("widget.feedback_not_helpful", "de"),
    ]
    helpful = next(data for _, data in buttons if data.startswith("fb:") and data.endswith(":1"))

    before = len(fake.texts(chat))
    assert telegram.post(tg.callback_update(chat, helpful)) == 200
    thanks = fake.wait_for(lambda: fake.texts(chat)[before:] or None, timeout=30, what="the thanks")
    assert thanks == [text("widget.feedback_thanks", "de")]
    edits = fake.calls_of("editMessageReplyMarkup")
    assert edits and str(edits[-1].params.get("chat_id")) == str(chat)
    # The same button again (the keyboard was still on another device): not counted.
    # The webhook answers after the update is handled: a thanks would be in the outbox.
    assert telegram.post(tg.callback_update(chat, helpful)) == 200
    assert wait_delivered(telegram, fake, chat)[before:] == thanks

    rows = table_rows(telegram.settings.database_url, feedback_table)
    assert [(row["answer_id"], row["language"], row["helpful"]) for row in rows] == [
        ("mentoring", "de", True)
    ]
    assert str(chat) not in repr(rows)
    # The vote never reached Rasa: the conversation has no trace of it.
    assert not any("fb:" in str(event.get("text")) for event in telegram.events(chat))
