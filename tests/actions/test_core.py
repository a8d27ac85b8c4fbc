"""Misunderstandings, questions in the middle of a form, cancelling, deleting one's data."""

from __future__ import annotations

import pytest
from rasa_sdk.events import ActiveLoop, AllSlotsReset, SlotSet

from actions.core import (
    ActionCancelForm,
    ActionDeleteUserData,
    ActionHandleFallback,
    ActionHandleFormInterruption,
)
from tests.actions.scenarios import (
    OTHER_SENDER,
    SENDER,
    action,
    interpreter_slots,
    listen,
    responses,
    tracker,
    user,
)


def _save(store, sender_id: str, category: str = "human") -> str:
    return store.save_request(
        sender_id=sender_id,
        channel="telegram",
        category=category,
        language="ar",
        fields={"contact": "01512345678"},
        excerpt=[{"role": "user", "text": "أحتاج مساعدة"}],
    ).reference


# --------------------------------------------------------------------------- fallback


async def test_first_misunderstanding_says_so_and_shows_the_topics(dispatcher, domain):
    conversation = tracker([listen(), user("asdf jklö", "nlu_fallback")], slots={"language": "de"})

    events = await ActionHandleFallback().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_default", "utter_help"]
    assert events == [SlotSet("fallback_count", 1.0), SlotSet("fallback_offered", False)]


async def test_second_misunderstanding_offers_a_person(dispatcher, domain):
    conversation = tracker(
        [listen(), user("blub blub", "nlu_fallback")],
        slots={"language": "de", "fallback_count": 1.0},
    )

    events = await ActionHandleFallback().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_offer_human"]
    assert events == [SlotSet("fallback_count", 2.0), SlotSet("fallback_offered", True)]


async def test_further_misunderstandings_keep_offering_a_person(dispatcher, domain):
    conversation = tracker(
        [listen(), user("???", "nlu_fallback")], slots={"language": "de", "fallback_count": 2.0}
    )

    events = await ActionHandleFallback().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_offer_human"]
    assert events == [SlotSet("fallback_count", 3.0), SlotSet("fallback_offered", True)]


# --------------------------------------------------------------------------- interruptions


def _asked(requested_slot: str, text: str, intent: str, entities=None, language="de"):
    return tracker(
        [listen(), user(text, intent, entities)],
        slots={"language": language, "requested_slot": requested_slot},
        form="interpreter_form",
        requested_slot=requested_slot,
    )


@pytest.mark.parametrize("requested_slot", ["consent", "contact"])
async def test_why_during_consent_or_contact_gets_the_privacy_notice(
    requested_slot, dispatcher, domain
):
    conversation = _asked(requested_slot, "Warum brauchen Sie das?", "ask_why")

    events = await ActionHandleFormInterruption().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_privacy_notice"]
    assert events == []


async def test_why_during_another_question_gets_the_general_reason(dispatcher, domain):
    conversation = _asked("appointment_date", "why do you ask that?", "ask_why", language="en")

    await ActionHandleFormInterruption().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_why_generic"]


async def test_are_you_a_bot_during_a_form(dispatcher, domain):
    conversation = _asked("appointment_place", "Bist du ein Mensch?", "bot_challenge")

    await ActionHandleFormInterruption().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_bot_challenge"]


async def test_help_during_a_form_explains_how_to_go_on(dispatcher, domain):
    conversation = _asked("appointment_kind", "Hilfe", "help")

    await ActionHandleFormInterruption().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_form_help"]


async def test_changing_the_language_during_a_form_confirms_it(dispatcher, domain):
    conversation = _asked(
        "appointment_time", "по-русски, пожалуйста", "change_language", {"language": "ru"}
    )

    events = await ActionHandleFormInterruption().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_language_changed"]
    assert events == []


# --------------------------------------------------------------------------- cancel


async def test_cancelling_the_interpreter_form_forgets_its_answers_but_keeps_the_town(
    dispatcher, domain
):
    conversation = tracker(
        [listen(), user("Stopp, ich will abbrechen", "stop")],
        slots=interpreter_slots(interpreter_confirmed=None, requested_slot="interpreter_confirmed"),
        form="interpreter_form",
        requested_slot="interpreter_confirmed",
    )

    events = await ActionCancelForm().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_form_cancelled"]
    assert events == [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        SlotSet("interpreter_language", None),
        SlotSet("interpreter_dialect", None),
        SlotSet("appointment_date", None),
        SlotSet("appointment_time", None),
        SlotSet("appointment_kind", None),
        SlotSet("appointment_place", None),
        SlotSet("interpreter_mode", None),
        SlotSet("consent", None),
        SlotSet("contact", None),
        SlotSet("description", None),
        SlotSet("interpreter_confirmed", None),
        SlotSet("contact_as_written", None),
        SlotSet("handoff_note", None),
        SlotSet("handoff_category", None),
        SlotSet("attempts", None),
        SlotSet("unclear_question", None),
        SlotSet("correction_pending", None),
    ]
    assert "municipality" not in [event.get("name") for event in events]


async def test_cancelling_the_offers_form_forgets_the_topic(dispatcher, domain):
    conversation = tracker(
        [listen(), user("abbrechen", "stop")],
        slots={"language": "de", "offer_topic": "counselling", "requested_slot": "municipality"},
        form="offers_form",
        requested_slot="municipality",
    )

    events = await ActionCancelForm().run(dispatcher, conversation, domain)

    assert SlotSet("offer_topic", None) in events
    assert events[:2] == [ActiveLoop(None), SlotSet("requested_slot", None)]
    assert "interpreter_language" not in [event.get("name") for event in events]


# --------------------------------------------------------------------------- delete


async def test_deleting_removes_only_this_users_requests_and_says_how_many(
    request_store, dispatcher, domain
):
    mine = [_save(request_store, SENDER, "interpreter"), _save(request_store, SENDER)]
    theirs = _save(request_store, OTHER_SENDER)
    conversation = tracker(
        [listen(), user("احذف بياناتي", "delete_data"), action("utter_confirm_delete"), listen()],
        slots={"language": "ar", "contact": "01512345678", "municipality": "Böblingen"},
    )

    events = await ActionDeleteUserData().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_data_deleted"]
    assert dispatcher.messages[0]["deleted_requests"] == 2
    assert events == [AllSlotsReset(), SlotSet("language", "ar")]
    assert [request_store.get(reference) for reference in mine] == [None, None]
    assert [r.reference for r in request_store.list_requests()] == [theirs]


async def test_deleting_without_stored_requests_reports_zero(request_store, dispatcher, domain):
    _save(request_store, OTHER_SENDER)
    conversation = tracker(
        [listen(), user("delete my data", "delete_data")], slots={"language": "en"}
    )

    await ActionDeleteUserData().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_data_deleted"]
    assert dispatcher.messages[0]["deleted_requests"] == 0
    assert len(request_store.list_requests()) == 1


async def test_deleting_when_the_database_is_unusable_says_it_failed(
    broken_store, dispatcher, domain
):
    conversation = tracker(
        [listen(), user("Daten löschen", "delete_data")], slots={"language": "de"}
    )

    events = await ActionDeleteUserData().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_delete_failed"]
    assert events == []
