"""Labels and choices the actions compose into messages, in the 7 languages."""

from __future__ import annotations

import pytest

from bot import LANGUAGES
from bot.texts import choice_label, choice_texts, get_catalogue, label, match_choice

# The catalogue's tables (data/texts.yml): summary labels, button choices, typed keywords.
LABELS = get_catalogue().group("summary")
CHOICES = {kind: choice_texts(kind) for kind in ("appointment_kind", "interpreter_mode")}
CHOICE_KEYWORDS = {
    kind: {value: get_catalogue().words(f"choice.{kind}.{value}") for value in values}
    for kind, values in CHOICES.items()
}


@pytest.mark.parametrize("key", sorted(LABELS))
def test_every_label_exists_in_every_language(key):
    assert set(LABELS[key]) == set(LANGUAGES)
    assert all(text.strip() for text in LABELS[key].values())


@pytest.mark.parametrize(
    ("kind", "value"), [(kind, value) for kind in CHOICES for value in CHOICES[kind]]
)
def test_every_choice_exists_in_every_language(kind, value):
    assert set(CHOICES[kind][value]) == set(LANGUAGES)


def test_labels_in_the_users_language():
    assert label("appointment_date", "de") == "Datum"
    assert label("appointment_date", "ar") == "التاريخ"
    assert label("appointment_date", "uk") == "Дата"
    assert label("contact", "tr") == "İletişim"
    assert label("none", "fa") == "مشخص نشده"
    assert label("chat", "ru") == "ответ здесь в чате"


def test_a_language_without_texts_falls_back_to_english():
    assert label("appointment_time", "fr") == "Time"
    assert choice_label("appointment_kind", "school", "pl") == "school or day care"


def test_an_unknown_label_shows_its_key():
    assert label("no_such_label", "de") == "no_such_label"


def test_choice_labels():
    assert choice_label("appointment_kind", "health", "de") == "Arzt oder Krankenhaus"
    assert choice_label("interpreter_mode", "phone", "ar") == "بالهاتف"
    assert choice_label("interpreter_mode", None, "en") == "not given"
    assert choice_label("appointment_kind", "unknown_value", "de") == "unknown_value"


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("Arzt", "health"),
        ("beim Arzt", "health"),
        ("Krankenhaus", "health"),
        ("doctor", "health"),
        ("طبيب", "health"),
        ("مستشفى", "health"),
        ("лікар", "health"),
        ("врач", "health"),
        ("hastane", "health"),
        ("به دکتر", "health"),
        ("Ausländerbehörde", "authority"),
        ("Termin im Jobcenter", "authority"),
        ("Rathaus", "authority"),
        ("Schule", "school"),
        ("Kita", "school"),
        ("школа", "school"),
        ("okul", "school"),
        ("Beratung", "counselling"),
        ("консультація", "counselling"),
        ("HEALTH", "health"),
        ("other", "other"),
    ],
)
def test_typed_kind_of_appointment(text, choice):
    assert match_choice("appointment_kind", text) == choice


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("am Telefon", "phone"),
        ("телефон", "phone"),
        ("по телефону", "phone"),
        ("هاتف", "phone"),
        ("telefonla", "phone"),
        ("تلفنی", "phone"),
        ("vor Ort", "on_site"),
        ("in person", "on_site"),
        ("особисто", "on_site"),
        ("yüz yüze", "on_site"),
        ("حضوری", "on_site"),
        ("on_site", "on_site"),
    ],
)
def test_typed_interpreter_mode(text, choice):
    assert match_choice("interpreter_mode", text) == choice


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("الطبيب", "health"),  # Arabic article al- joined to "doctor"
        ("في المستشفى", "health"),  # "in the hospital"
        ("Kinderarzt", "health"),
        ("Zahnarzt", "health"),
        ("Jugendamt", "authority"),
        ("Grundschule", "school"),
        ("к врачу", "health"),
        ("hastaneye", "health"),
    ],
    ids=[
        "ar-the-doctor",
        "ar-in-the-hospital",
        "de-Kinderarzt",
        "de-Zahnarzt",
        "de-Jugendamt",
        "de-Grundschule",
        "ru-to-the-doctor",
        "tr-to-the-hospital",
    ],
)
def test_natural_wording_of_the_kind_of_appointment(text, choice):
    assert match_choice("appointment_kind", text) == choice


@pytest.mark.parametrize(
    ("kind", "value", "language"),
    [
        (kind, value, language)
        for kind in CHOICES
        for value in CHOICES[kind]
        for language in LANGUAGES
    ],
)
def test_the_words_on_a_button_typed_mean_that_button(kind, value, language):
    # People copy or retype the button text instead of tapping it.
    assert match_choice(kind, choice_label(kind, value, language)) == value


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("appointment_kind", "zusammen"),  # "amt" inside another word
        ("appointment_kind", "Samstag"),
        ("appointment_kind", ""),
        ("appointment_kind", None),
        ("interpreter_mode", "egal"),
        ("interpreter_mode", "health"),
    ],
)
def test_no_choice(kind, text):
    assert match_choice(kind, text) is None


def test_every_keyword_is_written_in_lower_case():
    # match_choice compares with the casefolded answer.
    for kinds in CHOICE_KEYWORDS.values():
        for keywords in kinds.values():
            assert all(keyword == keyword.casefold() for keyword in keywords)
