"""Fixtures for the action tests (in the style of RasaHQ/rasa-demo).

Every test gets the real domain from ``config/domain``, a fresh
``CollectingDispatcher``, the real content from ``data/content`` and a real
request store on SQLite in its own ``tmp_path``. Named conversations
(``interpreter_request_confirmed``, ``handoff_after_two_fallbacks``, …) are the
trackers Rasa would send to the action server at that point of the dialogue.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from bot.content import get_content
from bot.settings import get_settings
from bot.store import RequestStore
from tests.actions.scenarios import (
    FALLBACK_HISTORY,
    action,
    bot,
    button,
    form_turn,
    interpreter_slots,
    listen,
    load_domain,
    tracker,
    user,
    way_out_turn,
)

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")


def _clear_caches() -> None:
    if common.store.cache_info().currsize:
        common.store().close()
    common.store.cache_clear()
    get_settings.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def real_content() -> Iterator[None]:
    """The content the actions read is the one in data/content (loaded once)."""
    get_content.cache_clear()
    yield
    get_content.cache_clear()


@pytest.fixture(autouse=True)
def request_store(tmp_path, monkeypatch) -> Iterator[RequestStore]:
    """The store the actions write to: SQLite in this test's folder, never var/."""
    var_dir = tmp_path / "var"
    monkeypatch.setenv("WELCOME_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WELCOME_DATABASE_URL", f"sqlite:///{var_dir / 'welcome.db'}")
    monkeypatch.delenv("WELCOME_HANDOFF_EXCERPT_TURNS", raising=False)
    monkeypatch.delenv("WELCOME_REFERENCE_PREFIX", raising=False)
    _clear_caches()
    yield common.store()
    _clear_caches()


