"""Answers to the staff's FAQ: the user's language, the unverified notice, the answer id."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.faq import ActionAnswerFaq
from bot.texts import get_catalogue
from tests.actions.scenarios import responses, texts, tracker, user

UNVERIFIED = get_catalogue().group("card")["unverified"]
MARKER = get_catalogue().texts["marker.machine_translated"]


def faq_turn(text: str, faq_id: str, language: str):
    return tracker([user(text, "faq", {"faq_id": faq_id})], slots={"language": language})


async def test_a_german_question_gets_the_german_answer_with_its_id(dispatcher, domain):
    events = await ActionAnswerFaq().run(
        dispatcher, faq_turn("Wo melde ich meinen Wohnsitz an?", "wohnsitz-anmelden", "de"), domain
    )
    assert events == []
    [message] = dispatcher.messages
    assert message["text"].startswith("Melden Sie sich im Bürgeramt oder Rathaus Ihrer Stadt an.")
    assert "2 Wochen" in message["text"]
    assert UNVERIFIED["de"] not in message["text"]  # verified: true
    assert message["answer_id"] == "faq:wohnsitz-anmelden"


async def test_an_unverified_answer_says_that_it_is_still_being_checked(dispatcher, domain):
    await ActionAnswerFaq().run(
        dispatcher, faq_turn("how do I get a kita place", "kita-platz", "en"), domain
    )
    [text] = texts(dispatcher)
    assert text.startswith("From the age of 1, children have a right to a place")
    assert text.endswith(UNVERIFIED["en"])


async def test_curated_arabic_answer_has_no_marker(dispatcher, domain):
    await ActionAnswerFaq().run(dispatcher, faq_turn("ما رقم الشرطة", "notruf", "ar"), domain)
    [text] = texts(dispatcher)
    assert text.startswith("112: الإطفاء والإسعاف.")
    assert MARKER["ar"] not in text


async def test_a_question_without_ukrainian_answer_gets_english(dispatcher, domain):
    await ActionAnswerFaq().run(
        dispatcher, faq_turn("Як знайти лікаря?", "arzt-finden", "uk"), domain
    )
    [text] = texts(dispatcher)
    assert text.startswith("Call 116117.")


async def test_an_faq_unpublished_since_parsing_gets_the_normal_fallback(dispatcher, domain):
    events = await ActionAnswerFaq().run(
        dispatcher, faq_turn("Wo ist das Schwimmbad?", "schwimmbad", "de"), domain
    )
    assert responses(dispatcher) == ["utter_default", "utter_help"]
    assert SlotSet("fallback_count", 1.0) in events
