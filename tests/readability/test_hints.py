"""Each kind of hint fires on a clear example (German message, excerpt), not on plain text."""

from __future__ import annotations

import pytest

from bot.readability import score
from bot.settings import get_settings

PLAIN = "Wir helfen Ihnen gern. Rufen Sie uns an. Das Büro ist am Montag offen."


def kinds(text: str) -> list[str]:
    return [hint.kind for hint in score(text).hints]


def test_plain_text_has_no_hints():
    assert score(PLAIN).hints == []


def test_long_sentence():
    # 16 words (one more than 15).
    text = "Im Kurs lernen Sie Deutsch und Sie lernen auch viel über die Arbeit und das Leben."
    [hint] = score(text).hints
    assert hint.kind == "long_sentence"
    assert "16 Wörter" in hint.message_de
    assert hint.excerpt == text


def test_sentence_of_fifteen_words_is_fine():
    # 15 words
    text = "Im Kurs lernen Sie Deutsch und Sie lernen auch viel über die Arbeit und Leben."
    assert "long_sentence" not in kinds(text)


def test_long_sentence_excerpt_is_shortened():
    text = "Sie " + "und Sie " * 60 + "kommen."
    [hint] = score(text).hints
    assert hint.excerpt.startswith("Sie und Sie")
    assert hint.excerpt.endswith("…")
    assert len(hint.excerpt) <= 120


@pytest.mark.parametrize(
    "word",
    [
        "Aufenthaltserlaubnis",  # 20 letters, Auf-ent-halts-er-laub-nis: 6 syllables
        "Bundesfreiwilligendienst",  # 24 letters
    ],
)
def test_long_word(word):
    [hint] = score(f"Es geht um die {word}.").hints
    assert hint.kind == "long_word"
    assert hint.excerpt == word
    assert "Langes Wort" in hint.message_de


def test_long_word_is_named_once_and_hyphenated_compounds_are_fine():
    text = (
        "Die Ausländerbehörde hilft. Die Ausländerbehörde ist im Landratsamt. "
        "Die Ausländer-Behörde ist offen."
    )
    hints = score(text).hints
    # Aus-län-der-be-hör-de: 6 syllables; Aus-län-der and Be-hör-de: 3 each.
    assert [(h.kind, h.excerpt) for h in hints] == [("long_word", "Ausländerbehörde")]


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("Der Antrag wird vom Amt geprüft.", "wird … geprüft"),
        ("Die Kurse werden vom Land bezahlt.", "werden … bezahlt"),
        ("Das Formular wurde schon ausgefüllt.", "wurde … ausgefüllt"),
        ("Die Daten werden sicher gespeichert.", "werden … gespeichert"),
        ("Der Verein ist 1990 gegründet worden.", "worden"),
    ],
)
def test_passive(sentence, found):
    [hint] = score(sentence).hints
    assert hint.kind == "passive"
    assert f"„{found}“" in hint.message_de
    assert hint.excerpt == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Sie werden morgen kommen.",  # future, not passive
        "Sie werden Mentorin.",  # "werden" as a full verb
        "Das Geschäft wird bald größer.",  # a noun that starts with ge- and ends in -t
        "Das Amt prüft den Antrag.",
    ],
)
def test_no_passive(sentence):
    assert "passive" not in kinds(sentence)


def test_nominal_style():
    text = "Die Beantragung erfolgt nach Terminvereinbarung. Zur Beratung kommen Sie ins Amt."
    hint = next(h for h in score(text).hints if h.kind == "nominal_style")
    # 3 of 11 words end in -ung (27 %).
    assert "3 von 11 Wörtern" in hint.message_de
    assert hint.excerpt == "Beantragung, Terminvereinbarung, Beratung"


def test_everyday_nouns_are_not_nominal_style():
    assert "nominal_style" not in kinds("Sie suchen eine Wohnung in der Region. Wir helfen.")


def test_threshold_comes_from_the_setting(monkeypatch):
    # PLAIN by hand: 14 words, 3 sentences; Wir(1) hel-fen(2) Ih-nen(2) gern(1)
    # Ru-fen(2) Sie(1) uns(1) an(1) Das(1) Bü-ro(2) ist(1) am(1) Mon-tag(2) of-fen(2)
    # = 20 syllables; Flesch = 180 - 14/3 - 58.5*20/14 = 180 - 4.667 - 83.571 = 91.76
    assert round(score(PLAIN, min_flesch=0).flesch_amstad, 1) == 91.8
    try:
        monkeypatch.setenv("WELCOME_READABILITY_MIN_FLESCH", "92")
        get_settings.cache_clear()
        assert not score(PLAIN).plain
        monkeypatch.setenv("WELCOME_READABILITY_MIN_FLESCH", "91,5")
        get_settings.cache_clear()
        assert score(PLAIN).plain
        monkeypatch.delenv("WELCOME_READABILITY_MIN_FLESCH")
        get_settings.cache_clear()
        assert get_settings().readability_min_flesch == 60
    finally:
        get_settings.cache_clear()


def test_a_mistyped_threshold_names_the_setting(monkeypatch):
    from bot.settings import load_settings

    with pytest.raises(ValueError, match="WELCOME_READABILITY_MIN_FLESCH must be a number"):
        load_settings({"WELCOME_READABILITY_MIN_FLESCH": "hoch"})
