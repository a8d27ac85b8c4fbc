"""What the assistant stores about a person, and the only code that forgets it.

Every table that can hold a newcomer's data is listed in :data:`PERSONAL_DATA`,
with what it holds and how one person's rows are found; a test fails when the
schema has a table with a column that identifies a person (``sender_id``,
``recipient``, ...) that is not listed. Three things forget, all through this
module:

* "delete my data" in the chat (``action_delete_user_data``) and
  ``welcome requests forget SENDER_ID``: :func:`forget`;
* an erasure ordered in the office (a person asked by letter, phone or at the
  counter): :func:`erase_request_person`;
* retention, ``welcome requests purge`` and the office's daily job:
  :func:`purge` / :func:`run_retention`.

Before a request is deleted or anonymised its anonymous figures are written
to ``request_figures`` in the same transaction (:mod:`bot.store.figures`), so
the county's reports keep counting it. Nothing here logs what a person
wrote; counts only.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot import senders
from bot.outbox import Outbox
from bot.outbox.store import EMAIL_CHANNEL, PENDING, outbox_table
from bot.settings import Settings, get_settings
from bot.store.audit import audit_in
from bot.store.db import LazyDatabase, chunks
from bot.store.figures import ANONYMISED_SENDER, archive_figures
from bot.store.models import AuditEntry, CaseEntry, HandoffRequest, InterpreterAssignment
from bot.translation.cache import TranslationCache, source_digest, translation_cache_table

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
    # Staff-made content: texts about offers and offices that staff write for
    # everyone; who edited or published is a staff account name, like the audit log's.
    "content_files": "the working copy of the content files staff edit (offers, contacts, ...)",
    "content_publications": "published versions of the content files, with the publishing "
    "staff member's name",
    "content_text_sources": "which German text each translation was made from and which "
    "staff member reviewed it",
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


#: Retention modes: delete finished requests, or keep them without the person.
MODES = ("delete", "anonymise")
#: Who the audit log names for a retention run from the office's daily job.
RETENTION_USER = "retention"
CLI_USER = "cli"

requests_table = HandoffRequest.__table__
entries_table = CaseEntry.__table__
assignments_table = InterpreterAssignment.__table__
audit_table = AuditEntry.__table__
OPEN_STATUSES = ("new", "in_progress", "waiting")


class PrivacyError(RuntimeError):
    """Forgetting did not complete; the message says which part failed (never a text)."""


class ErasureError(PrivacyError):
    """An erasure ordered in the office cannot be done; the message is German, for staff."""


@dataclass(frozen=True)
class Forgotten:
    """What :func:`forget` deleted (``figures``: anonymous figures rows written first)."""

    requests: int
    events: int
    translations: int
    messages: int
    figures: int = 0

    def detail(self) -> str:
        return (
            f"Anfragen: {self.requests}, Chat-Ereignisse: {self.events}, "
            f"Übersetzungen: {self.translations}, Nachrichten: {self.messages}"
        )


@dataclass(frozen=True)
class Purged:
    """What a retention run did, or would do (``dry_run``), per kind."""

    closed: int  # open requests closed after a long silence
    requests: int  # finished requests deleted
    anonymised: int  # finished requests kept without the person
    figures: int  # anonymous figures rows written before deleting/anonymising
    conversations: int
    events: int
    translations: int
    messages: int  # delivered or failed outbox rows
    audit_entries: int
    dry_run: bool = False

    def detail(self) -> str:
        """The counts, for the audit log (no data of anybody)."""
        return (
            f"geschlossen={self.closed} gelöscht={self.requests} "
            f"anonymisiert={self.anonymised} zahlen={self.figures} "
            f"gespräche={self.conversations} ereignisse={self.events} "
            f"übersetzungen={self.translations} nachrichten={self.messages} "
            f"protokoll={self.audit_entries}"
        )


@dataclass(frozen=True)
class RetentionPolicy:
    """How long what is kept (days); from the settings, each overridable."""

    close_idle_days: float
    closed_days: float
    mode: str
    conversation_days: float
    batch: int
    audit_days: float
    translation_days: float

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> RetentionPolicy:
        values = {
            "close_idle_days": settings.retention_close_idle_days,
            "closed_days": settings.retention_closed_days,
            "mode": settings.retention_mode,
            "conversation_days": settings.retention_conversation_days,
            "batch": settings.retention_batch,
            "audit_days": settings.audit_days,
            "translation_days": settings.translation_cache_days,
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        policy = cls(**values)
        if policy.mode not in MODES:
            raise ValueError(f"retention mode must be one of {', '.join(MODES)}")
        if policy.batch < 1:
            raise ValueError("the retention batch must be 1 or more")
        return policy


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

    def count(self, senders_: list[str]) -> int:
        counted = 0
        with self._get_engine().connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return 0
            for chunk in chunks(senders_):
                counted += connection.execute(
                    sa.select(sa.func.count()).where(_events.c.sender_id.in_(chunk))
                ).scalar_one()
        return counted

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

    def idle_since(self, cutoff: dt.datetime, limit: int | None = None) -> list[str]:
        """Conversations whose last event is older than ``cutoff``, longest idle first."""
        with self._get_engine().connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return []
            last = sa.func.max(_events.c.timestamp)
            query = (
                sa.select(_events.c.sender_id)
                .group_by(_events.c.sender_id)
                .having(last < cutoff.timestamp())
                .order_by(last, _events.c.sender_id)
            )
            if limit is not None:
                query = query.limit(limit)
            return [sender for (sender,) in connection.execute(query)]


class _Records(LazyDatabase):
    """The tables of requests, figures, outbox and audit, changed in one transaction each."""

    def engine(self) -> sa.engine.Engine:
        return self._get_engine()


def _contact_emails(fields_list: list[Any]) -> set[str]:
    """The e-mail addresses a person gave as contact in their requests."""
    addresses = set()
    for fields in fields_list:
        for key in ("contact", "contact_as_written", "email"):
            value = (fields or {}).get(key)
            if isinstance(value, str) and "@" in value:
                addresses.add(value.strip())
    return addresses


def _forget_requests(connection: sa.engine.Connection, sender_id: str) -> tuple[int, int, set]:
    """Archive the figures of the sender's requests, then delete them (with their history).

    Returns (requests deleted, figures written, contact e-mail addresses).
    """
    r = requests_table
    rows = connection.execute(sa.select(r.c.id, r.c.fields).where(r.c.sender_id == sender_id)).all()
    ids = [row.id for row in rows]
    figures = archive_figures(connection, ids)
    deleted = 0
    for chunk in chunks(ids):
        deleted += connection.execute(r.delete().where(r.c.id.in_(chunk))).rowcount or 0
    return deleted, figures, _contact_emails([row.fields for row in rows])


def forget(
    sender_id: str,
    database_url: str | None = None,
    *,
    translation_cache: TranslationCache | None = None,
    undelivered: bool = False,
    audit_as: str | None = None,
) -> Forgotten:
    """Delete everything stored about the conversation ``sender_id``.

    Its requests with their history and interpreter bookings (their anonymous
    figures are written to ``request_figures`` first, in the same
    transaction), its conversation (every session), the cached translations
    of what the person wrote, and the messages already delivered to their
    Telegram chat or contact e-mail address. Messages still waiting in the
    outbox stay unless ``undelivered``: in the chat ("delete my data") they
    are answers still owed, among them the confirmation of the deletion (their
    text is emptied once sent). An erasure ordered in the office deletes them
    too: nothing is owed any more.

    ``translation_cache`` is the process's cache when the caller has one, so
    that its memory forgets too; other processes never serve a translation
    whose stored row is gone (:class:`~bot.translation.cache.TranslationCache`).
    ``audit_as``: the user the audit log names (``cli``); none for the chat.

    Raises:
        PrivacyError: a part could not be deleted (the parts before it were).
        ValueError: ``sender_id`` is the placeholder of anonymised requests.
    """
    if sender_id == ANONYMISED_SENDER:
        raise ValueError("anonymised requests belong to nobody; there is no one to forget")
    url = database_url or get_settings().database_url
    conversations = _Conversations(url)
    cache = translation_cache or TranslationCache(url)
    records = _Records(url)
    try:
        try:
            texts = conversations.user_texts([sender_id])
            with records.engine().begin() as connection:
                deleted_requests, figures, addresses = _forget_requests(connection, sender_id)
            deleted_events = conversations.delete([sender_id])
        except (sa.exc.SQLAlchemyError, RuntimeError) as error:
            raise PrivacyError(
                f"cannot delete the requests and the conversation: {error}"
            ) from None
        deleted_translations = cache.forget(texts)
        try:
            with records.engine().begin() as connection:
                messages = _forget_messages(connection, sender_id, addresses, undelivered)
                if audit_as:
                    audit_in(connection, "erase", username=audit_as, detail=Forgotten(
                        deleted_requests, deleted_events, deleted_translations, messages
                    ).detail())  # fmt: skip
        except sa.exc.SQLAlchemyError as error:
            raise PrivacyError(f"cannot delete the delivered messages: {error}") from None
    finally:
        conversations.close()
        records.close()
        if translation_cache is None:
            cache.close()
    logger.info(
        "Forgot a conversation: %d request(s), %d event(s), %d translation(s), %d message(s)",
        deleted_requests,
        deleted_events,
        deleted_translations,
        messages,
    )
    return Forgotten(deleted_requests, deleted_events, deleted_translations, messages, figures)


def _forget_messages(
    connection: sa.engine.Connection, sender_id: str, addresses: set[str], undelivered: bool
) -> int:
    """Outbox rows to the person's Telegram chat and contact e-mail addresses."""
    table = outbox_table
    deleted = 0
    chat = senders.telegram_chat(sender_id)
    if chat:
        recipient = sa.and_(table.c.channel == senders.TELEGRAM, table.c.recipient == chat)
        # Waiting chat messages are owed (among them the confirmation of this deletion).
        condition = recipient if undelivered else sa.and_(recipient, table.c.status != PENDING)
        deleted += connection.execute(table.delete().where(condition)).rowcount or 0
    # E-mails go whether sent or waiting: they answer requests that are deleted now,
    # and no confirmation of the deletion goes by e-mail.
    for chunk in chunks(sorted(addresses)):
        condition = sa.and_(table.c.channel == EMAIL_CHANNEL, table.c.recipient.in_(chunk))
        deleted += connection.execute(table.delete().where(condition)).rowcount or 0
    return deleted


