"""Sentence splitting copes with the abbreviations, addresses and numbers in our texts."""

from __future__ import annotations

import pytest

from bot.readability import split_sentences, words


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "Wir helfen z. B. beim Antrag. Das ist kostenlos.",
            ["Wir helfen z. B. beim Antrag.", "Das ist kostenlos."],
        ),
        (
            "Wir helfen z.B. beim Antrag. Das ist kostenlos.",
            ["Wir helfen z.B. beim Antrag.", "Das ist kostenlos."],
        ),
        (
            "Bringen Sie Ihren Pass bzw. Ihren Ausweis mit.",
            ["Bringen Sie Ihren Pass bzw. Ihren Ausweis mit."],
        ),
        (
            "Kommen Sie in Zimmer Nr. 12. Dr. Müller berät Sie.",
            ["Kommen Sie in Zimmer Nr. 12.", "Dr. Müller berät Sie."],
        ),
        (
            "Der Kurs kostet ca. 50 Euro, u. a. für Bücher, Hefte usw. und die Prüfung.",
            ["Der Kurs kostet ca. 50 Euro, u. a. für Bücher, Hefte usw. und die Prüfung."],
        ),
        (
            "Wir helfen u. a. Frauen und Kindern.",
            ["Wir helfen u. a. Frauen und Kindern."],
        ),
        (
            "Es hilft der Freundeskreis Asyl e. V. Er ist in jeder Stadt.",
            ["Es hilft der Freundeskreis Asyl e. V.", "Er ist in jeder Stadt."],
        ),
        (
            "Mehr auf www.vhs-beispiel.de/kurse. Schreiben Sie an info@vhs-beispiel.de. "
            "Oder rufen Sie an: 07031 663-0. Danke!",
            [
                "Mehr auf www.vhs-beispiel.de/kurse.",
                "Schreiben Sie an info@vhs-beispiel.de.",
                "Oder rufen Sie an: 07031 663-0.",
                "Danke!",
            ],
        ),
        (
            "Der Kurs beginnt am 1. Januar. Ab dem 18. Lebensjahr geht es nicht. "
            "Warum? Fragen Sie!",
            [
                "Der Kurs beginnt am 1. Januar.",
                "Ab dem 18. Lebensjahr geht es nicht.",
                "Warum?",
                "Fragen Sie!",
            ],
        ),
        (
            "Wir bieten:\n\n- Beratung\n- Kurse\n\nKommen Sie vorbei",
            ["Wir bieten:", "- Beratung", "- Kurse", "Kommen Sie vorbei"],
        ),
    ],
)
def test_sentences(text, sentences):
    assert split_sentences(text) == sentences


def test_addresses_and_numbers_are_not_words():
    text = (
        "Rufen Sie +49 7031 663-0 an, schreiben Sie an a.b@lrabb.de "
        "oder sehen Sie auf https://www.lrabb.de/ nach."
    )
    assert words(text) == [
        "Rufen", "Sie", "an", "schreiben", "Sie", "an", "oder", "sehen", "Sie", "auf", "nach",
    ]  # fmt: skip


def test_abbreviations_and_compounds_are_one_word():
    assert words("Zum Beispiel z. B. die E-Mail-Adresse bzw. das Ausländer-Amt.") == [
        "Zum", "Beispiel", "z. B.", "die", "E-Mail-Adresse", "bzw.", "das", "Ausländer-Amt",
    ]  # fmt: skip
