"""The Rasa input channel for Telegram: its routes, and what happens to each update.

Routes (under ``/webhooks/telegram``):

- ``GET  /``         health: ``{"status": "ok" | "off", "mode": "webhook" | "polling" | "off"}``
- ``POST /webhook``  updates from Telegram (webhook mode) or from ``welcome telegram poll``

Every request without the right ``X-Telegram-Bot-Api-Secret-Token`` gets 403
and is not read. Everything else gets 200 whatever happens while handling it
(Telegram would otherwise send the same update again and again); unreadable
JSON gets 400.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import senders
from bot.channels.flood import FloodGuard
from bot.channels.relay_gate import handled_by_office
from bot.channels.telegram.lifecycle import TelegramLink
from bot.channels.telegram.output import TelegramOutput
from bot.channels.telegram.tuning import TelegramTuning
from bot.channels.telegram.updates import Received, read_update
from bot.chatfigures.feedback import THANKS_TEXT, get_recorder, parse_callback
from bot.language import choose_reply_language
from bot.outbox.telegram import CHANNEL, message_payloads
from bot.settings import Settings, get_settings
from bot.texts import marked_text
from bot.translation.availability import served_languages

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

_off_logged = False


def notice_text(key: str, language: str | None) -> str:
    """A notice the channel sends itself ("I can only read text"), from data/texts.yml."""
    return marked_text(f"notice.{key}", language)


class SeenUpdates:
    """The last update ids: Telegram sends an update again when the answer took too long."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._ids: OrderedDict[int, None] = OrderedDict()

    def first_time(self, update_id: int) -> bool:
        if update_id in self._ids:
            return False
        self._ids[update_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True


class TelegramInput(InputChannel):
    """Telegram updates in (:mod:`.updates`), outbox out (:mod:`.lifecycle`)."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        return cls(get_settings(), TelegramTuning.from_options(credentials))

    def __init__(self, settings: Settings, tuning: TelegramTuning | None = None) -> None:
        self.tuning = tuning or TelegramTuning()
        self.link = TelegramLink(settings, self.tuning)
        self.flood = FloodGuard(self.tuning.flood_limit, self.tuning.flood_window_seconds)
        self.seen = SeenUpdates()

    @property
    def mode(self) -> str:
        return self.link.mode

    @property
    def _worker_options(self) -> dict[str, float]:
        return self.link.worker_options

    def get_output_channel(self) -> OutputChannel | None:
        """For messages Rasa sends on its own (e.g. through its API)."""
        return self.link.output() if self.link.token else None

    # -- routes -----------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        global _off_logged
        hook = Blueprint("telegram_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            status = "off" if self.mode == "off" else "ok"
            return response.json({"status": status, "mode": self.mode})

        if self.mode == "off":
            if not _off_logged:
                logger.info("Telegram is off (no TELEGRAM_BOT_TOKEN)")
                _off_logged = True

            @hook.route("/webhook", methods=["POST"])
            async def off(request: Request) -> HTTPResponse:
                return response.json({"error": "Telegram is off"}, status=404)

            return hook

        @hook.listener("after_server_start")
        async def start(app: Any, loop: Any) -> None:
            await self.link.start()

        @hook.listener("before_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            await self.link.stop()

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.link.authorised(request.headers.get(SECRET_HEADER)):
                return response.text("forbidden", status=403)
            try:
                data = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return response.text("malformed JSON", status=400)
            if not isinstance(data, dict):
                return response.text("malformed update", status=400)
            try:
                await self.handle_update(data, on_new_message, request.app)
            except Exception:  # noqa: BLE001 - Telegram would resend the update forever
                logger.exception("Telegram: update %s could not be handled", data.get("update_id"))
            return response.text("")

        return hook

    # -- updates ----------------------------------------------------------------------

    async def handle_update(
        self,
        data: dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        app: Any = None,
    ) -> None:
        """One update: its texts go to Rasa, a notice is sent, or nothing happens."""
        received = read_update(data, self.link.outbox.callback_payload)
        if received is None:
            logger.debug("Telegram: unreadable update ignored")
            return
        if not self.seen.first_time(received.update_id):
            return
        if received.callback_query_id is not None:
            await self.link.answer_callback(received.callback_query_id)
        vote = (
            parse_callback(received.texts[0])
            if received.callback_query_id and received.texts
            else None
        )
        if vote is not None:
            # A feedback vote never reaches Rasa: nothing of it is kept with the conversation.
            if received.chat is not None and await self._within_flood_limit(received, app):
                await self._vote(data, received, vote, app)
            return
        if received.blocked and received.chat is not None:
            self.link.forget_blocked(received.chat)
            return
        if received.chat is None:
            logger.debug("Telegram: %s ignored", received.ignored)
            return
        if not await self._within_flood_limit(received, app):
            return
        if received.notice is not None:
            await self._send_notice(received.notice, received, app)
        sender = senders.telegram_sender(received.chat)
        for text in received.texts:
            output = self.link.output()
            if await handled_by_office(sender, text, output):
                continue
            await on_new_message(
                UserMessage(text, output, sender, input_channel=CHANNEL, metadata=received.metadata)
            )

    async def _vote(
        self, data: dict[str, Any], received: Received, vote: tuple[str, bool], app: Any
    ) -> None:
        """Store the vote (no sender), remove the buttons, thank in the conversation's language."""
        token, helpful = vote
        language = await self._language(received, app)
        try:
            counted = await asyncio.to_thread(get_recorder().vote, token, language, helpful)
        except Exception:  # noqa: BLE001 - the buttons stay; the user may press again
            logger.exception("Telegram: storing a feedback vote failed")
            return
        logger.debug("Telegram: feedback vote %s", "counted" if counted else "already counted")
        message = (data.get("callback_query") or {}).get("message") or {}
        if message.get("message_id") is not None:
            await self.link.remove_keyboard(received.chat, message["message_id"])
        if counted:
            self.link.output().enqueue_to_chat(
                received.chat, message_payloads(marked_text(THANKS_TEXT, language))
            )

    async def _within_flood_limit(self, received: Received, app: Any) -> bool:
        verdict = self.flood.check(received.chat)
        if verdict == "notify":
            logger.info("Telegram: flood limit reached in a chat; messages dropped for a while")
            await self._send_notice("flood", received, app)
        return verdict == "ok"

    async def _send_notice(self, key: str, received: Received, app: Any) -> None:
        language = await self._language(received, app)
        self.link.output().enqueue_to_chat(
            received.chat, message_payloads(notice_text(key, language))
        )

    async def _language(self, received: Received, app: Any) -> str:
        """The conversation's language, else the phone's (the one rule of bot.language)."""
        current = None
        agent = getattr(getattr(app, "ctx", None), "agent", None) if app is not None else None
        if agent is not None:
            try:
                tracker = await agent.tracker_store.retrieve(senders.telegram_sender(received.chat))
            except Exception:  # noqa: BLE001 - the notice goes out in the phone's language
                tracker = None
            current = tracker.get_slot("language") if tracker is not None else None
        return choose_reply_language(
            current=current,
            detection=None,
            hint=received.language_hint,
            supported=served_languages(),
        )


__all__ = ["TelegramInput", "TelegramOutput", "notice_text"]