def erase_request_person(
    reference: str,
    *,
    username: str,
    staff_id: int | None = None,
    address: str | None = None,
    database_url: str | None = None,
) -> Forgotten:
    """Erase the person behind the request ``reference`` (ordered by a member of staff).

    The person asked the office to delete their data (Art. 17 GDPR) by letter,
    phone or at the counter: everything of their conversation goes, all their
    requests included (:func:`forget`, messages not yet delivered too). The
    audit log records who ordered it, for which reference, and the counts.

    Raises:
        ErasureError: no such request, or it is anonymised already (German message).
        PrivacyError: a part could not be deleted.
    """
    url = database_url or get_settings().database_url
    reference = (reference or "").strip().upper()
    records = _Records(url)
    try:
        with records.engine().connect() as connection:
            sender = connection.execute(
                sa.select(requests_table.c.sender_id).where(requests_table.c.reference == reference)
            ).scalar_one_or_none()
    finally:
        records.close()
    if sender is None:
        raise ErasureError(f"Die Anfrage {reference} gibt es nicht (mehr).")
    if sender == ANONYMISED_SENDER:
        raise ErasureError(f"Die Anfrage {reference} ist bereits anonymisiert.")
    forgotten = forget(sender, url, undelivered=True)
    records = _Records(url)
    try:
        with records.engine().begin() as connection:
            audit_in(
                connection, "erase", username=username, staff_id=staff_id,
                reference=reference, address=address, detail=forgotten.detail(),
            )  # fmt: skip
    finally:
        records.close()
    logger.info("Erased the person of request %s on the office's order", reference)
    return forgotten


