"""Whole journeys through the REST channel in German, English and Arabic."""

from __future__ import annotations

import json

import pytest

from bot.store import RequestStore
from tests.e2e.support import (
    REFERENCE,
    Chat,
    appointment_day,
    assert_asks,
    assert_polite,
    assert_says,
    fill_interpreter_form,
    interpreter_answers,
    is_response,
    payloads,
    reference_in,
    requests_of,
    texts,
    transcript,
)

pytestmark = pytest.mark.model

EXPECTED_INTERPRETER_FIELDS = {
    "de": {"municipality": "Sindelfingen", "interpreter_mode": "on_site"},
    "en": {"municipality": "Böblingen", "interpreter_mode": "on_site"},
    "ar": {"municipality": "Böblingen", "interpreter_mode": "on_site"},
}


@pytest.mark.parametrize("language", ["de", "en", "ar"])
def test_interpreter_request_is_stored_before_the_user_gets_the_reference(
    chat: Chat, store: RequestStore, language: str
) -> None:
    answers = interpreter_answers(language)
    messages = fill_interpreter_form(chat, language)
    assert_asks(messages, "utter_handoff_confirmed", language, answers["interpreter_confirmed"])
    reference = reference_in(messages)

    stored = store.get(reference)
    assert stored is not None, f"{reference} was told to the user but is not in the store"
    assert stored.sender_id == chat.sender
    assert stored.category == "interpreter"
    assert stored.language == language
    assert stored.channel == "rest"
    assert stored.consent_at is not None
    assert stored.fields == {
        "interpreter_language": "ar",
        "appointment_date": appointment_day().isoformat(),
        "appointment_time": "10:30",
        "appointment_kind": "health",
        "appointment_place": answers["appointment_place"],
        # E.164 since the contact parser uses libphonenumber (was "01512345678").
        "contact": "+4915123456789",
        "contact_as_written": "0151 23456789",
        "description": answers["description"],
        **EXPECTED_INTERPRETER_FIELDS[language],
    }
    excerpt_texts = [turn["text"] for turn in stored.excerpt]
    assert {"role": "user", "text": answers["description"]} in stored.excerpt
    assert any(is_response(text, "utter_interpreter_summary", language) for text in excerpt_texts)
    # Stored first: the confirmation with the reference cannot be part of it.
    assert not any(reference in text for text in excerpt_texts)
    assert requests_of(store, chat.sender) == [stored]


OFFER_SEARCHES = {
    "de": ("Ich suche einen Deutschkurs", "mehr"),
    "en": ("I am looking for a German language course for adults", "more"),
    "ar": ("أبحث عن دورة لغة ألمانية", "المزيد"),
}


@pytest.mark.parametrize("language", list(OFFER_SEARCHES))
def test_offers_come_three_at_a_time_with_a_more_button(chat: Chat, language: str) -> None:
    search, more = OFFER_SEARCHES[language]
    messages = chat.say(search)
    assert_asks(messages, "utter_ask_municipality", language, search)
    # "Other town / don't know": the button's payload, as a click sends it.
    anywhere = [p for p in payloads(messages) if '"all"' in p]
    assert anywhere, transcript(messages)

    messages = chat.say(anywhere[0])
    assert is_response(messages[0], "utter_offers_intro", language), transcript(messages)
    assert_asks(messages, "utter_offers_more_button", language)
    assert payloads(messages[-1:]) == ["/more"]
    first_page = texts(messages[1:-1])
    assert 1 <= len(first_page) <= 3, transcript(messages)

    messages = chat.say(more)
    assert_polite(messages, more)
    second_page = [
        text
        for text in texts(messages)
        if not is_response(text, "utter_offers_more_button", language)
    ]
    assert second_page, transcript(messages)
    assert len(second_page) <= 3
    assert not set(second_page) & set(first_page), "an offer was shown twice"


