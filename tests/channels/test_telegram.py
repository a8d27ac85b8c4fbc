"""The Telegram channel end to end: the real Rasa server and action server, python-telegram-bot,
and a fake Telegram Bot API server on 127.0.0.1 (tests/helpers/fake_telegram.py).

Updates are posted to the webhook route as Telegram posts them; what the user
would see is what the fake server receives (``sendMessage``). The assistant
is started once for the module (and once more for the restart test).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
import sqlalchemy as sa

from bot.channels.flood import FloodGuard
from bot.channels.telegram import (
    TelegramInput,
    TelegramOutput,
    parse_start_parameter,
)
from bot.commands.service import model_path, start_services, stop_services
from bot.commands.telegram import poll
from bot.outbox import Outbox
from bot.outbox.telegram import CHANNEL, configuration_problem, utf16_length, webhook_secret
from bot.settings import PROJECT_ROOT, Settings, load_settings
from bot.store import RequestStore
from bot.texts import get_catalogue
from tests.e2e.support import fixed_part, post_message, response_text
from tests.helpers import fake_telegram as tg
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.held_conversation import hold_conversation
from tests.helpers.services import free_port, rest_token

TEXTS = get_catalogue().group("notice")  # the channel's own notices (data/texts.yml)

pytestmark = pytest.mark.model

SECRET = "test-secret_0123456789"
WEBHOOK_URL = "https://welcome.example.org/webhooks/telegram/webhook"
FLOOD_LIMIT = 5

_chat_ids = itertools.count(7_000_001)


def new_chat() -> int:
    return next(_chat_ids)


# -- the running assistant ----------------------------------------------------------------


CREDENTIALS = f"""\
bot.channels.rest.RestInput:
bot.channels.telegram.TelegramInput:
  flood_limit: {FLOOD_LIMIT}
  flood_window_seconds: 60
  retry_base_seconds: 0.2
  retry_max_seconds: 1
  poll_seconds: 0.5
"""


class TelegramAssistant:
    """Action server and Rasa server with the Telegram channel pointed at the fake server."""

    def __init__(self, var_dir: Path, fake: FakeTelegram) -> None:
        self.environ = {
            "WELCOME_VAR_DIR": str(var_dir),
            "WELCOME_RASA_PORT": str(free_port()),
            "WELCOME_ACTION_PORT": str(free_port()),
            "WELCOME_MODEL_DIR": str(PROJECT_ROOT / "models"),
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
            "TELEGRAM_SECRET_TOKEN": SECRET,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "WELCOME_REST_CHANNEL": "on",
            "WELCOME_REST_TOKEN": rest_token(),
        }
        self.settings: Settings = load_settings(self.environ)
        self.credentials = var_dir / "credentials.yml"
        self.credentials.write_text(CREDENTIALS, encoding="utf-8")
        self.log_path = var_dir / "services.log"
        self.processes: list[subprocess.Popen] = []

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}/webhooks/telegram/webhook"

    def start(self) -> None:
        RequestStore(self.settings.database_url).migrate()
        telegram = {key: value for key, value in self.environ.items() if "TELEGRAM" in key}
        # The servers read TELEGRAM_* from the environment they inherit; only theirs is changed.
        with mock.patch.dict(os.environ, telegram), open(self.log_path, "ab") as log:
            self.processes = start_services(self.settings, self.credentials, stdout=log, stderr=log)

    def stop(self) -> None:
        stop_services(self.processes)
        self.processes = []

    def post(self, update: object, secret: str | None = SECRET, raw: bytes | None = None) -> int:
        """POST to the webhook as Telegram does; the HTTP status."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        data = raw if raw is not None else json.dumps(update).encode("utf-8")
        request = urllib.request.Request(self.webhook, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def events(self, chat: int) -> list[dict]:
        engine = sa.create_engine(self.settings.database_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"),
                    {"s": f"tg-{chat}"},
                )
                return [json.loads(row[0]) for row in rows]
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, fake: FakeTelegram):
    var_dir = tmp_path_factory.mktemp("telegram-assistant")
    running = TelegramAssistant(var_dir, fake)
    if not model_path(running.settings).exists():
        pytest.skip(f"no trained model at {model_path(running.settings)}; run `make train`")
    running.start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def healthy_fake(request: pytest.FixtureRequest) -> None:
    # A test that takes the fake server down must not leave it down for the next one.
    if "fake" in request.fixturenames:
        fake = request.getfixturevalue("fake")
        fake.down = False
        fake.blocked.clear()