# -- retention --------------------------------------------------------------------------


def _idle_open(connection: sa.engine.Connection, cutoff: dt.datetime, limit: int) -> list:
    r = requests_table
    last = sa.func.coalesce(r.c.updated_at, r.c.created_at)
    return connection.execute(
        sa.select(r.c.id, r.c.status)
        .where(r.c.status.in_(OPEN_STATUSES), last < cutoff)
        .order_by(last, r.c.id)
        .limit(limit)
    ).all()


def _closed_before(
    connection: sa.engine.Connection, cutoff: dt.datetime, mode: str, limit: int
) -> list:
    # A request closed before migration 0004 (or with `set-status`) has no
    # closed_at; it counts from its creation, as retention always did.
    r = requests_table
    closed = sa.func.coalesce(r.c.closed_at, r.c.created_at)
    conditions = [r.c.status == "done", closed < cutoff]
    if mode == "anonymise":
        conditions.append(r.c.sender_id != ANONYMISED_SENDER)
    return connection.execute(
        sa.select(r.c.id, r.c.sender_id).where(*conditions).order_by(closed, r.c.id).limit(limit)
    ).all()


def _close(connection: sa.engine.Connection, rows: list, now: dt.datetime) -> None:
    """Close requests nobody touched for long; their history says retention did it.

    The newcomer is not told: after weeks of silence a message out of the blue
    helps nobody (the web chat is long closed), and it would store new data
    about them right when the data is to go. They can always ask again.
    """
    r = requests_table
    for chunk in chunks([row.id for row in rows]):
        connection.execute(
            r.update()
            .where(r.c.id.in_(chunk))
            .values(status="done", closed_at=now, updated_at=now, held=False)
        )
    if rows:
        connection.execute(
            entries_table.insert(),
            [
                {
                    "request_id": row.id,
                    "created_at": now,
                    "kind": "status",
                    "data": {"from": row.status, "to": "done", "by": "retention"},
                }
                for row in rows
            ],
        )


