"""Language names: what people type (for an interpreter) and how the bot names a language."""

from __future__ import annotations

import pytest

from bot.language_names import display_name, language_code_from_text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Arabisch", "ar"),
        ("arabic", "ar"),
        ("عربي", "ar"),
        ("العربية", "ar"),
        ("Dari", "prs"),
        ("دری", "prs"),
        ("Farsi", "fa"),
        ("فارسی", "fa"),
        ("Persisch", "fa"),
        ("Kurmanci", "kmr"),
        ("Kurmancî", "kmr"),
        ("Sorani", "ckb"),
        ("Kurdisch", "ku"),
        ("курдська", "ku"),
        ("Tigrinya", "ti"),
        ("Tigrinisch", "ti"),
        ("Paschtu", "ps"),
        ("Somali", "so"),
        ("українська", "uk"),
        ("Ukrainisch", "uk"),
        ("русский", "ru"),
        ("Türkçe", "tr"),
        ("Türkisch", "tr"),
        ("Französisch", "fr"),
        ("rumänisch", "ro"),
        ("Albanisch", "sq"),
        ("ARABISCH", "ar"),
        ("Englisch.", "en"),
        ("عربي؟", "ar"),
    ],
)
def test_typed_language_names(text, code):
    assert language_code_from_text(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [("auf Arabisch bitte", "ar"), ("Arabic language", "ar"), ("syrisches Arabisch", "ar")],
)
def test_a_language_name_inside_a_short_answer(text, code):
    assert language_code_from_text(text) == code


@pytest.mark.parametrize("text", [None, "", "   ", "Wolof", "keine Ahnung"])
def test_unknown_names(text):
    assert language_code_from_text(text) is None


@pytest.mark.parametrize(
    ("code", "ui", "name"),
    [
        ("ar", "de", "Arabisch"),
        ("ar", "en", "Arabic"),
        ("ar", "ar", "العربية"),
        ("ar", "uk", "арабська"),
        ("ar", "tr", "Arapça"),
        ("ar", "fa", "عربی"),
        ("ar", "ru", "арабский"),
        ("prs", "de", "Dari"),
        ("prs", "fa", "دری"),
        ("kmr", "de", "Kurdisch (Kurmancî)"),
        ("ti", "en", "Tigrinya"),
        ("fa", "de", "Persisch"),
    ],
)
def test_display_names_in_the_users_language(code, ui, name):
    assert display_name(code, ui) == name


def test_display_name_of_an_unknown_code_is_the_code():
    assert display_name("xx", "de") == "xx"


def test_display_name_of_nothing_is_empty():
    assert display_name(None, "de") == ""
    assert display_name("", "en") == ""


def test_an_unknown_interface_language_falls_back_to_german():
    assert display_name("ar", "not-a-locale") == "Arabisch"


def test_every_language_the_bot_speaks_has_a_name_in_every_other():
    from bot import LANGUAGES

    for code in LANGUAGES:
        for ui in LANGUAGES:
            name = display_name(code, ui)
            assert name and name != code, (code, ui)
