"""What talks to Telegram: the bot, the delivery worker, the webhook.

Modes (:attr:`TelegramLink.mode`):

- ``off``: no ``TELEGRAM_BOT_TOKEN``; nothing is set up.
- ``webhook``: token and ``TELEGRAM_WEBHOOK_URL``; at start-up
  ``setWebhook(url, secret_token)``. A webhook without ``TELEGRAM_SECRET_TOKEN``
  is not set (anyone could post updates to it) and every request is refused.
- ``polling``: token only; ``welcome telegram poll`` fetches updates with
  ``getUpdates`` and posts them to the webhook route with a secret derived
  from the token.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.error import TelegramError

from bot.channels.telegram.output import TelegramOutput
from bot.channels.telegram.tuning import TelegramTuning
from bot.outbox import DeliveryWorker, Outbox
from bot.outbox.telegram import CHANNEL, TelegramSender, close_bot, make_bot, redact, webhook_secret
from bot.settings import Settings

logger = logging.getLogger(__name__)


class TelegramLink:
    """Bot, outbox and delivery worker of one Rasa server; started and stopped with it."""

    def __init__(self, settings: Settings, tuning: TelegramTuning) -> None:
        self.settings = settings
        self.token = settings.telegram_bot_token
        self.secret = webhook_secret(settings)
        self.outbox = Outbox(settings.database_url)
        self.worker_options = tuning.worker_options()
        self.bot = None
        self.worker: DeliveryWorker | None = None
        self._background: set[asyncio.Task] = set()

    @property
    def mode(self) -> str:
        if not self.token:
            return "off"
        return "webhook" if self.settings.telegram_webhook_url else "polling"

    def authorised(self, given_secret: str | None) -> bool:
        """Whether a request to the webhook route carries the right secret."""
        if self.secret is None or given_secret is None:
            return False
        return hmac.compare_digest(given_secret.encode("utf-8"), self.secret.encode("utf-8"))

    def output(self) -> TelegramOutput:
        return TelegramOutput(self.outbox, self.wake)

    def wake(self) -> None:
        if self.worker is not None:
            self.worker.wake()

    async def start(self) -> None:
        """Bot, delivery worker (pending messages from before a restart go first), webhook."""
        if not self.token or self.worker is not None:
            return
        self.bot = make_bot(self.token, self.settings.telegram_api_base_url)
        self.worker = DeliveryWorker(
            self.outbox, CHANNEL, TelegramSender(self.bot), **self.worker_options
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

    async def answer_callback(self, query_id: str) -> None:
        """Confirm a button press (errors only logged: the press is handled anyway)."""
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as error:
            logger.debug(
                "Telegram: answerCallbackQuery failed (%s)", redact(str(error), self.token)
            )

    async def remove_keyboard(self, chat: str, message_id: int) -> None:
        """Take the buttons off a message (after a vote: one vote per message)."""
        try:
            await self.bot.edit_message_reply_markup(chat_id=chat, message_id=message_id)
        except TelegramError as error:
            logger.debug(
                "Telegram: editMessageReplyMarkup failed (%s)", redact(str(error), self.token)
            )

    def forget_blocked(self, chat: str) -> None:
        """The user blocked the bot: drop what waits for them."""
        dropped = self.outbox.fail_recipient(CHANNEL, chat, "blocked by the user")
        logger.debug("Telegram: a user blocked the bot; %d waiting message(s) dropped", dropped)

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
