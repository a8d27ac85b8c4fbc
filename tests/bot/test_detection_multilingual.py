"""Language detection on a multilingual test set (tests/bot/fixtures/detection_samples.yml).

Whole sentences of every catalogue language we can detect are recognised;
greetings, names, numbers and single German terms never flip a conversation.
The per-language table is printed in the test summary.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from bot import LANGUAGES
from bot.language import LanguageDetector, choose_reply_language
from bot.languages import get_languages

SAMPLES_FILE = Path(__file__).parent / "fixtures" / "detection_samples.yml"
SAMPLES = yaml.safe_load(SAMPLES_FILE.read_text(encoding="utf-8"))
SENTENCES = [(code, text) for code, texts in SAMPLES["sentences"].items() for text in texts]
SHORT_TEXTS = [str(text) for text in SAMPLES["short_texts"]]

# A "full sentence" has at least this many words (the bench's buckets: <= 3, 4-8, longer).
FULL_SENTENCE_WORDS = 4
MIN_OVERALL_ACCURACY = 0.90
# Native languages must not get worse for the others' sake; the others may
# lose a sentence dominated by a German town name ("Locuim în Böblingen ...").
MIN_ACCURACY_NATIVE = 1.0
MIN_ACCURACY_OTHER = 0.75
# Sentences detected wrongly *and* reliably would switch a conversation.
MAX_RELIABLY_WRONG_SHARE = 0.02

EVERY_LANGUAGE = tuple(get_languages())


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.fixture(scope="module")
def results(detector, request):
    """Per language: full sentences, correct, correct and reliable, reliably wrong."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, text in SENTENCES:
        detection = detector.detect(text)
        kind = "full" if len(text.split()) >= FULL_SENTENCE_WORDS else "short"
        row = table[code]
        row[kind] += 1
        row[f"{kind}_correct"] += detection.language == code
        row[f"{kind}_reliable"] += detection.reliable and detection.language == code
        row[f"{kind}_reliably_wrong"] += detection.reliable and detection.language != code
    request.config.stash_nlu_report.append(
        (f"language detection ({SAMPLES_FILE.name})", _format(table))
    )
    print(_format(table))
    return table


def _format(table) -> str:
    lines = [
        f"{'lang':5} {'full':>5} {'correct':>8} {'reliable':>9} {'short':>6} {'correct':>8}",
    ]
    for code, row in table.items():
        full, short = row["full"], row["short"]
        lines.append(
            f"{code:5} {full:5d} {_share(row['full_correct'], full):>8} "
            f"{_share(row['full_reliable'], full):>9} {short:6d} "
            f"{_share(row['short_correct'], short):>8}"
        )
    return "\n".join(lines)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def test_whole_sentences_are_recognised_in_nine_of_ten_cases(results):
    full = sum(row["full"] for row in results.values())
    correct = sum(row["full_correct"] for row in results.values())

    assert correct / full >= MIN_OVERALL_ACCURACY


@pytest.mark.parametrize("code", list(SAMPLES["sentences"]))
def test_each_language_is_recognised_in_whole_sentences(results, code):
    row = results[code]
    minimum = MIN_ACCURACY_NATIVE if code in LANGUAGES else MIN_ACCURACY_OTHER

    assert row["full"] > 0, f"no full sentences for {code}"
    assert row["full_correct"] / row["full"] >= minimum


def test_native_sentences_are_reliable(results):
    for code in LANGUAGES:
        row = results[code]
        # Only a sentence dominated by a German town name may stay unsure.
        assert row["full_reliable"] >= row["full"] - 1, code


def test_almost_no_sentence_is_reliably_wrong(results):
    full = sum(row["full"] for row in results.values())
    wrong = sum(row["full_reliably_wrong"] for row in results.values())

    assert wrong / full <= MAX_RELIABLY_WRONG_SHARE
    assert sum(row["short_reliably_wrong"] for row in results.values()) == 0


# --------------------------------------------------------------------------- short texts


