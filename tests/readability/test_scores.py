"""Readability scores against values computed by hand.

Counting rules (bot/readability.py): a word is a run of letters (hyphenated
compounds are one word); numbers, phone numbers, e-mail addresses and URLs are
not words; an abbreviation is one word with the syllables of what it stands for.
Syllables are counted as spoken German, e.g. A-bend, Ü-ber.

Formulas:
  Flesch (Amstad) = 180 - words/sentences - 58.5 * syllables/words
  WSTF1 = 0.1935*MS + 0.1672*SL + 0.1297*IW - 0.0327*ES - 0.875
    MS: % words with 3+ syllables, SL: words/sentences,
    IW: % words with more than 6 letters, ES: % words with one syllable
"""

from __future__ import annotations

import pytest

from bot.readability import score


def test_plain_text():
    text = "Wir helfen Ihnen gern. Rufen Sie uns an."
    # Wir(1) hel-fen(2) Ih-nen(2) gern(1)        4 words,  6 syllables
    # Ru-fen(2) Sie(1) uns(1) an(1)               4 words,  5 syllables
    # 2 sentences, 8 words, 11 syllables
    # Flesch = 180 - 8/2 - 58.5*11/8 = 180 - 4 - 80.4375 = 95.5625
    # MS = 0 %; SL = 4; IW = 0 % (no word over 6 letters: "helfen" has 6);
    # ES = 5/8 = 62.5 % (Wir, gern, Sie, uns, an)
    # WSTF = 0.1672*4 - 0.0327*62.5 - 0.875 = 0.6688 - 2.04375 - 0.875 = -2.24995
    result = score(text)
    assert (result.sentences, result.words, result.syllables) == (2, 8, 11)
    assert round(result.flesch_amstad, 1) == 95.6
    assert round(result.wiener_sachtextformel, 1) == -2.2
    assert result.plain


def test_official_style_sentence():
    text = (
        "Die Beantragung der Aufenthaltserlaubnis erfolgt nach Terminvereinbarung "
        "bei der zuständigen Ausländerbehörde."
    )
    # Die(1) Be-an-tra-gung(4) der(1) Auf-ent-halts-er-laub-nis(6) er-folgt(2) nach(1)
    # Ter-min-ver-ein-ba-rung(6) bei(1) der(1) zu-stän-di-gen(4) Aus-län-der-be-hör-de(6)
    # 1 sentence, 11 words, 33 syllables
    # Flesch = 180 - 11 - 58.5*33/11 = 169 - 175.5 = -6.5
    # MS = 5/11 (Beantragung, Aufenthaltserlaubnis, Terminvereinbarung, zuständigen,
    #      Ausländerbehörde) = 45.4545 %; SL = 11
    # IW = 6/11 (the five and "erfolgt", 7 letters) = 54.5455 %
    # ES = 5/11 (Die, der, nach, bei, der) = 45.4545 %
    # WSTF = 0.1935*45.4545 + 0.1672*11 + 0.1297*54.5455 - 0.0327*45.4545 - 0.875
    #      = 8.7955 + 1.8392 + 7.0745 - 1.4864 - 0.875 = 15.3478
    result = score(text)
    assert (result.sentences, result.words, result.syllables) == (1, 11, 33)
    assert round(result.flesch_amstad, 1) == -6.5
    assert round(result.wiener_sachtextformel, 1) == 15.3
    assert not result.plain


def test_abbreviation_phone_and_email():
    text = (
        "Der Kurs ist z. B. am Abend. "
        "Rufen Sie 07031 663-0 an oder schreiben Sie an info@beispiel.de."
    )
    # Der(1) Kurs(1) ist(1) z. B.(= zum Bei-spiel: 1+2 = 3) am(1) A-bend(2)   6 words, 9 syll.
    # Ru-fen(2) Sie(1) an(1) o-der(2) schrei-ben(2) Sie(1) an(1)           7 words, 10 syll.
    # (the phone number and the e-mail address are not words; the full stop
    # after "B." does not end the sentence)
    # 2 sentences, 13 words, 19 syllables
    # Flesch = 180 - 13/2 - 58.5*19/13 = 180 - 6.5 - 85.5 = 88.0
    # MS = 1/13 (z. B.) = 7.6923 %; SL = 6.5; IW = 1/13 (schreiben) = 7.6923 %
    # ES = 8/13 (Der, Kurs, ist, am, Sie, an, Sie, an) = 61.5385 %
    # WSTF = 1.4885 + 1.0868 + 0.9977 - 2.0123 - 0.875 = 0.6857
    result = score(text)
    assert (result.sentences, result.words, result.syllables) == (2, 13, 19)
    assert round(result.flesch_amstad, 1) == 88.0
    assert round(result.wiener_sachtextformel, 1) == 0.7


def test_syllables_at_word_edges():
    # Syllables of a single vowel at the start or end of a word (A-bend, O-per,
    # Ü-ber, Bü-ro) count: German hyphenation leaves them whole by default.
    text = "Heute Abend gehen wir in die Oper. Über Ostern ist das Büro geschlossen."
    # Heu-te(2) A-bend(2) ge-hen(2) wir(1) in(1) die(1) O-per(2)      7 words, 11 syll.
    # Ü-ber(2) Os-tern(2) ist(1) das(1) Bü-ro(2) ge-schlos-sen(3)     6 words, 11 syll.
    # 2 sentences, 13 words, 22 syllables
    # Flesch = 180 - 6.5 - 58.5*22/13 = 173.5 - 99 = 74.5
    # MS = 1/13 (geschlossen) = 7.6923 %; SL = 6.5; IW = 1/13 (geschlossen) = 7.6923 %
    # ES = 5/13 (wir, in, die, ist, das) = 38.4615 %
    # WSTF = 1.4885 + 1.0868 + 0.9977 - 1.2577 - 0.875 = 1.4403
    result = score(text)
    assert (result.sentences, result.words, result.syllables) == (2, 13, 22)
    assert round(result.flesch_amstad, 1) == 74.5
    assert round(result.wiener_sachtextformel, 1) == 1.4


def test_text_without_words_is_not_flagged():
    result = score("Tel. 07031 663-0")
    assert result.words == 1  # "Tel." (Telefon)
    assert score("").plain
    assert score("").hints == []
    assert score("07031 663-0, info@beispiel.de").words == 0


@pytest.mark.parametrize(
    ("threshold", "plain"),
    [(74.5, True), (74.6, False)],
)
def test_threshold_from_argument(threshold, plain):
    # 74.5 by hand (test_syllables_at_word_edges)
    text = "Heute Abend gehen wir in die Oper. Über Ostern ist das Büro geschlossen."
    assert score(text, min_flesch=threshold).plain is plain
