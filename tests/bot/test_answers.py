"""Free-text answers to form questions: dates, times, ages, contacts, safe text.

Times and contacts are checked in all seven native languages."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answers import (
    MAX_DESCRIPTION,
    Contact,
    clean_text,
    display_contact,
    find_contact,
    names_a_date,
    normalize_digits,
    parse_age,
    parse_contact,
    parse_date,
    parse_date_and_time,
    parse_time,
    strip_accents,
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


@pytest.mark.parametrize(
    ("text", "time"),
    [
        # German
        ("um halb zehn", dt.time(9, 30)),  # "halb zehn" is half an hour before ten
        ("halb 10", dt.time(9, 30)),
        ("10 Uhr morgens", dt.time(10)),
        ("7 Uhr abends", dt.time(19)),
        ("14h", dt.time(14)),
        ("um zehn Uhr", dt.time(10)),
        ("10 Uhr 30", dt.time(10, 30)),
        # English
        ("at ten", dt.time(10)),
        ("ten o'clock", dt.time(10)),
        ("half past nine", dt.time(9, 30)),
        ("10 am", dt.time(10)),
        # Arabic: "at the tenth hour", "nine and a half", "10 in the evening"
        ("الساعة العاشرة", dt.time(10)),
        ("التاسعة والنصف", dt.time(9, 30)),
        ("الساعة ١٠ مساءً", dt.time(22)),
        ("الساعة الحادية عشرة", dt.time(11)),
        # Ukrainian: "at ten", "half to ten"
        ("о десятій", dt.time(10)),
        ("о пів на десяту", dt.time(9, 30)),
        ("о 10 ранку", dt.time(10)),
        # Turkish: "at ten", "nine and a half", "at 10", "evening 7"
        ("saat 10", dt.time(10)),
        ("saat on", dt.time(10)),
        ("dokuz buçuk", dt.time(9, 30)),
        ("10'da", dt.time(10)),
        ("akşam 7", dt.time(19)),
        # Persian: "at ten", "nine and a half", "10 in the morning"
        ("ساعت ده", dt.time(10)),
        ("ساعت نه و نیم", dt.time(9, 30)),
        ("ساعت ۱۰ صبح", dt.time(10)),
        # Russian: "at 10", "at ten", "half of the tenth", "at 7 in the evening"
        ("в 10", dt.time(10)),
        ("в десять", dt.time(10)),
        ("половина десятого", dt.time(9, 30)),
        ("полдесятого", dt.time(9, 30)),
        ("в 7 вечера", dt.time(19)),
    ],
)
def test_clock_times_in_words_in_every_language(text, time):
    assert parse_time(text) == time


@pytest.mark.parametrize("text", [None, "", "vormittags", "25:00", "99", "in 2 Wochen"])
def test_no_clock_time(text):
    assert parse_time(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "am 3. Januar",
        "January 3rd",
        "3rd of January",
        "3.1.",
        "15.12.",
        "15.12.2026",
        "2026-12-15",
        "3/1",
        "٣ يناير",
        "3 січня",
        "3 Ocak",
        "۳ ژانویه",
        "3 января",
    ],
)
def test_a_date_is_never_a_time(text):
    # "am 3. Januar" was taken as 3 o'clock before: "am" looked like a.m.
    assert parse_time(text) is None
    assert names_a_date(text)


def test_a_time_next_to_a_date_is_still_found():
    assert parse_time("am 3. Januar um 10") == dt.time(10)
    assert parse_time("15.12.2026 10:30") == dt.time(10, 30)


def test_a_bare_number_is_a_time_only_when_asked_for_one():
    assert parse_time("10") == dt.time(10)
    assert parse_time("10", bare_hours=False) is None
    assert parse_time("um 10", bare_hours=False) == dt.time(10)


@pytest.mark.parametrize("text", ["10:30", "um 10 Uhr", "morgen früh", "irgendwann"])
def test_times_and_words_name_no_date(text):
    assert not names_a_date(text)


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
        ("am 3. Januar", "de", dt.date(2027, 1, 3)),
        ("January 3rd", "en", dt.date(2027, 1, 3)),
        ("٣ يناير", "ar", dt.date(2027, 1, 3)),
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


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("um 10 Uhr", "de"),
        ("um halb zehn", "de"),
        ("10:30", "de"),
        ("10.30 Uhr", "de"),
        ("3 pm", "en"),
        ("الساعة العاشرة", "ar"),
        ("о десятій", "uk"),
        ("saat 10", "tr"),
        ("ساعت ده", "fa"),
        ("в 10 утра", "ru"),
        ("о 10 годині", "uk"),  # "годині" (hour) alone made dateparser say "today"
        ("в 10 часов", "ru"),
        ("10 часов", "ru"),
    ],
)
def test_a_time_alone_is_no_date(text, language):
    # dateparser would make "um 10 Uhr" today at ten.
    assert parse_date(text, language, TODAY) is None
    assert parse_date_and_time(text, language, TODAY) == (None, None)


@pytest.mark.parametrize(
    ("text", "language", "date", "time"),
    [
        ("15.12. um 10:30", "de", dt.date(2026, 12, 15), dt.time(10, 30)),
        ("15.12.2026 10:30", "de", dt.date(2026, 12, 15), dt.time(10, 30)),
        ("morgen um halb zehn", "de", dt.date(2026, 3, 11), dt.time(9, 30)),
        ("morgen 10.30", "de", dt.date(2026, 3, 11), dt.time(10, 30)),
        ("Montag 14 Uhr", "de", dt.date(2026, 3, 16), dt.time(14)),
        ("tomorrow at 3 pm", "en", dt.date(2026, 3, 11), dt.time(15)),
        ("غدا الساعة العاشرة", "ar", dt.date(2026, 3, 11), dt.time(10)),
        ("завтра о 10", "uk", dt.date(2026, 3, 11), dt.time(10)),
        ("yarın saat 10", "tr", dt.date(2026, 3, 11), dt.time(10)),
        ("فردا ساعت ۱۰", "fa", dt.date(2026, 3, 11), dt.time(10)),
        ("завтра в 10", "ru", dt.date(2026, 3, 11), dt.time(10)),
        ("in 2 Wochen", "de", dt.date(2026, 3, 24), None),
        ("15.12.", "de", dt.date(2026, 12, 15), None),
        ("15.12", "de", dt.date(2026, 12, 15), None),  # the date question: no 15:12
    ],
)
def test_a_date_with_a_time_gives_both(text, language, date, time):
    assert parse_date_and_time(text, language, TODAY) == (date, time)


# --------------------------------------------------------------------------- contact


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("0151 23456789", "+4915123456789"),
        ("0151/234 567 89", "+4915123456789"),
        ("+49 151 23456789", "+4915123456789"),
        ("0049 151 23456789", "+4915123456789"),
        ("07031 663-0", "+4970316630"),
        ("٠١٥١٢٣٤٥٦٧٨٩", "+4915123456789"),
        ("۰۱۵۱۲۳۴۵۶۷۸۹", "+4915123456789"),
        ("+90 532 123 45 67", "+905321234567"),  # a Turkish mobile number
        ("name@example.de", "name@example.de"),
        ("  oksana.k@example.com ", "oksana.k@example.com"),
        ("Name@Example.DE", "Name@example.de"),  # the domain is case-insensitive
        # Markup is removed before reading (was: no contact at all).
        ("<b>a@b.de</b>x", "a@b.de"),
    ],
)
def test_parse_contact(text, contact):
    assert parse_contact(text) == contact


def test_a_german_number_written_internationally_with_the_zero_in_brackets():
    # "+49 (0)151 …" is how numbers stand in German letters and signatures; dialling
    # +49 0151 … fails, so the (0) must go.
    assert parse_contact("+49 (0)151 23456789") == "+4915123456789"


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("Telefon 0151 23456789", "+4915123456789"),
        ("meine Nummer ist 0151 23456789", "+4915123456789"),
        ("Tel.: 07031/663-0", "+4970316630"),
        ("Tel.:07031/663-0", "+4970316630"),
        ("Erreichbar unter 0151-234 567 89, ab 17 Uhr", "+4915123456789"),
        ("my number is +49 151 23456789", "+4915123456789"),
        ("رقمي ٠١٥١٢٣٤٥٦٧٨٩", "+4915123456789"),
        ("\u200f٠١٥١٢٣٤٥٦٧٨٩\u200f", "+4915123456789"),  # direction marks around it
        ("мій номер 0151 234 567 89", "+4915123456789"),
        ("numaram 0151 23456789", "+4915123456789"),
        ("شماره من ۰۱۵۱۲۳۴۵۶۷۸۹", "+4915123456789"),
        ("мой номер +49 151 23456789", "+4915123456789"),
    ],
)
def test_a_phone_number_inside_a_sentence(text, contact):
    found = find_contact(text)

    assert found == Contact(value=contact, as_written=text.strip())


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("my email is amira.h@example.de", "amira.h@example.de"),
        ("Meine E-Mail: amira.h@example.de.", "amira.h@example.de"),
        ("E-Mail:amira.h@example.de", "amira.h@example.de"),
        ("بريدي الإلكتروني amira@example.org", "amira@example.org"),
        ("моя пошта (oksana@example.com)", "oksana@example.com"),
        ("e-postam: «ali@example.com»", "ali@example.com"),
        ("ایمیل من reza@example.ir است", "reza@example.ir"),
        ("почта müller@beispiel.de", "müller@beispiel.de"),
    ],
)
def test_an_email_address_inside_a_sentence(text, address):
    assert find_contact(text) == Contact(value=address, as_written=text)


def test_the_digits_of_an_email_address_are_no_phone_number():
    assert parse_contact("max015123456789@example.de") == "max015123456789@example.de"


def test_the_first_of_two_contacts_counts_and_both_stay_written():
    found = find_contact("amira@example.org oder 0151 23456789")

    assert found.value == "amira@example.org"
    assert found.as_written == "amira@example.org oder 0151 23456789"
    assert parse_contact("0151 23456789 oder amira@example.org") == "+4915123456789"


def test_what_was_written_is_kept_cleaned():
    found = find_contact("<b>Telefon</b> 0151 23456789")

    assert found.as_written == "Telefon 0151 23456789"


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "chat",
        "12345",
        "0151 2345678",  # a digit short for a German mobile number
        "+49 151 234",
        "15.12.2026",
        "name@",
        "@example.de",
        "a..b@example.de",
        "name@localhost",
        "mein Name ist Amira",
        "ruf mich an",
        "Telefon?",
    ],
)
def test_no_contact(text):
    assert parse_contact(text) is None


def test_contacts_are_shown_as_people_read_them():
    assert display_contact("+4970316630") == "+49 7031 6630"
    assert display_contact("+4915123456789").replace(" ", "") == "+4915123456789"
    assert display_contact("name@example.de") == "name@example.de"
    assert display_contact("chat") == "chat"


def test_strip_accents_for_matching_names():
    assert strip_accents("Türkçe") == "turkce"
    assert strip_accents("Kurmancî") == "kurmanci"
    assert strip_accents("ARABISCH") == "arabisch"
