"""Masking and restoring what translation must not change."""

from __future__ import annotations

import pytest

from bot.translation import protect
from tests.translation.conftest import OFFICE_TERMS


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("Rufen Sie 07031 663-0 an.", ["07031 663-0"]),
        ("Aus dem Ausland: +49 7031 6630.", ["+49 7031 6630"]),
        (
            "Telefon (07031) 663-1234 oder +49 (0) 7031 663-0",
            ["(07031) 663-1234", "+49 (0) 7031 663-0"],
        ),
        ("Fax: 0711 / 123 45 67", ["0711 / 123 45 67"]),
        ("Schreiben Sie an integration@lrabb.de.", ["integration@lrabb.de"]),
        (
            "Siehe https://www.lrabb.de/start/Integration.html?x=1.",
            ["https://www.lrabb.de/start/Integration.html?x=1"],
        ),
        (
            "Mehr unter www.welcome-center-stuttgart.de/de, danke.",
            ["www.welcome-center-stuttgart.de/de"],
        ),
        ("Infos auf lrabb.de!", ["lrabb.de"]),
        (
            "(siehe https://de.wikipedia.org/wiki/Ausweis_(Deutschland))",
            ["https://de.wikipedia.org/wiki/Ausweis_(Deutschland)"],
        ),
        ("Termin am 01.12.2026 um 10:30 Uhr, bis 1.12.", ["01.12.2026", "10:30", "1.12."]),
        ("Deadline 2026-12-01 or 12/01/2026", ["2026-12-01", "12/01/2026"]),
        ("Hallo {name}, Ihr Kurs: {course_name}.", ["{name}", "{course_name}"]),
        ("Ihre Nummer ist WL-7K3F9Q.", ["WL-7K3F9Q"]),
        ('/inform{"city": "Böblingen"}', ['/inform{"city": "Böblingen"}']),
        ("Wählen Sie /language oder /greet", ["/language", "/greet"]),
    ],
)
def test_built_in_spans_are_masked_and_restored(text: str, spans: list[str]) -> None:
    masked = protect(text)

    assert list(masked.spans) == spans
    for span in spans:
        assert span not in masked.text
    assert masked.restore(masked.text) == text
    assert masked.original == text


@pytest.mark.parametrize(
    "text",
    [
        "Am 1. Dezember kommen 2015 Menschen, 3.5 kg, Zimmer 12.",
        "COVID-19 und das Jahr 2026",
        "und/oder, z.B. hier, ca. 100 Euro",
        "Ich bin 25 Jahre alt und wohne seit 3 Jahren hier.",
    ],
)
def test_ordinary_numbers_and_words_are_left_to_the_translation(text: str) -> None:
    assert protect(text).spans == ()


def test_office_names_and_towns_are_protected_longest_first() -> None:
    text = (
        "Das Welcome Center Region Stuttgart und das Bundesamt für Migration und "
        "Flüchtlinge (BAMF) helfen in Böblingen und Weil der Stadt, nicht in Weilheim."
    )

    masked = protect(text, OFFICE_TERMS + ("Stuttgart", "Weil"))

    assert masked.spans == (
        "Welcome Center Region Stuttgart",
        "Bundesamt für Migration und Flüchtlinge (BAMF)",
        "Böblingen",
        "Weil der Stadt",
    )
    assert "Weilheim" in masked.text


def test_a_term_across_a_line_break_is_still_protected() -> None:
    masked = protect("im Welcome Center\nRegion Stuttgart", OFFICE_TERMS)

    assert masked.spans == ("Welcome Center\nRegion Stuttgart",)


def test_restore_accepts_a_moved_spaced_or_localised_placeholder() -> None:
    masked = protect("Rufen Sie 07031 663-0 an oder schreiben Sie an a@b.de", OFFICE_TERMS)
    assert masked.text == "Rufen Sie XKQ0 an oder schreiben Sie an XKQ1"

    assert masked.restore("Write to XKQ1 or call xkq 0") == "Write to a@b.de or call 07031 663-0"
    assert masked.restore("اتصل XKQ٠ أو XKQ1") == "اتصل 07031 663-0 أو a@b.de"


@pytest.mark.parametrize(
    "translation",
    ["Call XKQ0", "Call XKQ0 or XKQ0 or XKQ1", "Call XKQ0 XKQ1 XKQ2", "Call XK0 or XKQ1"],
)
def test_restore_refuses_a_lost_doubled_or_invented_placeholder(translation: str) -> None:
    masked = protect("Rufen Sie 07031 663-0 an oder schreiben Sie an a@b.de")

    assert masked.restore(translation) is None


def test_join_puts_the_spans_verbatim_between_translated_pieces() -> None:
    masked = protect("Rufen Sie 07031 663-0 an.")

    assert masked.pieces == ("Rufen Sie ", " an.")
    assert masked.join(["Call ", " now."]) == "Call 07031 663-0 now."


def test_a_text_already_containing_the_placeholder_word_gets_another_one() -> None:
    masked = protect("Code XKQ0: 07031 663-0")

    assert masked.restore(masked.text) == "Code XKQ0: 07031 663-0"
    assert not masked.text.startswith("Code XKQ0: XKQ")


def test_a_text_without_anything_to_protect_is_unchanged() -> None:
    masked = protect("Guten Tag, ich brauche Hilfe.", OFFICE_TERMS)

    assert masked.text == "Guten Tag, ich brauche Hilfe."
    assert masked.spans == ()
    assert masked.restore("Good day, I need help.") == "Good day, I need help."