def test_welcome_center_referral_in_english(chat: Chat, store: RequestStore) -> None:
    text = "I would like to have my nursing degree recognised in Germany"
    messages = chat.say(text)
    assert_asks(messages, "utter_ask_welcome_center_referral", "en", text)
    assert any("welcome_center_referral" in p for p in payloads(messages))

    messages = chat.say("yes")
    assert_says(messages, "utter_handoff_intro", "en", "yes")
    assert_asks(messages, "utter_ask_consent", "en", "yes")
    assert_asks(chat.say("yes"), "utter_ask_contact", "en", "yes")
    messages = chat.say("nurse.newcomer@example.com")
    assert_asks(messages, "utter_handoff_confirmed", "en", "e-mail address")

    stored = store.get(reference_in(messages))
    assert stored is not None
    assert stored.sender_id == chat.sender
    assert stored.category == "welcome_center_referral"
    assert stored.language == "en"
    assert stored.fields.get("contact") == "nurse.newcomer@example.com"
    assert {"role": "user", "text": text} in stored.excerpt


def test_request_for_a_person_with_consent_in_german(chat: Chat, store: RequestStore) -> None:
    text = "Ich möchte mit einem Menschen sprechen"
    messages = chat.say(text)
    assert_says(messages, "utter_handoff_intro", "de", text)
    assert_asks(messages, "utter_ask_consent", "de", text)
    assert_asks(chat.say("ja"), "utter_ask_contact", "de", "ja")
    assert_asks(chat.say("0151 23456789"), "utter_ask_handoff_note", "de", "0151 23456789")
    note = "Ich habe eine Frage zur Wohnsitzauflage"
    messages = chat.say(note)
    assert_asks(messages, "utter_handoff_confirmed", "de", note)

    stored = store.get(reference_in(messages))
    assert stored is not None
    assert stored.sender_id == chat.sender
    assert stored.category == "human"
    assert stored.language == "de"
    assert stored.fields == {
        "contact": "+4915123456789",
        "contact_as_written": "0151 23456789",
        "handoff_note": note,
    }


def test_asking_for_a_person_starts_with_the_consent_question_only(chat: Chat) -> None:
    """No complaint about answers the user has not given yet, and all tries left."""
    text = "Ich möchte mit einem Menschen sprechen"
    messages = chat.say(text)
    for complaint in ("utter_consent_unclear", "utter_contact_invalid"):
        assert not any(is_response(m, complaint, "de") for m in messages), (
            f"{complaint} before the user answered anything:\n{transcript(messages)}"
        )
    # One unclear answer is asked again, not taken as a refusal.
    messages = chat.say("vielleicht")
    assert_says(messages, "utter_consent_unclear", "de", "vielleicht")
    assert_asks(messages, "utter_ask_consent", "de", "vielleicht")


def test_refused_consent_stores_nothing_in_arabic(chat: Chat, store: RequestStore) -> None:
    text = "أريد التحدث مع موظف"
    assert_asks(chat.say(text), "utter_ask_consent", "ar", text)
    messages = chat.say("لا")
    assert_says(messages, "utter_handoff_declined", "ar", "لا")
    assert not REFERENCE.search(json.dumps(messages))
    assert requests_of(store, chat.sender) == []


def test_refused_consent_in_the_interpreter_request_stores_nothing(
    chat: Chat, store: RequestStore
) -> None:
    fill_interpreter_form(chat, "de", until="consent")
    messages = chat.say("nein")
    assert_says(messages, "utter_handoff_declined", "de", "nein")
    assert not any(is_response(m, "utter_ask_contact", "de") for m in messages)
    assert not REFERENCE.search(json.dumps(messages))
    assert requests_of(store, chat.sender) == []


def test_first_english_question_is_answered_in_english(chat: Chat) -> None:
    text = "Where can I find a German course?"
    messages = chat.say(text)
    assert_asks(messages, "utter_ask_municipality", "en", text)


def test_ask_for_a_person_in_plain_english_is_answered_in_english(chat: Chat) -> None:
    text = "I want to talk to a real person"
    messages = chat.say(text)
    assert_asks(messages, "utter_ask_consent", "en", text)


def test_typed_button_title_chooses_the_interpreter_mode_in_arabic(chat: Chat) -> None:
    messages = fill_interpreter_form(chat, "ar", until="interpreter_mode")
    by_phone = [b["title"] for b in messages[-1]["buttons"] if b["payload"].endswith('"phone"}')]
    assert len(by_phone) == 1, transcript(messages)
    assert_asks(chat.say(by_phone[0]), "utter_ask_consent", "ar", by_phone[0])
