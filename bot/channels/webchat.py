"""The web chat channel: the chat page, the embeddable widget and its JSON API.

Registered in ``config/credentials.yml`` as ``bot.channels.webchat.WebChatInput:``.

Routes (Rasa mounts channel blueprints under ``/webhooks/<prefix>``; this
channel's prefix is ``/`` so that the chat page can live at ``/chat``):

- ``GET  /chat``                        the full-page chat
- ``GET  /webhooks/webchat/``           health check
- ``GET  /webhooks/webchat/webchat.js`` the widget (one ``<script>`` tag embeds it), with
  the languages served now and the widget's words in each of them put in by the
  server (:func:`widget_data`: ``widget.*`` of data/texts.yml through the
  catalogue's one fallback chain, so a language with installed models gets its
  prepared machine translation and the "automatically translated" line once)
- ``GET  /webhooks/webchat/webchat.css``
- ``GET  /webhooks/webchat/languages``  the languages served now, for the picker
- ``POST /webhooks/webchat/webhook``    ``{sender, message, message_id, metadata}`` -> bot messages
- ``POST /webhooks/webchat/history``    ``{sender}`` -> the conversation so far, with the
  coordination office's part (:mod:`bot.casework.conversation`) and ``office_last``
- ``POST /webhooks/webchat/updates``    ``{sender, after}`` -> the office's messages after the
  id ``after``: ``{"messages": [{id, text, time}], "last"}`` (the widget asks every few seconds)
- ``POST /webhooks/webchat/feedback``   ``{token, helpful, language}`` -> ``{"counted": bool}``:
  a "helpful / not helpful" vote on an answer whose reply carried ``feedback: {token}``
  (:mod:`bot.chatfigures.feedback`; no sender is sent or stored)

The sender id (``web-`` and 32 hex digits) is made at random by the browser
and is the only key to a conversation, so it is treated as a secret: it
travels in request bodies, never in URLs (which end up in access logs).
``message_id`` (optional, 24 hex digits, the same for every try of one
message) makes a retry safe: when the first try was handled but its reply
lost, the retry gets that reply instead of the message being handled twice.
"Delete my conversation" is the ordinary ``/delete_data`` message: the
assistant asks for confirmation and deletes; the reply that confirms the
deletion carries ``"conversation_deleted": true`` so the browser can forget
its id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import senders
from bot.channels.flood import FloodGuard
from bot.channels.http import BadRequest, error, json_body, parse_metadata
from bot.channels.relay_gate import get_office_messages, handled_by_office
from bot.chatfigures.feedback import TOKEN_PATTERN, answer_id_of, get_offers, get_recorder
from bot.texts import (
    MARKER_SIGN,
    SOURCE_LANGUAGES,
    get_catalogue,
    localized,
    machine_translation_marker,
    recording_machine_translation,
)

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"

MESSAGE_ID_PATTERN = re.compile(r"^[0-9a-f]{24}$")
#: How long a reply is kept for a retry of its message, and for how many messages.
REPLY_KEPT_SECONDS = 300
REPLIES_KEPT = 5000
#: Messages per conversation within the window before the server asks the
#: widget to wait (429). A person answering a form with buttons sends ~15 in
#: a minute at most; a script looping on one conversation is slowed down.
FLOOD_LIMIT = 20
FLOOD_WINDOW_SECONDS = 30.0
#: Longer messages are refused: nobody types this much into a chat, and the
#: NLU and translation would be slow on it.
MAX_MESSAGE_LENGTH = 2000
#: Request bodies above this size are refused before parsing.
MAX_BODY_BYTES = 16 * 1024
#: The history shows at most this many messages (the current session only).
MAX_HISTORY = 200

#: In webchat.js, where the server puts the widget's languages and texts (widget_data).
SCRIPT_DATA_SLOT = "/*@server-data*/ {}"

#: The response ``action_delete_user_data`` sends once everything is deleted.
DELETED_RESPONSE = "utter_data_deleted"

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}

# The chat page loads only its own script and style and talks only to us.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    content_type: str
    etag: str

    @classmethod
    def load(cls, name: str) -> StaticFile:
        return cls.of(name, (STATIC_DIR / name).read_bytes())

    @classmethod
    def of(cls, name: str, body: bytes) -> StaticFile:
        digest = hashlib.sha256(body).hexdigest()[:16]
        return cls(body, _CONTENT_TYPES[Path(name).suffix], f'"{digest}"')


def _static(
    request: Request, name: str, headers: dict[str, str], static: StaticFile | None = None
) -> HTTPResponse:
    # Read on every request: a few kilobytes, and an edited file shows at once.
    static = static or StaticFile.load(name)
    all_headers = {"ETag": static.etag, "X-Content-Type-Options": "nosniff", **headers}
    if request.headers.get("if-none-match") == static.etag:
        return response.empty(status=304, headers=all_headers)
    return response.raw(static.body, content_type=static.content_type, headers=all_headers)


def _error(status: int, message: str) -> HTTPResponse:
    return error(status, message)


def _json_body(request: Request) -> dict[str, Any]:
    return json_body(request, MAX_BODY_BYTES)


def parse_sender(body: dict[str, Any]) -> str:
    """The conversation id: only ids of the web chat's namespace (bot.senders)."""
    sender = body.get("sender")
    if not isinstance(sender, str) or not senders.is_webchat_sender(sender):
        raise BadRequest('"sender" must be "web-" followed by 32 lowercase hex digits.')
    return sender


