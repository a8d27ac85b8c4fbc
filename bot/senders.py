"""Conversation ids ("sender ids") and the channel each one belongs to.

Rasa keys a conversation by its sender id alone, so the id must say which
channel may speak in it: ``tg-<chat id>`` is a Telegram chat, ``web-`` and 32
hex digits a web chat conversation (made at random by the browser). Every
other id belongs to the REST channel (``welcome chat``, tests). A channel
accepts only ids of its own namespace, so nobody can continue another
channel's conversation by naming its id.
"""

from __future__ import annotations

import re

TELEGRAM = "telegram"
WEBCHAT = "webchat"
REST = "rest"

TELEGRAM_PREFIX = "tg-"
WEBCHAT_PREFIX = "web-"

_PREFIXES = {TELEGRAM: TELEGRAM_PREFIX, WEBCHAT: WEBCHAT_PREFIX}
_WEBCHAT_ID = re.compile(r"^web-[0-9a-f]{32}$")


def channel_of(sender_id: str) -> str:
    """The channel whose namespace ``sender_id`` is in.

    Case is ignored: ``TG-1`` is no REST id either (a store that compares ids
    without case would take it for ``tg-1``).
    """
    lowered = sender_id.lower()
    for channel, prefix in _PREFIXES.items():
        if lowered.startswith(prefix):
            return channel
    return REST


def belongs_to(sender_id: str, channel: str) -> bool:
    """Whether ``channel`` may speak in the conversation ``sender_id``."""
    return channel_of(sender_id) == channel


def telegram_sender(chat_id: int | str) -> str:
    """The conversation id of a Telegram chat."""
    return f"{TELEGRAM_PREFIX}{chat_id}"


def telegram_chat(sender_id: str) -> str | None:
    """The Telegram chat id of a conversation, ``None`` for another channel's."""
    if not sender_id.startswith(TELEGRAM_PREFIX):
        return None
    return sender_id[len(TELEGRAM_PREFIX) :]


def is_webchat_sender(sender_id: str) -> bool:
    """Whether ``sender_id`` is a well-formed web chat conversation id."""
    return bool(_WEBCHAT_ID.match(sender_id))
