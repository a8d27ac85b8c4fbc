"""Free-text answers to form questions: dates, times, ages, contacts, safe text."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answers import (
    MAX_DESCRIPTION,
    clean_text,
    normalize_digits,
    parse_age,
    parse_contact,
    parse_date,
    parse_time,
    strip_accents,
    too_long,
)

TODAY = dt.date(2026, 3, 10)  # a Tuesday


# --------------------------------------------------------------------------- clean_text


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("<b>Hallo</b> Welt", "Hallo Welt"),
        ("Termin <script>alert(1)</script> morgen", "Termin alert(1) morgen"),
        ("&lt;img src=x onerror=alert(1)&gt;Arzt", "Arzt"),
        ("3 < 5 und 7 > 2", "3 ‹ 5 und 7 › 2"),
        ("  viele    Leerzeichen\t hier ", "viele Leerzeichen hier"),
        ("Null\x00byte\x07", "Nullbyte"),
        ("موعد عند <i>الطبيب</i>", "موعد عند الطبيب"),
    ],
)
def test_clean_text_removes_markup_and_control_characters(text, cleaned):
    assert clean_text(text) == cleaned


@pytest.mark.parametrize("text", [None, "", "   ", "<br/><p></p>", "\x00\x01"])
def test_clean_text_of_nothing_is_none(text):
    assert clean_text(text) is None


def test_too_long_text_is_refused_not_cut():
    assert clean_text("a" * MAX_DESCRIPTION, max_chars=MAX_DESCRIPTION) == "a" * MAX_DESCRIPTION
    assert clean_text("a" * (MAX_DESCRIPTION + 1), max_chars=MAX_DESCRIPTION) is None
    assert too_long("a" * 201, 200)
    assert not too_long("  " + "a" * 200 + "  ", 200)
    assert not too_long(None, 10)


def test_line_breaks_of_a_description_are_kept():
    assert clean_text("Erste Zeile\nZweite Zeile") == "Erste Zeile\nZweite Zeile"


# --------------------------------------------------------------------------- digits, ages


def test_arabic_and_persian_digits_become_latin_digits():
    assert normalize_digits("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹") == "0123456789 0123456789"


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Ich bin 17 Jahre alt", 17),
        ("I am 16 years old", 16),
        ("عمري ١٧ سنة", 17),
        ("۱۸ سالمه", 18),
        ("мені 15 років", 15),
        ("0 oder 16", 16),
        ("19", 19),
    ],
)
def test_parse_age(text, age):
    assert parse_age(text) == age


@pytest.mark.parametrize("text", [None, "", "jung", "0", "999", "150 Jahre"])
def test_no_plausible_age(text):
    assert parse_age(text) is None


# --------------------------------------------------------------------------- time


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("10:30", dt.time(10, 30)),
        ("10.30", dt.time(10, 30)),
        ("14 Uhr", dt.time(14)),
        ("um 9h", dt.time(9)),
        ("٩:٣٠", dt.time(9, 30)),
        ("۱۴:۰۰", dt.time(14)),
        ("3 pm", dt.time(15)),
        ("abends 7", dt.time(19)),
        ("в 11:15", dt.time(11, 15)),
        ("saat 08:45", dt.time(8, 45)),
    ],
)
def test_parse_time(text, time):
    assert parse_time(text) == time


@pytest.mark.parametrize("text", [None, "", "vormittags", "halb zehn", "25:00", "99"])
def test_no_clock_time(text):
    assert parse_time(text) is None


# --------------------------------------------------------------------------- date


@pytest.mark.parametrize(
    ("text", "language", "date"),
    [
        ("15.12.2026", "de", dt.date(2026, 12, 15)),
        ("15/12/2026", "en", dt.date(2026, 12, 15)),
        ("15.12.26", "de", dt.date(2026, 12, 15)),
        ("١٥.١٢.٢٠٢٦", "ar", dt.date(2026, 12, 15)),
        ("12.12.", "de", dt.date(2026, 12, 12)),
        ("01.02.", "de", dt.date(2027, 2, 1)),  # without a year: the next 1 February
        ("morgen", "de", dt.date(2026, 3, 11)),
        ("übermorgen", "de", dt.date(2026, 3, 12)),
        ("tomorrow", "en", dt.date(2026, 3, 11)),
        ("завтра", "ru", dt.date(2026, 3, 11)),
        ("завтра", "uk", dt.date(2026, 3, 11)),
        ("yarın", "tr", dt.date(2026, 3, 11)),
        ("غدا", "ar", dt.date(2026, 3, 11)),
        ("فردا", "fa", dt.date(2026, 3, 11)),
        ("15. Dezember 2026", "de", dt.date(2026, 12, 15)),
        ("15 декабря", "ru", dt.date(2026, 12, 15)),
        ("Montag", "de", dt.date(2026, 3, 16)),
        ("in 2 Wochen", "de", dt.date(2026, 3, 24)),
    ],
)
def test_parse_date(text, language, date):
    assert parse_date(text, language, TODAY) == date


def test_yesterday_is_a_date_in_the_past():
    # The form says "that date is in the past" rather than "I did not understand".
    assert parse_date("gestern", "de", TODAY) == dt.date(2026, 3, 9)


@pytest.mark.parametrize(
    ("text", "language"),
    [("next Monday", "en"), ("nächsten Montag", "de"), ("am Montag", "de")],
)
def test_next_weekday_is_understood(text, language):
    # The brief lists "next Monday" as a typical date answer.
    assert parse_date(text, language, TODAY) == dt.date(2026, 3, 16)


def test_iso_dates_are_understood():
    assert parse_date("2026-12-15", "en", TODAY) == dt.date(2026, 12, 15)


@pytest.mark.parametrize("text", [None, "", "irgendwann", "31.02.2026", "32.13."])
def test_no_date(text):
    assert parse_date(text, "de", TODAY) is None


# --------------------------------------------------------------------------- contact


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("0151 2345678", "01512345678"),
        ("0151/234 56 78", "01512345678"),
        ("+49 151 2345678", "+491512345678"),
        ("07031 663-0", "070316630"),
        ("٠١٥١٢٣٤٥٦٧٨", "01512345678"),
        ("۰۱۵۱۲۳۴۵۶۷۸", "01512345678"),
        ("name@example.de", "name@example.de"),
        ("  oksana.k@example.com ", "oksana.k@example.com"),
    ],
)
def test_parse_contact(text, contact):
    assert parse_contact(text) == contact


def test_a_german_number_written_internationally_with_the_zero_in_brackets():
    # "+49 (0)151 …" is how numbers stand in German letters and signatures; dialling
    # +49 0151 … fails, so the (0) must go.
    assert parse_contact("+49 (0)151 2345678") == "+491512345678"


@pytest.mark.parametrize(
    "text", [None, "", "chat", "12345", "name@", "@example.de", "ruf mich an", "<b>a@b.de</b>x"]
)
def test_no_contact(text):
    assert parse_contact(text) is None


def test_strip_accents_for_matching_names():
    assert strip_accents("Türkçe") == "turkce"
    assert strip_accents("Kurmancî") == "kurmanci"
    assert strip_accents("ARABISCH") == "arabisch"