@pytest.fixture
def broken_store(tmp_path, monkeypatch) -> str:
    """The database URL points into a folder that cannot exist (its parent is a file)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be\n", encoding="utf-8")
    url = f"sqlite:///{blocker / 'var' / 'welcome.db'}"
    monkeypatch.setenv("WELCOME_DATABASE_URL", url)
    _clear_caches()
    return url


@pytest.fixture
def invalid_database_url(monkeypatch) -> str:
    """A typo in the configured database URL."""
    url = "postgresql//welcome@db/welcome"
    monkeypatch.setenv("WELCOME_DATABASE_URL", url)
    _clear_caches()
    return url


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return load_domain()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


# --------------------------------------------------------------------------- language


@pytest.fixture
def arabic_user_switches_to_english() -> Tracker:
    """An Arabic conversation; the user taps "English" in the language menu."""
    return tracker(
        [
            listen(),
            user("مرحبا، أحتاج إلى دورة لغة", "ask_offers"),
            action("action_listen"),
            button('/change_language{"language": "en"}', "change_language", {"language": "en"}),
        ],
        slots={"language": "ar"},
    )


@pytest.fixture
def arabic_user_writes_english() -> Tracker:
    """An Arabic conversation; the user continues with a whole English sentence."""
    return tracker(
        [
            listen(),
            user("مرحبا", "greet"),
            listen(),
            user("Please tell me about language courses in my town", "ask_offers"),
        ],
        slots={"language": "ar"},
    )


@pytest.fixture
def english_user_locked_writes_german() -> Tracker:
    """The user chose English explicitly earlier; now writes a German sentence."""
    return tracker(
        [
            listen(),
            user(
                "Ich brauche einen Dolmetscher für meinen Termin beim Arzt", "request_interpreter"
            ),
        ],
        slots={"language": "en", "language_locked": True},
    )


@pytest.fixture
def new_telegram_user_with_arabic_phone() -> Tracker:
    """First message of a conversation; Telegram says the phone is set to Arabic."""
    return tracker(
        [listen(), user("hi", "greet", metadata={"language_hint": "ar"})],
    )


@pytest.fixture
def after_two_misunderstandings_user_is_understood() -> Tracker:
    return tracker(
        [listen(), user("Deutschkurs in Sindelfingen bitte", "ask_offers")],
        slots={"language": "de", "fallback_count": 2.0},
    )


# --------------------------------------------------------------------------- fallback / handoff


@pytest.fixture
def handoff_after_two_fallbacks() -> Tracker:
    """The bot offered a person after two misunderstandings; the user said yes."""
    return tracker(FALLBACK_HISTORY, slots={"language": "de", "fallback_count": 0.0})


@pytest.fixture
def welcome_center_referral_accepted() -> Tracker:
    return tracker(
        [
            listen(),
            user("I am an engineer, how can I get my degree recognised?", "ask_welcome_center"),
            action("action_show_welcome_center"),
            bot("Welcome Center Region Stuttgart ..."),
            bot("Shall I ask the coordination office to put you in touch?"),
            listen(),
            user("yes please", "affirm"),
        ],
        slots={"language": "en"},
    )


@pytest.fixture
def internship_handoff_accepted() -> Tracker:
    return tracker(
        [
            listen(),
            user("Ich suche ein Praktikum", "ask_internship"),
            action("internship_form"),
            action("action_show_internships"),
            bot("Diese Angebote passen:"),
            listen(),
            user("ja", "affirm"),
        ],
        slots={"language": "de", "age": "16", "internship_field": "it"},
    )


@pytest.fixture
def mentor_wanted_by_button() -> Tracker:
    return tracker(
        [
            listen(),
            user("Я шукаю наставника для своєї родини", "ask_mentoring"),
            action("action_show_mentoring"),
            bot("..."),
            listen(),
            button(
                '/request_human{"handoff_category": "mentoring_find"}',
                "request_human",
                {"handoff_category": "mentoring_find"},
            ),
        ],
        slots={"language": "uk", "handoff_category": "mentoring_find"},
    )


@pytest.fixture
def person_requested_after_greeting() -> Tracker:
    return tracker(
        [
            listen(),
            user("Merhaba", "greet"),
            action("utter_greet"),
            bot("Merhaba!"),
            action("utter_help"),
            bot("Şu konularda yardım edebilirim:"),
            listen(),
            user("Bir insanla konuşmak istiyorum", "request_human"),
        ],
        slots={"language": "tr"},
    )


WELCOME_CENTER_HANDOFF_HISTORY = [
    listen(),
    user("I am a nurse from Syria, how do I get my diploma recognised?", "ask_welcome_center"),
    action("action_show_welcome_center"),
    bot("Welcome Center Region Stuttgart helps skilled workers."),
    listen(),
    button(
        '/request_human{"handoff_category": "welcome_center_referral"}',
        "request_human",
        {"handoff_category": "welcome_center_referral"},
    ),
    action("action_start_handoff"),
    bot("I will pass your request on to the integration coordination office."),
    action("handoff_form"),
    bot("Do you agree?"),
    listen(),
    button("/affirm", "affirm"),
    bot("How can the coordination office reach you?"),
    listen(),
    user("+49 151 2345678", "inform"),
    action("action_submit_handoff"),
]


@pytest.fixture
def welcome_center_handoff_complete() -> Tracker:
    """Consent and contact given; slots of an earlier interpreter question linger."""
    return tracker(
        WELCOME_CENTER_HANDOFF_HISTORY,
        slots={
            "language": "en",
            "handoff_category": "welcome_center_referral",
            "consent": True,
            "contact": "+491512345678",
            "municipality": "Böblingen",
            "interpreter_language": "ar",
            "appointment_place": "Landratsamt",
            "age": "34",
        },
    )


# --------------------------------------------------------------------------- interpreter


INTERPRETER_HISTORY = [
    listen(),
    user("أحتاج مترجما عند الطبيب", "request_interpreter"),
    action("action_show_interpreter_guidelines"),
    bot("قواعد مجموعة المترجمين ..."),
    action("interpreter_form"),
    bot("هل كل شيء صحيح؟"),
    listen(),
    button("/affirm", "affirm"),
    action("interpreter_form"),
]


@pytest.fixture
def interpreter_request_confirmed() -> Tracker:
    return tracker(INTERPRETER_HISTORY, slots=interpreter_slots())


@pytest.fixture
def interpreter_request_without_consent() -> Tracker:
    """The user said no to storing data; nothing after consent was asked."""
    return tracker(
        INTERPRETER_HISTORY,
        slots=interpreter_slots(consent=False, contact=None, description=None),
    )


@pytest.fixture
def interpreter_request_abandoned() -> Tracker:
    """Three answers to "is everything correct?" that were neither yes nor a field."""
    return tracker(INTERPRETER_HISTORY, slots=interpreter_slots(interpreter_confirmed="abandoned"))


# The questions before the contact answered; the ones after it not yet.
BEFORE_CONTACT = interpreter_slots(
    language="de",
    contact=None,
    contact_as_written=None,
    description=None,
    interpreter_confirmed=None,
)
# The questions before the date answered.
BEFORE_DATE = {
    "language": "de",
    "interpreter_language": "ar",
    "interpreter_dialect": "-",
}


@pytest.fixture
def interpreter_contact_written_in_a_sentence() -> Tracker:
    """The simulated newcomer's answer that was refused five times in a row."""
    return form_turn(
        "interpreter_form",
        "contact",
        user("Telefon 0151 23456789", "nlu_fallback", confidence=0.25),
        "Telefon 0151 23456789",
        slots=BEFORE_CONTACT,
    )


@pytest.fixture
def interpreter_time_answered_with_a_date() -> Tracker:
    """ "Um wie viel Uhr?" - "am 3. Januar" (was taken as 3 o'clock)."""
    return form_turn(
        "interpreter_form",
        "appointment_time",
        user("am 3. Januar", "inform", {"date": "3. Januar"}),
        "am 3. Januar",
        slots={**BEFORE_DATE, "appointment_date": "2027-01-03"},
    )


@pytest.fixture
def interpreter_date_answered_with_a_time() -> Tracker:
    """ "An welchem Tag?" - "um 10 Uhr"."""
    return form_turn(
        "interpreter_form",
        "appointment_date",
        user("um 10 Uhr", "inform"),
        "um 10 Uhr",
        slots=BEFORE_DATE,
    )


# --------------------------------------------------------------------------- offers


