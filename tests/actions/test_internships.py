"""Internships for young people, and the short information journeys (Welcome Center,
mentoring) that end with the offer of a person."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.internships import (
    ActionAskInternshipField,
    ActionShowInternships,
    ValidateInternshipForm,
)
from actions.mentoring import ActionShowMentoring
from actions.welcome_center import ActionShowWelcomeCenter
from bot.content import get_content
from tests.actions.scenarios import button, form_turn, responses, texts, tracker, user


async def test_field_buttons_come_from_the_content_in_the_users_language(dispatcher, domain):
    conversation = tracker(
        [user("Я шукаю практику", "ask_internship")],
        slots={"language": "uk", "age": "16"},
        form="internship_form",
        requested_slot="internship_field",
    )

    events = await ActionAskInternshipField().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_ask_internship_field"]
    buttons = dispatcher.messages[0]["buttons"]
    fields = get_content().internship_fields
    assert [b["title"] for b in buttons] == [field.label("uk") for field in fields]
    assert [b["payload"] for b in buttons] == [
        f'/inform{{"internship_field": "{field.id}"}}' for field in fields
    ]
    assert buttons[0] == {"title": "Ремесла", "payload": '/inform{"internship_field": "handwerk"}'}
    assert events == []


async def test_arabic_field_buttons(dispatcher, domain):
    conversation = tracker([user("تدريب", "ask_internship")], slots={"language": "ar"})

    await ActionAskInternshipField().run(dispatcher, conversation, domain)

    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert "تكنولوجيا المعلومات والحاسوب" in titles


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("handwerk", "handwerk"),  # button payload: the field id
        ("Krankenpflege", "pflege_soziales"),
        ("برمجة", "it"),
        ("медсестра", "pflege_soziales"),
        ("aşçı", "gastronomie"),
        ("پرستار", "pflege_soziales"),
        ("verkäuferin", "verkauf"),
    ],
)
async def test_the_field_typed_in_any_language(text, field, dispatcher, domain):
    conversation = form_turn(
        "internship_form",
        "internship_field",
        user(text, "inform"),
        text,
        slots={"language": "de", "age": "16"},
    )

    events = await ValidateInternshipForm().run(dispatcher, conversation, domain)

    assert events == [SlotSet("internship_field", field), SlotSet("attempts", None)]


async def test_an_unknown_field_is_asked_again(dispatcher, domain):
    conversation = form_turn(
        "internship_form",
        "internship_field",
        user("weiß nicht", "inform"),
        "weiß nicht",
        slots={"language": "de", "age": "16"},
    )

    events = await ValidateInternshipForm().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_field_unknown"]
    assert events == [SlotSet("internship_field", None), SlotSet("attempts", 1.0)]


@pytest.mark.parametrize(
    ("text", "age"),
    [("Ich bin 17 Jahre alt", "17"), ("عمري ١٦ سنة", "16"), ("мне 15", "15"), ("14", "14")],
)
async def test_the_age_is_read_from_the_answer(text, age, dispatcher, domain):
    conversation = form_turn(
        "internship_form", "age", user(text, "inform"), text, slots={"language": "de"}
    )

    events = await ValidateInternshipForm().run(dispatcher, conversation, domain)

    assert events == [SlotSet("age", age), SlotSet("attempts", None)]


async def test_an_answer_without_an_age_is_asked_again(dispatcher, domain):
    conversation = form_turn(
        "internship_form", "age", user("noch jung", "inform"), "noch jung", slots={"language": "de"}
    )

    events = await ValidateInternshipForm().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_age_invalid"]
    assert events == [SlotSet("age", None), SlotSet("attempts", 1.0)]


async def test_at_most_three_internships_then_the_offer_of_a_person(dispatcher, domain):
    conversation = tracker(
        [button('/inform{"internship_field": "it"}', "inform", {"internship_field": "it"})],
        slots={"language": "en", "age": "17", "internship_field": "it", "municipality": "all"},
    )

    events = await ActionShowInternships().run(dispatcher, conversation, domain)

    matches = get_content().internships_for(age=17, field="it")
    assert len(matches) > 3
    assert responses(dispatcher) == [
        "utter_internships_intro",
        "text",
        "text",
        "text",
        "utter_ask_internship_handoff",
    ]
    assert [text.splitlines()[0] for text in texts(dispatcher)] == [
        item.title.get("en") for item in matches[:3]
    ]
    assert events == []


async def test_internships_fit_the_age(dispatcher, domain):
    conversation = tracker(
        [user("Böblingen", "inform")],
        slots={
            "language": "de",
            "age": "25",
            "internship_field": "handwerk",
            "municipality": "Böblingen",
        },
    )

    await ActionShowInternships().run(dispatcher, conversation, domain)

    shown = [text.splitlines()[0] for text in texts(dispatcher)]
    too_young_for = [
        item.title.get("de") for item in get_content().internships if not item.fits_age(25)
    ]
    assert shown
    assert not set(shown) & set(too_young_for)


async def test_the_welcome_center_then_the_offer_of_a_referral(dispatcher, domain):
    conversation = tracker(
        [user("Anerkennung meines Diploms", "ask_welcome_center")], slots={"language": "de"}
    )

    await ActionShowWelcomeCenter().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["text", "utter_ask_welcome_center_referral"]
    assert texts(dispatcher)[0].startswith(get_content().welcome_center.name)


async def test_mentoring_then_the_question_find_or_become(dispatcher, domain):
    conversation = tracker(
        [user("Ich möchte Pate werden", "ask_mentoring")], slots={"language": "de"}
    )

    await ActionShowMentoring().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["text", "utter_ask_mentor_role"]
    assert "Selbst Patin oder Pate werden:" in texts(dispatcher)[0]
