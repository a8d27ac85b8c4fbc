"""The chat channels' door to the office: a held conversation's messages go there, not to Rasa.

Every channel calls :func:`handled_by_office` before ``on_new_message``. The
database work (one indexed ``SELECT`` for a conversation nobody holds; for a
held one also the German translation and the insert) runs in a worker
thread, so the event loop keeps serving other conversations. What the
newcomer is told is sent through the channel's own output: the outbox for
Telegram, the HTTP response for the web chat and REST.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from rasa.core.channels.channel import OutputChannel

from bot.casework.conversation import OfficeMessages
from bot.casework.relay import Relay, Relayed
from bot.settings import get_settings

logger = logging.getLogger(__name__)

_relay: Relay | None = None
_office_messages: OfficeMessages | None = None
_lock = threading.Lock()


def get_relay() -> Relay:
    """The process's relay on the assistant's database (made once)."""
    global _relay
    with _lock:
        if _relay is None:
            _relay = Relay(get_settings().database_url)
        return _relay


def get_office_messages() -> OfficeMessages:
    """The process's reader of the office's web chat messages (made once)."""
    global _office_messages
    with _lock:
        if _office_messages is None:
            _office_messages = OfficeMessages(get_settings().database_url)
        return _office_messages


async def handled_by_office(sender_id: str, text: str, output_channel: OutputChannel) -> bool:
    """Whether the office took the message (then Rasa must not see it).

    If the database cannot be read the assistant answers: a message that
    reaches the assistant is better than one that reaches nobody.
    """
    try:
        relayed: Relayed | None = await asyncio.to_thread(get_relay().receive, sender_id, text)
    except Exception:  # noqa: BLE001 - see above
        logger.exception("Checking whether the office holds a conversation failed")
        return False
    if relayed is None:
        return False
    for said in relayed.said:
        if said.buttons:
            await output_channel.send_text_with_buttons(sender_id, said.text, said.buttons)
        else:
            await output_channel.send_text_message(sender_id, said.text)
    return True
