"""The word-by-word dictionary package really translates, through Argos' own code path.

End-to-end tests rely on it to show "a user writes Romanian, the bot
understands English", so its output must be exact: known words translated in
order, unknown words (town names, numbers) copied through as written.
"""

from __future__ import annotations

from pathlib import Path

import ctranslate2
import pytest

from bot.translation.argos import import_argos_package
from bot.translation.engine import Translator
from tests.helpers.argos_dictionary import build_dictionary_package

ROMANIAN_ENGLISH = {
    "am": "i",
    "nevoie": "need",
    "de": "an",
    "interpret": "interpreter",
    "buna": "good",
    "ziua": "day",
    "unde": "where",
    "este": "is",
    "primaria": "town hall",
    "vreau": "want",
    "sa": "to",
    "invat": "learn",
    "germana": "German",
    "si": "and",
    "caut": "seek",
    "o": "a",
    "locuinta": "flat",
    "in": "in",
    "azi": "today",
    "multumesc": "thanks",
    "ajutor": "help",
}

ENGLISH_GERMAN = {
    "i": "ich",
    "need": "brauche",
    "an": "einen",
    "interpreter": "Dolmetscher",
    "in": "in",
}


@pytest.fixture(scope="module")
def packages_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dictionary-packages")


@pytest.fixture(scope="module")
def romanian_english(packages_dir):
    package_dir = build_dictionary_package(packages_dir, "ro", "en", ROMANIAN_ENGLISH)
    package = import_argos_package().Package(package_dir)
    translator = ctranslate2.Translator(str(package_dir / "model"), device="cpu")
    return package, translator


def argos_translate(package, translator, sentences: list[str]) -> list[str]:
    """Translate as ``argostranslate.translate`` does, minus its sentence splitter."""
    results = translator.translate_batch(
        [package.tokenizer.encode(sentence) for sentence in sentences],
        replace_unknowns=True,
        max_batch_size=32,
        batch_type="tokens",
        beam_size=4,
        num_hypotheses=1,
        length_penalty=0.2,
        return_scores=True,
    )
    translations = []
    for result in results:
        value = package.tokenizer.decode(result.hypotheses[0])
        translations.append(value[1:] if value.startswith(" ") else value)
    return translations


SENTENCES = {
    "multumesc": "thanks",
    "buna ziua": "good day",
    "unde este primaria": "where is town hall",
    "am nevoie de interpret": "i need an interpreter",
    "vreau sa invat germana si caut locuinta": "want to learn German and seek flat",
    "buna ziua am nevoie de ajutor si caut o locuinta in Sindelfingen": (
        "good day i need an help and seek a flat in Sindelfingen"
    ),
}


@pytest.mark.parametrize(("romanian", "english"), SENTENCES.items())
def test_sentences_of_1_to_12_words_are_translated_word_by_word(
    romanian_english, romanian, english
):
    assert argos_translate(*romanian_english, [romanian]) == [english]


def test_sentences_of_different_lengths_translate_together_in_one_batch(romanian_english):
    assert argos_translate(*romanian_english, list(SENTENCES)) == list(SENTENCES.values())


@pytest.mark.parametrize(
    ("romanian", "english"),
    [
        ("Sindelfingen", "Sindelfingen"),
        ("sindelfingen este", "sindelfingen is"),
        ("am nevoie de interpret 07031 azi", "i need an interpreter 07031 today"),
        (
            "caut o locuinta in Böblingen sau Sindelfingen",
            "seek a flat in Böblingen sau Sindelfingen",
        ),
    ],
)
def test_unknown_words_are_copied_through_as_written(romanian_english, romanian, english):
    assert argos_translate(*romanian_english, [romanian]) == [english]


def test_capital_letters_and_trailing_punctuation_carry_over(romanian_english):
    assert argos_translate(*romanian_english, ["Buna ziua! Am nevoie de interpret."]) == [
        "Good day! I need an interpreter."
    ]
    assert argos_translate(*romanian_english, ["Unde este primaria?"]) == ["Where is town hall?"]


def test_argos_reads_the_package_metadata(packages_dir, romanian_english):
    argos = import_argos_package()
    (installed,) = [
        package
        for package in argos.get_installed_packages([packages_dir])
        if package.from_code == "ro"
    ]
    assert (installed.to_code, installed.package_version) == ("en", "1.0")
    assert installed.from_name == "Romanian"


def test_the_engine_translates_directly_and_through_english(tmp_path):
    build_dictionary_package(tmp_path, "ro", "en", ROMANIAN_ENGLISH)
    build_dictionary_package(tmp_path, "en", "de", ENGLISH_GERMAN)
    translator = Translator(tmp_path)

    text = "Am nevoie de interpret in Sindelfingen."
    assert translator.translate(text, "ro", "en", protected=["Sindelfingen"]) == (
        "I need an interpreter in Sindelfingen."
    )
    assert translator.translate(text, "ro", "de", protected=["Sindelfingen"]) == (
        "Ich brauche einen Dolmetscher in Sindelfingen."
    )


def test_a_multi_word_source_is_refused(tmp_path):
    with pytest.raises(ValueError, match="single words"):
        build_dictionary_package(tmp_path, "ro", "en", {"buna ziua": "hello"})
