"""The same limit of unclear answers for every question of every form, and the way out.

After MAX_ATTEMPTS answers the bot cannot use, a question is never asked again:
it takes its safe answer (town, consent, choices, the summary) or the form asks
its way out: write it once more, go on without it, talk to a person, or stop.
"""

from __future__ import annotations

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet

from actions.core import ActionLeaveFormForPerson
from actions.handoff import ValidateHandoffForm
from actions.internships import ActionShowInternships, ValidateInternshipForm
from actions.interpreter import ActionAskInterpreterConfirmed, ValidateInterpreterForm
from actions.offers import ValidateOffersForm
from actions.validation import MAX_ATTEMPTS
from tests.actions.scenarios import (
    form_turn,
    interpreter_slots,
    responses,
    slots_set,
    tracker,
    user,
)

LAST_TRY = float(MAX_ATTEMPTS - 1)

# Every question without a safe answer: (validation, form, question, an unclear answer).
# The questions before it are answered (a complete request, without the summary).
ANSWERED = {
    **interpreter_slots(interpreter_confirmed=None),
    "handoff_category": "human",
    "age": "16",
    "internship_field": "it",
}
QUESTIONS_WITHOUT_A_SAFE_ANSWER = [
    (ValidateInterpreterForm, "interpreter_form", "interpreter_language", "Was meinen Sie?"),
    (ValidateInterpreterForm, "interpreter_form", "interpreter_dialect", "<br>"),
    (ValidateInterpreterForm, "interpreter_form", "appointment_date", "irgendwann"),
    (ValidateInterpreterForm, "interpreter_form", "appointment_time", "am 3. Januar"),
    (ValidateInterpreterForm, "interpreter_form", "appointment_place", "<p></p>"),
    (ValidateInterpreterForm, "interpreter_form", "contact", "Telefon?"),
    (ValidateInterpreterForm, "interpreter_form", "description", "x" * 1001),
    (ValidateHandoffForm, "handoff_form", "contact", "weiß nicht"),
    (ValidateHandoffForm, "handoff_form", "handoff_note", "x" * 1001),
    (ValidateInternshipForm, "internship_form", "age", "jung"),
    (ValidateInternshipForm, "internship_form", "internship_field", "qwertz"),
]


@pytest.mark.parametrize(
    ("validation", "form", "question", "text"),
    QUESTIONS_WITHOUT_A_SAFE_ANSWER,
    ids=[f"{form}-{question}" for _, form, question, _ in QUESTIONS_WITHOUT_A_SAFE_ANSWER],
)
async def test_the_last_unclear_answer_leads_to_the_way_out_not_to_the_question(
    validation, form, question, text, dispatcher, domain
):
    slots = {**ANSWERED, "language": "de", question: None, "attempts": LAST_TRY}
    conversation = form_turn(form, question, user(text, "nlu_fallback"), text, slots=slots)

    events = await validation().run(dispatcher, conversation, domain)

    # No complaint and no question again: the form asks the way out next.
    assert dispatcher.messages == []
    assert slots_set(events) == {
        question: None,
        "attempts": float(MAX_ATTEMPTS),
        "unclear_question": question,
        "requested_slot": "way_out",
    }


@pytest.mark.parametrize(
    ("validation", "form", "question", "text", "safe_answer"),
    [
        (ValidateOffersForm, "offers_form", "offer_topic", "hä", "general"),
        (ValidateOffersForm, "offers_form", "municipality", "Atlantis", "all"),
        (ValidateInternshipForm, "internship_form", "municipality", "Atlantis", "all"),
        (ValidateInterpreterForm, "interpreter_form", "appointment_kind", "egal", "egal"),
        (ValidateInterpreterForm, "interpreter_form", "interpreter_mode", "egal", "egal"),
        (ValidateInterpreterForm, "interpreter_form", "consent", "hmm", False),
        (ValidateHandoffForm, "handoff_form", "consent", "hmm", False),
        (ValidateInterpreterForm, "interpreter_form", "interpreter_confirmed", "hmm", "abandoned"),
    ],
)
async def test_a_question_with_a_safe_answer_takes_it_at_the_same_limit(
    validation, form, question, text, safe_answer, dispatcher, domain
):
    slots = {**interpreter_slots(language="en"), question: None, "attempts": LAST_TRY}
    conversation = form_turn(form, question, user(text, "nlu_fallback"), text, slots=slots)

    events = await validation().run(dispatcher, conversation, domain)

    assert dispatcher.messages == []
    assert slots_set(events)[question] == safe_answer
    assert "way_out" not in slots_set(events).values()


async def test_before_the_limit_the_question_is_asked_again_with_the_reason(dispatcher, domain):
    conversation = form_turn(
        "interpreter_form",
        "contact",
        user("Telefon?", "nlu_fallback"),
        "Telefon?",
        slots={**ANSWERED, "contact": None, "attempts": LAST_TRY - 1},
    )

    events = await ValidateInterpreterForm().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_contact_invalid"]
    assert events == [SlotSet("contact", None), SlotSet("attempts", LAST_TRY)]


# --------------------------------------------------------------------------- answers to the way out


async def test_going_on_without_a_contact_means_the_answer_comes_in_the_chat(
    interpreter_way_out_skipped_at_contact, dispatcher, domain
):
    events = await ValidateInterpreterForm().run(
        dispatcher, interpreter_way_out_skipped_at_contact, domain
    )

    assert dispatcher.messages == []
    # Resolved: the form goes on with the next question (the description).
    assert slots_set(events) == {
        "contact": "chat",
        "contact_as_written": None,
        "way_out": None,
        "unclear_question": None,
        "attempts": None,
    }


