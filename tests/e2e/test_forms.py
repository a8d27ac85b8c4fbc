"""Forms that understand real answers, through the REST channel with the real servers.

A contact inside a sentence, times that are no dates and dates that are no
times, and never the same question again after too many unclear answers.
"""

from __future__ import annotations

import pytest

from bot.store import RequestStore
from tests.e2e.support import (
    Chat,
    appointment_day,
    assert_asks,
    assert_says,
    fill_interpreter_form,
    interpreter_answers,
    is_response,
    payloads,
    reference_in,
    requests_of,
    transcript,
)

pytestmark = pytest.mark.model


def stored_request(store: RequestStore, chat: Chat, messages: list[dict]):
    reference = reference_in(messages)
    stored = store.get(reference)
    assert stored is not None, f"{reference} was told to the user but is not stored"
    assert requests_of(store, chat.sender) == [stored]
    return stored


# --------------------------------------------------------------------------- contact


@pytest.mark.parametrize(
    ("language", "answer"),
    [
        ("de", "Telefon 0151 23456789"),
        ("en", "my number is +49 151 23456789"),
        ("ar", "رقمي ٠١٥١٢٣٤٥٦٧٨٩"),
        ("uk", "Мій номер 0151 23456789"),
        ("tr", "Numaram 0151 23456789"),
        ("fa", "شماره من ۰۱۵۱۲۳۴۵۶۷۸۹ است"),
        ("ru", "Мой телефон: +49 151 23456789"),
    ],
)
def test_a_phone_number_in_a_sentence_is_accepted_and_stored_normalised(
    chat: Chat, store: RequestStore, language: str, answer: str
) -> None:
    answers = interpreter_answers(language)
    fill_interpreter_form(chat, language, until="contact")
    messages = chat.say(answer)
    # Accepted at once: the next question, no "that is no phone number".
    assert_asks(messages, "utter_ask_description", language, answer)
    assert not any(is_response(m, "utter_contact_invalid", language) for m in messages)

    messages = chat.say(answers["description"])
    assert_asks(messages, "utter_interpreter_summary", language, answers["description"])
    # The number as the office will dial it.
    assert "+49 1512 3456789" in messages[-1]["text"], transcript(messages)
    messages = chat.say(answers["interpreter_confirmed"])

    stored = stored_request(store, chat, messages)
    assert stored.fields["contact"] == "+4915123456789"
    assert stored.fields["contact_as_written"] == answer


def test_an_email_address_in_a_sentence_is_accepted(chat: Chat, store: RequestStore) -> None:
    text = "Ich möchte mit einem Menschen sprechen"
    assert_asks(chat.say(text), "utter_ask_consent", "de", text)
    assert_asks(chat.say("ja"), "utter_ask_contact", "de", "ja")
    answer = "Meine E-Mail ist amira.h@example.de, bitte"
    assert_asks(chat.say(answer), "utter_ask_handoff_note", "de", answer)
    messages = chat.say("Ich suche einen Kitaplatz für meine Tochter")

    stored = stored_request(store, chat, messages)
    assert stored.fields["contact"] == "amira.h@example.de"
    assert stored.fields["contact_as_written"] == answer


# --------------------------------------------------------------------------- time and date


@pytest.mark.parametrize("date", ["am 3. Januar", "3.1.", "15.12.2026"])
def test_a_date_is_no_answer_to_the_time_question(chat: Chat, date: str) -> None:
    fill_interpreter_form(chat, "de", until="appointment_time")
    messages = chat.say(date)
    assert_says(messages, "utter_time_is_a_date", "de", date)
    assert_asks(messages, "utter_ask_appointment_time", "de", date)

    messages = chat.say("um halb zehn")
    assert_asks(messages, "utter_ask_appointment_kind", "de", "um halb zehn")


