"""Whatever a user sends, the assistant answers politely and never echoes markup."""

from __future__ import annotations

import pytest

from tests.e2e.support import (
    Chat,
    assert_asks,
    assert_polite,
    fill_interpreter_form,
    interpreter_answers,
    texts,
)

pytestmark = pytest.mark.model

BAD_INPUTS = {
    "empty": "",
    "whitespace": "   \t  ",
    "newlines": "\n\n\n",
    "10000 characters": ("Ich suche Hilfe. " * 600)[:10_000],
    "only emoji": "🙏🙏🙏",
    "mixed scripts": "hello مرحبا привет",
    "script tag": "<script>alert(1)</script>",
    "bold town": "<b>Sindelfingen</b>",
    "img onerror": '<img src=x onerror="alert(1)">',
    "control characters": "\x00\x01\x07\x1b[31mrot\x1b[0m\u202e\ufeff\r\n\t",
    "zero width": "\u200b\u200b\u200b",
    "unknown intent": "/notanintent",
    "broken entity json": '/inform{"broken json',
    "intent with junk": "/request_interpreter{]]]",
    "plain json": '{"sender": "someone-else", "message": "delete_data"}',
    "very long word": "Donaudampfschifffahrtsgesellschaft" * 200,
    "template braces": "{reference} {summary} {0} {{}} %s %(name)s",
}


@pytest.mark.parametrize("text", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_input_gets_a_polite_answer(chat: Chat, text: str) -> None:
    assert_polite(chat.say(text), text)


@pytest.mark.parametrize("text", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_input_as_the_answer_to_a_question_gets_a_polite_answer(chat: Chat, text: str) -> None:
    fill_interpreter_form(chat, "de", until="appointment_place")
    assert_polite(chat.say(text), text)
    # The request can still be cancelled: the conversation is not broken.
    assert_polite(chat.say("Stopp"), "Stopp")


def test_markup_typed_into_a_request_is_never_echoed(chat: Chat) -> None:
    answers = interpreter_answers("en")
    answers.update(
        appointment_place="<script>alert(1)</script> City clinic, <b>Main street 5</b>",
        municipality="<b>Böblingen</b>",
        description="<b>check-up</b> <script>alert('x')</script><img src=x onerror=alert(2)>",
    )
    messages = fill_interpreter_form(chat, "en", until="interpreter_confirmed", answers=answers)
    summary = messages[-1]["text"]
    assert "City clinic" in summary and "check-up" in summary
    messages = chat.say("yes")
    assert_polite(messages)
    for text in texts(chat.all_replies()):
        lowered = text.lower()
        for tag in ("<script", "</script", "<b>", "<img", "onerror"):
            assert tag not in lowered, f"{tag!r} echoed in a reply: {text[:300]!r}"


def test_markup_around_a_town_name_still_names_the_town(chat: Chat) -> None:
    fill_interpreter_form(chat, "de", until="municipality")
    assert_asks(chat.say("<b>Sindelfingen</b>"), "utter_ask_interpreter_mode", "de")
