"""German and English names that are no evidence of a message's language (bot/terms.py)."""

from __future__ import annotations

import pytest
import yaml

from bot.terms import TERMS_FILE, NameFinder, default_name_finder, fold, load_terms, split_words


def left_over(finder: NameFinder, text: str) -> str:
    words = split_words(text)
    names = finder.name_words(text, words)
    return " ".join(word.text for index, word in enumerate(words) if index not in names)


@pytest.fixture(scope="module")
def finder() -> NameFinder:
    return default_name_finder()


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("بدي Dolmetscher لموعد في Jobcenter", "بدي لموعد في"),
        ("Мені потрібен Dolmetscher у Jobcenter", "Мені потрібен у"),
        ("Dolmetscher lazım, Ausländerbehörde randevusu var", "lazım randevusu var"),
        ("Where can I do an Integrationskurs in Böblingen?", "Where can I do an in"),
        # The whole programme's name, English words included.
        ("Merhaba, Welcome Center Region Stuttgart nedir?", "Merhaba nedir"),
        # Glued to an Arabic preposition, in the other alphabet.
        ("عندي Termin بالAusländerbehörde", "عندي بال"),
    ],
)
def test_the_names_of_the_issue_are_found(finder, text, rest):
    assert left_over(finder, text) == rest


@pytest.mark.parametrize(
    "word",
    [
        "auslaenderbehoerde",  # umlauts written out
        "AUSLANDERBEHORDE",  # capitals, umlauts dropped
        "Terminen",  # German ending
        "Integrationskursu",  # Turkish ending
        "Frauenintegrationskurs",  # compound
        "Jobcentertermin",  # two listed words glued
        "Holzgerlıngen",  # a town as users misspell it (NLU lookup table)
        "Maichingen",  # a district (content)
    ],
)
def test_listed_words_are_found_as_people_type_them(finder, word):
    assert finder.is_name(word)


@pytest.mark.parametrize(
    "word",
    [
        "kitap",  # Turkish "book": "Kita" is too short for endings
        "weil",  # only "Weil der Stadt" as a whole is a town
        "brauche",
        "kurs",  # Turkish as well
        "für",
        "center",
        "Schule",
    ],
)
def test_ordinary_words_are_not_names(finder, word):
    assert not finder.is_name(word)


def test_a_phrase_counts_only_as_a_whole(finder):
    assert left_over(finder, "Wir wohnen in Weil der Stadt") == "Wir wohnen in"
    assert left_over(finder, "weil der Termin morgen ist") == "weil der morgen ist"
    assert left_over(finder, "Ich war bei der Agentur für Arbeit") == "Ich war bei der"


def test_an_ending_after_an_apostrophe_belongs_to_the_name(finder):
    assert left_over(finder, "Jobcenter'deki Termin için tercüman lazım") == "için tercüman lazım"
    assert left_over(finder, "Landratsamt’tan biri arasın") == "biri arasın"


def test_names_in_other_alphabets_stay_words_of_the_message():
    finder = NameFinder(["Böblingen", "Бёблинген", "بوبلينغن"])

    assert left_over(finder, "Я живу в Бёблинген") == "Я живу в Бёблинген"
    assert left_over(finder, "انا ساكن ب بوبلينغن") == "انا ساكن ب بوبلينغن"
    assert left_over(finder, "Я живу в Böblingen") == "Я живу в"


def test_a_word_changing_alphabet_is_two_words():
    words = split_words("بالJobcenter зʼєднайте")

    assert [(w.text, w.script) for w in words] == [
        ("بال", "arabic"),
        ("Jobcenter", "latin"),
        ("зʼєднайте", "cyrillic"),
    ]


def test_folding_ignores_case_accents_and_written_out_umlauts():
    assert fold("Ausländerbehörde") == fold("Auslaenderbehoerde") == fold("AUSLANDERBEHORDE")
    assert fold("Straße") == "strasse"


def test_the_list_is_readable_and_every_entry_is_found(finder):
    document = yaml.safe_load(TERMS_FILE.read_text(encoding="utf-8"))
    terms = load_terms()

    assert set(document) == {"german", "english"}
    assert len(terms) == len({fold(term) for term in terms}), "a word is listed twice"
    for term in terms:
        assert left_over(finder, term) == "", term