def parse_message(body: dict[str, Any]) -> str:
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        raise BadRequest('"message" must be a non-empty text.')
    if len(message) > MAX_MESSAGE_LENGTH:
        raise BadRequest(f'"message" is too long (at most {MAX_MESSAGE_LENGTH} characters).')
    return message.strip()


def parse_after(body: dict[str, Any]) -> int:
    """The id of the last office message the widget has (0: none yet)."""
    after = body.get("after", 0)
    if after is None:
        return 0
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after < 2**63:
        raise BadRequest('"after" must be a whole number, 0 or more.')
    return after


def parse_vote(body: dict[str, Any]) -> tuple[str, bool, str | None]:
    """(token, helpful, language) of a feedback vote."""
    token = body.get("token")
    if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        raise BadRequest('"token" must be 16 lowercase hex digits.')
    helpful = body.get("helpful")
    if not isinstance(helpful, bool):
        raise BadRequest('"helpful" must be true or false.')
    language = body.get("language")
    if language is not None and (not isinstance(language, str) or len(language) > 16):
        raise BadRequest('"language" must be a language code.')
    return token, helpful, language


def parse_message_id(body: dict[str, Any]) -> str | None:
    message_id = body.get("message_id")
    if message_id is None:
        return None
    if not isinstance(message_id, str) or not MESSAGE_ID_PATTERN.match(message_id):
        raise BadRequest('"message_id" must be 24 lowercase hex digits.')
    return message_id


