"""The REST channel lets nobody act as someone else (bot/channels/rest.py).

Through the running assistant of the e2e tests: config/credentials.yml, the
REST channel on with a token (tests/helpers/services.py), the web chat next to
it. A web chat conversation with an interpreter request waiting for
confirmation (its summary holds the appointment, the place and the phone
number) is attacked over REST; it must stay as it was.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

import pytest

from tests.e2e.support import (
    assert_says,
    fill_interpreter_form,
    is_response,
    post_message,
    stored_events,
)
from tests.helpers.services import RunningAssistant

pytestmark = pytest.mark.model

#: What an attacker would send: "change something" shows the whole summary, the others act.
ATTACKS = ["Etwas ändern", "/deny", "ja", "/affirm", "/delete_data"]


@dataclass
class WebChat:
    """A conversation through the web chat channel (the browser's side of it)."""

    base_url: str
    sender: str = field(default_factory=lambda: f"web-{uuid.uuid4().hex}")

    def say(self, text: str) -> list[dict]:
        request = urllib.request.Request(
            f"{self.base_url}/webhooks/webchat/webhook",
            data=json.dumps({"sender": self.sender, "message": text}).encode("utf-8"),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read().decode("utf-8"))


def events(assistant: RunningAssistant, sender: str) -> list[str]:
    return stored_events(assistant.settings.database_url, sender)


def test_a_web_chat_conversation_cannot_be_continued_over_rest(
    assistant: RunningAssistant,
) -> None:
    web = WebChat(assistant.base_url)
    summary = fill_interpreter_form(web, "de", until="interpreter_confirmed")
    # The summary an attacker would see holds the phone number (+49 1512 3456789).
    assert "3456789" in summary[-1]["text"]
    before = events(assistant, web.sender)

    token = assistant.settings.rest_token
    for sender in (web.sender, web.sender.upper(), web.sender.replace("web-", "Web-")):
        for text in ATTACKS:
            status, body = post_message(assistant.base_url, sender, text, token=token)
            assert status == 403, (sender, text, body[:300])
            assert "webchat" in json.loads(body)["error"] and "3456789" not in body
    assert events(assistant, web.sender) == before, "the conversation was touched"

    # Its owner goes on where they were: the request still waits for their confirmation.
    assert_says(web.say("ja"), "utter_handoff_confirmed", "de", "ja")


def test_a_telegram_conversation_id_is_refused_and_nothing_is_stored(
    assistant: RunningAssistant,
) -> None:
    sender = f"tg-{uuid.uuid4().int % 10**9}"
    token = assistant.settings.rest_token
    for text in ["Hallo", "/delete_data", "Ich brauche einen Dolmetscher"]:
        status, body = post_message(assistant.base_url, sender, text, token=token)
        assert status == 403, body[:300]
        assert "telegram" in json.loads(body)["error"]
    assert events(assistant, sender) == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": "Basic d2VsY29tZTp3ZWxjb21l"},
        {"Authorization": "Bearer"},
    ],
    ids=["none", "wrong", "basic", "empty"],
)
def test_without_the_token_nothing_is_read(assistant: RunningAssistant, headers: dict) -> None:
    # From loopback, too: a token that is set is always required.
    sender = f"e2e-{uuid.uuid4().hex[:12]}"
    status, body = post_message(assistant.base_url, sender, "Hallo", headers=headers)
    assert status == 401, body[:300]
    assert "token" in json.loads(body)["error"]
    assert events(assistant, sender) == []


def test_with_the_token_a_rest_conversation_works_and_stays_rest(
    assistant: RunningAssistant,
) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:12]}"
    request = urllib.request.Request(
        f"{assistant.base_url}/webhooks/rest/webhook",
        data=json.dumps(
            {
                "sender": sender,
                "message": "/greet",
                # Rasa's own channel would record these as given.
                "input_channel": "telegram",
                "metadata": {"language_hint": "ar", "telegram_chat": 42},
            }
        ).encode("utf-8"),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {assistant.settings.rest_token}",
        },
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        replies = json.loads(response.read().decode("utf-8"))
    assert any(is_response(reply, "utter_greet", "ar") for reply in replies), replies

    user = [json.loads(row) for row in events(assistant, sender)]
    user = [event for event in user if event.get("event") == "user"]
    assert [event["input_channel"] for event in user] == ["rest"]
    # Rasa adds its own keys (model_id, assistant_id); of the client's, only the hint is kept.
    assert user[0]["metadata"]["language_hint"] == "ar"
    assert "telegram_chat" not in user[0]["metadata"]


@pytest.mark.parametrize("sender", ["", "has space", "x" * 129, "../etc", 42, None], ids=str)
def test_a_malformed_conversation_id_gets_400(assistant: RunningAssistant, sender) -> None:
    request = urllib.request.Request(
        f"{assistant.base_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": "Hallo"}).encode("utf-8"),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {assistant.settings.rest_token}",
        },
    )
    try:
        urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as error:
        assert error.code == 400
        assert '"sender"' in json.loads(error.read())["error"]
    else:
        pytest.fail(f"sender {sender!r} was accepted")
