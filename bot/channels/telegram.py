"""The Telegram channel, built on python-telegram-bot (Rasa's own one is broken in 3.6.21).

Registered in ``config/credentials.yml`` as ``bot.channels.telegram.TelegramInput:``.
Settings come from the environment (:func:`bot.settings.get_settings`):
``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_WEBHOOK_URL``, ``TELEGRAM_SECRET_TOKEN``,
``TELEGRAM_API_BASE_URL``. The credentials entry may tune the numbers below
(flood limits, retry timing) and holds no secrets.

Routes (under ``/webhooks/telegram``):

- ``GET  /``         health: ``{"status": "ok" | "off", "mode": "webhook" | "polling"}``
- ``POST /webhook``  updates from Telegram (webhook mode) or from ``welcome telegram poll``

Modes:

- No token: nothing is set up; the routes answer "off".
- Token and ``TELEGRAM_WEBHOOK_URL``: at start-up ``setWebhook(url, secret_token)``.
  A webhook without ``TELEGRAM_SECRET_TOKEN`` is refused (anyone could post
  updates to it), and every request is rejected.
- Token only: ``welcome telegram poll`` fetches updates with ``getUpdates`` and
  posts them here with a secret derived from the token.

Every request without the right ``X-Telegram-Bot-Api-Secret-Token`` gets 403
and is not read. Everything else gets 200 whatever happens while handling it
(Telegram would otherwise send the same update again and again); unreadable
JSON gets 400.

Replies never go straight to Telegram: they are written to the outbox
(:mod:`bot.outbox`) before Rasa's turn ends and sent by a worker that
retries until Telegram accepts them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import CallbackQuery, ChatMemberUpdated, Message, Update, User
from telegram.error import TelegramError

from bot.channels.flood import FloodGuard
from bot.language import choose_reply_language
from bot.outbox import DeliveryWorker, Outbox
from bot.outbox.telegram import (
    CALLBACK_KEY_PREFIX,
    CHANNEL,
    TelegramSender,
    close_bot,
    make_bot,
    message_payloads,
    redact,
    webhook_secret,
)
from bot.settings import Settings, get_settings
from bot.texts import marked_text
from bot.translation.availability import served_languages
from bot.vocabulary import payload

logger = logging.getLogger(__name__)

SENDER_PREFIX = "tg-"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

#: Telegram commands -> the payloads the assistant understands (see the brief's mapping).
COMMANDS = {
    "help": "/help",
    "language": "/change_language",
    "human": "/request_human",
    "delete": "/delete_data",
}

# Deep-link parameters (t.me/<bot>?start=ar_sindelfingen) may only use these characters.
_START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

_off_logged = False


def explanation(key: str, language: str | None) -> str:
    """A notice the channel sends itself ("I can only read text"), from data/texts.yml."""
    return marked_text(f"notice.{key}", language)


def sender_id(chat_id: int | str) -> str:
    return f"{SENDER_PREFIX}{chat_id}"


def recipient_of(sender: str) -> str:
    return sender[len(SENDER_PREFIX) :] if sender.startswith(SENDER_PREFIX) else sender


class TelegramOutput(OutputChannel):
    """Writes the bot's messages to the outbox (committed before returning) and wakes the worker."""

    def __init__(self, outbox: Outbox, wake: Callable[[], None]) -> None:
        self.outbox = outbox
        self._wake = wake

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def enqueue(self, recipient_id: str, payloads: list[dict[str, Any]]) -> None:
        if payloads:
            self.outbox.enqueue(CHANNEL, recipient_of(recipient_id), payloads)
            self._wake()

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.enqueue(recipient_id, message_payloads(text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self.enqueue(recipient_id, message_payloads(text, buttons, self.outbox.callback_key))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        self.enqueue(recipient_id, message_payloads(image))

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        self.enqueue(recipient_id, message_payloads(str(attachment)))

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        # Rasa's default would send the raw JSON as text; a user should never see that.
        text = json_message.get("text") if isinstance(json_message, dict) else None
        buttons = json_message.get("buttons") if isinstance(json_message, dict) else None
        if text or buttons:
            self.enqueue(
                recipient_id, message_payloads(text, buttons or [], self.outbox.callback_key)
            )
        else:
            logger.debug("Telegram: custom message without text not sent")


class TelegramInput(InputChannel):
    """Telegram updates in, outbox out."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        options = dict(credentials or {})
        return cls(
            get_settings(),
            flood_limit=int(options.get("flood_limit", 12)),
            flood_window_seconds=float(options.get("flood_window_seconds", 30)),
            retry_base_seconds=float(options.get("retry_base_seconds", 2)),
            retry_max_seconds=float(options.get("retry_max_seconds", 300)),
            poll_seconds=float(options.get("poll_seconds", 5)),
            messages_per_second=float(options.get("messages_per_second", 30)),
            chat_messages_per_second=float(options.get("chat_messages_per_second", 1)),
            chat_burst=int(options.get("chat_burst", 5)),
        )

    def __init__(
        self,
        settings: Settings,
        *,
        flood_limit: int = 12,
        flood_window_seconds: float = 30,
        retry_base_seconds: float = 2,
        retry_max_seconds: float = 300,
        poll_seconds: float = 5,
        messages_per_second: float = 30,
        chat_messages_per_second: float = 1,
        chat_burst: int = 5,
    ) -> None:
        """Flood and retry settings as in ``config/credentials.yml``.

        The pacing defaults are Telegram's limits for bots: about 30 messages
        per second in all, and one per second in a chat after a short burst.
        A bot with paid broadcasts may send more; the load benchmark lifts
        them to measure the assistant rather than Telegram's limit.
        """
        self.settings = settings
        self.token = settings.telegram_bot_token
        self.secret = webhook_secret(settings)
        self.flood = FloodGuard(flood_limit, flood_window_seconds)
        self.outbox = Outbox(settings.database_url)
        self._worker_options = {
            "retry_base_seconds": retry_base_seconds,
            "retry_max_seconds": retry_max_seconds,
            "poll_seconds": poll_seconds,
            "global_rate": messages_per_second,
            "per_recipient_rate": chat_messages_per_second,
            "per_recipient_burst": chat_burst,
        }
        self.bot = None
        self.worker: DeliveryWorker | None = None
        self._seen_updates: OrderedDict[int, None] = OrderedDict()
        self._background: set[asyncio.Task] = set()

    @property
    def mode(self) -> str:
        if not self.token:
            return "off"
        return "webhook" if self.settings.telegram_webhook_url else "polling"

    def get_output_channel(self) -> OutputChannel | None:
        """For messages Rasa sends on its own (e.g. through its API)."""
        return self._output() if self.token else None

    def _output(self) -> TelegramOutput:
        return TelegramOutput(self.outbox, self._wake)

    def _wake(self) -> None:
        if self.worker is not None:
            self.worker.wake()

    # -- start and stop ---------------------------------------------------------------

    async def start(self) -> None:
        """Bot, delivery worker (pending messages from before a restart go first), webhook."""
        if not self.token or self.worker is not None:
            return
        self.bot = make_bot(self.token, self.settings.telegram_api_base_url)
        self.worker = DeliveryWorker(
            self.outbox, CHANNEL, TelegramSender(self.bot), **self._worker_options
        )
        self.worker.start()
        if self.settings.telegram_webhook_url:
            if self.secret is None:
                logger.error(
                    "Telegram webhook NOT set: TELEGRAM_WEBHOOK_URL needs TELEGRAM_SECRET_TOKEN "
                    "(letters, digits, _ and -), otherwise anyone could post updates to it. "
                    "Every webhook request is refused until it is set."
                )
            else:
                self._spawn(self._set_webhook())
        logger.info("Telegram channel started (%s mode)", self.mode)

    async def stop(self) -> None:
        for task in list(self._background):
            task.cancel()
        if self.worker is not None:
            await self.worker.stop()
            self.worker = None
        if self.bot is not None:
            with contextlib.suppress(Exception):
                await close_bot(self.bot)
        self.outbox.close()

    async def _set_webhook(self) -> None:
        # Telegram may be unreachable at start-up: keep trying, the rest of the
        # assistant works meanwhile.
        delay = 2.0
        while True:
            try:
                await self.bot.set_webhook(
                    url=self.settings.telegram_webhook_url,
                    secret_token=self.secret,
                    allowed_updates=Update.ALL_TYPES,
                )
                logger.info("Telegram webhook set")
                return
            except TelegramError as error:
                logger.error(
                    "Telegram: setWebhook failed (%s); retrying in %.0f s",
                    redact(str(error), self.token),
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 300.0)

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- routes -----------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        global _off_logged
        hook = Blueprint("telegram_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.token else "off", "mode": self.mode})

        if not self.token:
            if not _off_logged:
                logger.info("Telegram is off (no TELEGRAM_BOT_TOKEN)")
                _off_logged = True

            @hook.route("/webhook", methods=["POST"])
            async def off(request: Request) -> HTTPResponse:
                return response.json({"error": "Telegram is off"}, status=404)

            return hook

        @hook.listener("after_server_start")
        async def start(app: Any, loop: Any) -> None:
            await self.start()

        @hook.listener("before_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            await self.stop()

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.text("forbidden", status=403)
            try:
                data = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return response.text("malformed JSON", status=400)
            if not isinstance(data, dict):
                return response.text("malformed update", status=400)
            try:
                await self.handle_update(data, on_new_message, request.app)
            except Exception:
                # Telegram would resend the update forever on an error status.
                logger.exception("Telegram: update %s could not be handled", data.get("update_id"))
            return response.text("")

        return hook

    def _authorised(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER)
        if self.secret is None or given is None:
            return False
        return hmac.compare_digest(given.encode("utf-8"), self.secret.encode("utf-8"))

    # -- updates ----------------------------------------------------------------------

    async def handle_update(
        self,
        data: dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        app: Any = None,
    ) -> None:
        """One update: a text or button goes to Rasa, anything else is explained or ignored."""
        try:
            update = Update.de_json(data, self.bot)
        except Exception:
            logger.debug("Telegram: unreadable update ignored")
            return
        if update is None or self._already_seen(update.update_id):
            return
        if update.callback_query is not None:
            await self._on_callback(update.callback_query, on_new_message, app)
        elif update.message is not None:
            await self._on_message(update.message, on_new_message, app)
        elif update.edited_message is not None:
            await self._on_edited(update.edited_message, app)
        elif update.my_chat_member is not None:
            self._on_member(update.my_chat_member)
        else:
            # Channel posts, inline queries, polls, reactions, ...: not for this bot.
            kind = next((key for key in data if key != "update_id"), "unknown")
            logger.debug("Telegram: update of kind %s ignored", kind)

    def _already_seen(self, update_id: int) -> bool:
        # Telegram sends an update again when the answer took too long.
        if update_id in self._seen_updates:
            return True
        self._seen_updates[update_id] = None
        if len(self._seen_updates) > 4096:
            self._seen_updates.popitem(last=False)
        return False

    async def _on_message(
        self,
        message: Message,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        app: Any,
    ) -> None:
        user = message.from_user
        if message.chat.type != "private" or user is None or user.is_bot:
            # Groups and channels: the assistant talks to one person at a time.
            logger.debug("Telegram: message in a %s chat ignored", message.chat.type)
            return
        recipient = str(message.chat.id)
        if not await self._within_flood_limit(recipient, user, app):
            return
        if message.text is not None:
            for text in self._texts_for(message.text):
                await self._to_rasa(text, recipient, user, on_new_message)
        elif message.effective_attachment is not None:
            # Photos, voice, files, stickers, locations, contacts, ...
            await self._explain("not_text", recipient, user, app)
        else:
            logger.debug("Telegram: service message ignored")

    async def _on_edited(self, message: Message, app: Any) -> None:
        user = message.from_user
        if message.chat.type != "private" or user is None or user.is_bot:
            return
        recipient = str(message.chat.id)
        if await self._within_flood_limit(recipient, user, app):
            await self._explain("edited", recipient, user, app)

    async def _on_callback(
        self,
        query: CallbackQuery,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        app: Any,
    ) -> None:
        # Answer at once, so the button stops spinning whatever happens next.
        try:
            await self.bot.answer_callback_query(query.id)
        except TelegramError as error:
            logger.debug(
                "Telegram: answerCallbackQuery failed (%s)", redact(str(error), self.token)
            )
        message = query.message
        chat = message.chat if message is not None else None
        if chat is not None and chat.type != "private":
            return
        recipient = str(chat.id if chat is not None else query.from_user.id)
        if query.data is None or not await self._within_flood_limit(
            recipient, query.from_user, app
        ):
            return
        payload = query.data
        if payload.startswith(CALLBACK_KEY_PREFIX):
            payload = self.outbox.callback_payload(payload) or "/help"
        await self._to_rasa(payload, recipient, query.from_user, on_new_message)

    def _on_member(self, member: ChatMemberUpdated) -> None:
        if member.chat.type == "private" and member.new_chat_member.status == "kicked":
            # The user blocked the bot: nothing waiting for them can be delivered.
            dropped = self.outbox.fail_recipient(
                CHANNEL, str(member.chat.id), "blocked by the user"
            )
            logger.debug("Telegram: a user blocked the bot; %d waiting message(s) dropped", dropped)
        else:
            logger.debug("Telegram: membership change ignored")

    # -- helpers ----------------------------------------------------------------------

    def _texts_for(self, text: str) -> list[str]:
        """What a typed message means for Rasa: commands become payloads."""
        stripped = text.strip()
        if not stripped.startswith("/"):
            return [text]
        word, _, rest = stripped.partition(" ")
        command = word[1:].split("@", 1)[0].lower()
        if command == "start":
            return self._start_texts(rest.strip())
        if command in COMMANDS:
            return [COMMANDS[command]]
        # Not one of our commands: read the words, never as an intent with entities.
        return [stripped.lstrip("/").strip() or "/help"]

    def _start_texts(self, parameter: str) -> list[str]:
        """``/start`` with a deep-link parameter ``<lang>``, ``<lang>_<town>`` or ``<town>``."""
        language, town = parse_start_parameter(parameter)
        texts = []
        if language:
            texts.append(payload("change_language", language=language))
        texts.append(payload("greet", municipality=town) if town else payload("greet"))
        return texts

    async def _to_rasa(
        self,
        text: str,
        recipient: str,
        user: User | None,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        metadata = {"language_hint": user.language_code} if user and user.language_code else None
        await on_new_message(
            UserMessage(
                text,
                self._output(),
                sender_id(recipient),
                input_channel=CHANNEL,
                metadata=metadata,
            )
        )

    async def _within_flood_limit(self, recipient: str, user: User | None, app: Any) -> bool:
        verdict = self.flood.check(recipient)
        if verdict == "notify":
            logger.info("Telegram: flood limit reached in a chat; messages dropped for a while")
            await self._explain("flood", recipient, user, app)
        return verdict == "ok"

    async def _explain(self, key: str, recipient: str, user: User | None, app: Any) -> None:
        language = await self._language(recipient, user, app)
        self._output().enqueue(recipient, message_payloads(explanation(key, language)))

    async def _language(self, recipient: str, user: User | None, app: Any) -> str:
        """The conversation's language, else the phone's (the one rule of bot.language)."""
        current = None
        agent = getattr(getattr(app, "ctx", None), "agent", None) if app is not None else None
        if agent is not None:
            try:
                tracker = await agent.tracker_store.retrieve(sender_id(recipient))
            except Exception:  # noqa: BLE001 - the notice goes out in the phone's language
                tracker = None
            current = tracker.get_slot("language") if tracker is not None else None
        return choose_reply_language(
            current=current,
            detection=None,
            hint=user.language_code if user else None,
            supported=served_languages(),
        )


def parse_start_parameter(parameter: str) -> tuple[str | None, str | None]:
    """``ar_sindelfingen`` -> ``("ar", "Sindelfingen")``; unknown parts are left out.

    The language must be in the catalogue (``data/languages.yml``); the town
    is matched like a typed town name (``weil-der-stadt`` -> ``Weil der Stadt``).
    """
    if not parameter or not _START_PARAMETER.match(parameter):
        return None, None
    from bot.languages import get_languages

    first, _, rest = parameter.partition("_")
    language = first.lower() if first.lower() in get_languages() else None
    town_text = rest if language else parameter
    town = None
    if town_text:
        from bot.content import get_content

        try:
            town = get_content().match_municipality(re.sub(r"[_-]+", " ", town_text))
        except Exception:  # content that does not load must not break /start
            logger.warning("Telegram: towns could not be loaded for a /start link")
    return language, town
