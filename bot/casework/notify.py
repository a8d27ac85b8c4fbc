"""Notices to the office's staff: a new request, a newcomer's reply, a request left unclaimed.

Each notice is queued in the outbox: to the staff's Telegram group (channel
``staff_telegram``, its own bot) when ``WELCOME_STAFF_TELEGRAM_BOT_TOKEN`` and
``WELCOME_STAFF_TELEGRAM_CHAT_ID`` are set, and as an e-mail to every address
of ``WELCOME_STAFF_NOTIFY_EMAILS``. The office process's background jobs
(:mod:`bot.office.jobs`) deliver them.

A notice says only the reference, the category and where the request is in
the office: a group chat and a mailbox are no place for a newcomer's name,
contact or words, and staff read those after signing in.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

import sqlalchemy as sa

from bot.casework.labels import category_label
from bot.outbox.email import CHANNEL as EMAIL
from bot.outbox.email import email_payload
from bot.outbox.store import STAFF_TELEGRAM_CHANNEL, enqueue_in
from bot.settings import Settings, get_settings
from bot.store.db import LazyDatabase
from bot.store.models import HandoffRequest

logger = logging.getLogger(__name__)

#: Outbox channel of the staff's Telegram group (not the newcomers' bot).
STAFF_TELEGRAM = STAFF_TELEGRAM_CHANNEL
#: At most this many unclaimed alerts per run (the rest follow a minute later).
ALERT_BATCH = 50

requests_table = HandoffRequest.__table__


@dataclass(frozen=True)
class Notice:
    subject: str
    text: str


def request_link(settings: Settings, reference: str) -> str:
    return f"{settings.office_url.rstrip('/')}/anfragen/{reference}"


def new_request_notice(settings: Settings, reference: str, category: str) -> Notice:
    label = category_label(category)
    return Notice(
        subject=f"Neue Anfrage {reference} ({label})",
        text=(
            f"Neue Anfrage {reference} – {label}.\n"
            f"Zur Anfrage in der Koordinierungsstelle: {request_link(settings, reference)}"
        ),
    )


def newcomer_reply_notice(settings: Settings, reference: str, category: str) -> Notice:
    label = category_label(category)
    return Notice(
        subject=f"Neue Nachricht zu Anfrage {reference} ({label})",
        text=(
            f"Neue Nachricht der anfragenden Person zu {reference} – {label}.\n"
            f"Zur Anfrage in der Koordinierungsstelle: {request_link(settings, reference)}"
        ),
    )


def unclaimed_notice(settings: Settings, reference: str, category: str) -> Notice:
    label = category_label(category)
    waited = _duration(settings.unclaimed_alert_minutes)
    return Notice(
        subject=f"Anfrage {reference} ({label}) wartet seit über {waited}",
        text=(
            f"Anfrage {reference} – {label} hat seit über {waited} niemand übernommen.\n"
            f"Zur Anfrage in der Koordinierungsstelle: {request_link(settings, reference)}"
        ),
    )


def has_recipients(settings: Settings) -> bool:
    return _staff_telegram_chat(settings) is not None or bool(settings.staff_notify_emails)


def queue_notice(connection: sa.engine.Connection, settings: Settings, notice: Notice) -> int:
    """Queue ``notice`` for every configured staff recipient, in the caller's transaction.

    Returns the number of outbox rows written (0: nobody to notify).
    """
    written = 0
    chat = _staff_telegram_chat(settings)
    if chat is not None:
        # python-telegram-bot is imported only where the staff group is used.
        from bot.outbox.telegram import message_payloads

        written += len(enqueue_in(connection, STAFF_TELEGRAM, chat, message_payloads(notice.text)))
    for address in settings.staff_notify_emails:
        written += len(
            enqueue_in(connection, EMAIL, address, [email_payload(notice.subject, notice.text)])
        )
    return written


class StaffNotifier(LazyDatabase):
    """Queues staff notices in the database of ``settings``."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings.database_url)
        self.settings = settings

    def new_request(self, reference: str, category: str) -> int:
        return self._queue(new_request_notice(self.settings, reference, category))

    def newcomer_reply(self, reference: str, category: str) -> int:
        return self._queue(newcomer_reply_notice(self.settings, reference, category))

    def alert_unclaimed(self, now: dt.datetime | None = None) -> list[str]:
        """Notify once about each request new and unclaimed for longer than the setting.

        Returns the references notified about. Each is marked in the same
        transaction as its notices are queued, with a conditional update, so
        two office processes never notify twice. Without anyone to notify,
        nothing is marked: the alerts come once someone is configured.
        """
        if not has_recipients(self.settings):
            return []
        now = now or dt.datetime.now(dt.timezone.utc)
        cutoff = now - dt.timedelta(minutes=self.settings.unclaimed_alert_minutes)
        r = requests_table
        due = (
            sa.select(r.c.id, r.c.reference, r.c.category)
            .where(
                r.c.status == "new",
                r.c.assignee_id.is_(None),
                r.c.created_at < cutoff,
                r.c.unclaimed_notified_at.is_(None),
            )
            .order_by(r.c.created_at, r.c.id)
            .limit(ALERT_BATCH)
        )
        notified = []
        engine = self._get_engine()
        with engine.connect() as connection:
            candidates = list(connection.execute(due))
        for request_id, reference, category in candidates:
            with engine.begin() as connection:
                marked = connection.execute(
                    r.update()
                    .where(
                        r.c.id == request_id,
                        r.c.status == "new",
                        r.c.assignee_id.is_(None),
                        r.c.unclaimed_notified_at.is_(None),
                    )
                    .values(unclaimed_notified_at=now)
                )
                if marked.rowcount != 1:
                    continue  # claimed or notified meanwhile
                queue_notice(
                    connection, self.settings, unclaimed_notice(self.settings, reference, category)
                )
            notified.append(reference)
        if notified:
            logger.info("Unclaimed alert for %d request(s)", len(notified))
        return notified

    def _queue(self, notice: Notice) -> int:
        if not has_recipients(self.settings):
            return 0
        with self._get_engine().begin() as connection:
            return queue_notice(connection, self.settings, notice)


