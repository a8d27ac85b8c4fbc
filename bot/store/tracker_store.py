"""Rasa's conversation history in the assistant's database.

Configured in ``endpoints.yml``::

    tracker_store:
      type: bot.store.tracker_store.WelcomeTrackerStore

The database is :attr:`bot.settings.Settings.database_url` (the same database
as the handoff requests); the ``dialect``/``host``/``db`` keys of Rasa's
SQLTrackerStore are not used. Rasa creates and owns the ``events`` table.

Every save also counts the new user turns in the anonymous daily figures and
collects what the assistant could not answer, masked, in the same
transaction (:mod:`bot.store.chat_figures`; no sender is written there).

After "delete my data": ``action_delete_user_data`` deletes everything
stored about the person (:mod:`bot.privacy`), but the Rasa server still holds
the conversation in memory and saves it at the end of the turn. So when a
tracker contains that action, this store keeps as the stored history only the
events after it (replacing whatever is stored for the conversation, all
sessions); later saves in the same turn append only what is new, so nothing
said before the deletion is ever written again.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import SQLAlchemyError

from bot.store.chat_turns import record_turns
from bot.store.db import make_engine, redact_url, sqlite_file

logger = logging.getLogger(__name__)

#: The custom action after which everything said before is forgotten.
DELETE_ACTION_NAME = "action_delete_user_data"

#: Attribute on a tracker this store loaded or saved: how many of its events
#: are stored. A save then writes the rest without first counting the stored
#: rows (Rasa's SQLTrackerStore counts them on every save).
STORED_EVENTS = "_welcome_stored_events"

#: Keys of Rasa's SQLTrackerStore that this store ignores (the URL comes from settings).
_IGNORED_KEYS = ("dialect", "port", "db", "username", "password", "login_db", "query")


def deletion_index(events: Sequence[Event]) -> int | None:
    """Index of the first event after the last ``action_delete_user_data``, if any."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, ActionExecuted) and event.action_name == DELETE_ACTION_NAME:
            return index + 1
    return None


@cache
def _event_class(type_name: str) -> type[Event] | None:
    # Rasa's Event.resolve_by_type walks every Event subclass for every event
    # it reads; the answer never changes within a process.
    try:
        return Event.resolve_by_type(type_name)
    except ValueError:
        return None


def deserialise_events(serialised: Sequence[str]) -> list[Event]:
    """Events from their stored JSON, as ``rasa.shared.core.events.deserialise_events``."""
    events = []
    for data in serialised:
        parameters = json.loads(data)
        event_class = _event_class(parameters.get("event"))
        event = event_class._from_parameters(parameters) if event_class else None
        if event is not None:
            events.append(event)
        else:
            logger.warning("Skipped a stored event of unknown type %r", parameters.get("event"))
    return events


