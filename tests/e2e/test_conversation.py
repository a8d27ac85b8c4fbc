"""How the assistant copes with users who do not follow the form: other
languages, counter-questions, no confirmation, stopping, misunderstandings."""

from __future__ import annotations

import pytest

from bot.store import RequestStore
from tests.e2e.support import (
    Chat,
    assert_asks,
    assert_says,
    fill_interpreter_form,
    payloads,
    requests_of,
)

pytestmark = pytest.mark.model

SWITCHES = {
    # question answered, what the user writes, language of the next question, next question
    "to English at the dialect": (
        "interpreter_dialect",
        "I do not need any particular dialect, thank you very much",
        "en",
        "utter_ask_appointment_date",
    ),
    "to Arabic at the language": (
        "interpreter_language",
        "لغتي هي العربية وأحتاج مترجما يتحدث العربية",
        "ar",
        "utter_ask_interpreter_dialect",
    ),
}


@pytest.mark.parametrize("case", list(SWITCHES.values()), ids=list(SWITCHES))
def test_user_switching_language_mid_form_gets_the_next_question_in_that_language(
    chat: Chat, case: tuple[str, str, str, str]
) -> None:
    question, text, language, next_question = case
    fill_interpreter_form(chat, "de", until=question)
    assert_asks(chat.say(text), next_question, language, text)


PLACE_ANSWERS = {
    # language, question, the user's answer (a German name), next question
    "town en": ("en", "municipality", "Sindelfingen", "utter_ask_interpreter_mode"),
    "town ar": ("ar", "municipality", "Sindelfingen", "utter_ask_interpreter_mode"),
    "address en": (
        "en",
        "appointment_place",
        "Praxis Dr. Muster, Bahnhofstraße 1",
        "utter_ask_municipality",
    ),
    "address ar": (
        "ar",
        "appointment_place",
        "Praxis Dr. Muster, Bahnhofstraße 1",
        "utter_ask_municipality",
    ),
}


@pytest.mark.parametrize("case", list(PLACE_ANSWERS.values()), ids=list(PLACE_ANSWERS))
def test_a_german_place_name_does_not_change_the_language(
    chat: Chat, case: tuple[str, str, str, str]
) -> None:
    """A town or an address is an answer, not a sign that the user now writes German."""
    language, question, answer, next_question = case
    fill_interpreter_form(chat, language, until=question)
    assert_asks(chat.say(answer), next_question, language, answer)


WHY = {
    "appointment_date": ("utter_why_generic", "utter_ask_appointment_date"),
    "consent": ("utter_privacy_notice", "utter_ask_consent"),
}


@pytest.mark.parametrize("question", list(WHY))
def test_counter_question_gets_an_explanation_then_the_same_question(
    chat: Chat, question: str
) -> None:
    explanation, asked_again = WHY[question]
    fill_interpreter_form(chat, "de", until=question)
    text = "warum wollen Sie das wissen?"
    messages = chat.say(text)
    assert_says(messages, explanation, "de", text)
    assert_asks(messages, asked_again, "de", text)


def test_the_form_goes_on_after_the_explanation(chat: Chat) -> None:
    fill_interpreter_form(chat, "de", until="appointment_date")
    chat.say("warum wollen Sie das wissen?")
    assert_asks(chat.say("morgen"), "utter_ask_appointment_time", "de", "morgen")


def test_never_confirming_the_summary_stores_nothing(chat: Chat, store: RequestStore) -> None:
    fill_interpreter_form(chat, "de", until="interpreter_confirmed")
    for unclear in ("vielleicht", "hmm keine Ahnung"):
        assert_asks(chat.say(unclear), "utter_interpreter_summary", "de", unclear)
    messages = chat.say("Banane")
    assert_says(messages, "utter_interpreter_not_sent", "de", "Banane")
    assert not any("WL-" in (m.get("text") or "") for m in messages)
    assert requests_of(store, chat.sender) == []


@pytest.mark.parametrize(("language", "stop"), [("de", "Stopp"), ("en", "stop")])
def test_stop_mid_form_cancels_and_stores_nothing(
    chat: Chat, store: RequestStore, language: str, stop: str
) -> None:
    fill_interpreter_form(chat, language, until="appointment_place")
    assert_asks(chat.say(stop), "utter_form_cancelled", language, stop)
    assert requests_of(store, chat.sender) == []
    # The form is over: the next message is not taken as the place.
    greeting = {"de": "Hallo", "en": "Hello"}[language]
    assert_says(chat.say(greeting), "utter_greet", language, greeting)


def test_two_misunderstandings_in_a_row_offer_a_person(chat: Chat) -> None:
    messages = chat.say("xqzt vbnm")
    assert_says(messages, "utter_default", "de", "xqzt vbnm")
    messages = chat.say("plork zzrg")
    assert_asks(messages, "utter_offer_human", "de", "plork zzrg")
    buttons = payloads(messages)
    assert any(p.startswith("/request_human") for p in buttons), buttons
    assert "/deny" in buttons
    # Taking the offer starts the handoff (consent first).
    accept = next(p for p in buttons if p.startswith("/request_human"))
    assert_asks(chat.say(accept), "utter_ask_consent", "de", accept)
