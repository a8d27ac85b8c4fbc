"""Language detection of messages and the choice of the reply language."""

from __future__ import annotations

import pytest

from bot import DEFAULT_LANGUAGE, LANGUAGES
from bot.language import (
    MAX_DETECTION_CHARS,
    LanguageDetector,
    TurnFacts,
    build_phrase_lexicon,
    choose_reply_language,
    decide_reply_language,
    dominant_script,
    script_of_words,
)
from bot.terms import NameFinder, split_words


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


# Realistic first messages of newcomers, incl. the simple and misspelt German they write.
SENTENCES = [
    ("Ich brauche einen Deutschkurs in Sindelfingen", "de"),
    ("ich brauch hilfe mit deutsch kurs bitte", "de"),
    ("Wo kann ich meine Zeugnisse anerkennen lassen?", "de"),
    ("I need an interpreter for my appointment at the job centre", "en"),
    ("Hello, I need help with my residence permit", "en"),
    ("أحتاج إلى دورة لغة ألمانية في بوبلينغن", "ar"),
    ("أريد مترجما لموعد عند الطبيب", "ar"),
    ("Мені потрібен перекладач до лікаря", "uk"),
    ("Привіт, де можна вивчати німецьку мову?", "uk"),
    ("Мне нужен курс немецкого языка", "ru"),
    ("Здравствуйте, где можно выучить немецкий язык?", "ru"),
    ("Almanca kursu arıyorum, yardım eder misiniz", "tr"),
    ("Diplomamı Almanya'da nasıl tanıtabilirim?", "tr"),
    ("من به یک مترجم برای دکتر نیاز دارم", "fa"),
    ("کلاس زبان آلمانی کجا پیدا کنم؟", "fa"),
]


@pytest.mark.parametrize(("text", "language"), SENTENCES)
def test_whole_sentences_are_detected_reliably(detector, text, language):
    detection = detector.detect(text)

    assert detection.language == language
    assert detection.reliable


@pytest.mark.parametrize(
    "text", ["ok", "Ja", "no", "evet", "hallo", "danke", "спасибо", "привет", "ممنون", "سلام"]
)
def test_short_words_are_never_reliable(detector, text):
    assert not detector.detect(text).reliable


@pytest.mark.parametrize("text", ["123", "0151 2345678", "👍", "", "?!", "😀😀"])
def test_no_letters_no_language(detector, text):
    detection = detector.detect(text)

    assert detection.language is None
    assert not detection.reliable
    assert detection.confidence == 0.0


@pytest.mark.parametrize(
    ("text", "language"),
    [("Привіт", "uk"), ("Її", "uk"), ("Съешь", "ru"), ("شكرا", "ar"), ("پیشنهاد", "fa")],
)
def test_letters_only_one_language_has_decide_it(detector, text, language):
    detection = detector.detect(text)

    assert detection.language == language
    assert detection.reliable


def test_script_of_the_message(detector):
    assert detector.detect("Deutschkurs").script == "latin"
    assert detector.detect("دورة").script == "arabic"
    assert detector.detect("курс").script == "cyrillic"
    assert detector.detect("日本語").script == "other"
    assert dominant_script("") == "none"
    assert dominant_script("abcдеж") in ("latin", "cyrillic")
    assert dominant_script("Kurs курс курс") == "cyrillic"


def test_a_very_long_message_is_judged_by_its_beginning(detector):
    german = "Ich brauche einen Deutschkurs für meine Familie. " * 8
    english = "I also need help with my residence permit and my job. " * 200
    assert len(german) > MAX_DETECTION_CHARS

    assert detector.detect(german + english).language == "de"


def test_a_detector_for_fewer_languages_only_answers_with_those():
    latin_only = LanguageDetector(("de", "en"))

    assert latin_only.detect("Almanca kursu arıyorum, yardım eder misiniz").language in ("de", "en")
    assert latin_only.detect("أحتاج إلى دورة لغة ألمانية").language is None


