"""The web chat channel over HTTP, against the real Rasa server and action server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.browser.webchat_server import running_webchat_assistant
from tests.e2e.support import LEAK_MARKERS, is_response
from tests.helpers.held_conversation import hold_conversation
from tests.helpers.services import RunningAssistant

pytestmark = pytest.mark.model

API = "/webhooks/webchat"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def request(
    base_url: str,
    path: str,
    body: bytes | dict | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> Reply:
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    req = urllib.request.Request(
        base_url + path,
        data=data,
        headers={"Content-Type": "application/json", **(headers or {})},
        method=method,
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=60) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read())


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    with running_webchat_assistant(tmp_path_factory.mktemp("webchat")) as running:
        yield running


@pytest.fixture
def sender() -> str:
    return f"web-{uuid.uuid4().hex}"


def say(assistant: RunningAssistant, sender: str, text: str, **metadata: str) -> list[dict]:
    body = {"sender": sender, "message": text, "metadata": metadata}
    reply = request(assistant.base_url, f"{API}/webhook", body)
    assert reply.status == 200, reply.body[:300]
    return reply.json()


def history(assistant: RunningAssistant, sender: str) -> list[dict]:
    reply = request(assistant.base_url, f"{API}/history", {"sender": sender})
    assert reply.status == 200, reply.body[:300]
    return reply.json()["messages"]


def test_the_chat_page_is_served_at_chat(assistant: RunningAssistant) -> None:
    reply = request(assistant.base_url, "/chat")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    page = reply.body.decode("utf-8")
    assert '<script src="/webhooks/webchat/webchat.js"' in page
    assert "webchat.css" in page
    # The page may load nothing from elsewhere (no fonts, no CDNs).
    assert "default-src 'none'" in reply.headers["Content-Security-Policy"]
    assert "https://" not in page

    old_address = request(assistant.base_url, f"{API}/chat")
    assert old_address.status in (301, 302, 303, 307, 308)
    assert old_address.headers["Location"] == "/chat"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("webchat.js", "text/javascript; charset=utf-8"), ("webchat.css", "text/css; charset=utf-8")],
)
def test_widget_files_have_their_types_and_can_be_cached(
    assistant: RunningAssistant, name: str, content_type: str
) -> None:
    reply = request(assistant.base_url, f"{API}/{name}")
    assert reply.status == 200
    assert reply.headers["content-type"] == content_type
    assert "max-age=" in reply.headers["Cache-Control"]
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert b"https://fonts" not in reply.body and b"cdn" not in reply.body.lower()

    again = request(
        assistant.base_url, f"{API}/{name}", headers={"If-None-Match": reply.headers["ETag"]}
    )
    assert again.status == 304
    assert again.body == b""


def served_data(script: bytes) -> dict:
    """What the server put into webchat.js (``var SERVED = {...};``)."""
    text = script.decode("utf-8")
    start = text.index("var SERVED = ") + len("var SERVED = ")
    return json.loads(text[start : text.index(";\n", start)])


def test_the_widgets_words_come_from_the_catalogue(assistant: RunningAssistant) -> None:
    from bot.channels.webchat import STATIC_DIR
    from bot.texts import get_catalogue

    widget = get_catalogue().group("widget")
    served = served_data(request(assistant.base_url, f"{API}/webchat.js").body)
    native = ["de", "en", "ar", "uk", "tr", "fa", "ru"]
    assert [entry["code"] for entry in served["languages"]][:7] == native
    for language in native:
        assert served["texts"][language] == {key: texts[language] for key, texts in widget.items()}
    assert served["markers"] == {}, "curated words carry no machine translation marker"
    # The script itself holds none of them: data/texts.yml is the one place.
    source = (STATIC_DIR / "webchat.js").read_text(encoding="utf-8")
    for texts in widget.values():
        for text in texts.values():
            assert f'"{text}"' not in source, text


def test_languages_for_the_picker_include_the_native_ones(assistant: RunningAssistant) -> None:
    reply = request(assistant.base_url, f"{API}/languages")
    assert reply.status == 200
    languages = {entry["code"]: entry for entry in reply.json()}
    assert {"de", "en", "ar", "uk", "tr", "fa", "ru"} <= set(languages)
    assert languages["ar"]["name"] == "العربية" and languages["ar"]["rtl"] is True
    assert languages["fa"]["rtl"] is True and languages["de"]["rtl"] is False


def test_a_message_gets_the_assistants_replies_with_buttons(
    assistant: RunningAssistant, sender: str
) -> None:
    messages = say(assistant, sender, "Hallo")
    assert any(is_response(message, "utter_greet", "de") for message in messages), messages
    buttons = [button for message in messages for button in message.get("buttons") or []]
    assert buttons, "the greeting offers topics as buttons"
    assert all(set(button) >= {"title", "payload"} for button in buttons)
    assert {message["recipient_id"] for message in messages} == {sender}


def test_the_language_hint_of_the_browser_is_honoured(
    assistant: RunningAssistant, sender: str
) -> None:
    messages = say(assistant, sender, "/greet", language_hint="ar-SY")
    assert any(is_response(message, "utter_greet", "ar") for message in messages), messages


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b"not json", "must be JSON"),
        (b"[1, 2]", "JSON object"),
        ({"message": "Hallo"}, '"sender"'),
        ({"sender": "web-123", "message": "Hallo"}, '"sender"'),
        ({"sender": "tg-12345", "message": "Hallo"}, '"sender"'),
        ({"sender": f"web-{'A' * 32}", "message": "Hallo"}, '"sender"'),
        ({"sender": f"web-{'a' * 32}"}, '"message"'),
        ({"sender": f"web-{'a' * 32}", "message": "   "}, '"message"'),
        ({"sender": f"web-{'a' * 32}", "message": 42}, '"message"'),
        ({"sender": f"web-{'a' * 32}", "message": "x" * 2001}, "too long"),
        ({"sender": f"web-{'a' * 32}", "message": "Hallo", "metadata": "ar"}, '"metadata"'),
        ({"sender": f"web-{'a' * 32}", "message": "Hallo", "message_id": "1"}, '"message_id"'),
        (
            {"sender": f"web-{'a' * 32}", "message": "Hallo", "metadata": {"language_hint": 7}},
            "language_hint",
        ),
        (b'{"sender": "web-' + b"a" * 32 + b'", "message": "' + b"x" * 20000 + b'"}', "too large"),
    ],
)
def test_bad_input_gets_a_400_that_says_what_is_wrong(
    assistant: RunningAssistant, body: bytes | dict, complaint: str
) -> None:
    reply = request(assistant.base_url, f"{API}/webhook", body)
    assert reply.status == 400, reply.body[:300]
    error = reply.json()["error"]
    assert complaint in error
    for marker in LEAK_MARKERS:
        assert marker not in error


def test_history_has_bad_sender_protection_too(assistant: RunningAssistant) -> None:
    reply = request(assistant.base_url, f"{API}/history", {"sender": "someone-else"})
    assert reply.status == 400
    assert '"sender"' in reply.json()["error"]


def test_a_wrong_method_is_refused_without_a_server_error(assistant: RunningAssistant) -> None:
    reply = request(assistant.base_url, f"{API}/webhook", method="GET")
    assert reply.status == 405


def test_a_flood_from_one_conversation_is_slowed_down_not_lost(
    assistant: RunningAssistant, sender: str
) -> None:
    from bot.channels.webchat import FLOOD_LIMIT

    # The default limit per conversation (config/credentials.yml may change it).
    for _ in range(FLOOD_LIMIT):
        say(assistant, sender, "danke")
    refused = request(assistant.base_url, f"{API}/webhook", {"sender": sender, "message": "danke"})
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "wait" in refused.json()["error"]

    # Other conversations go on; the refused message was not processed.
    other = f"web-{uuid.uuid4().hex}"
    assert say(assistant, other, "Hallo")
    assert [m["text"] for m in history(assistant, sender) if m["sender"] == "user"] == [
        "danke"
    ] * FLOOD_LIMIT


def test_a_retried_message_is_answered_once(assistant: RunningAssistant, sender: str) -> None:
    # The first try was handled but its reply lost; the widget sends it again.
    body = {"sender": sender, "message": "Ich suche einen Deutschkurs", "message_id": "ab" * 12}
    first = request(assistant.base_url, f"{API}/webhook", body)
    retry = request(assistant.base_url, f"{API}/webhook", body)

    assert first.status == retry.status == 200
    assert retry.json() == first.json() and first.json()
    users = [m["text"] for m in history(assistant, sender) if m["sender"] == "user"]
    assert users == ["Ich suche einen Deutschkurs"]

    # A new message (another id) with the same words is a new message.
    again = request(assistant.base_url, f"{API}/webhook", {**body, "message_id": "cd" * 12})
    assert again.status == 200
    users = [m["text"] for m in history(assistant, sender) if m["sender"] == "user"]
    assert users == ["Ich suche einen Deutschkurs"] * 2


def test_a_retry_sent_while_the_first_try_runs_waits_for_its_reply(
    assistant: RunningAssistant, sender: str
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    body = {"sender": sender, "message": "Ich brauche einen Dolmetscher", "message_id": "ef" * 12}
    with ThreadPoolExecutor(3) as pool:
        replies = list(
            pool.map(lambda _: request(assistant.base_url, f"{API}/webhook", body), range(3))
        )

    assert [reply.status for reply in replies] == [200, 200, 200]
    assert replies[0].json() == replies[1].json() == replies[2].json()
    users = [m["text"] for m in history(assistant, sender) if m["sender"] == "user"]
    assert users == ["Ich brauche einen Dolmetscher"]


def test_history_shows_the_conversation_so_far(assistant: RunningAssistant, sender: str) -> None:
    assert history(assistant, sender) == [], "a new sender has no history"

    greeting = say(assistant, sender, "Hallo")
    topics = next(message for message in greeting if message.get("buttons"))
    interpreter = next(b for b in topics["buttons"] if b["payload"] == "/request_interpreter")
    question = say(assistant, sender, interpreter["payload"])

    shown = history(assistant, sender)
    assert [m["text"] for m in shown if m["sender"] == "user"] == [
        "Hallo",
        interpreter["title"],  # a clicked button shows as its title, as in the browser
    ]
    bot_texts = [m["text"] for m in shown if m["sender"] == "bot"]
    assert bot_texts == [m["text"] for m in greeting + question if m.get("text")]
    # Answered questions lose their buttons; the open question keeps them.
    assert shown[-1]["sender"] == "bot"
    assert shown[-1]["buttons"] == (question[-1].get("buttons") or [])
    assert all(not m.get("buttons") for m in shown[:-1] if m["sender"] == "bot")


def test_delete_my_conversation_runs_the_deletion_flow(
    assistant: RunningAssistant, sender: str
) -> None:
    say(assistant, sender, "Ich brauche einen Dolmetscher für einen Termin beim Arzt")
    assert history(assistant, sender)

    question = say(assistant, sender, "/delete_data")
    assert is_response(question[-1], "utter_confirm_delete", "de"), question
    assert {b["payload"] for b in question[-1]["buttons"]} >= {"/affirm", "/deny"}
    assert not any(message.get("conversation_deleted") for message in question)

    done = say(assistant, sender, "/affirm")
    assert any(is_response(message, "utter_data_deleted", "de") for message in done), done
    assert any(message.get("conversation_deleted") for message in done)

    remaining = history(assistant, sender)
    assert all(m["sender"] == "bot" for m in remaining), remaining
    assert "Dolmetscher" not in json.dumps(remaining, ensure_ascii=False)


def test_keeping_the_conversation_is_not_marked_as_deleted(
    assistant: RunningAssistant, sender: str
) -> None:
    say(assistant, sender, "Hallo")
    question = say(assistant, sender, "/delete_data")
    no = next(b for b in question[-1]["buttons"] if b["payload"] == "/deny")
    kept = say(assistant, sender, no["payload"])
    assert any(is_response(message, "utter_delete_cancelled", "de") for message in kept), kept
    assert not any(message.get("conversation_deleted") for message in kept)
    user_texts = [m["text"] for m in history(assistant, sender) if m["sender"] == "user"]
    assert user_texts == ["Hallo", no["title"]]


# -- the coordination office in the web chat --------------------------------------------


def office_hold(
    assistant: RunningAssistant, sender: str, language: str = "de", channel: str = "webchat"
):
    return hold_conversation(assistant.settings.database_url, sender, language, channel)


def updates(assistant: RunningAssistant, sender: str, after: int) -> dict:
    reply = request(assistant.base_url, f"{API}/updates", {"sender": sender, "after": after})
    assert reply.status == 200, reply.body[:300]
    return reply.json()


def test_an_office_reply_reaches_the_page_once_and_stays_after_a_reload(
    assistant: RunningAssistant, sender: str
) -> None:
    say(assistant, sender, "Hallo")
    work, anna, reference = office_hold(assistant, sender)
    termin = "Ihr Termin ist am Montag um 9 Uhr."
    work.reply(reference, anna, termin, termin, "de", False)

    fetched = updates(assistant, sender, 0)
    again = updates(assistant, sender, fetched["last"])

    texts = [message["text"] for message in fetched["messages"]]
    assert len(texts) == 2 and "Ihr Termin ist am Montag um 9 Uhr." in texts[-1]
    assert again == {"messages": [], "last": fetched["last"]}, "never shown twice"
    assert all(e.delivery == "sent" for e in work.case(reference).entries if e.delivery)
    assert updates(assistant, f"web-{uuid.uuid4().hex}", 0)["messages"] == []

    reloaded = request(assistant.base_url, f"{API}/history", {"sender": sender}).json()
    shown = reloaded["messages"]
    assert shown[0] == {"sender": "user", "text": "Hallo"}
    office = [message for message in shown if message.get("office")]
    assert [message["text"] for message in office] == texts, "after the assistant's greeting"
    assert reloaded["office_last"] == fetched["last"]
    work.close()


def test_while_the_office_holds_the_conversation_messages_go_there(
    assistant: RunningAssistant, sender: str
) -> None:
    from bot.texts import text as catalogue_text

    say(assistant, sender, "Hallo")
    work, _anna, reference = office_hold(assistant, sender, language="en")

    (passed_on,) = say(assistant, sender, "When exactly is my appointment?")
    assert say(assistant, sender, "Thank you") == [], "said once per hold"

    assert passed_on["text"] == catalogue_text("relay.passed_on", "en", reference=reference)
    (back_button,) = passed_on["buttons"]
    written = [e.text for e in work.case(reference).entries if e.kind == "newcomer"]
    assert written == ["When exactly is my appointment?", "Thank you"]
    assert [m["text"] for m in history(assistant, sender) if m["sender"] == "user"] == [
        "Hallo", "When exactly is my appointment?", "Thank you",
    ]  # fmt: skip

    (back,) = say(assistant, sender, back_button["payload"])
    assert back["text"] == catalogue_text("relay.back", "en", reference=reference)
    assert not work.case(reference).held
    answer = say(assistant, sender, "Hallo")
    assert answer and all(m.get("text") != passed_on["text"] for m in answer), "the assistant"
    work.close()


def test_updates_keep_the_sender_secret_and_check_it(assistant: RunningAssistant) -> None:
    bad = request(assistant.base_url, f"{API}/updates", {"sender": "someone-else", "after": 0})
    assert bad.status == 400 and '"sender"' in bad.json()["error"]
    negative = request(
        assistant.base_url, f"{API}/updates", {"sender": f"web-{uuid.uuid4().hex}", "after": -1}
    )
    assert negative.status == 400 and '"after"' in negative.json()["error"]


def test_the_rest_channel_passes_a_held_conversation_on_too(assistant: RunningAssistant) -> None:
    from bot.texts import text as catalogue_text

    sender = f"rest-{uuid.uuid4().hex[:12]}"
    assistant.send(sender, "Hallo")
    work, _anna, reference = office_hold(assistant, sender, channel="rest")

    assert assistant.texts(sender, "Noch eine Frage") == [
        catalogue_text("relay.passed_on", "de", reference=reference)
    ]
    assert work.case(reference).entries[-1].text == "Noch eine Frage"
    work.close()
