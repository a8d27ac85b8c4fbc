"""Rasa's conversation history in WelcomeTrackerStore, and deleting it on request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import privacy
from bot.store import RequestStore
from bot.store.tracker_store import DELETE_ACTION_NAME, WelcomeTrackerStore

DOMAIN_YAML = """
version: "3.1"
intents:
  - greet
  - request_interpreter
  - delete_data
slots:
  municipality:
    type: text
    mappings:
      - type: custom
responses:
  utter_greet:
    - text: "Hallo! Wie kann ich helfen?"
  utter_data_deleted:
    - text: "Deine Daten sind gelöscht."
actions:
  - action_delete_user_data
"""

OLD_TEXTS = [
    "Ich heiße Olena und wohne in der Hauptstraße 5",
    "Мені потрібен перекладач",
    "أريد حذف بياناتي",
    "Sindelfingen",
]


@pytest.fixture
def domain() -> Domain:
    return Domain.from_yaml(DOMAIN_YAML)


@pytest.fixture
def tracker_store(store: RequestStore, database_url: str, domain: Domain) -> Iterator:
    # `store` has migrated the same database: both stores share it, as in production.
    tracker_store = WelcomeTrackerStore(domain=domain, url=database_url, startup_retries=0)
    yield tracker_store
    tracker_store.close()


def _user(text: str, intent: str) -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": 0.99})


def _session_start() -> list[Event]:
    # As Rasa logs it: SessionStarted is created (by the action) before the
    # ActionExecuted that precedes it on the tracker.
    started = SessionStarted()
    return [ActionExecuted("action_session_start", timestamp=started.timestamp), started]


def _conversation_before_deletion() -> list[Event]:
    return [
        *_session_start(),
        ActionExecuted("action_listen"),
        _user(OLD_TEXTS[0], "greet"),
        BotUttered("Hallo! Wie kann ich helfen?"),
        ActionExecuted("action_listen"),
        _user(OLD_TEXTS[1], "request_interpreter"),
        SlotSet("municipality", OLD_TEXTS[3]),
        ActionExecuted("action_listen"),
        _user(OLD_TEXTS[2], "delete_data"),
    ]


def _deletion_turn() -> list[Event]:
    return [
        ActionExecuted(DELETE_ACTION_NAME),
        BotUttered("Deine Daten sind gelöscht."),
        ActionExecuted("action_listen"),
    ]


def _stored_rows(url: str, sender_id: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"),
                {"sender": sender_id},
            )
            return [data for (data,) in rows]
    finally:
        engine.dispose()


def _texts(tracker: DialogueStateTracker) -> list[str]:
    return [event.text for event in tracker.events if isinstance(event, UserUttered | BotUttered)]


async def test_saves_and_retrieves_a_conversation(tracker_store, domain: Domain) -> None:
    tracker = DialogueStateTracker.from_events(
        "tg-1", _conversation_before_deletion(), domain.slots
    )
    await tracker_store.save(tracker)
    await tracker_store.save(tracker)  # nothing new: nothing added

    retrieved = await tracker_store.retrieve("tg-1")
    assert list(retrieved.events) == list(tracker.events)
    assert retrieved.get_slot("municipality") == "Sindelfingen"


async def test_turns_on_a_retrieved_tracker_store_each_event_once_in_order(
    tracker_store, domain: Domain, database_url: str
) -> None:
    # Rasa's turn: retrieve, add events, save (sometimes twice), next turn.
    tracker = DialogueStateTracker.from_events("tg-1", _session_start(), domain.slots)
    await tracker_store.save(tracker)
    expected = list(tracker.events)
    for number, text in enumerate(OLD_TEXTS[:3]):
        turn = await tracker_store.retrieve("tg-1")
        turn.update(ActionExecuted("action_listen"))
        turn.update(_user(text, "greet"))
        await tracker_store.save(turn)  # after the slots are extracted
        turn.update(BotUttered(f"Antwort {number}"))
        turn.update(SlotSet("municipality", text))
        await tracker_store.save(turn)
        await tracker_store.save(turn)  # nothing new
        expected = list(turn.events)

    retrieved = await tracker_store.retrieve("tg-1")
    assert list(retrieved.events) == expected
    assert retrieved.get_slot("municipality") == OLD_TEXTS[2]
    assert len(_stored_rows(database_url, "tg-1")) == len(expected)


async def test_a_conversation_deleted_elsewhere_mid_turn_stays_deleted(
    tracker_store, domain: Domain, database_url: str
) -> None:
    # `requests forget` (another process) deletes the rows while a turn runs:
    # the turn's save adds only its own events and never writes the deleted
    # ones back (a save that counted the stored rows would write them all).
    tracker = DialogueStateTracker.from_events(
        "tg-1", _conversation_before_deletion(), domain.slots
    )
    await tracker_store.save(tracker)
    turn = await tracker_store.retrieve("tg-1")
    privacy.forget("tg-1", database_url)
    turn.update(BotUttered("Antwort"))
    await tracker_store.save(turn)

    rows = _stored_rows(database_url, "tg-1")
    assert len(rows) == 1 and '"Antwort"' in rows[0]
    for text in OLD_TEXTS:
        assert all(text not in row for row in rows)


async def test_a_stored_event_of_unknown_type_is_skipped(
    tracker_store, domain: Domain, database_url: str, caplog
) -> None:
    tracker = DialogueStateTracker.from_events(
        "tg-1", _conversation_before_deletion(), domain.slots
    )
    await tracker_store.save(tracker)
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) "
                    "VALUES ('tg-1', 'gone', 1e12, '{\"event\": \"gone\", \"timestamp\": 1e12}')"
                )
            )
    finally:
        engine.dispose()

    retrieved = await tracker_store.retrieve("tg-1")
    assert list(retrieved.events) == list(tracker.events)
    assert "unknown type 'gone'" in caplog.text


async def test_deletion_keeps_only_events_after_the_action(
    tracker_store, domain: Domain, database_url: str
) -> None:
    tracker = DialogueStateTracker.from_events(
        "tg-1", _conversation_before_deletion(), domain.slots
    )
    await tracker_store.save(tracker)
    other = DialogueStateTracker.from_events("tg-2", _conversation_before_deletion(), domain.slots)
    await tracker_store.save(other)

    for event in _deletion_turn():
        tracker.update(event)
    await tracker_store.save(tracker)

    retrieved = await tracker_store.retrieve("tg-1")
    assert list(retrieved.events) == _deletion_turn()[1:]
    assert retrieved.get_slot("municipality") is None
    assert _texts(retrieved) == ["Deine Daten sind gelöscht."]

    rows = _stored_rows(database_url, "tg-1")
    assert len(rows) == 2
    for text in OLD_TEXTS:
        assert all(text not in row for row in rows)
    assert all("delete_data" not in row for row in rows)

    # The other conversation is untouched.
    assert len(_stored_rows(database_url, "tg-2")) == len(_conversation_before_deletion())


async def test_later_saves_do_not_bring_deleted_events_back(
    tracker_store, domain: Domain, database_url: str
) -> None:
    tracker = DialogueStateTracker.from_events(
        "tg-1", _conversation_before_deletion(), domain.slots
    )
    await tracker_store.save(tracker)
    for event in _deletion_turn():
        tracker.update(event)
    await tracker_store.save(tracker)

    # Rasa may save the same in-memory tracker (which still holds the old
    # events) again before the turn ends; Rasa's own logic would count the 2
    # stored events and re-insert old events from index 2 onwards.
    await tracker_store.save(tracker)
    tracker.update(BotUttered("Noch etwas?"))
    await tracker_store.save(tracker)

    rows = _stored_rows(database_url, "tg-1")
    assert len(rows) == 3
    for text in OLD_TEXTS:
        assert all(text not in row for row in rows)

    # Next turn: Rasa retrieves the tracker and appends to it as usual.
    retrieved = await tracker_store.retrieve("tg-1")
    retrieved.update(_user("Hallo", "greet"))
    retrieved.update(ActionExecuted("utter_greet"))
    await tracker_store.save(retrieved)
    again = await tracker_store.retrieve("tg-1")
    assert _texts(again) == ["Deine Daten sind gelöscht.", "Noch etwas?", "Hallo"]
    assert len(_stored_rows(database_url, "tg-1")) == 5


async def test_deletion_removes_earlier_sessions_too(
    tracker_store, domain: Domain, database_url: str
) -> None:
    old_session = _conversation_before_deletion()[:6]
    tracker = DialogueStateTracker.from_events("web-7", old_session, domain.slots)
    await tracker_store.save(tracker)

    # A later session: Rasa retrieves only the latest session.
    tracker = await tracker_store.retrieve("web-7")
    for event in [
        *_session_start(),
        ActionExecuted("action_listen"),
        _user(OLD_TEXTS[2], "delete_data"),
        *_deletion_turn(),
    ]:
        tracker.update(event)
    await tracker_store.save(tracker)

    full = await tracker_store.retrieve_full_tracker("web-7")
    assert list(full.events) == _deletion_turn()[1:]
    for text in OLD_TEXTS:
        assert all(text not in row for row in _stored_rows(database_url, "web-7"))


async def test_deletion_as_last_event_leaves_nothing(
    tracker_store, domain: Domain, database_url: str
) -> None:
    tracker = DialogueStateTracker.from_events(
        "tg-1", _conversation_before_deletion(), domain.slots
    )
    await tracker_store.save(tracker)
    tracker.update(ActionExecuted(DELETE_ACTION_NAME))
    await tracker_store.save(tracker)

    assert _stored_rows(database_url, "tg-1") == []
    assert await tracker_store.retrieve("tg-1") is None


async def test_creates_the_sqlite_folder(tmp_path, domain: Domain) -> None:
    path = tmp_path / "var" / "welcome.db"
    tracker_store = WelcomeTrackerStore(domain=domain, url=f"sqlite:///{path}", startup_retries=0)
    tracker_store.close()
    assert path.exists()


async def test_rasa_creates_it_from_the_endpoint_config(
    store: RequestStore, database_url: str, domain: Domain
) -> None:
    # As in endpoints.yml; Rasa hands the endpoint's `url` over as `host`.
    # Rasa's dialect/db keys are ignored: the database URL decides.
    endpoint = EndpointConfig(
        url=database_url,
        type="bot.store.tracker_store.WelcomeTrackerStore",
        dialect="mysql",
        db="ignored.db",
        startup_retries=0,
    )
    tracker_store = TrackerStore.create(endpoint, domain=domain)
    try:
        assert isinstance(tracker_store, WelcomeTrackerStore)
        tracker = await tracker_store.get_or_create_tracker("tg-9")
        tracker.update(_user("Hallo", "greet"))
        await tracker_store.save(tracker)
        assert _texts(await tracker_store.retrieve("tg-9")) == ["Hallo"]
    finally:
        tracker_store.close()
    assert len(_stored_rows(database_url, "tg-9")) == 2