def keyboard(params: dict) -> list[tuple[str, str]]:
    markup = params.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", [])
    return [(button["text"], button.get("callback_data")) for row in rows for button in row]


def wait_for_texts(fake: FakeTelegram, chat: int, count: int, timeout: float = 60) -> list[str]:
    def enough() -> list[str] | None:
        texts = fake.texts(chat)
        return texts if len(texts) >= count else None

    return fake.wait_for(enough, timeout=timeout, what=f"{count} message(s) to chat {chat}")


def wait_delivered(assistant: TelegramAssistant, fake: FakeTelegram, chat: int) -> list[str]:
    """Wait until nothing waits in the outbox for ``chat``; the texts the chat received.

    Rasa has written every reply to the outbox when the webhook answers, so
    this sees all replies to what was posted before.
    """
    outbox = Outbox(assistant.settings.database_url)

    def delivered() -> bool:
        rows = outbox.items(CHANNEL, str(chat))
        return bool(rows) and all(row["status"] != "pending" for row in rows)

    try:
        fake.wait_for(delivered, timeout=60, what=f"delivery to chat {chat}")
    finally:
        outbox.close()
    return fake.texts(chat)


def settle(assistant: TelegramAssistant, fake: FakeTelegram) -> None:
    """Wait until everything posted so far has been delivered (a later reply arrived)."""
    chat = new_chat()
    assert assistant.post(tg.text_update(chat, "/help")) == 200
    wait_for_texts(fake, chat, 1)


# -- webhook set-up and security --------------------------------------------------------------


def test_the_webhook_is_set_with_the_secret_at_start_up(assistant, fake) -> None:
    fake.wait_for(lambda: fake.webhook, what="setWebhook")
    assert fake.webhook["url"] == WEBHOOK_URL
    assert fake.webhook["secret_token"] == SECRET


def test_a_text_message_gets_replies_with_an_inline_keyboard(assistant, fake) -> None:
    chat = new_chat()
    assert assistant.post(tg.text_update(chat, "/start")) == 200
    texts = wait_for_texts(fake, chat, 2)
    assert texts[0] == response_text("utter_greet", "de")
    assert texts[1] == response_text("utter_help", "de")
    help_message = fake.sent(chat)[1]
    assert ("Kurse und Beratung", "/ask_offers") in keyboard(help_message)
    assert all("parse_mode" not in params for params in fake.sent(chat))


@pytest.mark.parametrize(
    "secret", [None, "wrong-secret", SECRET.upper(), ""], ids=["missing", "wrong", "case", "empty"]
)
def test_a_request_without_the_right_secret_is_refused_unread(assistant, fake, secret) -> None:
    chat = new_chat()
    assert assistant.post(tg.text_update(chat, "Hallo"), secret=secret) == 403
    settle(assistant, fake)
    assert fake.texts(chat) == []
    assert assistant.events(chat) == []


def test_malformed_json_gets_400(assistant) -> None:
    assert assistant.post(None, raw=b"{not json") == 400
    assert assistant.post(None, raw=b"[1, 2]") == 400
    # Unknown content is not an error: Telegram would send it again and again.
    assert assistant.post({"update_id": 1, "something_new": {"x": 1}}) == 200
    assert assistant.post({"no_update_id": True}) == 200


