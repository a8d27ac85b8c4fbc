"""bot.masking: what identifies a person is gone before an unanswered question is kept."""

from __future__ import annotations

import pytest

from bot.masking import mask_personal_data


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # German: names after an introduction or a form of address; nouns stay.
        (
            "Ich heiße Amina Yousef und brauche einen Termin",
            "Ich heiße [Name] und brauche einen Termin",
        ),
        (
            "Mein Name ist Olena, meine Nummer ist +49 151 2345 6789",
            "Mein Name ist [Name], meine Nummer ist [Telefon]",
        ),
        ("Ruf mich an: 0151-23456789 oder 07031/663-0", "Ruf mich an: [Telefon] oder [Telefon]"),
        (
            "Ich habe einen Termin bei Frau Müller im Rathaus",
            "Ich habe einen Termin bei Frau [Name] im Rathaus",
        ),
        (
            "Hallo, wo ist das Bürgeramt? Mein Sohn Karim ist krank",
            "Hallo, wo ist das Bürgeramt? Mein Sohn [Name] ist krank",
        ),
        # Dates, postcodes and house numbers are no phone numbers.
        (
            "Wann ist der Termin am 12.12.2026 in 71032 Böblingen, Hauptstraße 12?",
            "Wann ist der Termin am 12.12.2026 in 71032 Böblingen, Hauptstraße 12?",
        ),
        (
            "Brauche ich einen Termin bei der Ausländerbehörde?",
            "Brauche ich einen Termin bei der Ausländerbehörde?",
        ),
        # English: e-mail, and a capitalised word in the middle of a sentence.
        (
            "my name is John Smith, email john.smith@example.org",
            "my name is [Name], email [E-Mail]",
        ),
        (
            "my friend Ahmed is sick, I live in Sindelfingen",
            "my friend [Name] is sick, I live in Sindelfingen",
        ),
        (
            "Where is the Jobcenter? My neighbour Olga Petrenko told me about it",
            "Where is the Jobcenter? My neighbour [Name] told me about it",
        ),
        ("call me at 0049 7031 123456 please", "call me at [Telefon] please"),
        # Russian, Ukrainian.
        ("меня зовут Ольга, телефон +49 (0) 176 12345678", "меня зовут [Name], телефон [Telefon]"),
        ("Мене звати Тарас, пишіть taras@mail.ua", "Мене звати [Name], пишіть [E-Mail]"),
        # Arabic and Persian, with their own digits.
        ("اسمي محمد ورقمي ٠١٧٦١٢٣٤٥٦٧", "اسمي [Name] ورقمي [Telefon]"),
        ("شماره من ۰۹۱۲۳۴۵۶۷۸۹ است", "شماره من [Telefon] است"),
        # Turkish, Romanian.
        ("benim adım Mehmet, Böblingen'de yaşıyorum", "benim adım [Name], Böblingen'de yaşıyorum"),
        ("Mă numesc Ioana Popescu", "Mă numesc [Name]"),
        ("", ""),
    ],
)
def test_personal_data_is_masked_and_the_question_stays_readable(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


def test_a_question_without_personal_data_is_unchanged() -> None:
    for text in (
        "where can I learn German in Herrenberg?",
        "Gibt es einen Deutschkurs für Mütter?",
    ):
        assert mask_personal_data(text) == text
