"""While a coordinator holds the conversation, the newcomer's messages go to the office.

A request the office has claimed or answered is *held* (``handoff_requests.held``).
As long as it is open, what the newcomer writes is not read by the assistant
but stored on the request (a history entry of kind ``newcomer``, with its
German machine translation when a model can make one), and the newcomer is
told once per hold that it was passed on, with a button back to the
assistant. That button (:data:`~bot.casework.newcomer.BACK_TO_ASSISTANT`)
ends the hold: from then on the assistant answers again, and the office's
next reply still reaches the chat.

The chat channels call :meth:`Relay.receive` for every message before
handing it to Rasa (:mod:`bot.channels.relay_gate`); for messages nobody
holds it costs one indexed ``SELECT``. Nothing here logs texts.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from bot.casework import newcomer, notify
from bot.store.db import LazyDatabase
from bot.store.models import CaseEntry, HandoffRequest
from bot.texts import text as catalogue_text
from bot.translation.runtime import to_german

logger = logging.getLogger(__name__)

requests_table = HandoffRequest.__table__
entries_table = CaseEntry.__table__

#: Longest message stored (the channels refuse longer ones anyway).
MAX_TEXT = 4000


@dataclass(frozen=True)
class Said:
    """A message the channel sends the newcomer right away."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Relayed:
    """The office took the message; ``said`` is what the newcomer is told now (maybe nothing)."""

    reference: str
    category: str
    said: list[Said]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def passed_on_message(reference: str, language: str) -> Said:
    """'Your message was passed on', with the button back to the assistant."""
    return Said(
        catalogue_text("relay.passed_on", language, reference=reference),
        [newcomer.button("relay.back_button", newcomer.BACK_TO_ASSISTANT, language)],
    )


def back_message(reference: str, language: str) -> Said:
    return Said(catalogue_text("relay.back", language, reference=reference))


def is_back_to_assistant(text: str) -> bool:
    return text.strip() == newcomer.BACK_TO_ASSISTANT


class Relay(LazyDatabase):
    """The newcomer's side of a held conversation, in the database at ``database_url``."""

    def receive(self, sender_id: str, text: str, now: dt.datetime | None = None) -> Relayed | None:
        """Take ``text`` for the office if a coordinator holds ``sender_id``'s conversation.

        ``None``: nobody holds it, the assistant answers (as it always does
        after the request is closed).
        """
        now = now or utcnow()
        if is_back_to_assistant(text):
            return self._back_to_assistant(sender_id, now)
        r = requests_table
        with self._get_engine().connect() as connection:
            row = connection.execute(
                sa.select(r.c.id, r.c.reference, r.c.category, r.c.language)
                .where(r.c.sender_id == sender_id, r.c.held.is_(True), r.c.status != "done")
                .order_by(sa.func.coalesce(r.c.updated_at, r.c.created_at).desc(), r.c.id.desc())
                .limit(1)
            ).first()
        if row is None:
            return None
        relayed = self._store(row, text.strip()[:MAX_TEXT], now)
        if relayed.said:  # the first message of this hold
            _announce(relayed.reference, relayed.category)
        return relayed

    def _store(self, row: Any, text: str, now: dt.datetime) -> Relayed:
        # Translated before the transaction: a model can take a second, and the
        # request's row must not stay locked meanwhile.
        german = None if row.language == "de" else to_german([text], row.language)
        r = requests_table
        with self._get_engine().begin() as connection:
            first_in_hold = connection.execute(
                r.update()
                .where(r.c.id == row.id, r.c.relay_noticed_at.is_(None))
                .values(relay_noticed_at=now)
            ).rowcount
            connection.execute(
                r.update()
                .where(r.c.id == row.id)
                .values(
                    updated_at=now,
                    status=sa.case((r.c.status == "waiting", "in_progress"), else_=r.c.status),
                )
            )
            connection.execute(
                entries_table.insert().values(
                    request_id=row.id,
                    created_at=now,
                    kind="newcomer",
                    text=text,
                    text_translated=german[0] if german else None,
                    language=row.language,
                    machine_translated=bool(german),
                    # The notice is said by the channel at once; the web chat's
                    # history shows it again from this mark.
                    data={"noticed": True} if first_in_hold == 1 else None,
                )
            )
        said = [passed_on_message(row.reference, row.language)] if first_in_hold == 1 else []
        logger.info("Message of a newcomer relayed to request %s", row.reference)
        return Relayed(row.reference, row.category, said)

    def _back_to_assistant(self, sender_id: str, now: dt.datetime) -> Relayed | None:
        """End every hold of the conversation; answered even if none is left (a second click)."""
        r = requests_table
        with self._get_engine().begin() as connection:
            rows = connection.execute(
                sa.select(r.c.id, r.c.reference, r.c.category, r.c.language, r.c.held, r.c.status)
                .where(r.c.sender_id == sender_id)
                .order_by(sa.func.coalesce(r.c.updated_at, r.c.created_at).desc(), r.c.id.desc())
            ).all()
            held = [row for row in rows if row.held and row.status != "done"]
            for row in held:
                connection.execute(
                    r.update().where(r.c.id == row.id).values(held=False, updated_at=now)
                )
                connection.execute(
                    entries_table.insert().values(
                        request_id=row.id, created_at=now, kind="released",
                        data={"by": "newcomer"},
                    )
                )  # fmt: skip
        still_open = held or [row for row in rows if row.status != "done"]
        if not still_open:
            return None  # nothing with the office: the assistant answers as for any command
        latest = still_open[0]
        if held:
            logger.info("Newcomer took request %s back to the assistant", latest.reference)
        said = [back_message(latest.reference, latest.language)]
        return Relayed(latest.reference, latest.category, said)


def _announce(reference: str, category: str) -> None:
    """Tell the staff a newcomer wrote (after commit; never breaks the relay).

    Once per hold (the first message since the coordinator's last reply or
    claim): a conversation of ten messages is one notice, not ten.
    """
    try:
        notify.notify_newcomer_reply(reference, category)
    except Exception:  # noqa: BLE001 - the newcomer's message is stored; that counts
        logger.exception("Telling the staff about a message on %s failed", reference)