def test_the_rest_channel_cannot_speak_in_a_telegram_chat(assistant, fake) -> None:
    chat = new_chat()
    said = "Ich brauche einen Dolmetscher für einen Termin beim Arzt"
    assert assistant.post(tg.text_update(chat, said)) == 200
    texts = wait_delivered(assistant, fake, chat)
    events = assistant.events(chat)
    base_url = f"http://127.0.0.1:{assistant.settings.rasa_port}"
    for text in ["/delete_data", "/affirm", "Etwas ändern"]:
        # With the REST channel's own token: the id is still not REST's to use.
        status, body = post_message(
            base_url, f"tg-{chat}", text, token=assistant.settings.rest_token
        )
        assert status == 403, body[:300]
    settle(assistant, fake)
    assert assistant.events(chat) == events
    assert fake.texts(chat) == texts


# -- what users send --------------------------------------------------------------------------

PHOTO = [{"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}]
NOT_TEXT = {
    "photo": {"photo": PHOTO, "caption": "Was steht in diesem Brief?"},
    "voice": {"voice": {"file_id": "v", "file_unique_id": "v1", "duration": 3}},
    "document": {"document": {"file_id": "d", "file_unique_id": "d1", "file_name": "brief.pdf"}},
    "sticker": {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
    "location": {"location": {"latitude": 48.68, "longitude": 9.01}},
    "contact": {"contact": {"phone_number": "+4917012345", "first_name": "Amal"}},
    "video": {
        "video": {"file_id": "x", "file_unique_id": "x1", "width": 1, "height": 1, "duration": 1}
    },
}


@pytest.mark.parametrize("language", ["de", "ar"])
@pytest.mark.parametrize("kind", list(NOT_TEXT))
def test_a_message_that_is_not_text_gets_an_explanation(assistant, fake, kind, language) -> None:
    chat = new_chat()
    message = tg.message(chat, language, **NOT_TEXT[kind])
    update = {"update_id": tg.next_update_id(), "message": message}
    assert assistant.post(update) == 200
    assert wait_for_texts(fake, chat, 1) == [TEXTS["not_text"][language]]


def test_the_explanation_follows_the_conversation_language(assistant, fake) -> None:
    chat = new_chat()
    # The phone speaks German, the conversation is in Ukrainian.
    assert assistant.post(tg.callback_update(chat, '/change_language{"language": "uk"}')) == 200
    wait_for_texts(fake, chat, 1)
    update = {"update_id": tg.next_update_id(), "message": tg.message(chat, "de", photo=PHOTO)}
    assert assistant.post(update) == 200
    assert wait_for_texts(fake, chat, 2)[-1] == TEXTS["not_text"]["uk"]


def test_an_edited_message_gets_an_explanation(assistant, fake) -> None:
    chat = new_chat()
    update = {"update_id": tg.next_update_id(), "edited_message": tg.message(chat, "en", text="Hi")}
    update["edited_message"]["edit_date"] = int(time.time())
    assert assistant.post(update) == 200
    assert wait_for_texts(fake, chat, 1) == [TEXTS["edited"]["en"]]


def _group_message(chat: int, chat_type: str) -> dict:
    message = tg.message(chat, "de", text="Hallo zusammen")
    message["chat"] = {"id": -chat, "title": "Deutschkurs", "type": chat_type}
    return {"update_id": tg.next_update_id(), "message": message}


def _channel_post(chat: int) -> dict:
    post = {
        "message_id": 1,
        "chat": {"id": -chat, "title": "News", "type": "channel"},
        "date": int(time.time()),
        "text": "Neuigkeiten",
    }
    return {"update_id": tg.next_update_id(), "channel_post": post}


def _blocked(chat: int) -> dict:
    member = {"user": tg.BOT_USER, "until_date": 0}
    return {
        "update_id": tg.next_update_id(),
        "my_chat_member": {
            "chat": tg.private_chat(chat),
            "from": tg.user(chat),
            "date": int(time.time()),
            "old_chat_member": {**member, "status": "member"},
            "new_chat_member": {**member, "status": "kicked"},
        },
    }


def _inline_query(chat: int) -> dict:
    query = {"id": "q1", "from": tg.user(chat), "query": "Kurs", "offset": ""}
    return {"update_id": tg.next_update_id(), "inline_query": query}


def _from_a_bot(chat: int) -> dict:
    update = tg.text_update(chat, "Hallo")
    update["message"]["from"]["is_bot"] = True
    return update


IGNORED = {
    "group message": lambda chat: _group_message(chat, "group"),
    "supergroup message": lambda chat: _group_message(chat, "supergroup"),
    "channel post": _channel_post,
    "user blocked the bot": _blocked,
    "inline query": _inline_query,
    "message from a bot": _from_a_bot,
    "service message": lambda chat: {
        "update_id": tg.next_update_id(),
        "message": tg.message(chat, "de", new_chat_title="Neu"),
    },
    "unknown update kind": lambda chat: {
        "update_id": tg.next_update_id(),
        "message_reaction_count": {"chat": tg.private_chat(chat), "message_id": 1},
    },
}


@pytest.mark.parametrize("kind", list(IGNORED))
def test_updates_not_meant_for_the_assistant_are_ignored(assistant, fake, kind) -> None:
    chat = new_chat()
    assert assistant.post(IGNORED[kind](chat)) == 200
    settle(assistant, fake)
    assert fake.sent(chat) == [] and fake.sent(-chat) == []
    assert assistant.events(chat) == []


def test_a_user_who_blocked_the_bot_is_not_retried(assistant, fake) -> None:
    chat = new_chat()
    fake.down = True  # the reply cannot go out before Telegram says the user blocked the bot
    assert assistant.post(tg.text_update(chat, "/help")) == 200
    assert assistant.post(_blocked(chat)) == 200
    outbox = Outbox(assistant.settings.database_url)
    try:
        rows = outbox.items(CHANNEL, str(chat))
        assert rows and {row["status"] for row in rows} == {"failed"}
        assert all(row["payload"] == {} for row in rows)
    finally:
        outbox.close()
    attempts = len(fake.calls_of("sendMessage"))
    fake.blocked.add(chat)  # as Telegram would: 403 for this chat from now on
    fake.down = False
    settle(assistant, fake)
    assert fake.texts(chat) == []
    to_chat = [c for c in fake.calls_of("sendMessage")[attempts:] if c.params["chat_id"] == chat]
    # At most the one attempt the worker may already have had in flight when the
    # block arrived (Telegram refuses it); never a retry loop.
    assert len(to_chat) <= 1


def test_a_button_click_is_answered_and_its_payload_handled(assistant, fake) -> None:
    chat = new_chat()
    update = tg.callback_update(chat, '/change_language{"language": "en"}')
    assert assistant.post(update) == 200
    answered = fake.calls_of("answerCallbackQuery")
    assert update["callback_query"]["id"] in [c.params.get("callback_query_id") for c in answered]
    (text,) = wait_for_texts(fake, chat, 1)
    assert text.startswith(fixed_part("utter_language_changed", "en"))


@pytest.mark.parametrize(
    ("command", "response"),
    [
        ("/help", "utter_help"),
        ("/delete", "utter_confirm_delete"),
        ("/language", "utter_choose_language"),
        ("/help@willkommenslotse_test_bot", "utter_help"),
    ],
)
def test_commands(assistant, fake, command, response) -> None:
    chat = new_chat()
    assert assistant.post(tg.text_update(chat, command)) == 200
    texts = wait_for_texts(fake, chat, 1)
    assert texts[-1].startswith(fixed_part(response, "de")), texts


def test_human_command_starts_a_request_to_a_person(assistant, fake) -> None:
    chat = new_chat()
    assert assistant.post(tg.text_update(chat, "/human")) == 200
    wait_for_texts(fake, chat, 1)
    events = assistant.events(chat)
    intents = [e.get("parse_data", {}).get("intent", {}).get("name") for e in events]
    assert "request_human" in intents


def test_while_the_office_holds_the_chat_messages_go_there_until_the_back_button(
    assistant, fake
) -> None:
    chat = new_chat()
    assert assistant.post(tg.text_update(chat, "/help")) == 200
    wait_for_texts(fake, chat, 1)
    # A coordinator claims the request: "now being handled" goes out through the outbox.
    work, _anna, reference = hold_conversation(
        assistant.settings.database_url, f"tg-{chat}", channel="telegram"
    )
    wait_for_texts(fake, chat, 2)

    assert assistant.post(tg.text_update(chat, "Wann ist mein Termin?")) == 200
    texts = wait_for_texts(fake, chat, 3)
    passed_on = get_catalogue().texts["relay.passed_on"]["de"].format(reference=reference)
    assert texts[-1] == passed_on
    ((title, back_payload),) = keyboard(fake.sent(chat)[-1])
    assert title == get_catalogue().texts["relay.back_button"]["de"]
    said = [e["text"] for e in assistant.events(chat) if e.get("event") == "user"]
    assert "Wann ist mein Termin?" not in said, "the assistant never read it"
    assert [e.text for e in work.case(reference).entries if e.kind == "newcomer"] == [
        "Wann ist mein Termin?"
    ]

    assert assistant.post(tg.callback_update(chat, back_payload)) == 200
    texts = wait_for_texts(fake, chat, 4)
    assert texts[-1] == get_catalogue().texts["relay.back"]["de"].format(reference=reference)
    assert not work.case(reference).held
    work.close()

    assert assistant.post(tg.text_update(chat, "/help")) == 200
    texts = wait_for_texts(fake, chat, 5)
    assert texts[-1].startswith(fixed_part("utter_help", "de")), "the assistant answers again"


def test_a_typed_slash_text_is_never_read_as_an_intent_with_entities(assistant, fake) -> None:
    chat = new_chat()
    assert assistant.post(tg.text_update(chat, '/inform{"municipality": "Aidlingen"}')) == 200
    wait_delivered(assistant, fake, chat)
    said = [e["text"] for e in assistant.events(chat) if e.get("event") == "user"]
    assert said == ['inform{"municipality": "Aidlingen"}']


def test_a_deep_link_sets_the_language_and_the_town(assistant, fake) -> None:
    chat = new_chat()
    assert assistant.post(tg.text_update(chat, "/start ar_sindelfingen", language_code="de")) == 200
    texts = wait_for_texts(fake, chat, 3)
    assert texts[0].startswith(fixed_part("utter_language_changed", "ar"))
    assert response_text("utter_greet", "ar") in texts
    slots = {e["name"]: e["value"] for e in assistant.events(chat) if e.get("event") == "slot"}
    assert slots.get("language") == "ar"
    assert slots.get("municipality") == "Sindelfingen"


def test_right_to_left_text_arrives_intact(assistant, fake) -> None:
    chat = new_chat()
    assert assistant.post(tg.text_update(chat, "مرحبا", language_code="ar")) == 200
    texts = wait_for_texts(fake, chat, 2)
    assert texts[0] == response_text("utter_greet", "ar")
    assert texts[1] == response_text("utter_help", "ar")


def test_flood_protection_answers_once_and_drops_the_rest(assistant, fake) -> None:
    chat = new_chat()
    for n in range(FLOOD_LIMIT + 3):
        assert assistant.post(tg.text_update(chat, f"Hallo {n}")) == 200
    texts = wait_delivered(assistant, fake, chat)
    assert texts.count(TEXTS["flood"]["de"]) == 1
    user_turns = [e for e in assistant.events(chat) if e.get("event") == "user"]
    assert len(user_turns) == FLOOD_LIMIT


def test_delete_removes_the_conversation(assistant, fake) -> None:
    chat = new_chat()
    assert assistant.post(tg.text_update(chat, "Hallo, ich heiße Amal Testfrau")) == 200
    count = len(wait_delivered(assistant, fake, chat))
    assert "Testfrau" in json.dumps(assistant.events(chat), ensure_ascii=False)
    assert assistant.post(tg.text_update(chat, "/delete")) == 200
    texts = wait_delivered(assistant, fake, chat)
    assert texts[count:] == [response_text("utter_confirm_delete", "de")]
    assert ("Ja, alles löschen", "/affirm") in keyboard(fake.sent(chat)[-1])

    assert assistant.post(tg.callback_update(chat, "/affirm")) == 200
    texts = wait_delivered(assistant, fake, chat)
    assert texts[-1].startswith(fixed_part("utter_data_deleted", "de"))
    stored = json.dumps(assistant.events(chat), ensure_ascii=False)
    assert "Testfrau" not in stored


# -- delivery problems ------------------------------------------------------------------------


def test_telegram_429_is_honoured_and_the_reply_delivered(assistant, fake) -> None:
    chat = new_chat()
    fake.fail_next("sendMessage", 1, status=429, retry_after=1)
    assert assistant.post(tg.text_update(chat, "/help")) == 200
    assert wait_for_texts(fake, chat, 1) == [response_text("utter_help", "de")]


def test_an_outage_loses_nothing_and_keeps_the_order(assistant, fake) -> None:
    chat = new_chat()
    fake.down = True
    before = len(fake.calls_of("sendMessage"))
    assert assistant.post(tg.text_update(chat, "/help")) == 200
    assert assistant.post(tg.text_update(chat, "/delete")) == 200
    fake.wait_for(lambda: len(fake.calls_of("sendMessage")) >= before + 3, what="failed attempts")
    assert fake.texts(chat) == []
    fake.down = False
    texts = wait_for_texts(fake, chat, 2)
    assert texts[0] == response_text("utter_help", "de")
    assert texts[1].startswith(fixed_part("utter_confirm_delete", "de"))


def test_a_long_reply_is_split_and_keeps_its_keyboard(assistant, fake) -> None:
    # No answer in the domain is this long yet; the channel's output path is used directly.
    chat = new_chat()
    sentence = "Die Beratung findet jeden Dienstag im Landratsamt Böblingen statt. "
    outbox = Outbox(assistant.settings.database_url)
    output = TelegramOutput(outbox, lambda: None)
    try:
        asyncio.run(
            output.send_text_with_buttons(
                f"tg-{chat}", sentence * 120, [{"title": "Weiter", "payload": "/more"}]
            )
        )
    finally:
        outbox.close()
    # The worker also polls the table: rows written by other processes go out too.
    wait_delivered(assistant, fake, chat)
    sent = fake.sent(chat)
    assert len(sent) == 2
    assert all(utf16_length(params["text"]) <= 4096 for params in sent)
    assert all(params["text"].endswith(".") for params in sent)
    assert " ".join(params["text"] for params in sent) == (sentence * 120).strip()
    assert keyboard(sent[-1]) == [("Weiter", "/more")] and not keyboard(sent[0])


def test_polling_hands_updates_to_the_assistant(assistant, fake) -> None:
    chat = new_chat()
    update = tg.text_update(chat, "/help")
    update_id = update["update_id"]
    fake.push_update(update)
    settings = load_settings(
        {**assistant.environ, "TELEGRAM_WEBHOOK_URL": ""}  # polling: no public URL
    )

    async def run() -> int:
        stop = asyncio.Event()
        task = asyncio.create_task(
            poll(settings, f"http://127.0.0.1:{settings.rasa_port}", stop=stop, long_poll_seconds=1)
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while not fake.texts(chat) and loop.time() < deadline and not task.done():
            await asyncio.sleep(0.1)
        stop.set()
        return await task

    assert asyncio.run(run()) == 1
    assert fake.calls_of("deleteWebhook")
    assert fake.texts(chat) == [response_text("utter_help", "de")]
    # The update was confirmed to Telegram: a later getUpdates asked for the ones after it.
    offsets = [call.params.get("offset") for call in fake.calls_of("getUpdates")]
    assert update_id + 1 in offsets


def test_replies_waiting_at_a_restart_are_delivered_after_it(assistant, fake) -> None:
    chat = new_chat()
    fake.down = True
    assert assistant.post(tg.text_update(chat, "/help")) == 200
    assistant.stop()
    fake.down = False
    assert fake.texts(chat) == []
    assistant.start()
    assert wait_for_texts(fake, chat, 1) == [response_text("utter_help", "de")]


# -- pieces without a server ------------------------------------------------------------------


def test_deep_link_parameters() -> None:
    assert parse_start_parameter("ar_sindelfingen") == ("ar", "Sindelfingen")
    assert parse_start_parameter("uk") == ("uk", None)
    assert parse_start_parameter("tr_weil-der-stadt") == ("tr", "Weil der Stadt")
    assert parse_start_parameter("boeblingen") == (None, "Böblingen")
    assert parse_start_parameter("xx_nowhere") == (None, None)
    assert parse_start_parameter('ar"}{') == (None, None)
    assert parse_start_parameter("") == (None, None)


def test_flood_guard_notifies_once_per_window() -> None:
    now = [0.0]
    guard = FloodGuard(limit=3, window=10, clock=lambda: now[0])
    assert [guard.check("a") for _ in range(6)] == ["ok", "ok", "ok", "notify", "drop", "drop"]
    assert guard.check("b") == "ok"
    now[0] = 10.5
    assert guard.check("a") == "ok"


def _settings(**environ: str) -> Settings:
    return load_settings({"WELCOME_VAR_DIR": "/tmp/unused", **environ})


def test_without_a_token_the_channel_is_off(caplog) -> None:
    channel = TelegramInput(_settings())
    assert channel.mode == "off"
    assert channel.get_output_channel() is None
    with caplog.at_level(logging.INFO, logger="bot.channels.telegram"):
        channel.blueprint(lambda message: None)
    # Logged at most once per process (the Rasa server builds the blueprint once).
    assert len([r for r in caplog.records if "Telegram is off" in r.getMessage()]) <= 1


def test_pacing_follows_telegrams_limits_unless_credentials_say_otherwise() -> None:
    default = TelegramInput.from_credentials(None)._worker_options
    assert (default["global_rate"], default["per_recipient_rate"]) == (30.0, 1.0)
    assert default["per_recipient_burst"] == 5

    options = {"messages_per_second": 1000, "chat_messages_per_second": 50, "chat_burst": 40}
    raised = TelegramInput.from_credentials(options)._worker_options
    assert (raised["global_rate"], raised["per_recipient_rate"]) == (1000.0, 50.0)
    assert raised["per_recipient_burst"] == 40


def test_a_public_webhook_needs_an_explicit_secret() -> None:
    settings = _settings(TELEGRAM_BOT_TOKEN="1:x", TELEGRAM_WEBHOOK_URL=WEBHOOK_URL)
    assert webhook_secret(settings) is None
    assert "TELEGRAM_SECRET_TOKEN" in configuration_problem(settings)
    assert "https" in configuration_problem(
        _settings(
            TELEGRAM_BOT_TOKEN="1:x", TELEGRAM_WEBHOOK_URL="http://x", TELEGRAM_SECRET_TOKEN="s"
        )
    )
    assert "letters" in configuration_problem(
        _settings(TELEGRAM_BOT_TOKEN="1:x", TELEGRAM_SECRET_TOKEN="not allowed!")
    )
    polling = _settings(TELEGRAM_BOT_TOKEN="1:x")
    assert configuration_problem(polling) is None
    assert webhook_secret(polling) and webhook_secret(polling) != "1:x"


def test_status_command_reports_token_webhook_and_outbox(
    fake, tmp_path, monkeypatch, capsys
) -> None:
    from bot.commands import telegram as command
    from bot.settings import get_settings

    database = f"sqlite:///{tmp_path / 'welcome.db'}"
    outbox = Outbox(database)
    outbox.migrate()
    outbox.enqueue(CHANNEL, "1", [{"text": "wartet"}])
    outbox.close()
    for key, value in {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "WELCOME_DATABASE_URL": database,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("TELEGRAM_SECRET_TOKEN", raising=False)
    get_settings.cache_clear()
    try:
        assert command.status_command(None) == 0
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert "polling" in out and "1 waiting, 0 sent, 0 failed" in out
    assert fake.token not in out


def test_the_token_never_appears_in_the_logs(assistant) -> None:
    assert os.path.exists(assistant.log_path)
    log = assistant.log_path.read_text(errors="replace")
    assert assistant.environ["TELEGRAM_BOT_TOKEN"] not in log
