"""What the assistant stores about a person, and the only code that forgets it.

Every table that can hold a newcomer's data is listed in :data:`PERSONAL_DATA`,
with what it holds and how one person's rows are found; a test fails when the
schema has a table with a column that identifies a person (``sender_id``,
``recipient``, ...) that is not listed. Three things forget, all through this
module:

* "delete my data" in the chat (``action_delete_user_data``) and
  ``welcome requests forget SENDER_ID``: :func:`forget`;
* retention, ``welcome requests purge`` (run it daily): :func:`purge`.

Nothing here logs what a person wrote; counts only.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

import sqlalchemy as sa

from bot import senders
from bot.casework.fallback import EMAIL_CHANNEL, email_address
from bot.outbox import Outbox
from bot.settings import get_settings
from bot.store import RequestStore
from bot.store.db import LazyDatabase, chunks
from bot.store.models import HandoffRequest
from bot.translation.cache import TranslationCache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PersonalTable:
    """A table that holds people's data.

    Attributes:
        name: the table.
        holds: what it holds about a person, for operators and the privacy notice.
        found_by: how one person's rows are found.
    """

    name: str
    holds: str
    found_by: str


PERSONAL_DATA = (
    PersonalTable(
        "handoff_requests",
        "requests handed to the coordination office: the answers given in the "
        "journey (contact, appointment, description) and an excerpt of the conversation",
        "sender_id",
    ),
    PersonalTable(
        "events",
        "the conversation: every message and what the assistant understood (Rasa's tracker store)",
        "sender_id",
    ),
    PersonalTable(
        "translation_cache",
        "machine translations of what people wrote (keyed by a hash; the text itself "
        "is never stored)",
        "the hashes of the person's messages, read from their conversation",
    ),
    PersonalTable(
        "outbox",
        "messages on their way to Telegram: the chat id, and the text until it is sent",
        "recipient: the Telegram chat of a tg- conversation, or the e-mail address "
        "a newcomer gave as contact",
    ),
    PersonalTable(
        "case_entries",
        "a request's history in the office: messages between the newcomer and the "
        "office (original and translation), internal notes, changes",
        "request_id: deleted with the request (ON DELETE CASCADE)",
    ),
    PersonalTable(
        "interpreter_assignments",
        "an interpreter booked for a newcomer's appointment (date, time, place)",
        "request_id: deleted with the request (ON DELETE CASCADE)",
    ),
    PersonalTable(
        "staff_users",
        "the office's staff accounts: name, e-mail, password hash",
        "username (`welcome users disable`; an admin removes accounts)",
    ),
    PersonalTable(
        "interpreters",
        "the interpreter pool: names, contacts, languages, towns, availability, "
        "listed only with consent",
        "id (an admin removes an interpreter in the office app)",
    ),
    PersonalTable(
        "audit_log",
        "who of the staff viewed, changed, exported or deleted which request, and from "
        "which address (no newcomer data beyond the reference)",
        "username; kept WELCOME_AUDIT_DAYS days",
    ),
)
"""Every table holding a person's data. Add each new one here, with its forgetting below."""

NOT_PERSONAL = {
    "telegram_callback_data": "payloads of the assistant's own buttons",
    "alembic_version": "the schema's revision",
    "reply_templates": "the office's reusable reply texts",
    "request_figures": "per-request figures for the county's reports: month, category, "
    "language, town, channel, durations; no reference, sender or text",
}
"""Tables that hold nothing about a person (checked by the same test)."""

# Rasa owns the conversation table (its SQLTrackerStore creates it); these are
# the columns this module reads and deletes by.
_events = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("data", sa.Text),
)


class _Requests(LazyDatabase):
    """The contacts in a conversation's requests, read before the requests are deleted."""

    def email_contacts(self, sender_id: str) -> list[str]:
        table = HandoffRequest.__table__
        with self._get_engine().connect() as connection:
            rows = connection.execute(
                sa.select(table.c.fields).where(table.c.sender_id == sender_id)
            )
            found = {email_address(fields) for (fields,) in rows}
        return sorted(address for address in found if address)


class PrivacyError(RuntimeError):
    """Forgetting did not complete; the message says which part failed (never a text)."""


@dataclass(frozen=True)
class Forgotten:
    """What :func:`forget` deleted."""

    requests: int
    events: int
    translations: int
    messages: int


@dataclass(frozen=True)
class Purged:
    """What :func:`purge` deleted."""

    requests: int
    conversations: int
    events: int
    translations: int
    messages: int


