"""What a newcomer is sent from the office, on the channel they used.

Every message to a newcomer is committed in the same transaction as the
request's history entry that records it:

* Telegram: outbox rows (the Rasa server's delivery worker sends them, and
  retries through outages);
* web chat: the entry itself waits with ``delivery = pending`` until the
  widget fetches it (it asks every few seconds, :mod:`bot.casework.relay`);
* any other channel (REST, a test terminal): nobody can be reached there, so
  the entry waits for the e-mail fallback (a contact e-mail the newcomer gave).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from bot import senders
from bot.outbox.store import enqueue_in
from bot.texts import text as catalogue_text

#: Delivery states of a message to a newcomer (``case_entries.delivery``).
PENDING = "pending"  # waiting for the channel (or the widget to fetch it)
SENT = "sent"  # the channel accepted it (Telegram) or the widget showed it
FAILED = "failed"  # the channel cannot reach the newcomer, and no e-mail to fall back on
EMAILED = "emailed"  # sent to the contact e-mail instead
DELIVERY_STATES = (PENDING, SENT, FAILED, EMAILED)

#: The button under "passed on to the office": the assistant answers again.
BACK_TO_ASSISTANT = "/back_to_assistant"


def telegram_payloads(message: str, buttons: Sequence[dict[str, str]] = ()) -> list[dict]:
    from bot.outbox.telegram import message_payloads

    return message_payloads(message, list(buttons) or None)


def send(
    connection: sa.engine.Connection,
    sender_id: str,
    message: str,
    buttons: Sequence[dict[str, str]] = (),
) -> tuple[str, int | None]:
    """Queue ``message`` for the newcomer ``sender_id``: (delivery state, first outbox id).

    Runs inside the caller's transaction (the entry and its delivery commit together).
    """
    channel = senders.channel_of(sender_id)
    if channel == senders.TELEGRAM:
        chat = senders.telegram_chat(sender_id)
        ids = enqueue_in(connection, senders.TELEGRAM, chat, telegram_payloads(message, buttons))
        return PENDING, (ids[0] if ids else None)
    # The web chat fetches pending entries itself; other channels wait for e-mail.
    return PENDING, None


def reply_message(reference: str, body: str, language: str, translated: bool) -> str:
    """The text a newcomer reads for an office reply.

    A heading in their language says who writes; a German original that
    could not be translated says so in their language, so nobody takes it
    for a mistake.
    """
    heading = catalogue_text("office.reply_heading", language, reference=reference)
    parts = [heading, body]
    if not translated and language not in ("de",):
        parts.append(catalogue_text("office.untranslated_note", language))
    return "\n\n".join(parts)


def status_message(status: str, reference: str, language: str) -> str:
    return catalogue_text(f"office.status.{status}", language, reference=reference)


def button(key: str, payload: str, language: str) -> dict[str, Any]:
    return {"title": catalogue_text(key, language), "payload": payload}