def _anonymise(connection: sa.engine.Connection, ids: list[int]) -> None:
    """Keep the rows for the figures, without anything about the person."""
    for chunk in chunks(ids):
        connection.execute(
            requests_table.update()
            .where(requests_table.c.id.in_(chunk))
            .values(
                sender_id=ANONYMISED_SENDER, fields={}, excerpt=[], held=False,
                relay_noticed_at=None,
            )
        )  # fmt: skip
        connection.execute(
            entries_table.update()
            .where(entries_table.c.request_id.in_(chunk))
            .values(text=None, text_translated=None, data=sa.null(), outbox_id=None)
        )
        connection.execute(
            assignments_table.update()
            .where(assignments_table.c.request_id.in_(chunk))
            .values(appointment_date=None, appointment_time=None, place=None)
        )


def _count(connection: sa.engine.Connection, table: sa.Table, condition: Any) -> int:
    return connection.execute(
        sa.select(sa.func.count()).select_from(table).where(condition)
    ).scalar_one()


def purge(
    database_url: str | None = None,
    *,
    settings: Settings | None = None,
    close_idle_days: float | None = None,
    closed_days: float | None = None,
    mode: str | None = None,
    conversation_days: float | None = None,
    batch: int | None = None,
    audit_days: float | None = None,
    translation_days: float | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    audit_as: str = CLI_USER,
) -> Purged:
    """One retention run: what the settings say is no longer needed goes.

    1. Open requests nobody touched (``updated_at``) for ``close_idle_days``
       are closed (a ``status`` entry with ``{"by": "retention"}``; the
       newcomer is not told, see :func:`_close`).
    2. Requests closed ``closed_days`` ago are deleted with their history and
       bookings (``mode`` delete) or kept without the person (anonymise: no
       sender, fields, excerpt, texts, appointment details); their anonymous
       figures are written first, in the same transaction.
    3. Conversations idle for ``conversation_days`` are deleted with the
       cached translations of what was written in them; delivered outbox rows
       as old go too, and cached translations older than ``translation_days``.
    4. Audit entries older than ``audit_days`` are deleted; the run itself is
       audited (action ``retention``, the counts, user ``audit_as``).

    At most ``batch`` requests are closed, as many deleted or anonymised and
    as many conversations deleted per run (a backlog goes over several days
    without one long transaction). Every value defaults to its setting.
    ``dry_run`` counts what would be done and changes nothing.
    """
    settings = settings or get_settings()
    policy = RetentionPolicy.from_settings(
        settings, close_idle_days=close_idle_days, closed_days=closed_days, mode=mode,
        conversation_days=conversation_days, batch=batch, audit_days=audit_days,
        translation_days=translation_days,
    )  # fmt: skip
    url = database_url or settings.database_url
    now = now or dt.datetime.now(dt.timezone.utc)

    def ago(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days)

    conversation_cutoff = ago(policy.conversation_days)
    conversations = _Conversations(url)
    records = _Records(url)
    cache = TranslationCache(url)
    outbox = Outbox(url)
    try:
        engine = records.engine()
        # A dry run reads in a transaction that is rolled back.
        with engine.connect() if dry_run else engine.begin() as connection:
            idle_requests = _idle_open(connection, ago(policy.close_idle_days), policy.batch)
            old_rows = _closed_before(
                connection, ago(policy.closed_days), policy.mode, policy.batch
            )
            old_requests = [row.id for row in old_rows]
            audit_condition = audit_table.c.at < ago(policy.audit_days)
            if dry_run:
                # Anonymised rows have their figures already.
                figures = sum(row.sender_id != ANONYMISED_SENDER for row in old_rows)
                audit_entries = _count(connection, audit_table, audit_condition)
            else:
                _close(connection, idle_requests, now)
                figures = archive_figures(connection, old_requests)
                if policy.mode == "anonymise":
                    _anonymise(connection, old_requests)
                else:
                    for chunk in chunks(old_requests):
                        connection.execute(
                            requests_table.delete().where(requests_table.c.id.in_(chunk))
                        )
                audit_entries = (
                    connection.execute(audit_table.delete().where(audit_condition)).rowcount or 0
                )
        idle = conversations.idle_since(conversation_cutoff, limit=policy.batch)
        texts = conversations.user_texts(idle)
        if dry_run:
            events = conversations.count(idle)
            translations, messages = _count_translations_and_messages(
                engine, texts, now - dt.timedelta(days=policy.translation_days),
                conversation_cutoff,
            )  # fmt: skip
        else:
            translations = cache.forget(texts)
            events = conversations.delete(idle)
            translations += cache.purge_older_than(policy.translation_days)
            messages = outbox.purge_finished(conversation_cutoff)
        deleted = 0 if policy.mode == "anonymise" else len(old_requests)
        purged = Purged(
            closed=len(idle_requests),
            requests=deleted,
            anonymised=len(old_requests) - deleted,
            figures=figures,
            conversations=len(idle),
            events=events,
            translations=translations,
            messages=messages,
            audit_entries=audit_entries,
            dry_run=dry_run,
        )
        if not dry_run:
            with engine.begin() as connection:
                audit_in(connection, "retention", username=audit_as, detail=purged.detail())
    except sa.exc.SQLAlchemyError as error:
        raise PrivacyError(f"retention did not complete: {error}") from None
    finally:
        for helper in (conversations, records, cache, outbox):
            helper.close()
    logger.info("Retention%s: %s", " (dry run)" if dry_run else "", purged.detail())
    return purged


def _count_translations_and_messages(
    engine: sa.engine.Engine,
    texts: list[str],
    translation_cutoff: dt.datetime,
    message_cutoff: dt.datetime,
) -> tuple[int, int]:
    """What the cache and the outbox would lose (for a dry run)."""
    table = translation_cache_table
    hashes = sorted({source_digest(text) for text in texts})
    with engine.connect() as connection:
        conditions = [table.c.created_at < translation_cutoff]
        conditions += [table.c.source_hash.in_(chunk) for chunk in chunks(hashes)]
        translations = _count(connection, table, sa.or_(*conditions))
        messages = _count(
            connection,
            outbox_table,
            sa.and_(outbox_table.c.status != PENDING, outbox_table.c.created_at < message_cutoff),
        )
    return translations, messages


def run_retention(settings: Settings | None = None, *, dry_run: bool = False) -> Purged:
    """The daily retention job (the office's job runner calls it), all values from settings."""
    settings = settings or get_settings()
    return purge(settings.database_url, settings=settings, dry_run=dry_run, audit_as=RETENTION_USER)