@pytest.mark.parametrize("text", SHORT_TEXTS)
def test_short_and_ambiguous_texts_are_never_reliable(detector, text):
    assert not detector.detect(text).reliable


@pytest.mark.parametrize("text", SHORT_TEXTS)
def test_short_texts_never_flip_a_conversation(detector, text):
    detection = detector.detect(text).as_dict()

    for current in ("de", "en", "ar", "uk", "ro", "pl", "bg", "prs", "ti"):
        language = choose_reply_language(
            current=current, detection=detection, supported=EVERY_LANGUAGE
        )
        assert language == current, (text, current, language)


# --------------------------------------------------------------------------- switching


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Am nevoie de ajutor cu cererea pentru permisul de ședere.", "ro"),
        ("Potrzebuję tłumacza na wizytę u lekarza w poniedziałek.", "pl"),
        ("J'ai besoin d'un interprète pour mon rendez-vous chez le médecin lundi.", "fr"),
        ("Търся работа, но немският ми още не е добър.", "bg"),
        ("Χρειάζομαι βοήθεια με την αίτηση για άδεια διαμονής.", "el"),
        ("پێویستم بە وەرگێڕە", "ckb"),
        ("ډاکټر ته د تګ لپاره ژباړونکی پکار دی", "ps"),
        ("مجھے ایک مترجم کی ضرورت ہے", "ur"),
        ("ስመይ ኣሕመድ እዩ", "ti"),
    ],
)
def test_a_sentence_in_another_language_switches_a_german_conversation(detector, text, language):
    detection = detector.detect(text).as_dict()

    assert detection["reliable"]
    assert (
        choose_reply_language(current="de", detection=detection, supported=EVERY_LANGUAGE)
        == language
    )


def test_a_language_the_caller_cannot_serve_does_not_switch(detector):
    detection = detector.detect("Am nevoie de ajutor cu cererea pentru permisul de ședere.")

    assert choose_reply_language(current="de", detection=detection.as_dict()) == "de"


def test_german_turkish_and_english_sentences_stay_native(detector):
    for text, language in [
        ("Ich brauche einen Termin beim Jobcenter in Leonberg", "de"),
        ("Almanca kursu arıyorum, yardım eder misiniz", "tr"),
        ("I need an interpreter for my appointment at the job centre", "en"),
    ]:
        detection = detector.detect(text)
        assert (detection.language, detection.reliable) == (language, True)


def test_one_pashto_letter_in_a_persian_sentence_does_not_make_it_pashto(detector):
    # ګردیز (Gardez) written with the Pashto gaf.
    detection = detector.detect("من در ګردیز زندگی می‌کردم")

    assert detection.language == "fa"
    assert not detection.reliable


def test_urdu_is_not_mistaken_for_persian(detector):
    assert detector.detect("میں جرمن زبان سیکھنا چاہتا ہوں").language == "ur"
    assert detector.detect("دنبال کلاس زبان آلمانی هستم").language == "fa"


def test_a_dari_speaker_with_an_afghan_phone_gets_dari_until_they_write_a_sentence(detector):
    greeting = detector.detect("سلام").as_dict()
    sentence = detector.detect("برای وقت دکترم در روز دوشنبه به مترجم نیاز دارم").as_dict()

    first = choose_reply_language(
        current=None, detection=greeting, hint="fa-AF", supported=EVERY_LANGUAGE
    )
    assert first == "prs"
    assert (
        choose_reply_language(
            current=first, detection=sentence, hint="fa-AF", supported=EVERY_LANGUAGE
        )
        == "fa"
    )


def test_a_restricted_detector_only_names_its_own_languages():
    natives_only = LanguageDetector(LANGUAGES)

    assert natives_only.detect("Caut un curs de germană pentru începători.").language in LANGUAGES
    assert natives_only.detect("Χρειάζομαι βοήθεια").language is None


def test_a_warmed_up_detector_answers_the_same():
    warm = LanguageDetector()
    warm.warm_up()

    for _, text in SENTENCES[::10]:
        assert warm.detect(text).as_dict() == LanguageDetector().detect(text).as_dict(), text
