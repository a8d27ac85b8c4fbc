"""The translation engine with real (tiny, random-weight) Argos packages.

The models write gibberish, but deterministic gibberish: a test can compare
two ways of translating the same text, and protected spans must survive it.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
from pathlib import Path

import pytest

from bot.translation import TranslationUnavailable, Translator, get_translator, reset_translator
from bot.translation.argos import import_argos_package
from bot.translation.cache import TranslationCache
from tests.helpers.argos_packages import build_argosmodel_file
from tests.translation.conftest import ARGOS_HOME, ARGOS_PACKAGES_DIR, OFFICE_TERMS, XDG_BEFORE

GERMAN = [
    "Guten Tag, ich brauche Hilfe bei der Wohnungssuche.",
    "Wo finde ich einen Deutschkurs? Das Jobcenter hat mir einen Brief geschickt.",
    "Danke!",
    "Ich wohne in Böblingen.\nMeine Familie kommt nächste Woche.",
    "Haben Sie einen Termin für mich am Montag?",
]


# -- packages and routes ---------------------------------------------------------------


def test_packages_are_found_in_the_packages_folder(packages_dir: Path, install_package) -> None:
    install_package("de", "en")
    install_package("en", "ro")
    (packages_dir / ".staging-123" / "translate-en_fr-1_0").mkdir(parents=True)  # installer
    (packages_dir / "notes").mkdir()  # no metadata.json
    broken = packages_dir / "translate-en_pl-1_0"
    broken.mkdir()
    (broken / "metadata.json").write_text("{not json", encoding="utf-8")

    translator = Translator(packages_dir)

    assert translator.installed_pairs() == {("de", "en"), ("en", "ro")}
    assert [p.version for p in translator.installed_packages()] == ["1.0", "1.0"]


def test_a_package_installed_later_is_seen_after_refresh(
    packages_dir: Path, install_package
) -> None:
    install_package("de", "en")
    translator = Translator(packages_dir)
    assert not translator.can_translate("de", "ro")

    install_package("en", "ro")
    translator.refresh()

    assert translator.can_translate("de", "ro")


def test_the_newest_version_of_a_pair_is_used(packages_dir: Path, install_package) -> None:
    install_package("de", "en", version="1.0", seed=1)
    install_package("de", "en", version="1.10", seed=2)
    install_package("de", "en", version="1.9", seed=3)

    (package,) = Translator(packages_dir).installed_packages()

    assert package.version == "1.10"


def test_an_argosmodel_file_installs_with_argostranslate_and_translates(tmp_path: Path) -> None:
    argos_package = import_argos_package()
    model_file = build_argosmodel_file(tmp_path / "translate-de_el.argosmodel", "de", "el")

    argos_package.install_from_path(model_file)
    try:
        translator = Translator(ARGOS_PACKAGES_DIR)
        assert ("de", "el") in translator.installed_pairs()
        assert translator.translate("Guten Tag", "de", "el").strip()
    finally:
        shutil.rmtree(ARGOS_PACKAGES_DIR / "translate-de_el-1_0")


def test_argostranslate_keeps_its_folders_in_ours_and_leaves_xdg_alone() -> None:
    import os

    from argostranslate import settings as argos_settings

    assert argos_settings.package_data_dir == ARGOS_PACKAGES_DIR
    for name, folder in [
        ("XDG_DATA_HOME", argos_settings.data_dir),
        ("XDG_CONFIG_HOME", argos_settings.config_dir),
        ("XDG_CACHE_HOME", argos_settings.cache_dir),
    ]:
        assert folder.is_relative_to(XDG_BEFORE[name] or ARGOS_HOME)
        # Other libraries in the process read XDG_* too: they are as before the import.
        assert os.environ.get(name) == XDG_BEFORE[name]


def test_same_language_is_returned_unchanged_without_a_model(translator: Translator) -> None:
    assert translator.route("de", "DE") == []
    assert translator.translate_many(GERMAN, "de", "de") == GERMAN
    assert translator.loaded_models() == []


def test_german_to_romanian_goes_through_english_with_two_models(
    translator: Translator,
) -> None:
    text = "Wo finde ich einen Deutschkurs?"

    romanian = translator.translate(text, "de", "ro")

    assert translator.route("de", "ro") == [("de", "en"), ("en", "ro")]
    assert translator.loaded_models() == [("de", "en"), ("en", "ro")]
    english = translator.translate(text, "de", "en")
    assert romanian == translator.translate(english, "en", "ro")
    assert romanian not in (text, english)


def test_a_direct_package_is_preferred_to_the_pivot(packages_dir, install_package) -> None:
    for pair in [("de", "en"), ("en", "ro"), ("de", "ro")]:
        install_package(*pair)
    translator = Translator(packages_dir)

    translator.translate("Guten Tag", "de", "ro")

    assert translator.route("de", "ro") == [("de", "ro")]
    assert translator.loaded_models() == [("de", "ro")]


def test_missing_models_raise_translation_unavailable(translator: Translator) -> None:
    # Persian has no model; Romanian -> French needs ro->en and en->fr (installed), but
    # Romanian -> Persian has no second hop.
    assert translator.can_translate("ro", "fr")
    assert not translator.can_translate("de", "fa")
    assert not translator.can_translate("fa", "en")
    with pytest.raises(TranslationUnavailable) as raised:
        translator.translate("Guten Tag", "de", "fa")
    assert (raised.value.source, raised.value.target) == ("de", "fa")
    with pytest.raises(TranslationUnavailable):
        translator.route("ro", "fa")


def test_empty_and_blank_texts_come_back_unchanged(translator: Translator) -> None:
    assert translator.translate_many(["", "  ", "\n"], "de", "ro") == ["", "  ", "\n"]
    assert translator.stats().model_calls == 0


def test_numbers_and_emoji_are_not_sent_to_a_model(translator: Translator) -> None:
    assert translator.translate_many(["123", "👍", "?!"], "de", "en") == ["123", "👍", "?!"]
    assert translator.stats().model_calls == 0


def test_line_breaks_and_spacing_between_sentences_are_kept(translator: Translator) -> None:
    translation = translator.translate("Guten Tag.\n\nWie geht es Ihnen?  Danke.", "de", "en")

    first, second = translation.split("\n\n")
    assert first == translator.translate("Guten Tag.", "de", "en")
    assert second == (
        translator.translate("Wie geht es Ihnen?", "de", "en")
        + "  "
        + translator.translate("Danke.", "de", "en")
    )


# -- protected spans -------------------------------------------------------------------

PROTECTED_EXAMPLES = [
    (
        "Rufen Sie uns unter 07031 663-0 an oder schreiben Sie an integration@lrabb.de.",
        ["07031 663-0", "integration@lrabb.de"],
    ),
    (
        "Aus dem Ausland: +49 7031 6630. Mehr auf https://www.lrabb.de/integration?lang=de.",
        ["+49 7031 6630", "https://www.lrabb.de/integration?lang=de"],
    ),
    (
        "Ihr Termin ist am 01.12.2026 um 10:30 Uhr. Ihre Nummer: WL-7K3F9Q.",
        ["01.12.2026", "10:30", "WL-7K3F9Q"],
    ),
    (
        "Hallo {name}, das Welcome Center Region Stuttgart hilft Ihnen gern.",
        ["{name}", "Welcome Center Region Stuttgart"],
    ),
    (
        "Den Antrag stellen Sie beim Bundesamt für Migration und Flüchtlinge (BAMF) "
        "oder im Landratsamt Böblingen in Sindelfingen und Weil der Stadt.",
        [
            "Bundesamt für Migration und Flüchtlinge (BAMF)",
            "Landratsamt Böblingen",
            "Sindelfingen",
            "Weil der Stadt",
        ],
    ),
]


@pytest.mark.parametrize("target", ["en", "ro"])
def test_protected_spans_come_out_byte_identical(translator: Translator, target: str) -> None:
    texts = [text for text, _ in PROTECTED_EXAMPLES]

    translations = translator.translate_many(texts, "de", target, protected=OFFICE_TERMS)

    for (text, spans), translation in zip(PROTECTED_EXAMPLES, translations, strict=True):
        assert translation != text
        for span in spans:
            assert translation.count(span) == text.count(span), (span, translation)


def test_placeholders_a_model_keeps_are_put_back(translator: Translator, monkeypatch) -> None:
    # A model that copies its input keeps the placeholders: one pass, no second try.
    monkeypatch.setattr(translator, "_translate_hop", _counting(lambda pair, s: list(s)))
    text, _ = PROTECTED_EXAMPLES[0]

    assert translator.translate(text, "de", "en") == text
    assert translator._translate_hop.calls == 1


def test_placeholders_a_model_loses_fall_back_to_translating_around_the_spans(
    translator: Translator, monkeypatch
) -> None:
    # A model that drops every placeholder: the pieces between the spans are translated
    # one by one and the spans put back in between.
    def drop_placeholders(pair, sentences):
        return [" ".join(w for w in s.split() if not w.startswith("XKQ")) for s in sentences]

    monkeypatch.setattr(translator, "_translate_hop", _counting(drop_placeholders))

    translation = translator.translate(
        "Hallo {name}, rufen Sie 07031 663-0 an.", "de", "en", protected=OFFICE_TERMS
    )

    assert translation == "Hallo {name}, rufen Sie 07031 663-0 an."
    assert translator._translate_hop.calls == 2  # masked attempt, then the pieces


def _counting(function):
    def wrapper(pair, sentences):
        wrapper.calls += 1
        return function(pair, sentences)

    wrapper.calls = 0
    return wrapper


# -- batching --------------------------------------------------------------------------


def test_batching_gives_the_same_results_as_one_by_one(
    packages_dir: Path, official_pairs: None
) -> None:
    texts = GERMAN + [text for text, _ in PROTECTED_EXAMPLES]
    batched_translator = Translator(packages_dir)
    single_translator = Translator(packages_dir)

    batched = batched_translator.translate_many(texts, "de", "ro", protected=OFFICE_TERMS)
    one_by_one = [
        single_translator.translate(text, "de", "ro", protected=OFFICE_TERMS) for text in texts
    ]

    assert batched == one_by_one
    # All sentences of all texts in one call per hop (plus, per hop, one for texts whose
    # placeholders the random model lost).
    assert batched_translator.stats().model_calls <= 4
    assert single_translator.stats().model_calls >= 2 * len(texts)


def test_repeated_sentences_are_translated_once(translator: Translator) -> None:
    translations = translator.translate_many(["Danke!", "Danke!", "Danke! Danke!"], "de", "en")

    assert translations[0] == translations[1]
    assert translations[2] == f"{translations[0]} {translations[0]}"
    assert translator.stats().sentences_translated == 1


# -- caching ---------------------------------------------------------------------------


def test_a_cached_translation_does_not_run_the_model_again(
    packages_dir: Path, official_pairs: None, cache: TranslationCache
) -> None:
    translator = Translator(packages_dir, cache=cache)
    first = translator.translate_many(GERMAN, "de", "ro")
    calls = translator.stats().model_calls

    second = translator.translate_many(GERMAN, "de", "ro")

    assert second == first
    assert translator.stats().model_calls == calls
    assert translator.stats().cache_hits == len(GERMAN)


def test_the_persistent_cache_survives_a_restart(
    packages_dir: Path, official_pairs: None, database_url: str
) -> None:
    first_cache = TranslationCache(database_url)
    first_cache.migrate()
    first = Translator(packages_dir, cache=first_cache).translate_many(GERMAN, "de", "ro")
    first_cache.close()

    restarted = Translator(packages_dir, cache=TranslationCache(database_url))
    second = restarted.translate_many(GERMAN, "de", "ro")

    assert second == first
    assert restarted.loaded_models() == []
    assert restarted.stats().model_calls == 0
    restarted.cache.close()


def test_a_new_model_version_is_not_answered_from_the_cache(
    packages_dir: Path, install_package, cache: TranslationCache
) -> None:
    old = install_package("de", "en", version="1.0", seed=1)
    translator = Translator(packages_dir, cache=cache)
    before = translator.translate("Guten Tag, ich brauche Hilfe.", "de", "en")

    shutil.rmtree(old)
    install_package("de", "en", version="1.1", seed=2)
    translator.refresh()
    after = translator.translate("Guten Tag, ich brauche Hilfe.", "de", "en")

    assert after != before
    assert translator.stats().cache_hits == 0


def test_other_protected_terms_are_a_different_cache_entry(
    packages_dir: Path, official_pairs: None, cache: TranslationCache
) -> None:
    translator = Translator(packages_dir, cache=cache)
    text = "Das Welcome Center Region Stuttgart hilft."

    plain = translator.translate(text, "de", "en")
    protected = translator.translate(text, "de", "en", protected=OFFICE_TERMS)

    assert "Welcome Center Region Stuttgart" in protected
    assert protected != plain
    assert translator.stats().cache_hits == 0


# -- models in memory ------------------------------------------------------------------


def test_at_most_max_loaded_models_stay_loaded_least_recently_used_first(
    packages_dir: Path, official_pairs: None
) -> None:
    translator = Translator(packages_dir, max_loaded_models=2)

    translator.translate("Guten Tag", "de", "en")
    translator.translate("Good day", "en", "ro")
    assert translator.loaded_models() == [("de", "en"), ("en", "ro")]

    translator.translate("Good day", "en", "fr")
    assert translator.loaded_models() == [("en", "ro"), ("en", "fr")]

    translator.translate("Good morning", "en", "ro")
    assert translator.loaded_models() == [("en", "fr"), ("en", "ro")]

    translator.translate("Guten Morgen", "de", "en")
    assert translator.loaded_models() == [("en", "ro"), ("de", "en")]


def test_a_pivot_works_with_room_for_one_model_only(
    packages_dir: Path, official_pairs: None
) -> None:
    roomy = Translator(packages_dir)
    cramped = Translator(packages_dir, max_loaded_models=1)

    assert cramped.translate_many(GERMAN, "de", "ro") == roomy.translate_many(GERMAN, "de", "ro")
    assert cramped.loaded_models() == [("en", "ro")]


def test_translating_from_several_threads_gives_the_same_results(
    packages_dir: Path, official_pairs: None
) -> None:
    expected = Translator(packages_dir).translate_many(GERMAN, "de", "ro")
    translator = Translator(packages_dir, max_loaded_models=2)
    results: dict[int, tuple[str, list[str]]] = {}
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            target = ["ro", "fr", "en"][number % 3]
            results[number] = (target, translator.translate_many(GERMAN, "de", target))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert all(result == expected for target, result in results.values() if target == "ro")
    assert len(translator.loaded_models()) <= 2


# -- offline ---------------------------------------------------------------------------


def test_translating_never_opens_a_network_connection(
    packages_dir: Path, official_pairs: None, monkeypatch
) -> None:
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)

    translator = Translator(packages_dir)
    translations = translator.translate_many(
        GERMAN + ["Mehr auf https://www.lrabb.de."], "de", "ro", protected=OFFICE_TERMS
    )

    assert all(translations)
    assert attempts == []


# -- the process's translator ----------------------------------------------------------


def test_get_translator_uses_the_settings_and_the_database_cache(
    tmp_path: Path, monkeypatch
) -> None:
    from bot import settings as settings_module

    settings = settings_module.load_settings(
        {
            "WELCOME_VAR_DIR": str(tmp_path / "var"),
            "WELCOME_TRANSLATION_MAX_MODELS": "3",
            "WELCOME_TRANSLATION_BEAM_SIZE": "1",
        }
    )
    monkeypatch.setattr(settings_module, "get_settings", lambda: settings)
    reset_translator()
    try:
        translator = get_translator()
        assert get_translator() is translator
        assert translator.packages_dir == tmp_path / "var" / "translation" / "packages"
        assert (translator.max_loaded_models, translator.beam_size) == (3, 1)
        assert isinstance(translator.cache, TranslationCache)
        assert translator.installed_pairs() == set()
    finally:
        reset_translator()


# -- the same translations as argostranslate ---------------------------------------------


def test_a_sentence_translates_exactly_as_argostranslate_translates_it(
    packages_dir: Path, official_pairs: None, monkeypatch
) -> None:
    import argostranslate.translate as argos_translate

    from bot.translation.sentences import split_sentences

    package_dir = next(packages_dir.glob("translate-de_en-*"))
    metadata = json.loads((package_dir / "metadata.json").read_text(encoding="utf-8"))
    argos = argos_translate.PackageTranslation(
        argos_translate.Language("de", metadata["from_name"]),
        argos_translate.Language("en", metadata["to_name"]),
        import_argos_package().Package(package_dir),
    )
    # argostranslate's splitter would download a model; ours gives the same single sentence.
    monkeypatch.setattr(argos, "sentencizer", _Sentencizer(split_sentences))
    ours = Translator(packages_dir, beam_size=4)  # argostranslate's default beam

    for sentence in ["Guten Tag, ich brauche Hilfe.", "Wo finde ich einen Deutschkurs?"]:
        assert ours.translate(sentence, "de", "en") == argos.translate(sentence)


class _Sentencizer:
    def __init__(self, split):
        self.split_sentences = split