@pytest.mark.parametrize(
    ("language", "date", "time", "as_clock"),
    [
        ("de", "am 3. Januar", "um halb zehn", "09:30"),
        ("en", "January 3rd", "at 10 am", "10:00"),
        ("ar", "3 يناير", "الساعة العاشرة", "10:00"),
        ("uk", "3 січня", "о 10", "10:00"),
        ("tr", "3 Ocak", "saat 10", "10:00"),
        ("fa", "۳ ژانویه", "ساعت ۱۰", "10:00"),
        ("ru", "3 января", "в 10", "10:00"),
    ],
)
def test_in_every_language_a_date_is_refused_and_a_time_taken_at_the_time_question(
    chat: Chat, language: str, date: str, time: str, as_clock: str
) -> None:
    fill_interpreter_form(chat, language, until="appointment_time")
    messages = chat.say(date)
    assert_says(messages, "utter_time_is_a_date", language, date)
    assert_asks(messages, "utter_ask_appointment_time", language, date)

    answers = {"appointment_time": time}
    messages = fill_interpreter_form(
        chat, language, until="interpreter_confirmed", answers=answers, resume="appointment_time"
    )
    assert f": {as_clock}" in messages[-1]["text"], transcript(messages)


def test_january_3rd_is_no_time_in_english_either(chat: Chat) -> None:
    fill_interpreter_form(chat, "en", until="appointment_time")
    messages = chat.say("January 3rd")
    assert_says(messages, "utter_time_is_a_date", "en", "January 3rd")
    assert_asks(messages, "utter_ask_appointment_time", "en", "January 3rd")


def test_the_time_said_in_words_is_the_one_in_the_summary(chat: Chat) -> None:
    answers = {"appointment_time": "um halb zehn"}
    messages = fill_interpreter_form(chat, "de", until="interpreter_confirmed", answers=answers)
    assert "• Uhrzeit: 09:30" in messages[-1]["text"], transcript(messages)


def test_a_time_alone_is_no_answer_to_the_date_question(chat: Chat) -> None:
    fill_interpreter_form(chat, "de", until="appointment_date")
    messages = chat.say("um 10 Uhr")
    assert_says(messages, "utter_date_is_a_time", "de", "um 10 Uhr")
    assert_asks(messages, "utter_ask_appointment_date", "de", "um 10 Uhr")


@pytest.mark.parametrize(
    ("language", "time"),
    [
        ("en", "at 10 am"),
        ("ar", "الساعة العاشرة"),
        ("uk", "о 10 годині"),
        ("tr", "saat 10"),
        ("fa", "ساعت ۱۰"),
        ("ru", "в 10 часов"),
    ],
)
def test_in_every_language_a_time_alone_is_no_date(chat: Chat, language: str, time: str) -> None:
    fill_interpreter_form(chat, language, until="appointment_date")
    messages = chat.say(time)
    assert_says(messages, "utter_date_is_a_time", language, time)
    assert_asks(messages, "utter_ask_appointment_date", language, time)


def test_a_day_with_a_time_answers_both_questions(chat: Chat) -> None:
    fill_interpreter_form(chat, "de", until="appointment_date")
    answer = f"{appointment_day():%d.%m.} um 10:30"
    # The time question is skipped: it was answered too.
    assert_asks(chat.say(answer), "utter_ask_appointment_kind", "de", answer)


# --------------------------------------------------------------------------- the way out

UNCLEAR_CONTACTS = {
    "de": ["Telefon?", "hmm", "die Nummer weiß ich nicht", "xyz", "0151 2345678"],
    "ar": ["رقم؟", "هاتف", "???", "عندي هاتف", "١٢٣٤٥"],
}


def say_unclear_contacts(chat: Chat, language: str) -> list[list[dict]]:
    """Five unclear answers to "how can we reach you?"; the replies to each."""
    return [chat.say(text) for text in UNCLEAR_CONTACTS[language]]


def test_five_unclear_answers_end_with_the_way_out_never_a_sixth_question(chat: Chat) -> None:
    """The simulated newcomer's case: unclear contacts again and again over REST."""
    asked = fill_interpreter_form(chat, "de", until="contact")
    replies = say_unclear_contacts(chat, "de")

    # Twice the reason and the question again, then only the way out.
    for messages, said in zip(replies[:2], UNCLEAR_CONTACTS["de"], strict=False):
        assert_says(messages, "utter_contact_invalid", "de", said)
        assert_asks(messages, "utter_ask_contact", "de", said)
    for messages, said in zip(replies[2:], UNCLEAR_CONTACTS["de"][2:], strict=True):
        assert_asks(messages, "utter_ask_interpreter_form_way_out", "de", said)
        assert not any(is_response(m, "utter_ask_contact", "de") for m in messages)
        assert not any(is_response(m, "utter_contact_invalid", "de") for m in messages)
        buttons = payloads(messages)
        assert buttons == ['/inform{"way_out": "skip"}', "/request_human", "/stop"], buttons
    everything = [*asked, *(message for messages in replies for message in messages)]
    questions = [m for m in everything if is_response(m, "utter_ask_contact", "de")]
    assert len(questions) == 3, transcript(chat.all_replies())