# -- for callers without a notifier of their own (the action server, the relay) ----------

_notifiers: dict[Settings, StaffNotifier] = {}
_notifiers_lock = threading.Lock()


def notifier(settings: Settings | None = None) -> StaffNotifier:
    """One notifier (one engine) per settings, made on first use."""
    settings = settings or get_settings()
    with _notifiers_lock:
        if settings not in _notifiers:
            _notifiers[settings] = StaffNotifier(settings)
        return _notifiers[settings]


def notify_new_request(reference: str, category: str, settings: Settings | None = None) -> int:
    """Tell staff about a new request; returns the outbox rows written (raises on errors)."""
    return notifier(settings).new_request(reference, category)


def notify_newcomer_reply(reference: str, category: str, settings: Settings | None = None) -> int:
    """Tell staff that the newcomer wrote on a request someone holds (raises on errors)."""
    return notifier(settings).newcomer_reply(reference, category)


def alert_unclaimed(settings: Settings | None = None, now: dt.datetime | None = None) -> list[str]:
    """The periodic job: requests left unclaimed (:meth:`StaffNotifier.alert_unclaimed`)."""
    return notifier(settings).alert_unclaimed(now)


def announce_new_request(reference: str, category: str, settings: Settings | None = None) -> None:
    """:func:`notify_new_request` for the handoff: never raises, never holds the newcomer up.

    The request is stored already; a notice that cannot be queued is logged
    (reference and reason only) and the office still finds the request in its queue.
    """
    try:
        notify_new_request(reference, category, settings)
    except Exception as exc:
        logger.warning(
            "Could not queue the staff notice for request %s (%s)", reference, type(exc).__name__
        )


def _staff_telegram_chat(settings: Settings) -> str | None:
    if settings.staff_telegram_bot_token and settings.staff_telegram_chat_id:
        return settings.staff_telegram_chat_id
    return None


def _duration(minutes: int) -> str:
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return "einer Stunde" if hours == 1 else f"{hours} Stunden"
    return "einer Minute" if minutes == 1 else f"{minutes} Minuten"
