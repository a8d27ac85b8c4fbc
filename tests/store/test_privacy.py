"""bot.privacy: every table with a person's data is known, and forgetting reaches all of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import privacy
from bot.outbox import Outbox
from bot.store import RequestStore
from bot.store.tracker_store import WelcomeTrackerStore
from bot.translation.cache import TranslationCache

#: Column names that tie a row to a person or their chat.
IDENTIFYING_COLUMNS = {"sender_id", "recipient", "chat_id", "user_id", "email", "phone"}

AMINA = "tg-4242"
OTHER = "web-" + "0" * 32
ROUTE = "r1|ro-en@1.0|beam2"


def conversation(sender: str, *texts: str) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    for text in texts:
        events += [UserUttered(text, intent={"name": "greet", "confidence": 1.0})]
        events += [BotUttered("Hallo!"), ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events(sender, events)


@pytest.fixture
def tracker_store(store: RequestStore, database_url: str) -> Iterator[WelcomeTrackerStore]:
    tracker_store = WelcomeTrackerStore(domain=Domain.empty(), url=database_url, startup_retries=0)
    yield tracker_store
    tracker_store.close()


@pytest.fixture
def outbox(store: RequestStore, database_url: str) -> Iterator[Outbox]:
    box = Outbox(database_url)
    yield box
    box.close()


def rows(url: str, table: str, where: str = "", **parameters) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            query = f"SELECT * FROM {table}" + (f" WHERE {where}" if where else "")
            return list(connection.execute(sa.text(query), parameters))
    finally:
        engine.dispose()


def save_request(store: RequestStore, sender: str) -> str:
    return store.save_request(
        sender_id=sender,
        channel="telegram",
        category="interpreter",
        language="ro",
        fields={"contact": "+4915123456789", "description": "Termin beim Arzt"},
        excerpt=[{"role": "user", "text": "Am nevoie de un interpret"}],
    ).reference


async def test_every_table_is_known_and_every_table_naming_a_person_is_forgotten(
    tracker_store: WelcomeTrackerStore, database_url: str
) -> None:
    await tracker_store.save(conversation(AMINA, "Hallo"))  # Rasa's events table
    engine = sa.create_engine(database_url)
    try:
        inspector = sa.inspect(engine)
        tables = {
            name: {c["name"] for c in inspector.get_columns(name)}
            for name in inspector.get_table_names()
        }
    finally:
        engine.dispose()
    personal = {table.name for table in privacy.PERSONAL_DATA}

    assert set(tables) == personal | set(privacy.NOT_PERSONAL), (
        "a table is neither in privacy.PERSONAL_DATA nor in privacy.NOT_PERSONAL"
    )
    naming_a_person = {name for name, columns in tables.items() if columns & IDENTIFYING_COLUMNS}
    assert naming_a_person <= personal, naming_a_person - personal


async def test_forget_removes_the_person_from_every_table_and_nobody_else(
    store: RequestStore, tracker_store: WelcomeTrackerStore, outbox: Outbox, database_url: str
) -> None:
    await tracker_store.save(conversation(AMINA, "Ich heiße Amina", "Mein Termin ist am Montag"))
    await tracker_store.save(conversation(OTHER, "Hallo"))
    save_request(store, AMINA)
    kept_request = save_request(store, OTHER)
    cache = TranslationCache(database_url)
    cache.put_many(
        [
            (ROUTE, "Ich heiße Amina", "My name is Amina"),
            (ROUTE, "Mein Termin ist am Montag", "My appointment is on Monday"),
            (ROUTE, "Hallo", "Hello"),
        ]
    )
    cache.close()
    delivered, owed = outbox.enqueue("telegram", "4242", [{"text": "Hallo!"}, {"text": "Tschüss"}])
    outbox.mark_sent(delivered)

    forgotten = privacy.forget(AMINA, database_url)

    assert forgotten == privacy.Forgotten(
        requests=1, events=7, translations=2, messages=1, figures=1
    )
    assert rows(database_url, "handoff_requests", "sender_id = :s", s=AMINA) == []
    assert rows(database_url, "events", "sender_id = :s", s=AMINA) == []
    assert len(rows(database_url, "translation_cache")) == 1  # "Hallo" of the other person
    # The message still owed to the chat stays until it is delivered (its text then goes).
    assert [row.id for row in rows(database_url, "outbox")] == [owed]
    # The other conversation is untouched.
    assert store.get(kept_request) is not None
    assert await tracker_store.retrieve(OTHER) is not None
    assert set(await tracker_store.keys()) == {OTHER}

    outbox.mark_sent(owed)
    assert privacy.forget(AMINA, database_url).messages == 1
    assert rows(database_url, "outbox") == []
    assert privacy.forget(AMINA, database_url) == privacy.Forgotten(0, 0, 0, 0)


async def test_a_forgotten_translation_is_not_served_from_another_process_memory(
    tracker_store: WelcomeTrackerStore, database_url: str
) -> None:
    # The Rasa server (NLU) cached the translation in its memory; the action
    # server forgets the person.
    await tracker_store.save(conversation(AMINA, "Ich heiße Amina"))
    rasa_server = TranslationCache(database_url)
    rasa_server.put(ROUTE, "Ich heiße Amina", "My name is Amina")
    assert rasa_server.get(ROUTE, "Ich heiße Amina") == "My name is Amina"

    privacy.forget(AMINA, database_url)

    assert rasa_server.get(ROUTE, "Ich heiße Amina") is None
    rasa_server.close()


async def test_purge_forgets_idle_conversations_with_their_translations(
    store: RequestStore, tracker_store: WelcomeTrackerStore, database_url: str
) -> None:
    await tracker_store.save(conversation(AMINA, "Ich heiße Amina"))
    cache = TranslationCache(database_url)
    cache.put(ROUTE, "Ich heiße Amina", "My name is Amina")
    cache.close()
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=40)

    purged = privacy.purge(database_url, conversation_days=30, translation_days=365, now=later)

    assert (purged.conversations, purged.translations) == (1, 1)
    assert rows(database_url, "events") == []
    assert rows(database_url, "translation_cache") == []


def test_forget_removes_the_e_mails_sent_to_the_persons_contact_address(
    store: RequestStore, outbox: Outbox, database_url: str
) -> None:
    store.save_request(
        sender_id=OTHER,
        channel="webchat",
        category="interpreter",
        language="uk",
        fields={"contact": "amina@example.org"},
        excerpt=[],
    )
    store.save_request(
        sender_id="web-" + "1" * 32,
        channel="webchat",
        category="interpreter",
        language="uk",
        fields={"contact": "olena@example.org"},
        excerpt=[],
    )
    # An office message sent by e-mail instead of the chat, and one still waiting.
    (sent,) = outbox.enqueue("email", "amina@example.org", [{"subject": "A", "body": "B"}])
    outbox.mark_sent(sent)
    outbox.enqueue("email", "amina@example.org", [{"subject": "A", "body": "C"}])
    (kept,) = outbox.enqueue("email", "olena@example.org", [{"subject": "A", "body": "D"}])

    forgotten = privacy.forget(OTHER, database_url)

    assert forgotten.requests == 1 and forgotten.messages == 2
    assert [row.id for row in rows(database_url, "outbox")] == [kept]