async def test_going_on_without_a_date_leaves_it_to_the_office(
    interpreter_way_out_skipped_at_date, dispatcher, domain
):
    events = await ValidateInterpreterForm().run(
        dispatcher, interpreter_way_out_skipped_at_date, domain
    )

    assert slots_set(events)["appointment_date"] == "to_clarify"
    assert slots_set(events)["attempts"] is None


async def test_skip_typed_instead_of_tapped(interpreter_way_out_skip_typed, dispatcher, domain):
    events = await ValidateInterpreterForm().run(dispatcher, interpreter_way_out_skip_typed, domain)

    assert slots_set(events)["contact"] == "chat"


async def test_a_clear_answer_at_the_way_out_answers_the_question(
    interpreter_way_out_answered_at_contact, dispatcher, domain
):
    events = await ValidateInterpreterForm().run(
        dispatcher, interpreter_way_out_answered_at_contact, domain
    )

    assert slots_set(events) == {
        "contact": "+4915123456789",
        "contact_as_written": "Telefon 0151 23456789",
        "way_out": None,
        "unclear_question": None,
        "attempts": None,
    }


async def test_an_unclear_answer_at_the_way_out_gets_the_way_out_again(
    interpreter_way_out_unclear_again, dispatcher, domain
):
    events = await ValidateInterpreterForm().run(
        dispatcher, interpreter_way_out_unclear_again, domain
    )

    # Never the question a fourth time, and not its complaint either.
    assert dispatcher.messages == []
    assert slots_set(events) == {
        "way_out": None,
        "attempts": float(MAX_ATTEMPTS + 1),
        "requested_slot": "way_out",
    }


async def test_talk_to_a_person_is_left_to_the_dialogue_rules(
    interpreter_way_out_person_requested, dispatcher, domain
):
    events = await ValidateInterpreterForm().run(
        dispatcher, interpreter_way_out_person_requested, domain
    )

    # No answer taken: Rasa rejects the form and the rules start the handoff.
    assert [name for name in slots_set(events) if name != "requested_slot"] == []


async def test_asking_for_a_person_inside_the_handoff_is_no_way_out_of_it(
    handoff_way_out_person_typed, dispatcher, domain
):
    events = await ValidateHandoffForm().run(dispatcher, handoff_way_out_person_typed, domain)

    # Read as one more (unclear) contact: the way out stays, with "answer in the chat".
    assert slots_set(events) == {
        "way_out": None,
        "attempts": float(MAX_ATTEMPTS + 1),
        "requested_slot": "way_out",
    }


async def test_an_internship_search_goes_on_without_the_age(
    internship_way_out_skipped_at_age, dispatcher, domain
):
    events = await ValidateInternshipForm().run(
        dispatcher, internship_way_out_skipped_at_age, domain
    )

    assert slots_set(events)["age"] == "to_clarify"

    search = tracker(
        [user("Sindelfingen", "inform")],
        slots={
            "language": "tr",
            "age": "to_clarify",
            "internship_field": "to_clarify",
            "municipality": "all",
        },
    )
    await ActionShowInternships().run(dispatcher, search, domain)

    # Skipped questions filter nothing: all internships, then the offer of a person.
    assert responses(dispatcher)[0] == "utter_internships_intro"
    assert responses(dispatcher)[-1] == "utter_ask_internship_handoff"


async def test_the_summary_says_who_clarifies_a_skipped_answer(dispatcher, domain):
    conversation = tracker(
        [],
        slots=interpreter_slots(
            language="de", appointment_date="to_clarify", interpreter_confirmed=None
        ),
        form="interpreter_form",
        requested_slot="interpreter_confirmed",
    )

    await ActionAskInterpreterConfirmed().run(dispatcher, conversation, domain)

    summary = dispatcher.messages[0]["summary"].splitlines()
    assert "• Datum: klärt die Koordinierungsstelle mit Ihnen im Chat" in summary
    # The stored E.164 number is shown grouped, as people read it.
    assert "• Kontakt: +49 1512 3456789" in summary


# --------------------------------------------------------------------------- leaving for a person


async def test_leaving_for_a_person_keeps_consent_and_answers_in_the_chat(
    interpreter_left_for_a_person_at_contact, dispatcher, domain
):
    events = await ActionLeaveFormForPerson().run(
        dispatcher, interpreter_left_for_a_person_at_contact, domain
    )

    assert dispatcher.messages == []  # the handoff that follows speaks
    assert events[:2] == [ActiveLoop(None), SlotSet("requested_slot", None)]
    values = slots_set(events)
    assert values["interpreter_language"] is None
    assert values["attempts"] is None
    assert values["unclear_question"] is None
    # The handoff form's own answers are not reset (consent was given moments
    # ago for the same office) and the contact the user could not give is the chat.
    assert "consent" not in values
    assert "handoff_note" not in values
    assert values["contact"] == "chat"
    assert "municipality" not in values


async def test_leaving_an_internship_search_for_a_person_asks_consent_first(
    internship_left_for_a_person_at_age, dispatcher, domain
):
    events = await ActionLeaveFormForPerson().run(
        dispatcher, internship_left_for_a_person_at_age, domain
    )

    values = slots_set(events)
    assert values["age"] is None and values["internship_field"] is None
    assert "contact" not in values  # no consent yet: the handoff asks for both
