"""What a handoff carries to the coordination office: category, fields, excerpt."""

from __future__ import annotations

import pytest

from bot.handoff import (
    CATEGORY_AFTER_ACTION,
    EXCERPT_MAX_CHARS,
    FIELDS_BY_CATEGORY,
    collect_fields,
    conversation_excerpt,
    normalize_category,
)
from bot.store import CATEGORIES as STORED_CATEGORIES
from bot.vocabulary import HANDOFF_CATEGORIES as CATEGORIES

SLOTS = {
    "language": "uk",
    "interpreter_language": "uk",
    "interpreter_dialect": "-",
    "appointment_date": "2026-12-15",
    "appointment_time": "10:30",
    "appointment_kind": "authority",
    "appointment_place": "Ausländerbehörde Böblingen",
    "municipality": "Böblingen",
    "interpreter_mode": "on_site",
    "contact": "oksana.k@example.com",
    "description": "",
    "age": "17",
    "internship_field": "it",
    "handoff_note": "Ich suche eine Patin für meine Tochter",
    "consent": True,
    "fallback_count": 2.0,
}


def test_every_category_can_be_stored():
    assert set(CATEGORIES) == set(STORED_CATEGORIES)
    assert set(FIELDS_BY_CATEGORY) == set(CATEGORIES)
    assert set(CATEGORY_AFTER_ACTION.values()) <= set(CATEGORIES)


@pytest.mark.parametrize("category", CATEGORIES)
def test_known_categories_stay(category):
    assert normalize_category(category) == category


@pytest.mark.parametrize("value", [None, "", "admin", "Interpreter", "mentoring"])
def test_anything_else_is_a_general_request(value):
    assert normalize_category(value) == "human"


def test_interpreter_request_stores_the_appointment_without_empty_answers():
    assert collect_fields("interpreter", SLOTS) == {
        "interpreter_language": "uk",
        "appointment_date": "2026-12-15",
        "appointment_time": "10:30",
        "appointment_kind": "authority",
        "appointment_place": "Ausländerbehörde Böblingen",
        "municipality": "Böblingen",
        "interpreter_mode": "on_site",
        "contact": "oksana.k@example.com",
    }


def test_internship_request_stores_age_field_town_contact():
    assert collect_fields("internship", SLOTS) == {
        "age": "17",
        "internship_field": "it",
        "municipality": "Böblingen",
        "contact": "oksana.k@example.com",
    }


def test_a_referral_stores_only_town_and_contact():
    assert collect_fields("welcome_center_referral", SLOTS) == {
        "municipality": "Böblingen",
        "contact": "oksana.k@example.com",
    }


@pytest.mark.parametrize("category", CATEGORIES)
def test_consent_language_and_counters_are_never_fields(category):
    fields = collect_fields(category, SLOTS)

    assert not {"consent", "language", "fallback_count"} & set(fields)


def test_fields_keep_the_order_they_were_asked_in():
    assert list(collect_fields("mentoring_find", SLOTS)) == [
        "municipality",
        "contact",
        "handoff_note",
    ]


def test_unknown_category_stores_nothing():
    assert collect_fields("admin", SLOTS) == {}


def user(text):
    return {"event": "user", "text": text}


def bot(text):
    return {"event": "bot", "text": text}


def test_excerpt_shows_messages_and_button_clicks_as_intents():
    events = [
        {"event": "action", "name": "action_listen"},
        user("Я шукаю наставницю для доньки"),
        {"event": "slot", "name": "language", "value": "uk"},
        bot("Наставники допомагають ..."),
        user('/request_human{"handoff_category": "mentoring_find"}'),
        bot("Ви погоджуєтеся?"),
        user("/affirm"),
    ]

    assert conversation_excerpt(events, 10) == [
        {"role": "user", "text": "Я шукаю наставницю для доньки"},
        {"role": "bot", "text": "Наставники допомагають ..."},
        {"role": "user", "text": "[request_human]"},
        {"role": "bot", "text": "Ви погоджуєтеся?"},
        {"role": "user", "text": "[affirm]"},
    ]


def test_excerpt_keeps_only_the_last_messages():
    events = [user(f"Nachricht {n}") for n in range(1, 21)]

    excerpt = conversation_excerpt(events, 3)

    assert [turn["text"] for turn in excerpt] == ["Nachricht 18", "Nachricht 19", "Nachricht 20"]
    assert conversation_excerpt(events, 0) == []


def test_excerpt_is_safe_and_short():
    events = [
        user("<script>alert(1)</script>Hallo"),
        user("x" * 5000),
        bot(""),
        {"event": "bot", "text": None},
        user("   "),
    ]

    excerpt = conversation_excerpt(events, 10)

    assert excerpt[0] == {"role": "user", "text": "alert(1) Hallo"}
    assert len(excerpt) == 2
    assert len(excerpt[1]["text"]) == EXCERPT_MAX_CHARS


def test_the_office_gets_german_next_to_the_users_own_words():
    from bot.handoff import add_german_translations

    fields = {"description": "Am nevoie de ajutor", "municipality": "Sindelfingen"}
    excerpt = [
        {"role": "user", "text": "Bună ziua"},
        {"role": "bot", "text": "Cu ce vă pot ajuta?"},
        {"role": "user", "text": "[request_human]"},
    ]
    seen = []

    def translate(texts):
        seen.append(list(texts))
        return [f"DE:{text}" for text in texts]

    new_fields, new_excerpt = add_german_translations(fields, excerpt, translate)
    assert new_fields["description"] == "Am nevoie de ajutor"
    assert new_fields["description_de"] == "DE:Am nevoie de ajutor"
    assert "municipality_de" not in new_fields  # names are not free text
    assert new_excerpt[0] == {"role": "user", "text": "Bună ziua", "text_de": "DE:Bună ziua"}
    # Bot lines and button clicks are not translated; one batch for everything.
    assert "text_de" not in new_excerpt[1] and "text_de" not in new_excerpt[2]
    assert seen == [["Am nevoie de ajutor", "Bună ziua"]]
    assert fields == {"description": "Am nevoie de ajutor", "municipality": "Sindelfingen"}
