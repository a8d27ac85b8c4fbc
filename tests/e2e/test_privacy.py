"""Deleting a user's data, and no message texts in the servers' log."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from bot.store import RequestStore
from tests.e2e.support import (
    Chat,
    assert_asks,
    assert_says,
    fill_interpreter_form,
    interpreter_answers,
    requests_of,
    stored_events,
)
from tests.helpers.services import RunningAssistant

pytestmark = pytest.mark.model


def user_texts(rows: list[str]) -> list[str]:
    return [json.loads(data).get("text") or "" for data in rows]


def test_delete_my_data_removes_requests_and_conversation(
    assistant: RunningAssistant, chat: Chat, store: RequestStore
) -> None:
    marker = f"thanks-{uuid.uuid4().hex[:10]}"
    sent = [
        "I would like to have my nursing degree recognised in Germany",
        "yes",
        "yes",
        "nurse.newcomer@example.com",
    ]
    for text in sent:
        messages = chat.say(text)
    assert_asks(messages, "utter_handoff_confirmed", "en", sent[-1])
    sent += ["Hello", f"Thank you very much {marker}"]
    chat.say("Hello")
    chat.say(f"Thank you very much {marker}")
    assert requests_of(store, chat.sender), "the referral was not stored"
    before = stored_events(assistant.settings.database_url, chat.sender)
    assert any(marker in data for data in before), "the conversation was not stored"

    assert_asks(chat.say("delete my data"), "utter_confirm_delete", "en", "delete my data")
    assert_asks(chat.say("yes"), "utter_data_deleted", "en", "yes")

    assert requests_of(store, chat.sender) == []
    after = stored_events(assistant.settings.database_url, chat.sender)
    remaining = user_texts(after)
    for text in sent:
        assert text not in remaining, f"{text!r} is still in the events table"
    assert not any(marker in data for data in after)
    assert not any("nurse.newcomer@example.com" in data for data in after)

    # The conversation goes on, and the deleted messages do not come back.
    assert_says(chat.say("Hello"), "utter_greet", "en", "Hello")
    later = stored_events(assistant.settings.database_url, chat.sender)
    assert not any(marker in data for data in later)


def test_no_message_text_in_the_servers_log(assistant: RunningAssistant, chat: Chat) -> None:
    marker = f"Zebrastreifen{uuid.uuid4().hex[:10]}"
    chat.say(f"Hallo {marker}")
    chat.say(marker)  # not understood: the fallback path
    answers = interpreter_answers("de")
    answers["appointment_place"] = f"Praxis {marker}, Bahnhofstraße 1"
    answers["description"] = f"Termin wegen {marker}"
    fill_interpreter_form(chat, "de", answers=answers)
    chat.say(f"Ich möchte mit einem Menschen sprechen {marker}")
    chat.say("Stopp")
    time.sleep(0.5)  # let both servers write their last lines

    log = assistant.log_path.read_text(encoding="utf-8", errors="replace")
    leaks = [line for line in log.splitlines() if marker in line]
    assert not leaks, "user text in the log:\n" + "\n".join(leaks[:5])


def test_stored_request_does_not_leak_into_the_log_either(
    assistant: RunningAssistant, chat: Chat
) -> None:
    # Eight digits after 0151: a German mobile number libphonenumber accepts.
    digits = f"{uuid.uuid4().int % 10**8:08d}"
    answer = f"Telefon 0151 {digits}"
    messages = fill_interpreter_form(chat, "de", answers={"contact": answer})
    assert_asks(messages, "utter_handoff_confirmed", "de")
    time.sleep(0.5)
    log = assistant.log_path.read_text(encoding="utf-8", errors="replace")
    # Neither as written nor normalised (E.164).
    assert f"0151 {digits}" not in log
    assert f"0151{digits}" not in log
    assert f"+49151{digits}" not in log


def listening_addresses(port: int) -> set[str]:
    """The local addresses sockets listen on at ``port`` (Linux: /proc/net/tcp, tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_the_action_server_listens_on_loopback_only(assistant: RunningAssistant) -> None:
    # It runs any action for any conversation it is sent (delete the data,
    # store a request): only the Rasa server on the same host may reach it.
    assert listening_addresses(assistant.settings.action_port) == {"0100007F"}  # 127.0.0.1
