"""The language catalogue (data/languages.yml): complete, consistent, and strict on mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import LANGUAGES
from bot.language import SCRIPT_LANGUAGES
from bot.languages import (
    CATALOGUE_FILE,
    LanguageCatalogueError,
    get_languages,
    language_for_tag,
    language_info,
    languages_for_tag,
    load_languages,
)

# Languages the product promises to handle (issue 3): translated through
# English, or honestly declined with a second choice and an interpreter.
TRANSLATED = ("ro", "pl", "bg", "el", "sq", "fr", "it", "es")
WITHOUT_MODEL = ("prs", "ps", "kmr", "ckb", "ti", "so", "hr")
RIGHT_TO_LEFT = {"ar", "fa", "prs", "ps", "ckb", "ur"}


def test_the_catalogue_starts_with_the_native_languages_in_their_order():
    codes = list(get_languages())

    assert tuple(codes[: len(LANGUAGES)]) == LANGUAGES
    assert all(get_languages()[code].native_nlu for code in LANGUAGES)
    assert not any(
        info.native_nlu for code, info in get_languages().items() if code not in LANGUAGES
    )


@pytest.mark.parametrize("code", [*LANGUAGES, *TRANSLATED, *WITHOUT_MODEL])
def test_every_promised_language_has_three_names_and_a_direction(code):
    info = language_info(code)

    assert info is not None, code
    assert info.english_name and info.german_name and info.native_name
    assert info.rtl == (code in RIGHT_TO_LEFT)


def test_native_names_are_written_in_the_language_itself():
    names = {code: info.native_name for code, info in get_languages().items()}

    assert names["ro"] == "Română"
    assert names["pl"] == "Polski"
    assert names["el"] == "Ελληνικά"
    assert names["bg"] == "Български"
    assert names["prs"] == "دری"
    assert names["ps"] == "پښتو"
    assert names["ti"] == "ትግርኛ"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translated_languages_name_their_argos_model(code):
    assert language_info(code).argos_code == code


@pytest.mark.parametrize("code", WITHOUT_MODEL)
def test_languages_without_a_model_say_so_and_offer_english_and_german(code):
    info = language_info(code)

    assert info.argos_code is None
    assert info.second_choices[-2:] == ("en", "de")


def test_dari_speakers_are_offered_persian_first():
    assert language_info("prs").second_choices == ("fa", "en", "de")


def test_every_language_the_detector_can_name_is_in_the_catalogue():
    detectable = {code for codes in SCRIPT_LANGUAGES.values() for code in codes}
    assert detectable <= set(get_languages())


def test_unknown_codes_have_no_entry():
    assert language_info("xx") is None
    assert language_info(None) is None
    assert language_info("") is None


# --------------------------------------------------------------------------- client hints


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("ro-RO", "ro"),
        ("ro", "ro"),
        ("fa-AF", "prs"),
        ("FA_af", "prs"),
        ("prs", "prs"),
        ("fa-IR", "fa"),
        ("fa", "fa"),
        ("ku", "kmr"),
        ("ku-Arab", "ckb"),
        ("ckb-IQ", "ckb"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("pt-BR", None),
        ("", None),
        (None, None),
    ],
)
def test_client_language_tags_name_catalogue_languages(tag, expected):
    assert language_for_tag(tag) == expected


def test_an_afghan_persian_hint_falls_back_to_persian_when_dari_is_not_offered():
    assert languages_for_tag("fa-AF") == ("prs", "fa")
    assert language_for_tag("fa-AF", among=("de", "fa")) == "fa"


# --------------------------------------------------------------------------- a broken file


def _write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "languages.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def _catalogue_with(change) -> dict:
    document = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    change({entry["code"]: entry for entry in document["languages"]}, document)
    return document


def test_the_shipped_file_loads_without_complaint():
    assert load_languages(CATALOGUE_FILE) == get_languages()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda by_code, doc: by_code["ro"].pop("rtl"), "'ro': field 'rtl' is missing"),
        (
            lambda by_code, doc: by_code["pl"].update(rtl="no"),
            "'pl': field 'rtl' has the wrong type",
        ),
        (
            lambda by_code, doc: by_code["fr"].update(native_name=" "),
            "'fr': field 'native_name' is empty",
        ),
        (lambda by_code, doc: by_code["it"].update(rlt=False), "'it': unknown field 'rlt'"),
        (
            lambda by_code, doc: by_code["prs"].update(second_choices=["fa", "xx"]),
            "'prs': second choice 'xx' is not in the catalogue",
        ),
        (
            lambda by_code, doc: by_code["ti"].update(code="Tigrinya"),
            "field 'code' must be 2-3 lower-case letters",
        ),
        (
            lambda by_code, doc: by_code["ro"].update(native_nlu=True),
            "'ro': field 'native_nlu' must be false",
        ),
        (
            lambda by_code, doc: doc["languages"].append(dict(by_code["es"])),
            "'es': is listed twice",
        ),
        (
            lambda by_code, doc: doc["languages"].remove(by_code["uk"]),
            "native language 'uk' is missing",
        ),
        (
            lambda by_code, doc: by_code["ckb"].update(hints=["fa-AF"]),
            "hint 'fa-af' already belongs to 'prs'",
        ),
    ],
)
def test_a_broken_catalogue_names_the_language_and_the_field(tmp_path, change, message):
    path = _write(tmp_path, _catalogue_with(change))

    with pytest.raises(LanguageCatalogueError) as error:
        load_languages(path)

    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_a_file_that_is_not_a_catalogue_says_what_is_expected(tmp_path):
    path = _write(tmp_path, {"version": 1, "langs": []})

    with pytest.raises(LanguageCatalogueError, match="needs a list under 'languages'"):
        load_languages(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(LanguageCatalogueError, match="cannot be read"):
        load_languages(tmp_path / "missing.yml")


def test_invalid_yaml_is_named(tmp_path):
    path = tmp_path / "languages.yml"
    path.write_text("languages: [\n", encoding="utf-8")

    with pytest.raises(LanguageCatalogueError, match="is not valid YAML"):
        load_languages(path)
