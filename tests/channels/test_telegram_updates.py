"""What a Telegram update means for the assistant (bot/channels/telegram/updates.py): no server.

The updates are built as Telegram sends them (tests/helpers/fake_telegram.py);
the end-to-end behaviour through the running assistant is in test_telegram.py.
"""

from __future__ import annotations

import time

import pytest

from bot.channels.telegram import TelegramTuning
from bot.channels.telegram.updates import Received, read_update, texts_for
from bot.vocabulary import payload
from tests.helpers import fake_telegram as tg

CHAT = 4_200_001
PHOTO = [{"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}]


def update_with(kind: str, content: dict) -> dict:
    return {"update_id": tg.next_update_id(), kind: content}


def test_a_text_goes_to_rasa_with_the_phones_language() -> None:
    data = tg.text_update(CHAT, "Ich brauche einen Dolmetscher", language_code="uk")
    received = read_update(data)
    assert received == Received(
        data["update_id"],
        str(CHAT),
        texts=("Ich brauche einen Dolmetscher",),
        language_hint="uk",
    )
    assert received.metadata == {"language_hint": "uk"}


def test_without_a_language_code_there_is_no_metadata() -> None:
    received = read_update(tg.text_update(CHAT, "Hallo", language_code=None))
    assert received.texts == ("Hallo",) and received.metadata is None


@pytest.mark.parametrize(
    ("typed", "texts"),
    [
        ("/help", ["/help"]),
        ("/HELP@willkommenslotse_bot", ["/help"]),
        ("/language", ["/change_language"]),
        ("/human", ["/request_human"]),
        ("/delete", ["/delete_data"]),
        ("/start", [payload("greet")]),
        (
            "/start ar_sindelfingen",
            [
                payload("change_language", language="ar"),
                payload("greet", municipality="Sindelfingen"),
            ],
        ),
        ("/start boeblingen", [payload("greet", municipality="Böblingen")]),
        ('/start ar"}{', [payload("greet")]),
        # Not ours: the words are read, never an intent with entities.
        ('/inform{"municipality": "Aidlingen"}', ['inform{"municipality": "Aidlingen"}']),
        ("/", ["/help"]),
        ("  Hallo  ", ["  Hallo  "]),
    ],
)
def test_commands_and_deep_links_become_payloads(typed: str, texts: list[str]) -> None:
    assert texts_for(typed) == texts
    assert read_update(tg.text_update(CHAT, typed)).texts == tuple(texts)


@pytest.mark.parametrize(
    "content",
    [
        {"photo": PHOTO, "caption": "Was steht hier?"},
        {"voice": {"file_id": "v", "file_unique_id": "v1", "duration": 3}},
        {"location": {"latitude": 48.68, "longitude": 9.01}},
        {"contact": {"phone_number": "+4917012345", "first_name": "Amal"}},
    ],
    ids=["photo", "voice", "location", "contact"],
)
def test_what_is_not_text_gets_the_not_text_notice(content: dict) -> None:
    received = read_update(update_with("message", tg.message(CHAT, "ar", **content)))
    assert (received.chat, received.texts, received.notice) == (str(CHAT), (), "not_text")
    assert received.language_hint == "ar"


def test_an_edit_gets_the_edited_notice_and_is_not_read() -> None:
    message = tg.message(CHAT, "en", text="/delete")
    message["edit_date"] = int(time.time())
    received = read_update(update_with("edited_message", message))
    assert (received.chat, received.texts, received.notice) == (str(CHAT), (), "edited")


def test_a_button_is_confirmed_and_its_payload_read() -> None:
    data = tg.callback_update(CHAT, '/change_language{"language": "en"}', language_code="fa")
    received = read_update(data)
    assert received.callback_query_id == data["callback_query"]["id"]
    assert received.texts == ('/change_language{"language": "en"}',)
    assert (received.chat, received.language_hint) == (str(CHAT), "fa")


def test_a_stored_button_payload_is_looked_up_and_a_lost_one_asks_for_help() -> None:
    stored = {"k:abc": '/inform{"municipality": "Weil der Stadt"}'}
    assert read_update(tg.callback_update(CHAT, "k:abc"), stored.get).texts == (stored["k:abc"],)
    assert read_update(tg.callback_update(CHAT, "k:gone"), stored.get).texts == ("/help",)


def test_blocking_the_bot_is_reported_for_the_chat() -> None:
    member = {"user": tg.BOT_USER, "until_date": 0}
    data = update_with(
        "my_chat_member",
        {
            "chat": tg.private_chat(CHAT),
            "from": tg.user(CHAT),
            "date": int(time.time()),
            "old_chat_member": {**member, "status": "member"},
            "new_chat_member": {**member, "status": "kicked"},
        },
    )
    received = read_update(data)
    assert received.blocked and received.chat == str(CHAT) and not received.texts


def _group(kind: str) -> dict:
    message = tg.message(CHAT, "de", text="Hallo zusammen")
    message["chat"] = {"id": -CHAT, "title": "Deutschkurs", "type": kind}
    return update_with("message", message)


def _from_a_bot() -> dict:
    data = tg.text_update(CHAT, "Hallo")
    data["message"]["from"]["is_bot"] = True
    return data


def _group_button() -> dict:
    data = tg.callback_update(CHAT, "/help")
    data["callback_query"]["message"]["chat"] = {"id": -CHAT, "title": "G", "type": "group"}
    return data


@pytest.mark.parametrize(
    "data",
    [
        _group("group"),
        _group("supergroup"),
        _from_a_bot(),
        update_with("message", tg.message(CHAT, "de", new_chat_title="Neu")),
        update_with("inline_query", {"id": "q", "from": tg.user(CHAT), "query": "K", "offset": ""}),
        update_with("message_reaction_count", {"chat": tg.private_chat(CHAT), "message_id": 1}),
    ],
    ids=["group", "supergroup", "bot", "service message", "inline query", "unknown kind"],
)
def test_updates_not_meant_for_the_assistant_mean_nothing(data: dict) -> None:
    received = read_update(data)
    assert received.chat is None and not received.texts and received.notice is None
    assert received.ignored


def test_a_button_in_a_group_is_confirmed_but_not_read() -> None:
    received = read_update(_group_button())
    assert received.callback_query_id and received.chat is None and not received.texts


@pytest.mark.parametrize("data", [{"no_update_id": True}, {"update_id": "x", "message": 5}])
def test_unreadable_updates_are_none(data: dict) -> None:
    assert read_update(data) is None


def test_tuning_defaults_and_overrides_from_credentials() -> None:
    default = TelegramTuning.from_options(None)
    assert default == TelegramTuning()
    assert (default.flood_limit, default.messages_per_second, default.chat_burst) == (12, 30.0, 5)
    raised = TelegramTuning.from_options({"chat_burst": "40", "messages_per_second": 1000})
    assert (raised.chat_burst, raised.messages_per_second) == (40, 1000.0)
    assert raised.worker_options()["per_recipient_burst"] == 40
    # An entry without a value keeps the default; a typo stops the start.
    assert TelegramTuning.from_options({"flood_limit": None}).flood_limit == 12
    with pytest.raises(ValueError, match="flood_limt"):
        TelegramTuning.from_options({"flood_limt": 5})
    with pytest.raises(ValueError, match="Telegram"):
        TelegramTuning.from_options({"chat_burst": "many"})
