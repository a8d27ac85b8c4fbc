"""The outbox table: messages waiting for a channel, in the assistant's database.

A channel writes every outgoing message here (:meth:`Outbox.enqueue`) and
returns only once the row is committed, so a crash, a restart or a channel
outage never loses a reply. :mod:`bot.outbox.delivery` sends the rows.

Privacy: the message text is kept only while the row waits. When a row is
sent or has failed for good its payload is emptied; what remains (recipient,
times, attempts, the channel's error description) is what an operator needs
to see that delivery works. Errors are stored without message text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.store.db import LazyDatabase, redact_url
from bot.store.models import NAMING_CONVENTION, UTCDateTime

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
STATUSES = (PENDING, SENT, FAILED)

#: Channels besides the chat's: e-mail (SMTP; the recipient is the address) and
#: the staff's Telegram group (its own bot). Both are delivered by the office process.
EMAIL_CHANNEL = "email"
STAFF_TELEGRAM_CHANNEL = "staff_telegram"

#: Longest error description kept (Telegram's are one short line).
MAX_ERROR_LENGTH = 500

# The tables belong to migration 0003; declared here (like the translation cache)
# so that the handoff store's autogenerate comparison stays about its own tables.
_metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
outbox_table = sa.Table(
    "outbox",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("recipient", sa.String(255), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
    sa.Column("last_error", sa.String(MAX_ERROR_LENGTH), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("sent_at", UTCDateTime(), nullable=True),
)
callback_table = sa.Table(
    "telegram_callback_data",
    _metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def enqueue_in(
    connection: sa.engine.Connection,
    channel: str,
    recipient: str,
    payloads: Sequence[dict[str, Any]],
) -> list[int]:
    """:meth:`Outbox.enqueue` inside the caller's transaction.

    The office stores a reply and its outbox rows in one transaction, so a
    reply is never recorded as sent without its message waiting to go.
    """
    now = utcnow()
    ids = []
    # One statement per row: ids must follow the order (a multi-row insert
    # does not report them on every database).
    for payload in payloads:
        result = connection.execute(
            outbox_table.insert().values(
                channel=channel,
                recipient=str(recipient),
                payload=dict(payload),
                status=PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        ids.append(int(result.inserted_primary_key[0]))
    return ids


@dataclass(frozen=True)
class OutboxItem:
    """One waiting message."""

    id: int
    channel: str
    recipient: str
    payload: dict[str, Any]
    attempts: int
    next_attempt_at: dt.datetime


class Outbox(LazyDatabase):
    """Outgoing messages in the database at ``database_url``.

    The engine is made on first use. All methods are short synchronous
    statements (like Rasa's own tracker store), safe to call from the event loop.
    """

    def __repr__(self) -> str:
        return f"Outbox({redact_url(self._url)!r})"

    # -- writing ----------------------------------------------------------------------

    def enqueue(
        self, channel: str, recipient: str, payloads: Sequence[dict[str, Any]]
    ) -> list[int]:
        """Store messages for ``recipient`` (sent in this order); returns their ids.

        Committed before returning: once this returns, the messages survive a crash.
        """
        if not payloads:
            return []
        with self._get_engine().begin() as connection:
            return enqueue_in(connection, channel, recipient, payloads)

    def mark_sent(self, item_id: int) -> None:
        now = utcnow()
        self._update(
            item_id,
            status=SENT,
            sent_at=now,
            payload={},
            last_error=None,
            attempts=outbox_table.c.attempts + 1,
        )

    def mark_retry(self, item_id: int, next_attempt_at: dt.datetime, error: str) -> None:
        self._update(
            item_id,
            next_attempt_at=next_attempt_at,
            last_error=_short(error),
            attempts=outbox_table.c.attempts + 1,
        )

    def mark_failed(self, item_id: int, error: str) -> None:
        self._update(
            item_id,
            status=FAILED,
            payload={},
            last_error=_short(error),
            attempts=outbox_table.c.attempts + 1,
        )

    def fail_recipient(self, channel: str, recipient: str, error: str) -> int:
        """Give up on everything waiting for ``recipient`` (e.g. the user blocked the bot)."""
        table = outbox_table
        with self._get_engine().begin() as connection:
            result = connection.execute(
                table.update()
                .where(
                    table.c.channel == channel,
                    table.c.recipient == str(recipient),
                    table.c.status == PENDING,
                )
                .values(status=FAILED, payload={}, last_error=_short(error))
            )
            return int(result.rowcount or 0)

    # -- reading ----------------------------------------------------------------------

    def due_queues(
        self, channel: str, now: dt.datetime, limit: int = 500
    ) -> list[list[OutboxItem]]:
        """Waiting messages per recipient, oldest first, where the oldest one is due.

        A recipient whose oldest message waits for a retry gets nothing else
        meanwhile: messages arrive in the order they were written. At most
        ``limit`` messages in all; a recipient's oldest one is always among
        them when any of its messages is.
        """
        table = outbox_table
        query = (
            sa.select(table)
            .where(table.c.status == PENDING, table.c.channel == channel)
            .order_by(table.c.id)
            .limit(limit)
        )
        queues: dict[str, list[OutboxItem]] = {}
        with self._get_engine().connect() as connection:
            for row in connection.execute(query):
                item = _item(row)
                queues.setdefault(item.recipient, []).append(item)
        return [queue for queue in queues.values() if queue[0].next_attempt_at <= now]

    def next_attempt_at(self, channel: str) -> dt.datetime | None:
        """When the earliest waiting message of ``channel`` is due (``None``: nothing waits)."""
        table = outbox_table
        earliest = sa.func.min(table.c.next_attempt_at, type_=UTCDateTime())
        query = sa.select(earliest).where(table.c.status == PENDING, table.c.channel == channel)
        with self._get_engine().connect() as connection:
            return connection.execute(query).scalar()

    def counts(self, channel: str | None = None) -> dict[str, int]:
        """Number of messages per status (every status present, zero included)."""
        table = outbox_table
        query = sa.select(table.c.status, sa.func.count()).group_by(table.c.status)
        if channel is not None:
            query = query.where(table.c.channel == channel)
        counts = dict.fromkeys(STATUSES, 0)
        with self._get_engine().connect() as connection:
            for status, count in connection.execute(query):
                counts[status] = int(count)
        return counts

    def items(self, channel: str, recipient: str | None = None) -> list[dict[str, Any]]:
        """Every row of ``channel`` (for a recipient), oldest first: for tests and operators."""
        table = outbox_table
        query = sa.select(table).where(table.c.channel == channel).order_by(table.c.id)
        if recipient is not None:
            query = query.where(table.c.recipient == str(recipient))
        with self._get_engine().connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    # -- retention --------------------------------------------------------------------

    def purge_finished(self, before: dt.datetime) -> int:
        """Delete sent and failed rows created before ``before``; returns how many."""
        table = outbox_table
        with self._get_engine().begin() as connection:
            result = connection.execute(
                table.delete().where(table.c.status != PENDING, table.c.created_at < before)
            )
            return int(result.rowcount or 0)

    def forget_recipient(self, channel: str, recipient: str, *, waiting_too: bool = False) -> int:
        """Delete the delivered and failed rows of ``recipient`` ("delete my data").

        Waiting rows stay unless ``waiting_too``: in the chat they are the
        answers still owed, among them the confirmation that the data was deleted.
        """
        table = outbox_table
        conditions = [table.c.channel == channel, table.c.recipient == str(recipient)]
        if not waiting_too:
            conditions.append(table.c.status != PENDING)
        with self._get_engine().begin() as connection:
            result = connection.execute(table.delete().where(*conditions))
            return int(result.rowcount or 0)

    # -- long button payloads ---------------------------------------------------------

    def callback_key(self, payload: str) -> str:
        """A short key (<= 64 bytes) standing for ``payload`` (see :meth:`callback_payload`)."""
        key = "k:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
        table = callback_table
        with self._get_engine().begin() as connection:
            exists = connection.execute(sa.select(table.c.key).where(table.c.key == key)).scalar()
            if exists is None:
                try:
                    with connection.begin_nested():
                        connection.execute(
                            table.insert().values(key=key, payload=payload, created_at=utcnow())
                        )
                except sa.exc.IntegrityError:
                    pass  # written at the same moment by someone else: same payload
        return key

    def callback_payload(self, key: str) -> str | None:
        with self._get_engine().connect() as connection:
            return connection.execute(
                sa.select(callback_table.c.payload).where(callback_table.c.key == key)
            ).scalar()

    # -- schema and connections -------------------------------------------------------

    def _update(self, item_id: int, **values: Any) -> None:
        with self._get_engine().begin() as connection:
            connection.execute(
                outbox_table.update().where(outbox_table.c.id == item_id).values(**values)
            )


def _short(error: str) -> str:
    text = " ".join(str(error).split())
    return text[: MAX_ERROR_LENGTH - 1] + "…" if len(text) > MAX_ERROR_LENGTH else text


def _item(row: Any) -> OutboxItem:
    mapping = row._mapping
    return OutboxItem(
        id=int(mapping["id"]),
        channel=mapping["channel"],
        recipient=mapping["recipient"],
        payload=dict(mapping["payload"] or {}),
        attempts=int(mapping["attempts"]),
        next_attempt_at=mapping["next_attempt_at"],
    )
