"""The office's side of a web chat conversation, as the widget shows it.

The web chat has no push channel: the office's messages (history entries of
kind ``reply`` and ``notice``) wait with ``delivery = pending`` until the
widget fetches them (:meth:`OfficeMessages.updates`, every few seconds while
the page is open); fetching marks them ``sent``. After a reload the widget
shows them again, with what the newcomer wrote while a coordinator held the
conversation (:meth:`OfficeMessages.history`), merged with the assistant's
conversation by time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.casework import newcomer
from bot.casework.relay import back_message, passed_on_message
from bot.store.db import LazyDatabase
from bot.store.models import CaseEntry, HandoffRequest
from bot.texts import text as catalogue_text

requests_table = HandoffRequest.__table__
entries_table = CaseEntry.__table__

#: The office's kinds of message to a newcomer.
TO_NEWCOMER = ("reply", "notice")
#: Messages per fetch; more wait for the next one (the widget asks again at once).
UPDATES_LIMIT = 50
#: Office messages shown after a reload, at most.
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class Updates:
    """New office messages ``[{id, text, time}]`` and the id to ask after next time."""

    messages: list[dict[str, Any]]
    last: int


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class OfficeMessages(LazyDatabase):
    """Office messages of web chat conversations in the database at ``database_url``."""

    def updates(self, sender_id: str, after: int, now: dt.datetime | None = None) -> Updates:
        """The office's messages to ``sender_id`` with an id above ``after``, oldest first.

        Those still pending are marked sent: the widget shows what it receives.
        """
        e, r = entries_table, requests_table
        with self._get_engine().begin() as connection:
            rows = connection.execute(
                sa.select(e.c.id, e.c.created_at, e.c.text_translated, e.c.delivery)
                .select_from(e.join(r, r.c.id == e.c.request_id))
                .where(r.c.sender_id == sender_id, e.c.kind.in_(TO_NEWCOMER), e.c.id > after)
                .order_by(e.c.id)
                .limit(UPDATES_LIMIT)
            ).all()
            pending = [row.id for row in rows if row.delivery == newcomer.PENDING]
            if pending:
                connection.execute(
                    e.update()
                    .where(e.c.id.in_(pending), e.c.delivery == newcomer.PENDING)
                    .values(delivery=newcomer.SENT, delivered_at=now or utcnow())
                )
        messages = [
            {"id": row.id, "text": row.text_translated or "", "time": row.created_at.isoformat()}
            for row in rows
        ]
        return Updates(messages, rows[-1].id if rows else after)

    def history(
        self, sender_id: str, since: dt.datetime | None = None, now: dt.datetime | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """What the office part of the conversation looks like after a reload, and the last id.

        Each message: ``{"sender": "user" | "bot", "text", "buttons" (bot),
        "time" (seconds since the epoch)}``; the office's own messages also
        ``"office": True`` and their ``id`` (the assistant's notices of the
        relay are the assistant's, as when they were first shown). Those
        still pending are marked sent (they are shown now). The last id is
        where the widget's fetching of updates starts; a message stored
        meanwhile may come both ways (the widget knows it by its id).
        """
        e, r = entries_table, requests_table
        last_query = (
            sa.select(sa.func.max(e.c.id))
            .select_from(e.join(r, r.c.id == e.c.request_id))
            .where(r.c.sender_id == sender_id, e.c.kind.in_(TO_NEWCOMER))
        )
        query = (
            sa.select(
                e.c.id,
                e.c.created_at,
                e.c.kind,
                e.c.text,
                e.c.text_translated,
                e.c.data,
                e.c.delivery,
                r.c.reference,
                r.c.language,
            )  # fmt: skip
            .select_from(e.join(r, r.c.id == e.c.request_id))
            .where(r.c.sender_id == sender_id, e.c.kind.in_((*TO_NEWCOMER, "newcomer", "released")))
            .order_by(e.c.created_at.desc(), e.c.id.desc())
            .limit(HISTORY_LIMIT)
        )
        with self._get_engine().begin() as connection:
            last = connection.execute(last_query).scalar() or 0
            rows = [
                row
                for row in reversed(connection.execute(query).all())
                if since is None or row.created_at >= since
            ]
            pending = [
                row.id
                for row in rows
                if row.kind in TO_NEWCOMER and row.delivery == newcomer.PENDING
            ]
            if pending:
                connection.execute(
                    e.update()
                    .where(e.c.id.in_(pending), e.c.delivery == newcomer.PENDING)
                    .values(delivery=newcomer.SENT, delivered_at=now or utcnow())
                )
        shown: list[dict[str, Any]] = []
        for row in rows:
            time = row.created_at.timestamp()
            data = row.data or {}
            if row.kind in TO_NEWCOMER:
                office = _message("bot", row.text_translated or "", time)
                shown.append({**office, "office": True, "id": row.id})
            elif row.kind == "newcomer":
                shown.append(_message("user", row.text or "", time))
                if data.get("noticed"):
                    notice = passed_on_message(row.reference, row.language)
                    shown.append(_message("bot", notice.text, time, notice.buttons))
            elif data.get("by") == "newcomer":  # the newcomer clicked "back to the assistant"
                title = catalogue_text("relay.back_button", row.language)
                shown.append(_message("user", title, time))
                shown.append(_message("bot", back_message(row.reference, row.language).text, time))
        # One click ends every hold of the conversation: one "back" is enough.
        unique = [m for i, m in enumerate(shown) if i == 0 or _key(m) != _key(shown[i - 1])]
        return unique, int(last)


def _key(message: dict[str, Any]) -> tuple:
    return message["sender"], message["text"], message["time"]


def _message(
    sender: str, text: str, time: float, buttons: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {"sender": sender, "text": text, "time": time}
    if sender == "bot":
        message["buttons"] = list(buttons or [])
    return message