def test_detection_as_dict_for_the_parse_result(detector):
    result = detector.detect("Мне нужен курс немецкого языка").as_dict()

    assert result == {
        "code": "ru",
        "confidence": 1.0,
        "reliable": True,
        "script": "cyrillic",
        "letters": 26,
        "known_phrase": False,
    }


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("بدي Dolmetscher لموعد في Jobcenter", "ar"),
        ("Мені потрібен Dolmetscher у Jobcenter", "uk"),
        ("Dolmetscher lazım, Ausländerbehörde randevusu var", "tr"),
        ("Where can I do an Integrationskurs in Böblingen?", "en"),
        ("Merhaba, Welcome Center Region Stuttgart nedir?", "tr"),
        ("Mon fils cherche un Praktikum à Sindelfingen", "fr"),
        ("Ich brauche einen Dolmetscher für meinen Termin beim Jobcenter", "de"),
    ],
)
def test_german_names_are_no_evidence_of_german(detector, text, language):
    assert detector.detect(text).language == language


def test_without_the_list_latin_messages_look_german_and_the_alphabet_still_counts():
    # What the list changes: lingua alone sees the German words.
    unaware = LanguageDetector(names=NameFinder(()))

    assert unaware.detect("Where can I do an Integrationskurs in Böblingen?").language == "de"
    assert unaware.detect("Dolmetscher lazım, Ausländerbehörde randevusu var").language == "de"
    # Counted in words, the Cyrillic ones outnumber the German names anyway.
    assert unaware.detect("Мені потрібен Dolmetscher у Jobcenter").language == "uk"


@pytest.mark.parametrize(
    "text",
    ["Jobcenter Böblingen", "Integrationskurs Sindelfingen", "Welcome Center Region Stuttgart"],
)
def test_a_message_of_names_only_is_never_reliable_and_has_no_telling_letters(detector, text):
    detection = detector.detect(text)

    assert not detection.reliable
    assert detection.letters == 0


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # "Steuererklärung" and "Nebenkostenabrechnung" are on no list.
        ("أحتاج مساعدة في Steuererklärung و Nebenkostenabrechnung", "ar"),
        ("Помогите заполнить Steuererklärung пожалуйста", "ru"),
        ("کمک برای Nebenkostenabrechnung میخوام", "fa"),
    ],
)
def test_a_message_mostly_in_another_alphabet_is_never_german(detector, text, language):
    assert detector.detect(text).language == language


def test_the_alphabet_of_a_message_is_counted_in_words():
    def script(text):
        return script_of_words(split_words(text))

    assert script("بدي Kindergeld Antrag") == "arabic"
    assert script("My name is محمد and I need a German course") == "latin"
    assert script("Ich heiße Ahmad") == "latin"
    assert script("") == "none"


# --------------------------------------------------------------------------- reply language


def detected(code, reliable=True, script="latin"):
    return {
        "code": code,
        "confidence": 0.95 if reliable else 0.5,
        "reliable": reliable,
        "script": script,
    }


def test_explicit_choice_wins_over_everything():
    assert (
        choose_reply_language(
            current="ar", detection=detected("de"), hint="tr", explicit="uk", locked=True
        )
        == "uk"
    )


def test_an_unsupported_explicit_choice_changes_nothing():
    assert choose_reply_language(current="ar", detection=None, explicit="fr") == "ar"


def test_a_locked_language_ignores_detection():
    assert choose_reply_language(current="en", detection=detected("de"), locked=True) == "en"


def test_reliable_detection_switches():
    assert choose_reply_language(current="ar", detection=detected("en")) == "en"


def test_unreliable_detection_keeps_the_current_language():
    assert choose_reply_language(current="ar", detection=detected("en", reliable=False)) == "ar"