class WelcomeTrackerStore(SQLTrackerStore):
    """SQLTrackerStore on the assistant's database; a deletion ends the stored history."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        url: str | None = None,
        startup_retries: int = 12,
        retry_interval: float = 5.0,
        low_confidence: float | None = None,
        **kwargs: Any,
    ) -> None:
        """Connect to ``url`` (default: the configured database URL).

        Rasa passes the endpoint's ``url`` as ``host``; it is used when it is a
        full database URL. While the database is starting up, connecting is
        retried ``startup_retries`` times, ``retry_interval`` seconds apart.
        ``low_confidence``: turns understood with less confidence are collected
        as unanswered questions (default: ``WELCOME_LOW_CONFIDENCE``).
        """
        if url is None and host and "://" in host:
            url = host
        if url is None:
            from bot.settings import get_settings

            url = get_settings().database_url
        ignored = sorted(key for key in _IGNORED_KEYS if kwargs.pop(key, None) is not None)
        if ignored:
            logger.warning(
                "WelcomeTrackerStore ignores %s; it uses the database URL from the settings",
                ", ".join(ignored),
            )

        # Deliberately not SQLTrackerStore.__init__: it builds the URL from
        # dialect/host keys and retries forever. The rest of it is reused.
        path = sqlite_file(url)
        if path is not None:  # e.g. var/welcome.db on a fresh checkout
            path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(url, future=False)
        self._display_url = redact_url(url)
        self._create_tables(startup_retries, retry_interval)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        if low_confidence is None:
            from bot.settings import get_settings

            low_confidence = get_settings().low_confidence
        self.low_confidence = low_confidence
        self._figures_ready: bool | None = None
        logger.debug("Tracker store uses %s", self._display_url)
        TrackerStore.__init__(self, domain, event_broker, **kwargs)

    def _create_tables(self, retries: int, interval: float) -> None:
        for attempt in range(retries + 1):
            try:
                self.Base.metadata.create_all(self.engine)
                return
            except SQLAlchemyError as error:
                # Another process may have created the table at the same moment.
                try:
                    if sa.inspect(self.engine).has_table(self.SQLEvent.__tablename__):
                        return
                except SQLAlchemyError:
                    pass
                if attempt == retries:
                    raise
                logger.warning(
                    "Database %s not ready (%s); retrying in %.0f s",
                    self._display_url,
                    type(error).__name__,
                    interval,
                )
                time.sleep(interval)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def _figures_tables_exist(self, session: Any) -> bool:
        """Whether migration 0006 ran (Rasa may run on a database not yet migrated)."""
        if not self._figures_ready:
            ready = sa.inspect(session.connection()).has_table("chat_figures")
            if not ready and self._figures_ready is None:
                logger.warning(
                    "No chat_figures table (schema before migration 0006): turns not counted"
                )
            self._figures_ready = ready
        return bool(self._figures_ready)

    def _count_turns(self, session: Any, events: Sequence[Event], start: int) -> None:
        """The anonymous figures of ``events[start:]``, in the session's transaction."""
        if start >= len(events):
            return
        try:
            if not self._figures_tables_exist(session):
                return
            # A savepoint: when counting fails, the conversation is still stored.
            with session.begin_nested():
                record_turns(session, events, start, self.low_confidence)
        except Exception:  # noqa: BLE001 - the figures must never cost a turn
            self._figures_ready = None
            logger.exception("Counting a turn into the chat figures failed; the turn is stored")

    def _insert_events(self, session: Any, sender_id: str, events: Sequence[Event]) -> None:
        """Insert rows with the columns SQLTrackerStore.save writes (one statement)."""
        rows = []
        for event in events:
            data = event.as_dict()
            rows.append(
                {
                    "sender_id": sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {})
                    .get("intent", {})
                    .get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                }
            )
        if rows:
            session.execute(self.SQLEvent.__table__.insert(), rows)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """SQLTrackerStore's query, reading only the JSON column (no ORM objects)."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            serialised = [data for (data,) in query.with_entities(self.SQLEvent.data)]
        if not self.domain or not serialised:
            return None
        tracker = DialogueStateTracker.from_events(
            sender_id, deserialise_events(serialised), self.domain.slots
        )
        setattr(tracker, STORED_EVENTS, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store new events; after a deletion request, replace the whole stored history."""
        events = list(tracker.events)
        start = deletion_index(events)
        if start is None:
            await self._append_new_events(tracker, events)
            return

        kept = events[start:]
        serialised = [json.dumps(event.as_dict()) for event in kept]
        deleted = 0
        with self.session_scope() as session:
            stored = (
                session.query(self.SQLEvent.data)
                .filter(self.SQLEvent.sender_id == tracker.sender_id)
                .order_by(self.SQLEvent.id)
                .all()
            )
            stored = [data for (data,) in stored]
            if stored == serialised[: len(stored)]:
                # The deletion has been applied by an earlier save of this tracker.
                new_from = len(stored)
            else:
                deleted = (
                    session.query(self.SQLEvent)
                    .filter(self.SQLEvent.sender_id == tracker.sender_id)
                    .delete(synchronize_session=False)
                )
                new_from = 0
            self._insert_events(session, tracker.sender_id, kept[new_from:])
            counted = getattr(tracker, STORED_EVENTS, None)
            self._count_turns(session, events, start + new_from if counted is None else counted)
            session.commit()
        setattr(tracker, STORED_EVENTS, len(events))

        if deleted:
            logger.info("Replaced a conversation's history after a deletion (%d event(s))", deleted)
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, kept[new_from:], tracker.sender_id)

    async def _append_new_events(self, tracker: DialogueStateTracker, events: list[Event]) -> None:
        await self.stream_events(tracker)
        stored = getattr(tracker, STORED_EVENTS, None)
        with self.session_scope() as session:
            if stored is None or stored > len(events):
                # A tracker this store did not load (a new conversation):
                # count, as SQLTrackerStore does.
                stored = self._event_query(
                    session, tracker.sender_id, fetch_events_from_all_sessions=False
                ).count()
            self._insert_events(session, tracker.sender_id, events[stored:])
            self._count_turns(session, events, stored)
            session.commit()
        setattr(tracker, STORED_EVENTS, len(events))
