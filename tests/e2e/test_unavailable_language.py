"""Languages without a translation model: a second language, honesty, a person.

The session's assistant has no translation models installed, so Romanian is
as unavailable here as Tigrinya or Dari (which have no model anywhere).
"""

from __future__ import annotations

import pytest

from tests.e2e.support import (
    Chat,
    assert_asks,
    assert_polite,
    assert_says,
    is_response,
    payloads,
    response_text,
    transcript,
)

pytestmark = pytest.mark.model

TIGRINYA = "ሰላም፣ ሓገዝ የድልየኒ ኣሎ። ብትግርኛ ክዛረብ እደሊ።"


def second_language_question(messages: list[dict]) -> dict:
    start = response_text("utter_ask_second_language", "de").split("{", 1)[0]
    found = [m for m in messages if (m.get("text") or "").startswith(start)]
    assert found, f"expected the second-language question:\n{transcript(messages)}"
    return found[-1]


def test_a_tigrinya_speaker_is_asked_once_for_a_second_language_and_offered_an_interpreter(
    chat: Chat,
):
    replies = chat.say(TIGRINYA)
    assert_polite(replies, TIGRINYA)
    question = second_language_question(replies)
    assert "Tigrinya" in question["text"]
    assert payloads([question]) == [
        '/change_language{"language": "en"}',
        '/change_language{"language": "de"}',
    ]

    replies = chat.say('/change_language{"language": "en"}')
    assert_says(replies, "utter_language_changed", "en")
    assert_says(replies, "utter_language_unavailable_offer", "en")
    offer = [m for m in replies if is_response(m, "utter_language_unavailable_offer", "en")][0]
    assert "Tigrinya" in offer["text"]
    assert payloads([offer]) == ["/request_interpreter", "/request_human"]

    # Writing Tigrinya again: no second question, the offer again, in English.
    replies = chat.say(TIGRINYA)
    assert not any(
        (m.get("text") or "").startswith("Sorry, there is no automatic") for m in replies
    ), transcript(replies)
    assert_says(replies, "utter_language_unavailable_offer", "en")

    # The interpreter request already knows which language is needed.
    replies = chat.say("/request_interpreter")
    assert_polite(replies)
    assert not any(is_response(m, "utter_ask_interpreter_language", "en") for m in replies), (
        transcript(replies)
    )
    assert_asks(replies, "utter_ask_interpreter_dialect", "en")


def test_a_dari_speaker_is_offered_persian_english_or_german(chat: Chat):
    replies = chat.say('/change_language{"language": "prs"}')
    question = second_language_question(replies)
    assert "Dari" in question["text"]
    assert payloads([question]) == [
        '/change_language{"language": "fa"}',
        '/change_language{"language": "en"}',
        '/change_language{"language": "de"}',
    ]

    replies = chat.say('/change_language{"language": "fa"}')
    assert_says(replies, "utter_language_changed", "fa")
    assert_says(replies, "utter_language_unavailable_offer", "fa")

    # Asked once: choosing Dari again goes straight to the offer, in Persian.
    replies = chat.say('/change_language{"language": "prs"}')
    assert not any(m is question for m in replies)
    assert_says(replies, "utter_language_unavailable_offer", "fa")


def test_the_language_menu_lists_languages_served_and_those_with_an_interpreter(chat: Chat):
    replies = chat.say("/change_language")
    assert_says(replies, "utter_choose_language", "de")
    offered = payloads(replies)
    for code in ("de", "en", "ar", "uk", "tr", "fa", "ru", "prs", "ti"):
        assert f'/change_language{{"language": "{code}"}}' in offered
    # Served languages come first: the seven native ones without models.
    assert offered[:7] == [
        f'/change_language{{"language": "{code}"}}'
        for code in ("de", "en", "ar", "uk", "tr", "fa", "ru")
    ]


def test_short_or_ambiguous_texts_never_trigger_the_question(chat: Chat):
    chat.say("Hallo")
    for text in ("ok", "123", "Sindelfingen", "Ahmad", "merci"):
        replies = chat.say(text)
        assert_polite(replies, text)
        assert not any(
            (m.get("text") or "").startswith("Sorry, there is no automatic") for m in replies
        ), f"{text!r}:\n{transcript(replies)}"


@pytest.mark.parametrize("answer", ["Tigrinya", "Dari", "Paschtu"])
def test_naming_a_language_as_the_interpreters_language_is_an_answer_not_a_switch(
    chat: Chat, answer: str
):
    chat.say("Ich brauche einen Dolmetscher")
    replies = chat.say(answer)
    assert_polite(replies, answer)
    assert not any(
        (m.get("text") or "").startswith("Sorry, there is no automatic") for m in replies
    ), transcript(replies)
    assert_asks(replies, "utter_ask_interpreter_dialect", "de", answer)
