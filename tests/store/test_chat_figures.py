"""The anonymous chat figures and unanswered questions written by WelcomeTrackerStore.save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import privacy
from bot.store import RequestStore
from bot.store.chat_figures import chat_figures_table, unanswered_table
from bot.store.tracker_store import WelcomeTrackerStore

DOMAIN_YAML = """
version: "3.1"
intents: [greet, faq, request_interpreter, affirm, nlu_fallback]
entities: [faq_id]
slots:
  language:
    type: text
    mappings:
      - type: custom
"""
AMINA = "tg-4242"
OLENA = "web-" + "1" * 32
#: 2026-12-04 10:00 in Germany.
MORNING = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.timezone.utc).timestamp()
DAY = dt.date(2026, 12, 4)
PHONE = "+49 151 2345 6789"


@pytest.fixture
def domain() -> Domain:
    return Domain.from_yaml(DOMAIN_YAML)


@pytest.fixture
def tracker_store(store: RequestStore, database_url: str, domain: Domain) -> Iterator:
    tracker_store = WelcomeTrackerStore(domain=domain, url=database_url, startup_retries=0)
    yield tracker_store
    tracker_store.close()


def user(
    text: str, intent: str, confidence: float, language: str, at: float, faq: str | None = None
) -> UserUttered:
    entities = [{"entity": "faq_id", "value": faq}] if faq else []
    return UserUttered(
        text,
        intent={"name": intent, "confidence": confidence},
        entities=entities,
        parse_data={"language": {"code": language, "confidence": 0.9}},
        timestamp=at,
    )


def start(at: float) -> list[Event]:
    return [
        ActionExecuted("action_session_start", timestamp=at),
        SessionStarted(timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]


def reply(language: str, at: float, response: str = "utter_greet") -> list[Event]:
    return [
        SlotSet("language", language, timestamp=at),
        BotUttered("…", metadata={"utter_action": response}, timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]


def rows(url: str, query: str | sa.sql.Select) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            query = sa.text(query) if isinstance(query, str) else query
            return [tuple(row) for row in connection.execute(query)]
    finally:
        engine.dispose()


def figures(url: str) -> list:
    t = chat_figures_table
    return rows(
        url,
        sa.select(
            t.c.day, t.c.language, t.c.topic, t.c.turns, t.c.fallbacks, t.c.low_confidence,
            t.c.conversations, t.c.handoffs,
        ).order_by(t.c.language, t.c.topic, t.c.day),
    )  # fmt: skip


def questions(url: str) -> list:
    t = unanswered_table
    return rows(
        url,
        sa.select(
            t.c.text, t.c.language, t.c.text_de, t.c.count, t.c.first_seen, t.c.last_seen,
            t.c.status,
        ).order_by(t.c.id),
    )  # fmt: skip


async def test_turns_are_counted_once_per_save_by_language_and_topic(
    tracker_store: WelcomeTrackerStore, database_url: str, domain: Domain
) -> None:
    at = MORNING
    # Amina, in Arabic: a greeting, then an FAQ question (two saves: two turns).
    amina = DialogueStateTracker.from_events(
        AMINA, [*start(at), user("مرحبا", "greet", 0.99, "ar", at), *reply("ar", at)], domain.slots
    )
    await tracker_store.save(amina)
    amina.update(user("أين أسجل عنواني؟", "faq", 0.91, "ar", at + 60, faq="wohnsitz"))
    for event in reply("ar", at + 60, "utter_faq"):
        amina.update(event)
    await tracker_store.save(amina)
    # Olena (German store instance reading her conversation later): a button, gibberish, a
    # low-confidence question with her phone number, and a handoff confirmed.
    olena_events = [
        *start(at),
        user("/greet", "greet", 1.0, "en", at),  # a button: its detected language means nothing
        *reply("uk", at),
        user("asdf qwer", "nlu_fallback", 0.2, "en", at + 10),
        *reply("uk", at + 10, "utter_default"),
        user(f"Подзвоніть мені {PHONE}", "request_interpreter", 0.30, "uk", at + 20),
        *reply("uk", at + 20),
        user("так", "affirm", 0.97, "uk", at + 30),
        *reply("uk", at + 30, "utter_handoff_confirmed"),
    ]
    await tracker_store.save(DialogueStateTracker.from_events(OLENA, olena_events, domain.slots))
    # Saving the same tracker again (Rasa does after a reminder) adds nothing.
    stored = await tracker_store.retrieve(OLENA)
    await tracker_store.save(stored)

    assert figures(database_url) == [
        (DAY, "ar", "faq:wohnsitz", 1, 0, 0, 0, 0),
        (DAY, "ar", "greet", 1, 0, 0, 1, 0),
        (DAY, "uk", "affirm", 1, 0, 0, 0, 1),
        (DAY, "uk", "greet", 1, 0, 0, 1, 0),
        (DAY, "uk", "nlu_fallback", 1, 1, 0, 0, 0),
        (DAY, "uk", "request_interpreter", 1, 0, 1, 0, 0),
    ]
    # The unanswered questions: masked, with their detected language; German only for German.
    assert questions(database_url) == [
        ("asdf qwer", "en", None, 1, DAY, DAY, "new"),
        ("Подзвоніть мені [Telefon]", "uk", None, 1, DAY, DAY, "new"),
    ]
    # Nothing names a person in the new tables.
    for table in ("chat_figures", "unanswered_questions"):
        dump = repr(rows(database_url, f"SELECT * FROM {table}"))
        assert AMINA not in dump and OLENA not in dump and "2345" not in dump


async def test_the_same_question_counts_up_and_a_new_session_is_a_new_conversation(
    tracker_store: WelcomeTrackerStore, database_url: str, domain: Domain
) -> None:
    next_day = MORNING + 86400
    events = [
        *start(MORNING),
        user("Wo kann ich Fahrrad fahren lernen?", "greet", 0.2, "de", MORNING),
        *reply("de", MORNING),
        *start(next_day),
        user("wo kann ich fahrrad fahren lernen", "greet", 0.3, "de", next_day),
        *reply("de", next_day),
    ]
    await tracker_store.save(DialogueStateTracker.from_events(AMINA, events, domain.slots))

    assert questions(database_url) == [
        (
            "Wo kann ich Fahrrad fahren lernen?", "de", "Wo kann ich Fahrrad fahren lernen?", 2,
            DAY, DAY + dt.timedelta(days=1), "new",
        )
    ]  # fmt: skip
    assert [(day, conversations) for day, *_, conversations, _ in figures(database_url)] == [
        (DAY, 1),
        (DAY + dt.timedelta(days=1), 1),
    ]

    # "Delete my data" takes the question back (she was the only one to ask it) ...
    forgotten = privacy.forget(AMINA, database_url)
    assert forgotten.events > 0
    assert rows(database_url, "SELECT count(*) FROM unanswered_questions") == [(0,)]
    # ... while the anonymous counts stay.
    assert len(figures(database_url)) == 2


async def test_old_unanswered_questions_go_with_the_retention_run(
    tracker_store: WelcomeTrackerStore, database_url: str, domain: Domain
) -> None:
    old = MORNING - 100 * 86400
    events = [*start(old), user("qqq www", "nlu_fallback", 0.1, "de", old), *reply("de", old)]
    events += [user("zzz yyy", "nlu_fallback", 0.1, "de", MORNING), *reply("de", MORNING)]
    await tracker_store.save(DialogueStateTracker.from_events(AMINA, events, domain.slots))
    now = dt.datetime.fromtimestamp(MORNING, dt.timezone.utc)

    dry = privacy.purge(database_url, dry_run=True, now=now, conversation_days=1000)
    assert dry.questions == 1
    purged = privacy.purge(database_url, now=now, conversation_days=1000)

    assert purged.questions == 1
    assert rows(database_url, "SELECT text FROM unanswered_questions") == [("zzz yyy",)]


async def test_answers_to_a_form_are_never_kept_as_unanswered_questions(
    tracker_store: WelcomeTrackerStore, database_url: str, domain: Domain
) -> None:
    at = MORNING
    events = [
        *start(at),
        user("Ich möchte mit einem Menschen sprechen", "request_human", 0.95, "de", at),
        *reply("de", at),
        ActiveLoop("handoff_form", timestamp=at),
        user(PHONE, "nlu_fallback", 0.2, "de", at + 10),  # the contact, as asked
        *reply("de", at + 10),
        user("Frage zur Wohnsitzauflage", "inform", 0.3, "de", at + 20),  # the note
        ActiveLoop(None, timestamp=at + 20),
        *reply("de", at + 20, "utter_handoff_confirmed"),
        user("blorp snarf", "nlu_fallback", 0.1, "de", at + 30),  # after the form: collected
        *reply("de", at + 30),
    ]
    await tracker_store.save(DialogueStateTracker.from_events(AMINA, events, domain.slots))

    assert [text for text, *_ in questions(database_url)] == ["blorp snarf"]
    rows = {
        topic: (turns, fallbacks, low, handoffs)
        for _, _, topic, turns, fallbacks, low, _, handoffs in figures(database_url)
    }
    assert rows == {
        "request_human": (1, 0, 0, 0),
        "nlu_fallback": (2, 1, 0, 0),  # the phone number's turn is no fallback
        "inform": (1, 0, 0, 1),
    }


async def test_a_failure_while_counting_never_costs_the_conversation(
    tracker_store: WelcomeTrackerStore, database_url: str, domain: Domain
) -> None:
    events = [*start(MORNING), user("Hallo", "greet", 0.99, "de", MORNING), *reply("de", MORNING)]
    await tracker_store.save(DialogueStateTracker.from_events(AMINA, events, domain.slots))
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:  # a broken schema, e.g. a failed manual change
            connection.execute(sa.text("DROP TABLE chat_figures"))
    finally:
        engine.dispose()
    tracker = await tracker_store.retrieve(AMINA)
    tracker.update(user("asdf", "nlu_fallback", 0.1, "de", MORNING + 5))

    await tracker_store.save(tracker)

    stored = await WelcomeTrackerStore(domain=domain, url=database_url, startup_retries=0).retrieve(
        AMINA
    )
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == ["Hallo", "asdf"]