def test_the_hint_is_used_only_for_a_new_conversation():
    assert choose_reply_language(current=None, detection=None, hint="ar") == "ar"
    assert choose_reply_language(current=None, detection=None, hint="uk-UA") == "uk"
    assert choose_reply_language(current="de", detection=None, hint="ar") == "de"


def test_an_unsupported_hint_is_ignored():
    assert choose_reply_language(current=None, detection=None, hint="fr-FR") == DEFAULT_LANGUAGE


def test_a_first_short_message_in_arabic_script_gets_an_answer_in_that_script():
    guess = detected("fa", reliable=False, script="arabic")

    assert choose_reply_language(current=None, detection=guess) == "fa"


def test_a_first_short_latin_message_without_hint_gets_german():
    guess = detected("tr", reliable=False, script="latin")

    assert choose_reply_language(current=None, detection=guess) == "de"


def test_a_current_language_that_is_not_supported_is_not_kept():
    assert choose_reply_language(current="fr", detection=None) == DEFAULT_LANGUAGE


def test_every_answer_is_a_supported_language():
    for current in (None, *LANGUAGES, "fr"):
        for code in (None, *LANGUAGES, "it"):
            language = choose_reply_language(current=current, detection=detected(code), hint="pl")
            assert language in LANGUAGES


# Native languages, a language with an installed model, and one without any model.
SERVED_WITH_MODELS = (*LANGUAGES, "ro", "prs", "ti")


def test_a_translated_or_declined_language_can_be_chosen_when_the_caller_supports_it():
    assert (
        choose_reply_language(
            current="de", detection=None, explicit="ro", supported=SERVED_WITH_MODELS
        )
        == "ro"
    )
    assert (
        choose_reply_language(
            current="de", detection=None, explicit="ti", supported=SERVED_WITH_MODELS
        )
        == "ti"
    )


def test_a_reliable_sentence_in_a_translated_language_switches():
    romanian = {**detected("ro"), "letters": 40}

    assert (
        choose_reply_language(current="de", detection=romanian, supported=SERVED_WITH_MODELS)
        == "ro"
    )
    assert choose_reply_language(current="de", detection=romanian) == "de"


@pytest.mark.parametrize(
    ("hint", "language"),
    [("ro-RO", "ro"), ("fa-AF", "prs"), ("prs", "prs"), ("fa-IR", "fa"), ("pl-PL", "de")],
)
def test_client_hints_map_to_catalogue_languages(hint, language):
    assert (
        choose_reply_language(current=None, detection=None, hint=hint, supported=SERVED_WITH_MODELS)
        == language
    )


def test_an_afghan_hint_means_persian_when_dari_is_not_offered():
    assert choose_reply_language(current=None, detection=None, hint="fa-AF") == "fa"


def test_a_first_greek_or_ethiopic_message_is_answered_in_that_language():
    greek = detected("el", reliable=False, script="greek")
    ethiopic = detected("ti", reliable=False, script="ethiopic")

    assert (
        choose_reply_language(current=None, detection=greek, supported=(*LANGUAGES, "el")) == "el"
    )
    assert (
        choose_reply_language(current=None, detection=ethiopic, supported=SERVED_WITH_MODELS)
        == "ti"
    )


def test_the_precedence_holds_for_catalogue_languages_too():
    reliable_polish = detected("pl")
    everything = (*SERVED_WITH_MODELS, "pl")

    assert (
        choose_reply_language(
            current="pl", detection=detected("ro"), explicit="ti", supported=everything
        )
        == "ti"
    )
    assert (
        choose_reply_language(
            current="ti", detection=reliable_polish, locked=True, supported=everything
        )
        == "ti"
    )
    assert (
        choose_reply_language(
            current="ro",
            detection=detected("pl", reliable=False),
            hint="fa-AF",
            supported=everything,
        )
        == "ro"
    )
    assert (
        choose_reply_language(
            current=None, detection=reliable_polish, hint="ro", supported=everything
        )
        == "pl"
    )


