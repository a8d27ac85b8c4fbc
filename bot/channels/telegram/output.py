"""Rasa's side of sending to Telegram: the bot's messages go into the outbox, never straight out."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel

from bot import senders
from bot.chatfigures.feedback import (
    HELPFUL_TEXT,
    NOT_HELPFUL_TEXT,
    answer_id_of,
    callback_data,
    get_offers,
)
from bot.outbox import Outbox
from bot.outbox.telegram import CHANNEL, message_payloads

logger = logging.getLogger(__name__)


class TelegramOutput(OutputChannel):
    """Writes the bot's messages to the outbox (committed before returning) and wakes the worker."""

    def __init__(self, outbox: Outbox, wake: Callable[[], None]) -> None:
        self.outbox = outbox
        self._wake = wake

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def enqueue(self, recipient_id: str, payloads: list[dict[str, Any]]) -> None:
        """Messages for the conversation ``recipient_id`` (``tg-<chat id>``)."""
        chat = senders.telegram_chat(recipient_id)
        if chat is None:
            # Never guess a chat from another channel's id.
            channel = senders.channel_of(recipient_id)
            logger.error("Telegram: a message for a %s conversation was not sent", channel)
            return
        self.enqueue_to_chat(chat, payloads)

    def enqueue_to_chat(self, chat: str, payloads: list[dict[str, Any]]) -> None:
        if payloads:
            self.outbox.enqueue(CHANNEL, chat, payloads)
            self._wake()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """As Rasa's, with "helpful / not helpful" under an answer marked with ``answer_id``."""
        answer_id = answer_id_of(message)
        if answer_id and message.get("text") and not message.get("quick_replies"):
            message = dict(message)
            # The labels in the answer's own language (it is long enough to tell).
            language = await asyncio.to_thread(_language_of, message["text"])
            token = get_offers().offer(answer_id, message.get("model_id"))
            from bot.texts import text

            message["buttons"] = [
                *(message.get("buttons") or []),
                {"title": text(HELPFUL_TEXT, language), "payload": callback_data(token, True)},
                {"title": text(NOT_HELPFUL_TEXT, language), "payload": callback_data(token, False)},
            ]
        await super().send_response(recipient_id, message)

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


@functools.cache
def _detector() -> Any:
    from bot.language import LanguageDetector

    return LanguageDetector()


def _language_of(text: str) -> str | None:
    return _detector().detect(text).language