class _Conversations(LazyDatabase):
    """Rasa's ``events`` table, read and deleted by conversation."""

    def user_texts(self, senders_: list[str]) -> list[str]:
        texts = []
        with self._get_engine().connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return []
            for chunk in chunks(senders_):
                rows = connection.execute(
                    sa.select(_events.c.data).where(
                        _events.c.sender_id.in_(chunk), _events.c.type_name == "user"
                    )
                )
                texts += [json.loads(data).get("text") or "" for (data,) in rows]
        return [text for text in texts if text]

    def delete(self, senders_: list[str]) -> int:
        deleted = 0
        with self._get_engine().begin() as connection:
            if not sa.inspect(connection).has_table("events"):
                return 0
            for chunk in chunks(senders_):
                result = connection.execute(
                    sa.delete(_events).where(_events.c.sender_id.in_(chunk))
                )
                deleted += max(result.rowcount or 0, 0)
        return deleted

    def idle_since(self, cutoff: dt.datetime) -> list[str]:
        """Conversations whose last event is older than ``cutoff``."""
        with self._get_engine().connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return []
            rows = connection.execute(
                sa.select(_events.c.sender_id)
                .group_by(_events.c.sender_id)
                .having(sa.func.max(_events.c.timestamp) < cutoff.timestamp())
            )
            return [sender for (sender,) in rows]


def forget(
    sender_id: str,
    database_url: str | None = None,
    *,
    translation_cache: TranslationCache | None = None,
) -> Forgotten:
    """Delete everything stored about the conversation ``sender_id``.

    Its requests, its conversation (every session), the cached translations
    of what the person wrote, the messages already delivered to their
    Telegram chat, and every e-mail to a contact address in their requests
    (office messages sent by e-mail instead of the chat, :mod:`bot.casework.fallback`).
    Messages still waiting for the Telegram chat stay: they are answers still
    owed (their text is emptied once sent).

    ``translation_cache`` is the process's cache when the caller has one, so
    that its memory forgets too; other processes never serve a translation
    whose stored row is gone (:class:`~bot.translation.cache.TranslationCache`).

    Raises:
        PrivacyError: a part could not be deleted (the parts before it were).
    """
    url = database_url or get_settings().database_url
    conversations = _Conversations(url)
    cache = translation_cache or TranslationCache(url)
    outbox = Outbox(url)
    requests = RequestStore(url)
    contacts = _Requests(url)
    try:
        try:
            texts = conversations.user_texts([sender_id])
            # E-mails the office sent instead of the chat go with the requests.
            addresses = contacts.email_contacts(sender_id)
            deleted_requests = requests.delete_sender_data(sender_id)
            deleted_events = conversations.delete([sender_id])
        except (sa.exc.SQLAlchemyError, RuntimeError) as error:
            raise PrivacyError(
                f"cannot delete the requests and the conversation: {error}"
            ) from None
        deleted_translations = cache.forget(texts)
        chat = senders.telegram_chat(sender_id)
        try:
            messages = outbox.forget_recipient(senders.TELEGRAM, chat) if chat else 0
            for address in addresses:
                messages += outbox.forget_recipient(EMAIL_CHANNEL, address, waiting_too=True)
        except sa.exc.SQLAlchemyError as error:
            raise PrivacyError(f"cannot delete the delivered messages: {error}") from None
    finally:
        contacts.close()
        conversations.close()
        outbox.close()
        requests.close()
        if translation_cache is None:
            cache.close()
    logger.info(
        "Forgot a conversation: %d request(s), %d event(s), %d translation(s), %d message(s)",
        deleted_requests,
        deleted_events,
        deleted_translations,
        messages,
    )
    return Forgotten(deleted_requests, deleted_events, deleted_translations, messages)


def purge(
    idle_days: float,
    database_url: str | None = None,
    *,
    translation_days: float | None = None,
    now: dt.datetime | None = None,
) -> Purged:
    """Retention: forget conversations idle for ``idle_days`` and finished requests as old.

    Requests marked ``done`` and created before the cutoff are deleted (open
    ones stay, whatever their age: the office still works on them); whole
    conversations whose last message is older than the cutoff are deleted
    with the cached translations of what was written in them; cached
    translations older than ``translation_days`` (default: the setting
    ``WELCOME_TRANSLATION_CACHE_DAYS``) and delivered outbox rows older than
    the cutoff go too.
    """
    settings = get_settings()
    url = database_url or settings.database_url
    now = now or dt.datetime.now(dt.timezone.utc)
    cutoff = now - dt.timedelta(days=idle_days)
    days = settings.translation_cache_days if translation_days is None else translation_days
    conversations = _Conversations(url)
    cache = TranslationCache(url)
    outbox = Outbox(url)
    requests = RequestStore(url)
    try:
        deleted_requests = requests.delete_done_before(cutoff)
        idle = conversations.idle_since(cutoff)
        translations = cache.forget(conversations.user_texts(idle))
        events = conversations.delete(idle)
        translations += cache.purge_older_than(days)
        messages = outbox.purge_finished(cutoff)
    except sa.exc.SQLAlchemyError as error:
        raise PrivacyError(f"retention did not complete: {error}") from None
    finally:
        for helper in (conversations, cache, outbox, requests):
            helper.close()
    logger.info(
        "Retention: %d request(s), %d conversation(s) (%d event(s)), %d translation(s), "
        "%d message(s) deleted",
        deleted_requests,
        len(idle),
        events,
        translations,
        messages,
    )
    return Purged(deleted_requests, len(idle), events, translations, messages)