class RecentReplies:
    """The replies to the last messages, by (sender, message id), for retried requests.

    A retry that arrives while its first try is still being handled waits for
    that try's reply. Only successful replies are kept (in memory, a few
    minutes: bot texts, never what the user wrote).
    """

    def __init__(
        self,
        seconds: float = REPLY_KEPT_SECONDS,
        size: int = REPLIES_KEPT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds = seconds
        self._size = size
        self._clock = clock
        self._replies: OrderedDict[tuple[str, str], tuple[float, asyncio.Future]] = OrderedDict()

    def get(self, key: tuple[str, str]) -> asyncio.Future | None:
        entry = self._replies.get(key)
        if entry is None:
            return None
        if self._clock() - entry[0] > self._seconds:
            del self._replies[key]
            return None
        return entry[1]

    def start(self, key: tuple[str, str]) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._replies[key] = (self._clock(), future)
        while len(self._replies) > self._size:
            self._replies.popitem(last=False)
        return future

    def fail(self, key: tuple[str, str], future: asyncio.Future) -> None:
        """The try failed: a retry must handle the message again."""
        if self._replies.get(key, (0, None))[1] is future:
            del self._replies[key]
        if not future.done():
            future.set_result(None)


class WebChatOutput(CollectingOutputChannel):
    """Collects the replies and marks the one that confirms a deletion."""

    @classmethod
    def name(cls) -> str:
        return senders.WEBCHAT

    def __init__(self) -> None:
        super().__init__()
        self.deleted = False

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        deleted = message.get("utter_action") == DELETED_RESPONSE
        answer_id = answer_id_of(message)
        model_version = message.get("model_id")
        count = len(self.messages)
        await super().send_response(recipient_id, message)
        if answer_id and len(self.messages) > count:
            # The buttons go under the answer's last part (texts split at blank lines).
            token = get_offers().offer(answer_id, model_version)
            self.messages[-1]["feedback"] = {"token": token}
        if deleted:
            self.deleted = True
            for sent in self.messages[count:]:
                sent["conversation_deleted"] = True


def _buttons(event: BotUttered) -> list[dict[str, str]]:
    return [
        {"title": str(button.get("title")), "payload": str(button.get("payload"))}
        for button in (event.data or {}).get("buttons") or []
        if isinstance(button, dict)
    ]


def history_messages(
    events: list[Any], office: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """What the browser shows after a reload: the texts, and the open buttons.

    A clicked button was sent as its payload; it is shown as the button's
    title, as when it was clicked. Other commands (``/delete_data``, a
    language chosen in the picker) are not shown. Only the bot messages after
    the user's last message keep their buttons: older ones are answered.

    ``office``: the office's part of the conversation (its replies, and what
    the newcomer wrote while a coordinator held it; :mod:`bot.casework.conversation`),
    each with its ``time``; merged in by time.
    """
    shown: list[dict[str, Any]] = []
    offered: dict[str, str] = {}  # payload -> title, since the user's last message
    for event in events:
        time = float(getattr(event, "timestamp", 0) or 0)
        if isinstance(event, UserUttered):
            text = event.text or ""
            if text.startswith("/"):
                text = offered.get(text, "")
            # A hidden command still answers the questions before it.
            shown.append({"sender": "user", "text": text, "time": time})
            offered = {}
        elif isinstance(event, BotUttered):
            buttons = _buttons(event)
            offered.update({button["payload"]: button["title"] for button in buttons})
            if buttons:
                shown.append(
                    {"sender": "bot", "text": event.text or "", "buttons": buttons, "time": time}
                )
            elif event.text:
                # As the webhook sent it: Rasa's collecting channel splits
                # plain texts at blank lines into separate messages.
                for part in event.text.strip().split("\n\n"):
                    shown.append({"sender": "bot", "text": part, "buttons": [], "time": time})
    if office:
        # sorted() is stable: messages of the same moment keep their order.
        shown = sorted([*shown, *office], key=lambda message: message["time"])
    answered = max(
        (index for index, message in enumerate(shown) if message["sender"] == "user"), default=-1
    )
    result = []
    for index, message in enumerate(shown):
        message = {key: value for key, value in message.items() if key != "time"}
        if message["sender"] == "user":
            if message["text"]:
                result.append(message)
            continue
        if index < answered:
            message["buttons"] = []
        result.append(message)
    return result[-MAX_HISTORY:]


def _first_time(events: list[Any]) -> dt.datetime | None:
    """When the conversation's current session began (office messages before it are not shown)."""
    for event in events:
        timestamp = getattr(event, "timestamp", None)
        if timestamp:
            return dt.datetime.fromtimestamp(float(timestamp), dt.timezone.utc)
    return None


def widget_texts(language: str) -> tuple[dict[str, str], str | None]:
    """The widget's words in ``language`` (``widget.*`` of data/texts.yml, the catalogue's
    one fallback chain), and the "automatically translated" line if any is machine translated.
    """
    entries = get_catalogue().group("widget")
    with recording_machine_translation() as record:
        texts = {key: localized(entry, language) for key, entry in entries.items()}
    marker = f"{MARKER_SIGN} {machine_translation_marker(language)}" if record.used else None
    return texts, marker


def widget_data() -> dict[str, Any]:
    """What the widget needs from the server: languages, and its words in each of them."""
    try:
        languages = served_language_options()
    except Exception:  # noqa: BLE001 - the widget still works in the source languages
        logger.exception("Listing the served languages failed")
        languages = []
    texts: dict[str, dict[str, str]] = {}
    markers: dict[str, str] = {}
    for code in dict.fromkeys([*SOURCE_LANGUAGES, *(option["code"] for option in languages)]):
        texts[code], marker = widget_texts(code)
        if marker:
            markers[code] = marker
    return {"languages": languages, "texts": texts, "markers": markers}


def widget_script() -> StaticFile:
    """webchat.js with :func:`widget_data` in its slot (its ETag changes with the texts)."""
    source = (STATIC_DIR / "webchat.js").read_text(encoding="utf-8")
    data = json.dumps(widget_data(), ensure_ascii=False, separators=(",", ":"))
    # Valid JavaScript in any engine: JSON allows these two, old JavaScript did not.
    data = data.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if SCRIPT_DATA_SLOT not in source:
        raise RuntimeError(f"webchat.js has no {SCRIPT_DATA_SLOT} for the server's data")
    return StaticFile.of("webchat.js", source.replace(SCRIPT_DATA_SLOT, data, 1).encode("utf-8"))


def served_language_options() -> list[dict[str, Any]]:
    """The picker's languages: those served now, each in its own name."""
    from bot.languages import language_info
    from bot.translation.availability import served_languages

    options = []
    for code in served_languages():
        info = language_info(code)
        if info is not None:
            options.append({"code": code, "name": info.native_name, "rtl": info.rtl})
    return options


class WebChatInput(InputChannel):
    """The assistant's own web chat (see the module docstring for the routes)."""

    @classmethod
    def name(cls) -> str:
        return senders.WEBCHAT

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatInput:
        options = dict(credentials or {})
        return cls(
            flood_limit=int(options.get("flood_limit", FLOOD_LIMIT)),
            flood_window_seconds=float(options.get("flood_window_seconds", FLOOD_WINDOW_SECONDS)),
        )

    def __init__(
        self, flood_limit: int = FLOOD_LIMIT, flood_window_seconds: float = FLOOD_WINDOW_SECONDS
    ) -> None:
        # As for Telegram: a person types at most a few messages a minute; a
        # script that loops on one conversation must not take the server.
        self.flood = FloodGuard(flood_limit, flood_window_seconds)
        self.recent = RecentReplies()
        self._retry_after = str(max(1, round(flood_window_seconds / max(flood_limit, 1))))

    def url_prefix(self) -> str:
        # Rasa joins this onto "/webhooks/" with urljoin: an absolute path
        # replaces it, so the blueprint is mounted at the root and can serve
        # /chat itself; its other routes spell out /webhooks/webchat/.
        return "/"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("webchat", __name__)
        base = "/webhooks/webchat"

        @webchat.route("/chat", methods=["GET", "HEAD"])
        async def chat_page(request: Request) -> HTTPResponse:
            return _static(request, "chat.html", _PAGE_HEADERS)

        @webchat.route(f"{base}/", methods=["GET", "HEAD"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webchat.route(f"{base}/chat", methods=["GET", "HEAD"])
        async def chat_redirect(request: Request) -> HTTPResponse:
            return response.redirect("/chat")

        @webchat.route(f"{base}/webchat.js", methods=["GET", "HEAD"])
        async def script(request: Request) -> HTTPResponse:
            # Short caching: websites embed this URL, and a fix should reach
            # them within minutes; the ETag makes revalidation cheap.
            headers = {"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}
            return _static(request, "webchat.js", headers, widget_script())

        @webchat.route(f"{base}/webchat.css", methods=["GET", "HEAD"])
        async def style(request: Request) -> HTTPResponse:
            headers = {"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}
            return _static(request, "webchat.css", headers)

        @webchat.route(f"{base}/languages", methods=["GET", "HEAD"])
        async def languages(request: Request) -> HTTPResponse:
            try:
                options = served_language_options()
            except Exception:  # noqa: BLE001 - the widget has the native ones built in
                logger.exception("Listing the served languages failed")
                return _error(503, "The list of languages is not available right now.")
            return response.json(options, headers={"Cache-Control": "public, max-age=300"})

        @webchat.route(f"{base}/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = _json_body(request)
                sender = parse_sender(body)
                text = parse_message(body)
                message_id = parse_message_id(body)
                metadata = parse_metadata(body)
            except BadRequest as error:
                return _error(400, str(error))
            key = (sender, message_id) if message_id else None
            earlier = self.recent.get(key) if key else None
            if earlier is not None:
                # A retry of a message already handled (or being handled).
                messages = await asyncio.shield(earlier)
                if messages is not None:
                    return response.json(messages)
            if self.flood.check(sender) != "ok":
                # The widget waits and sends the message again; nothing is lost.
                reply = _error(429, "Too many messages at once. Please wait a moment.")
                reply.headers["Retry-After"] = self._retry_after
                return reply
            collector = WebChatOutput()
            pending = self.recent.start(key) if key else None
            try:
                if not await handled_by_office(sender, text, collector):
                    await on_new_message(
                        UserMessage(
                            text, collector, sender, input_channel=self.name(), metadata=metadata
                        )
                    )
            except asyncio.CancelledError:
                logger.error("Web chat: no answer in time for a message (%d chars)", len(text))
                if not collector.messages:
                    if pending is not None:
                        self.recent.fail(key, pending)
                    return _error(503, "The assistant did not answer in time. Please try again.")
            except Exception:  # noqa: BLE001 - the user gets a message, never a 500
                logger.exception("Web chat: handling a message failed")
                if not collector.messages:
                    if pending is not None:
                        self.recent.fail(key, pending)
                    return _error(503, "The assistant could not answer. Please try again.")
            if pending is not None and not pending.done():
                pending.set_result(collector.messages)
            return response.json(collector.messages)

        @webchat.route(f"{base}/history", methods=["POST"])
        async def history(request: Request) -> HTTPResponse:
            try:
                sender = parse_sender(_json_body(request))
            except BadRequest as error:
                return _error(400, str(error))
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or agent.tracker_store is None:
                return _error(503, "The assistant is starting. Please try again in a moment.")
            try:
                tracker = await agent.tracker_store.retrieve(sender)
            except Exception:  # noqa: BLE001
                logger.exception("Web chat: reading a conversation failed")
                return _error(503, "The conversation cannot be read right now.")
            events = list(tracker.events) if tracker is not None else []
            since = _first_time(events)
            try:
                office, last = await asyncio.to_thread(get_office_messages().history, sender, since)
            except Exception:  # noqa: BLE001 - the assistant's part still shows
                logger.exception("Web chat: reading the office's messages failed")
                office, last = [], None
            body: dict[str, Any] = {"messages": history_messages(events, office)}
            if last is not None:
                body["office_last"] = last
            return response.json(body)

        @webchat.route(f"{base}/feedback", methods=["POST"])
        async def feedback(request: Request) -> HTTPResponse:
            # Stored without the sender: the token says which answer, nothing says who.
            try:
                token, helpful, language = parse_vote(_json_body(request))
            except BadRequest as error:
                return _error(400, str(error))
            try:
                counted = await asyncio.to_thread(get_recorder().vote, token, language, helpful)
            except Exception:  # noqa: BLE001 - the widget says it could not be saved
                logger.exception("Web chat: storing a feedback vote failed")
                return _error(503, "The feedback could not be saved. Please try again.")
            return response.json({"counted": counted})

        @webchat.route(f"{base}/updates", methods=["POST"])
        async def updates(request: Request) -> HTTPResponse:
            # The widget asks every few seconds while the page is open: cheap, and
            # outside the flood guard, which counts what a person writes.
            try:
                body = _json_body(request)
                sender = parse_sender(body)
                after = parse_after(body)
            except BadRequest as error:
                return _error(400, str(error))
            try:
                found = await asyncio.to_thread(get_office_messages().updates, sender, after)
            except Exception:  # noqa: BLE001 - the widget asks again
                logger.exception("Web chat: reading the office's messages failed")
                return _error(503, "The office's messages cannot be read right now.")
            return response.json({"messages": found.messages, "last": found.last})

        return webchat
