"""Reply language: chosen after every message, changed on request."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.language import ActionChangeLanguage, ValidateSlotMappings
from bot import LANGUAGES
from tests.actions.scenarios import button, listen, responses, tracker, user


async def test_explicit_choice_switches_and_locks_the_language(
    arabic_user_switches_to_english, dispatcher, domain
):
    events = await ValidateSlotMappings().run(dispatcher, arabic_user_switches_to_english, domain)

    assert events == [SlotSet("language", "en"), SlotSet("language_locked", True)]
    assert dispatcher.messages == []


async def test_change_language_confirms_a_supported_language(
    arabic_user_switches_to_english, dispatcher, domain
):
    events = await ActionChangeLanguage().run(dispatcher, arabic_user_switches_to_english, domain)

    assert responses(dispatcher) == ["utter_language_changed"]
    assert events == []


async def test_a_whole_sentence_in_another_language_switches(
    arabic_user_writes_english, dispatcher, domain
):
    events = await ValidateSlotMappings().run(dispatcher, arabic_user_writes_english, domain)

    assert events == [SlotSet("language", "en")]


async def test_a_locked_language_is_kept_when_the_user_writes_in_another(
    english_user_locked_writes_german, dispatcher, domain
):
    events = await ValidateSlotMappings().run(dispatcher, english_user_locked_writes_german, domain)

    assert events == []


@pytest.mark.parametrize("language", ["de", "en", "ar", "uk", "tr", "fa", "ru"])
@pytest.mark.parametrize("text", ["ok", "123", "Ja", "👍", "no", "evet", "спасибо", "ممنون"])
async def test_a_short_answer_never_flips_the_language(language, text, dispatcher, domain):
    conversation = tracker([listen(), user(text, "affirm")], slots={"language": language})

    events = await ValidateSlotMappings().run(dispatcher, conversation, domain)

    assert not [e for e in events if e["name"] == "language"]


@pytest.mark.parametrize(
    ("language", "town"),
    [
        ("ar", "Sindelfingen"),
        ("en", "Holzgerlingen"),
        ("tr", "Weil der Stadt"),
        ("fa", "Böblingen"),
    ],
)
async def test_a_town_name_as_answer_keeps_the_language(language, town, dispatcher, domain):
    # Asked "In which town do you live?", the user writes the town's German name.
    conversation = tracker(
        [listen(), user(town, "inform", {"municipality": town})],
        slots={"language": language},
        form="offers_form",
        requested_slot="municipality",
    )

    events = await ValidateSlotMappings().run(dispatcher, conversation, domain)

    assert [e for e in events if e["name"] == "language"] == []


@pytest.mark.parametrize(
    "payload",
    ['/inform{"contact_method": "chat"}', '/inform{"municipality": "all"}', "/affirm"],
)
async def test_tapping_a_button_keeps_the_language(payload, dispatcher, domain):
    conversation = tracker([listen(), button(payload, "inform")], slots={"language": "ar"})

    events = await ValidateSlotMappings().run(dispatcher, conversation, domain)

    assert events == []


async def test_a_new_conversation_starts_in_the_language_of_the_phone(
    new_telegram_user_with_arabic_phone, dispatcher, domain
):
    events = await ValidateSlotMappings().run(
        dispatcher, new_telegram_user_with_arabic_phone, domain
    )

    assert events == [SlotSet("language", "ar")]


async def test_the_phone_language_does_not_override_what_the_user_writes(dispatcher, domain):
    conversation = tracker(
        [
            listen(),
            user(
                "Привіт! Мені потрібен перекладач",
                "request_interpreter",
                metadata={"language_hint": "de-DE"},
            ),
        ]
    )

    events = await ValidateSlotMappings().run(dispatcher, conversation, domain)

    assert events == [SlotSet("language", "uk")]


@pytest.mark.parametrize(
    ("text", "hint", "language"),
    [
        ("بدي Dolmetscher لموعد في Jobcenter", "ar", "ar"),
        ("بدي Dolmetscher لموعد في Jobcenter", "de-DE", "ar"),
        ("Мені потрібен Dolmetscher у Jobcenter", "uk", "uk"),
        ("Dolmetscher lazım, Ausländerbehörde randevusu var", None, "tr"),
        ("Where can I do an Integrationskurs in Böblingen?", None, "en"),
        ("Ich brauche einen Dolmetscher für meinen Termin beim Jobcenter", "ar", "de"),
    ],
)
async def test_a_new_conversation_is_in_the_language_around_the_german_names(
    text, hint, language, dispatcher, domain
):
    metadata = {"language_hint": hint} if hint else None
    conversation = tracker([listen(), user(text, "request_interpreter", metadata=metadata)])

    events = await ValidateSlotMappings().run(dispatcher, conversation, domain)

    assert events == [SlotSet("language", language)]


async def test_a_new_conversation_without_any_clue_is_german(dispatcher, domain):
    conversation = tracker([listen(), user("ok", "affirm")])

    events = await ValidateSlotMappings().run(dispatcher, conversation, domain)

    assert events == [SlotSet("language", "de")]


async def test_being_understood_again_resets_the_count_of_misunderstandings(
    after_two_misunderstandings_user_is_understood, dispatcher, domain
):
    events = await ValidateSlotMappings().run(
        dispatcher, after_two_misunderstandings_user_is_understood, domain
    )

    assert events == [SlotSet("fallback_count", 0.0)]


async def test_another_misunderstanding_keeps_the_count(dispatcher, domain):
    conversation = tracker(
        [listen(), user("qwertz uiop", "nlu_fallback")],
        slots={"language": "de", "fallback_count": 1.0},
    )

    events = await ValidateSlotMappings().run(dispatcher, conversation, domain)

    assert events == []


async def test_a_language_without_a_model_gets_the_second_language_question(dispatcher, domain):
    # No translation models are installed in the tests: French cannot be served.
    conversation = tracker(
        [
            listen(),
            user("Können Sie auch Französisch sprechen?", "change_language", {"language": "fr"}),
        ],
        slots={"language": "de"},
    )

    events = await ValidateSlotMappings().run(dispatcher, conversation, domain)
    reply = await ActionChangeLanguage().run(dispatcher, conversation, domain)

    assert events == [SlotSet("user_language", "fr")]
    assert reply == [SlotSet("user_language", "fr"), SlotSet("second_language_asked", True)]
    assert responses(dispatcher) == ["utter_ask_second_language"]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [
        '/change_language{"language": "en"}',
        '/change_language{"language": "de"}',
    ]
    assert dispatcher.messages[0]["language_en"] == "French"
    assert dispatcher.messages[0]["language_de"] == "Französisch"


async def test_after_the_question_the_language_is_declined_with_an_interpreter_offer(
    dispatcher, domain
):
    conversation = tracker(
        [
            listen(),
            user("Französisch bitte", "change_language", {"language": "fr"}),
        ],
        slots={"language": "de", "second_language_asked": True},
    )

    reply = await ActionChangeLanguage().run(dispatcher, conversation, domain)

    assert reply == [SlotSet("user_language", "fr")]
    assert responses(dispatcher) == ["utter_language_unavailable_offer"]
    assert dispatcher.messages[0]["language_name"] == "Französisch"


async def test_a_language_outside_the_catalogue_is_declined_and_nothing_changes(dispatcher, domain):
    conversation = tracker(
        [
            listen(),
            user("Können Sie Vietnamesisch?", "change_language", {"language": "vi"}),
        ],
        slots={"language": "de"},
    )

    events = await ValidateSlotMappings().run(dispatcher, conversation, domain)
    reply = await ActionChangeLanguage().run(dispatcher, conversation, domain)

    assert events == []
    assert reply == []
    assert responses(dispatcher) == ["utter_language_not_available"]


async def test_asking_for_another_language_without_naming_one_offers_the_choice(dispatcher, domain):
    conversation = tracker(
        [listen(), button("/change_language", "change_language")], slots={"language": "tr"}
    )

    await ActionChangeLanguage().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_choose_language"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("auf Deutsch bitte", "de"),
        ("بالعربي", "ar"),
        ("по-русски, пожалуйста", "ru"),
        ("українською", "uk"),
        ("Türkçe konuşalım", "tr"),
        ("فارسی لطفا", "fa"),
    ],
)
async def test_naming_a_language_switches_to_it(text, code, dispatcher, domain):
    conversation = tracker(
        [listen(), user(text, "change_language", {"language": code})], slots={"language": "en"}
    )

    events = await ValidateSlotMappings().run(dispatcher, conversation, domain)

    assert events == [SlotSet("language", code), SlotSet("language_locked", True)]


async def test_a_button_click_keeps_a_translated_conversation_in_its_language(
    dispatcher, domain, monkeypatch
):
    # Romanian is served (models installed); a button click says nothing about language.
    monkeypatch.setattr("actions.language.served_languages", lambda: (*LANGUAGES, "ro"))
    conversation = tracker(
        [listen(), button('/inform{"topic": "language_course"}', "inform")],
        slots={"language": "ro"},
    )

    events = await ValidateSlotMappings().run(dispatcher, conversation, domain)

    assert events == []