def test_going_on_at_the_way_out_means_the_answer_comes_in_the_chat(
    chat: Chat, store: RequestStore
) -> None:
    fill_interpreter_form(chat, "de", until="contact")
    say_unclear_contacts(chat, "de")
    skip = '/inform{"way_out": "skip"}'
    assert_asks(chat.say(skip), "utter_ask_description", "de", skip)
    description = "Untersuchung beim Hausarzt wegen Rückenschmerzen"
    summary = chat.say(description)[-1]["text"]
    assert "• Kontakt: Antwort hier im Chat" in summary, summary
    messages = chat.say("ja")

    stored = stored_request(store, chat, messages)
    assert stored.fields["contact"] == "chat"
    assert "contact_as_written" not in stored.fields


def test_a_clear_answer_at_the_way_out_is_still_taken(chat: Chat, store: RequestStore) -> None:
    fill_interpreter_form(chat, "de", until="contact")
    say_unclear_contacts(chat, "de")
    answer = "Tel.: 07031/663-0"
    assert_asks(chat.say(answer), "utter_ask_description", "de", answer)


def test_a_person_at_the_way_out_takes_over_without_asking_again(
    chat: Chat, store: RequestStore
) -> None:
    fill_interpreter_form(chat, "de", until="contact")
    say_unclear_contacts(chat, "de")
    messages = chat.say("/request_human")
    # No "cancelled", no consent or contact question again: what is it about?
    assert_says(messages, "utter_handoff_intro", "de", "/request_human")
    assert_asks(messages, "utter_ask_handoff_note", "de", "/request_human")
    assert not any(is_response(m, "utter_form_cancelled", "de") for m in messages)
    note = "Ich weiß nicht, wie ich meine Nummer schreiben soll"
    messages = chat.say(note)

    stored = stored_request(store, chat, messages)
    assert stored.category == "human"
    # The town answered in the interpreter form stays, like after any form.
    assert stored.fields == {
        "municipality": "Sindelfingen",
        "contact": "chat",
        "handoff_note": note,
    }
    # The office sees where the user got stuck.
    assert {"role": "user", "text": "0151 2345678"} in stored.excerpt


def test_stop_at_the_way_out_cancels_and_stores_nothing(chat: Chat, store: RequestStore) -> None:
    fill_interpreter_form(chat, "de", until="contact")
    say_unclear_contacts(chat, "de")
    assert_asks(chat.say("/stop"), "utter_form_cancelled", "de", "/stop")
    assert requests_of(store, chat.sender) == []


def test_the_way_out_of_the_handoff_in_arabic(chat: Chat, store: RequestStore) -> None:
    text = "أريد التحدث مع موظف"
    assert_asks(chat.say(text), "utter_ask_consent", "ar", text)
    assert_asks(chat.say("نعم"), "utter_ask_contact", "ar", "نعم")
    replies = say_unclear_contacts(chat, "ar")
    for messages, said in zip(replies[2:], UNCLEAR_CONTACTS["ar"][2:], strict=True):
        assert_asks(messages, "utter_ask_handoff_form_way_out", "ar", said)
        # Asking for a person is what this form does already: skip or stop.
        assert payloads(messages) == ['/inform{"way_out": "skip"}', "/stop"]
    skip = '/inform{"way_out": "skip"}'
    assert_asks(chat.say(skip), "utter_ask_handoff_note", "ar", skip)
    messages = chat.say("نبحث عن شقة لعائلتنا")

    stored = stored_request(store, chat, messages)
    assert stored.language == "ar"
    assert stored.fields["contact"] == "chat"