@pytest.fixture
def offers_in_sindelfingen() -> Tracker:
    return tracker(
        [
            listen(),
            user("Ich suche einen Deutschkurs", "ask_offers", {"topic": "language_course"}),
            action("offers_form"),
            listen(),
            user("Sindelfingen", "inform", {"municipality": "Sindelfingen"}),
            action("offers_form"),
        ],
        slots={"language": "de", "offer_topic": "language_course", "municipality": "Sindelfingen"},
    )


@pytest.fixture
def language_courses_county_wide() -> Tracker:
    """A Persian user wants language courses anywhere in the county."""
    return tracker(
        [
            listen(),
            user("دنبال کلاس زبان آلمانی هستم", "ask_offers", {"topic": "language_course"}),
            action("offers_form"),
            listen(),
            user("فرقی نمی‌کند", "inform"),
            action("offers_form"),
        ],
        slots={"language": "fa", "offer_topic": "language_course", "municipality": "all"},
    )


# --------------------------------------------------------------------------- the way out

SKIP_BUTTON = button('/inform{"way_out": "skip"}', "inform", {"way_out": "skip"})


def stuck_at(question: str, **slots: Any) -> dict[str, Any]:
    """Slots after MAX_ATTEMPTS unclear answers to ``question``."""
    return {**slots, question: None, "attempts": 3.0, "unclear_question": question}


# An interpreter request up to the contact question, which got three unclear answers.
INTERPRETER_STUCK_AT_CONTACT = stuck_at(
    "contact",
    **interpreter_slots(
        language="de",
        contact_as_written=None,
        description=None,
        interpreter_confirmed=None,
    ),
)


@pytest.fixture
def interpreter_way_out_skipped_at_contact() -> Tracker:
    """No usable contact three times; the user taps "go on, clarify in the chat"."""
    return way_out_turn("interpreter_form", SKIP_BUTTON, slots=INTERPRETER_STUCK_AT_CONTACT)


@pytest.fixture
def interpreter_way_out_answered_at_contact() -> Tracker:
    """At the way out the user writes the number once more, this time in full."""
    return way_out_turn(
        "interpreter_form",
        user("Telefon 0151 23456789", "nlu_fallback"),
        slots=INTERPRETER_STUCK_AT_CONTACT,
    )


@pytest.fixture
def interpreter_way_out_unclear_again() -> Tracker:
    """A fourth unclear answer: typed at the way out instead of choosing."""
    return way_out_turn(
        "interpreter_form",
        user("weiß ich nicht", "deny"),
        slots=INTERPRETER_STUCK_AT_CONTACT,
    )


@pytest.fixture
def interpreter_way_out_skip_typed() -> Tracker:
    return way_out_turn(
        "interpreter_form", user("Überspringen", "nlu_fallback"), slots=INTERPRETER_STUCK_AT_CONTACT
    )


@pytest.fixture
def interpreter_way_out_person_requested() -> Tracker:
    """The user taps "talk to a person" at the way out."""
    return way_out_turn(
        "interpreter_form",
        button("/request_human", "request_human"),
        slots=INTERPRETER_STUCK_AT_CONTACT,
    )


@pytest.fixture
def interpreter_way_out_skipped_at_date() -> Tracker:
    """Three answers to "which day?" that were no day; the user goes on without one."""
    slots = interpreter_slots(
        language="uk",
        appointment_time=None,
        appointment_kind=None,
        appointment_place=None,
        municipality=None,
        interpreter_mode=None,
        consent=None,
        contact=None,
        contact_as_written=None,
        description=None,
        interpreter_confirmed=None,
    )
    slots = stuck_at("appointment_date", **slots)
    return way_out_turn("interpreter_form", SKIP_BUTTON, slots=slots)


@pytest.fixture
def internship_way_out_skipped_at_age() -> Tracker:
    return way_out_turn(
        "internship_form", SKIP_BUTTON, slots=stuck_at("age", language="tr", internship_field=None)
    )


@pytest.fixture
def handoff_way_out_person_typed() -> Tracker:
    """In the handoff form itself, asking for a person is no way out of it."""
    slots = stuck_at("contact", language="de", handoff_category="human", consent=True)
    return way_out_turn(
        "handoff_form",
        user("Ich möchte mit einem Menschen sprechen", "request_human"),
        slots=slots,
    )


@pytest.fixture
def interpreter_left_for_a_person_at_contact() -> Tracker:
    """Stuck at the contact question (consent given), the user asks for a person."""
    return tracker(
        [action("interpreter_form"), listen(), button("/request_human", "request_human")],
        slots={"requested_slot": "way_out", **INTERPRETER_STUCK_AT_CONTACT},
        form="interpreter_form",
        requested_slot="way_out",
    )


@pytest.fixture
def internship_left_for_a_person_at_age() -> Tracker:
    return tracker(
        [action("internship_form"), listen(), button("/request_human", "request_human")],
        slots={
            "requested_slot": "way_out",
            **stuck_at("age", language="ar", municipality="Herrenberg"),
        },
        form="internship_form",
        requested_slot="way_out",
    )