def test_a_single_long_word_is_not_reliable(detector):
    for word in ("Aufenthaltserlaubnis", "Holzgerlingen", "Integrationskurs"):
        assert not detector.detect(word).reliable


# --------------------------------------------------------------------------- the one rule


def test_a_free_text_answer_never_changes_the_language():
    # "Praxis Dr. Muster, Bahnhofstraße 1" answers "where is the appointment?".
    address = detected("de")

    assert decide_reply_language(TurnFacts(current="ar", detection=address)) == "de"
    assert (
        decide_reply_language(TurnFacts(current="ar", detection=address, free_text_answer=True))
        == "ar"
    )


def test_the_hint_breaks_the_tie_of_a_message_of_names_before_german(detector):
    names_only = detector.detect("Jobcenter Böblingen").as_dict()

    assert decide_reply_language(TurnFacts(detection=names_only)) == DEFAULT_LANGUAGE
    assert decide_reply_language(TurnFacts(detection=names_only, hint="tr-TR")) == "tr"


def test_a_code_mixed_first_message_is_answered_in_its_language_with_or_without_a_hint(detector):
    arabic = detector.detect("بدي Dolmetscher لموعد في Jobcenter").as_dict()
    ukrainian = detector.detect("Мені потрібен Dolmetscher у Jobcenter").as_dict()
    turkish = detector.detect("Merhaba, Welcome Center Region Stuttgart nedir?").as_dict()

    for hint in (None, "de-DE"):
        assert decide_reply_language(TurnFacts(detection=arabic, hint=hint)) != "de"
        assert decide_reply_language(TurnFacts(detection=ukrainian, hint=hint)) == "uk"
        assert decide_reply_language(TurnFacts(detection=turkish, hint=hint)) == "tr"
    assert decide_reply_language(TurnFacts(detection=arabic, hint="ar")) == "ar"


def test_german_is_the_one_fallback():
    assert decide_reply_language(TurnFacts()) == DEFAULT_LANGUAGE == "de"
    nothing_served = TurnFacts(
        current="fr", detection=detected("it"), hint="pl", explicit="ro", supported=LANGUAGES
    )
    assert decide_reply_language(nothing_served) == DEFAULT_LANGUAGE


def test_the_keyword_form_the_channels_call_decides_the_same():
    for current in (None, "de", "ar", "ro"):
        for detection in (None, detected("en"), detected("uk", reliable=False, script="cyrillic")):
            for hint in (None, "ar", "ro-RO"):
                facts = TurnFacts(
                    current=current, detection=detection, hint=hint, supported=SERVED_WITH_MODELS
                )
                assert choose_reply_language(
                    current=current, detection=detection, hint=hint, supported=SERVED_WITH_MODELS
                ) == decide_reply_language(facts)


def test_turn_facts_are_frozen_and_hold_a_tuple_of_languages():
    facts = TurnFacts(supported=["de", "ar"])

    assert facts.supported == ("de", "ar")
    with pytest.raises(AttributeError):
        facts.current = "ar"


# --------------------------------------------------------------------------- phrase lexicon


def test_short_phrases_known_from_one_language_only_enter_the_lexicon():
    lexicon = build_phrase_lexicon(
        {
            "de": ["Hallo!", "ok", "Ich brauche einen Dolmetscher für morgen früh bitte"],
            "en": ["hello", "OK", "thanks a lot"],
        }
    )
    assert lexicon == {"hallo": "de", "hello": "en", "thanks a lot": "en"}


def test_a_known_phrase_is_a_sure_first_guess_but_never_flips_a_conversation():
    detector = LanguageDetector(phrases={"hello": "en", "hallo": "de"})
    hello = detector.detect("Hello!").as_dict()
    assert hello["code"] == "en" and hello["known_phrase"] and not hello["reliable"]
    assert choose_reply_language(current=None, detection=hello) == "en"
    assert choose_reply_language(current="ar", detection=hello) == "ar"
    assert detector.detect("hallo").language == "de"
