"""Handoff to the coordination office: which category, what is asked, what is stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from rasa_sdk.events import SlotSet

from actions.handoff import ActionStartHandoff, ActionSubmitHandoff, ValidateHandoffForm
from bot.casework import notify
from bot.outbox import Outbox
from bot.settings import get_settings
from tests.actions.scenarios import (
    SENDER,
    button,
    form_turn,
    responses,
    texts,
    tracker,
    user,
)

REQUEST_SLOTS_CLEARED = [
    SlotSet("consent", None),
    SlotSet("contact", None),
    SlotSet("contact_as_written", None),
    SlotSet("handoff_note", None),
    SlotSet("handoff_category", None),
    SlotSet("attempts", None),
    SlotSet("unclear_question", None),
    SlotSet("correction_pending", None),
    SlotSet("interpreter_confirmed", None),
]


def start_events(category: str) -> list:
    # No SlotSet(None) for the form's own slots: the form would validate them
    # as empty answers and complain before asking anything.
    return [SlotSet("attempts", None), SlotSet("handoff_category", category)]


# --------------------------------------------------------------------------- category


async def test_category_from_the_button_the_user_tapped(
    mentor_wanted_by_button, dispatcher, domain
):
    events = await ActionStartHandoff().run(dispatcher, mentor_wanted_by_button, domain)

    assert responses(dispatcher) == ["utter_handoff_intro"]
    assert events == start_events("mentoring_find")


async def test_yes_after_the_welcome_center_is_a_referral(
    welcome_center_referral_accepted, dispatcher, domain
):
    events = await ActionStartHandoff().run(dispatcher, welcome_center_referral_accepted, domain)

    assert events == start_events("welcome_center_referral")


async def test_yes_after_the_internships_is_an_internship_request(
    internship_handoff_accepted, dispatcher, domain
):
    events = await ActionStartHandoff().run(dispatcher, internship_handoff_accepted, domain)

    assert events == start_events("internship")


async def test_yes_after_two_misunderstandings_is_a_fallback_request(
    handoff_after_two_fallbacks, dispatcher, domain
):
    events = await ActionStartHandoff().run(dispatcher, handoff_after_two_fallbacks, domain)

    assert events == start_events("fallback")


async def test_asking_for_a_person_out_of_the_blue_is_a_general_request(
    person_requested_after_greeting, dispatcher, domain
):
    events = await ActionStartHandoff().run(dispatcher, person_requested_after_greeting, domain)

    assert events == start_events("human")


async def test_an_unknown_category_from_a_crafted_payload_becomes_human(dispatcher, domain):
    conversation = tracker(
        [button('/request_human{"handoff_category": "admin"}', "request_human")],
        slots={"handoff_category": "admin"},
    )

    events = await ActionStartHandoff().run(dispatcher, conversation, domain)

    assert events[-1] == SlotSet("handoff_category", "human")


# --------------------------------------------------------------------------- questions


async def test_a_referral_asks_no_note_after_the_contact(dispatcher, domain):
    conversation = form_turn(
        "handoff_form",
        "contact",
        user("amira@example.org", "inform"),
        "amira@example.org",
        slots={"language": "en", "handoff_category": "welcome_center_referral", "consent": True},
    )

    events = await ValidateHandoffForm().run(dispatcher, conversation, domain)

    assert events == [
        SlotSet("contact", "amira@example.org"),
        SlotSet("contact_as_written", None),  # the address itself: nothing more was written
        SlotSet("attempts", None),
        SlotSet("requested_slot", None),
    ]


async def test_a_general_request_asks_what_it_is_about(dispatcher, domain):
    conversation = form_turn(
        "handoff_form",
        "contact",
        user("0157 99887766", "inform"),
        "0157 99887766",
        slots={"language": "de", "handoff_category": "human", "consent": True},
    )

    events = await ValidateHandoffForm().run(dispatcher, conversation, domain)

    # Stored in E.164 (changed with the contact parser: it was "015799887766"), next
    # to what was written. The form goes on to the note.
    assert events == [
        SlotSet("contact", "+4915799887766"),
        SlotSet("contact_as_written", "0157 99887766"),
        SlotSet("attempts", None),
    ]


async def test_no_consent_ends_the_handoff_form_at_once(dispatcher, domain):
    conversation = form_turn(
        "handoff_form",
        "consent",
        user("نه", "deny"),
        False,
        slots={"language": "fa", "handoff_category": "mentoring_become"},
    )

    events = await ValidateHandoffForm().run(dispatcher, conversation, domain)

    assert events == [
        SlotSet("consent", False),
        SlotSet("attempts", None),
        SlotSet("requested_slot", None),
    ]


async def test_a_note_longer_than_1000_characters_is_too_long(dispatcher, domain):
    conversation = form_turn(
        "handoff_form",
        "handoff_note",
        user("a" * 1001, "inform"),
        "a" * 1001,
        slots={"language": "de", "handoff_category": "human", "consent": True, "contact": "chat"},
    )

    events = await ValidateHandoffForm().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_text_too_long"]
    assert events == [SlotSet("handoff_note", None), SlotSet("attempts", 1.0)]


# --------------------------------------------------------------------------- submit


async def test_a_referral_stores_only_its_own_fields_and_the_conversation(
    welcome_center_handoff_complete, request_store, dispatcher, domain
):
    events = await ActionSubmitHandoff().run(dispatcher, welcome_center_handoff_complete, domain)

    assert responses(dispatcher) == ["utter_handoff_confirmed"]
    stored = request_store.get(dispatcher.messages[0]["reference"])
    assert stored is not None
    assert stored.category == "welcome_center_referral"
    assert stored.language == "en"
    assert stored.sender_id == SENDER
    # Answers from earlier questions (interpreter language, age, place) stay out.
    assert stored.fields == {"municipality": "Böblingen", "contact": "+491512345678"}
    assert stored.excerpt == [
        {
            "role": "user",
            "text": "I am a nurse from Syria, how do I get my diploma recognised?",
        },
        {"role": "bot", "text": "Welcome Center Region Stuttgart helps skilled workers."},
        {"role": "user", "text": "[request_human]"},
        {
            "role": "bot",
            "text": "I will pass your request on to the integration coordination office.",
        },
        {"role": "bot", "text": "Do you agree?"},
        {"role": "user", "text": "[affirm]"},
        {"role": "bot", "text": "How can the coordination office reach you?"},
        {"role": "user", "text": "+49 151 2345678"},
    ]
    assert events == REQUEST_SLOTS_CLEARED


async def test_a_fallback_request_carries_the_misunderstood_messages(
    handoff_after_two_fallbacks, request_store, dispatcher, domain
):
    conversation = tracker(
        handoff_after_two_fallbacks.events,
        slots={
            **handoff_after_two_fallbacks.slots,
            "handoff_category": "fallback",
            "consent": True,
            "contact": "chat",
            "handoff_note": "Brief vom Amt verstehen",
        },
    )

    await ActionSubmitHandoff().run(dispatcher, conversation, domain)

    stored = request_store.get(dispatcher.messages[0]["reference"])
    assert stored.category == "fallback"
    assert stored.fields == {"contact": "chat", "handoff_note": "Brief vom Amt verstehen"}
    assert [turn["text"] for turn in stored.excerpt if turn["role"] == "user"] == [
        "Ich brauche Hilfe mit dem Brief von der Ausländerbehörde",
        "xkcd blorp wumm",
        "wo ist das formular???",  # markup removed
        "ja",
    ]


async def test_the_excerpt_holds_the_last_ten_messages(request_store, dispatcher, domain):
    history = []
    for number in range(1, 16):
        history.append(user(f"Nachricht Nummer {number}", "inform"))
    conversation = tracker(
        history,
        slots={"language": "de", "handoff_category": "human", "consent": True, "contact": "chat"},
    )

    await ActionSubmitHandoff().run(dispatcher, conversation, domain)

    stored = request_store.get(dispatcher.messages[0]["reference"])
    assert [turn["text"] for turn in stored.excerpt] == [
        f"Nachricht Nummer {number}" for number in range(6, 16)
    ]


@pytest.fixture
def staff_mailbox(monkeypatch) -> Iterator[str]:
    """Staff are notified by e-mail (queued in the outbox; the office process sends it)."""
    monkeypatch.setenv("WELCOME_STAFF_NOTIFY_EMAILS", "team@lrabb.example")
    monkeypatch.setenv("WELCOME_OFFICE_URL", "https://office.lrabb.example")
    get_settings.cache_clear()
    yield "team@lrabb.example"
    notify.notifier().close()
    get_settings.cache_clear()


async def test_a_stored_request_is_announced_to_staff(
    welcome_center_handoff_complete, request_store, staff_mailbox, dispatcher, domain
):
    await ActionSubmitHandoff().run(dispatcher, welcome_center_handoff_complete, domain)

    reference = dispatcher.messages[0]["reference"]
    outbox = Outbox(get_settings().database_url)
    [row] = outbox.items("email", staff_mailbox)
    outbox.close()
    assert row["payload"]["subject"] == f"Neue Anfrage {reference} (Welcome Center)"
    assert f"https://office.lrabb.example/anfragen/{reference}" in row["payload"]["body"]
    assert "+49" not in row["payload"]["body"]


async def test_a_notice_that_cannot_be_queued_does_not_stop_the_request(
    welcome_center_handoff_complete, request_store, staff_mailbox, dispatcher, domain, caplog
):
    request_store.list_requests()  # migrated; now the outbox is gone
    engine = sa.create_engine(get_settings().database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE outbox"))
    engine.dispose()

    await ActionSubmitHandoff().run(dispatcher, welcome_center_handoff_complete, domain)

    assert responses(dispatcher) == ["utter_handoff_confirmed"]
    reference = dispatcher.messages[0]["reference"]
    assert request_store.get(reference) is not None
    [warning] = [r for r in caplog.records if r.name == "bot.casework.notify"]
    assert reference in warning.getMessage()
    assert "+49" not in warning.getMessage()


async def test_without_consent_nothing_is_stored(request_store, dispatcher, domain):
    conversation = tracker(
        [user("Hayır", "deny")],
        slots={"language": "tr", "handoff_category": "human", "consent": False},
    )

    events = await ActionSubmitHandoff().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_handoff_declined", "text"]
    assert "Koordinierungsstelle Integration" in texts(dispatcher)[0]
    assert request_store.list_requests() == []
    assert events == REQUEST_SLOTS_CLEARED


@pytest.mark.parametrize("language", ["de", "ar"])
async def test_when_the_database_fails_the_user_is_told_and_gets_the_contact(
    language, welcome_center_handoff_complete, broken_store, dispatcher, domain
):
    conversation = tracker(
        welcome_center_handoff_complete.events,
        slots={**welcome_center_handoff_complete.slots, "language": language},
    )

    events = await ActionSubmitHandoff().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_handoff_failed", "text"]
    assert "utter_handoff_confirmed" not in responses(dispatcher)
    card = texts(dispatcher)[0]
    assert card.splitlines()[0] == "Koordinierungsstelle Integration (Landratsamt Böblingen)"
    assert "https://www.lrabb.de" in card
    assert events == REQUEST_SLOTS_CLEARED


async def test_an_invalid_database_url_is_a_failure_too(invalid_database_url, dispatcher, domain):
    conversation = tracker(
        [user("0151 2345678", "inform")],
        slots={
            "language": "de",
            "handoff_category": "human",
            "consent": True,
            "contact": "01512345678",
        },
    )

    await ActionSubmitHandoff().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_handoff_failed", "text"]
