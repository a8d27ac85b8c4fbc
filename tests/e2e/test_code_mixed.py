"""Code-mixed messages through the real REST channel: answered in the language
around the German names, not in German (tests/nlu/test_code_mixed.py measures
the whole set; these are the conversations of the issue)."""

from __future__ import annotations

import pytest

from bot.content import get_content
from bot.content.render import render_welcome_center
from tests.e2e.support import Chat, assert_asks, assert_polite, texts

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    ("text", "hint", "language"),
    [
        ("بدي Dolmetscher لموعد في Jobcenter", "ar", "ar"),
        ("Мені потрібен Dolmetscher у Jobcenter", "uk", "uk"),
        # The text wins over a German phone: its alphabet is not German.
        ("بدي Dolmetscher لموعد في Jobcenter", "de-DE", "ar"),
        # German names in a German sentence: German, whatever the phone says.
        ("Ich brauche einen Dolmetscher für meinen Termin beim Jobcenter", "ar", "de"),
    ],
)
def test_an_interpreter_request_around_german_names_is_asked_in_its_language(
    chat: Chat, text: str, hint: str, language: str
) -> None:
    replies = chat.say(text, metadata={"language_hint": hint})

    assert_polite(replies, text)
    assert_asks(replies, "utter_ask_interpreter_language", language, text)


def test_the_turkish_question_about_the_welcome_center_is_answered_in_turkish(chat: Chat) -> None:
    text = "Merhaba, Welcome Center Region Stuttgart nedir?"

    replies = chat.say(text)

    assert_polite(replies, text)
    turkish = render_welcome_center("tr", get_content())
    summary = turkish.splitlines()[1]
    assert any(summary in reply for reply in texts(replies)), texts(replies)
    assert_asks(replies, "utter_ask_welcome_center_referral", "tr", text)


def test_the_conversation_goes_on_in_the_language_of_the_first_code_mixed_message(
    chat: Chat,
) -> None:
    chat.say("Мені потрібен Dolmetscher у Jobcenter", metadata={"language_hint": "uk"})

    # The next answer is a language name in German: it must not switch the conversation.
    replies = chat.say("Ukrainisch")

    assert_asks(replies, "utter_ask_interpreter_dialect", "uk", "Ukrainisch")
