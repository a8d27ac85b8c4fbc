"""Office messages the chat could not deliver go to the newcomer's contact e-mail instead.

The office's background jobs call :func:`email_fallback` every minute. A
message to a newcomer (history entry ``reply`` or ``notice`` with
``delivery = pending``) counts as undeliverable

* on the web chat: when the widget has not fetched it within
  ``WELCOME_EMAIL_FALLBACK_MINUTES`` (the newcomer closed the page);
* on REST: at once (nobody can be reached there);
* on Telegram: when its outbox row failed for good (the user blocked the bot,
  the chat is gone).

If the request's contact is an e-mail address, the message is queued in the
outbox (channel ``email``, sent by the office's mail job) with a subject and
a closing line in the newcomer's language, and the entry becomes
``emailed``. Otherwise a Telegram message that failed becomes ``failed``; a
web chat message stays pending (the widget still shows it when the newcomer
comes back). Telegram messages whose outbox row was sent become ``sent``.

Nothing here logs addresses or texts; counts only.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa

from bot import senders
from bot.casework import newcomer
from bot.outbox.store import EMAIL_CHANNEL, enqueue_in, outbox_table
from bot.outbox.store import FAILED as OUTBOX_FAILED
from bot.outbox.store import SENT as OUTBOX_SENT
from bot.settings import Settings
from bot.store.db import make_engine
from bot.store.models import CaseEntry, HandoffRequest
from bot.texts import text as catalogue_text

logger = logging.getLogger(__name__)

#: Entries looked at per run; the rest wait for the next minute.
BATCH = 500

requests_table = HandoffRequest.__table__
entries_table = CaseEntry.__table__


def email_address(fields: dict[str, Any] | None) -> str | None:
    """The contact e-mail address a newcomer gave (contacts are stored normalised)."""
    contact = (fields or {}).get("contact")
    if not isinstance(contact, str):
        return None
    contact = contact.strip()
    return contact if "@" in contact and " " not in contact else None


def email_payload(message: str, reference: str, language: str) -> dict[str, str]:
    """The e-mail for an office ``message``: subject and closing line in ``language``."""
    subject = catalogue_text("office.email_subject", language, reference=reference)
    footer = catalogue_text("office.email_footer", language)
    return {"subject": subject, "body": f"{message}\n\n-- \n{footer}\n"}


def email_fallback(database_url: str, settings: Settings, now: dt.datetime | None = None) -> int:
    """Queue e-mails for office messages the chat could not deliver; how many were queued."""
    now = now or dt.datetime.now(dt.timezone.utc)
    web_cutoff = now - dt.timedelta(minutes=settings.email_fallback_minutes)
    e, r, o = entries_table, requests_table, outbox_table
    engine = make_engine(database_url)
    queued = failed = synced = 0
    try:
        with engine.begin() as connection:
            rows = connection.execute(
                sa.select(
                    e.c.id,
                    e.c.created_at,
                    e.c.text_translated,
                    r.c.sender_id,
                    r.c.fields,
                    r.c.reference,
                    r.c.language,
                    o.c.status.label("outbox_status"),
                    o.c.sent_at.label("outbox_sent_at"),
                )  # fmt: skip
                .select_from(
                    e.join(r, r.c.id == e.c.request_id).outerjoin(o, o.c.id == e.c.outbox_id)
                )
                .where(e.c.kind.in_(("reply", "notice")), e.c.delivery == newcomer.PENDING)
                .order_by(e.c.id)
                .limit(BATCH)
            ).all()
            for row in rows:
                channel = senders.channel_of(row.sender_id)
                if channel == senders.TELEGRAM:
                    if row.outbox_status == OUTBOX_SENT:
                        at = row.outbox_sent_at or now
                        synced += _mark(connection, row.id, newcomer.SENT, at)
                        continue
                    if row.outbox_status != OUTBOX_FAILED:
                        continue  # still on its way (or retried)
                elif channel == senders.WEBCHAT and row.created_at > web_cutoff:
                    continue  # the widget may still fetch it
                address = email_address(row.fields)
                if address is None:
                    if channel == senders.TELEGRAM:
                        failed += _mark(connection, row.id, newcomer.FAILED, None)
                    continue
                if _mark(connection, row.id, newcomer.EMAILED, now):
                    payload = email_payload(row.text_translated or "", row.reference, row.language)
                    enqueue_in(connection, EMAIL_CHANNEL, address, [payload])
                    queued += 1
    finally:
        engine.dispose()
    if queued or failed or synced:
        logger.info(
            "Office messages: %d sent by e-mail instead, %d undeliverable, %d delivered",
            queued,
            failed,
            synced,
        )
    return queued


def _mark(
    connection: sa.engine.Connection, entry_id: int, delivery: str, at: dt.datetime | None
) -> int:
    """Set the entry's delivery if still pending (another run may have been first)."""
    e = entries_table
    return connection.execute(
        e.update()
        .where(e.c.id == entry_id, e.c.delivery == newcomer.PENDING)
        .values(delivery=delivery, delivered_at=at)
    ).rowcount
