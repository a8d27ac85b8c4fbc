"""Answers translated at build time: the prepared files, lookups, coverage, the marker.

Real tiny Argos packages (random weights: gibberish, but deterministic) are
built into a temporary packages folder; the code under test runs the real
engine on them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from bot.commands.language_status import register_status, register_translate
from bot.content import LocalizedText, load_content
from bot.content.render import label, render_offer
from bot.prepared import PreparedTranslations, get_prepared
from bot.settings import PROJECT_ROOT, get_settings
from bot.texts import get_catalogue, machine_translation_marker, render_marked, with_marker
from bot.translation import Translator
from bot.translation.preparing import NO_MODEL, coverage_by_language, missing, prepare
from bot.translation.sources import SourceText, collect_sources, protected_terms
from tests.helpers.argos_packages import build_argos_package

LABELS = get_catalogue().group("card")  # the card labels of data/texts.yml

MINI_CONTENT = PROJECT_ROOT / "tests" / "content" / "fixtures" / "mini"
CONFIRMED = (
    "Thank you! Your request is stored. Your number is {reference}. "
    "The integration coordination office will contact you."
)


class CountingTranslator:
    """The real translator, counting the texts it is asked to translate."""

    def __init__(self, inner: Translator):
        self.inner = inner
        self.texts: list[str] = []

    def translate_many(self, texts: Sequence[str], source: str, target: str, *, protected=()):
        self.texts.extend(texts)
        return self.inner.translate_many(texts, source, target, protected=protected)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


@pytest.fixture(scope="module")
def mini_content():
    return load_content(MINI_CONTENT)


@pytest.fixture
def translation_dir(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    """Settings point at a fresh translation folder with en->ro and de->en installed."""
    directory = tmp_path / "translation"
    monkeypatch.setenv("WELCOME_TRANSLATION_DIR", str(directory))
    get_settings.cache_clear()
    packages = get_settings().packages_dir
    build_argos_package(packages, "en", "ro", version="1.2")
    build_argos_package(packages, "de", "en", version="1.1")
    yield directory
    get_settings.cache_clear()


@pytest.fixture
def translator(translation_dir: Path) -> CountingTranslator:
    return CountingTranslator(Translator(get_settings().packages_dir))


@pytest.fixture
def store(translation_dir: Path) -> PreparedTranslations:
    return get_prepared()


def _source(text: str, *curated: str, language: str = "en") -> SourceText:
    return SourceText(text, language, frozenset({language, "de", *curated}), (f"test {text}",))


def test_prepare_writes_one_file_per_language_with_route_and_versions(
    store, translator, mini_content
):
    sources = collect_sources(content=mini_content)
    report = prepare(
        store, ["ro"], translator, sources=sources, terms=protected_terms(mini_content)
    )

    document = json.loads((get_settings().prepared_dir / "ro.json").read_text(encoding="utf-8"))
    assert document["language"] == "ro"
    assert document["generated_at"]
    assert document["models"]["en"] == {"route": ["en->ro"], "packages": {"en->ro": "1.2"}}
    # The one German-only response goes through English.
    assert document["models"]["de"]["route"] == ["de->en", "en->ro"]
    assert document["models"]["de"]["packages"] == {"de->en": "1.1", "en->ro": "1.2"}
    ro = report.for_language("ro")
    assert ro.skipped is None and ro.rejected == 0
    assert ro.translated == len(document["entries"]) == len(sources) - 1  # marker: curated in ro
    assert store.lookup(CONFIRMED, "ro") == document["entries"][CONFIRMED]
    assert store.lookup(CONFIRMED, "ro") != CONFIRMED


def test_placeholders_payloads_and_names_come_out_byte_identical(store, translator):
    texts = [
        CONFIRMED,
        "Welcome to Landkreis Böblingen: the Welcome Center Region Stuttgart helps.",
        "Type /language to change the language. Courses in Weil der Stadt.",
        "{min} to {max} years",
    ]
    terms = ("Welcome Center Region Stuttgart", "Landkreis Böblingen", "Weil der Stadt")
    prepare(store, ["ro"], translator, sources=[_source(t) for t in texts], terms=terms)

    confirmed = store.lookup(CONFIRMED, "ro")
    assert confirmed.count("{reference}") == 1
    names = store.lookup(texts[1], "ro")
    assert "Landkreis Böblingen" in names and "Welcome Center Region Stuttgart" in names
    command = store.lookup(texts[2], "ro")
    assert "/language" in command and "Weil der Stadt" in command
    assert store.lookup(texts[3], "ro").format(min=16, max=27).count("16") == 1


def test_second_run_translates_nothing_and_keeps_the_file(store, translator):
    sources = [_source("Where is the course?"), _source("Bring your passport.")]
    prepare(store, ["ro"], translator, sources=sources, terms=())
    path = store.path("ro")
    before = path.stat().st_mtime_ns, path.read_text(encoding="utf-8")
    translator.texts.clear()

    report = prepare(store, ["ro"], translator, sources=sources, terms=())

    assert translator.texts == []
    assert report.for_language("ro").kept == 2
    assert (path.stat().st_mtime_ns, path.read_text(encoding="utf-8")) == before


def test_changed_and_removed_sources(store, translator):
    prepare(store, ["ro"], translator, sources=[_source("Old text."), _source("Kept text.")])
    kept = store.lookup("Kept text.", "ro")
    translator.texts.clear()

    report = prepare(
        store, ["ro"], translator, sources=[_source("New text."), _source("Kept text.")]
    )

    assert translator.texts == ["New text."]
    assert store.lookup("Old text.", "ro") is None
    assert store.lookup("Kept text.", "ro") == kept
    assert store.lookup("New text.", "ro") is not None
    ro = report.for_language("ro")
    assert (ro.translated, ro.kept, ro.dropped) == (1, 1, 1)


def test_a_new_model_version_translates_again(store, translator, translation_dir):
    prepare(store, ["ro"], translator, sources=[_source("Kept text.")])
    packages = get_settings().packages_dir
    shutil.rmtree(next(packages.glob("translate-en_ro-*")))
    build_argos_package(packages, "en", "ro", version="1.3", seed=7)
    upgraded = CountingTranslator(Translator(packages))

    report = prepare(store, ["ro"], upgraded, sources=[_source("Kept text.")])

    assert upgraded.texts == ["Kept text."]
    assert report.for_language("ro").translated == 1
    assert store.read(store.path("ro"))["models"]["en"]["packages"] == {"en->ro": "1.3"}


def test_curated_text_is_never_machine_translated(store, translator):
    prepare(store, ["ro"], translator, sources=[_source("Hello."), _source("Goodbye.")])
    assert store.lookup("Hello.", "ro") is not None
    translator.texts.clear()

    # Staff now wrote "Hello." in Romanian: its machine translation goes.
    report = prepare(
        store, ["ro"], translator, sources=[_source("Hello.", "ro"), _source("Goodbye.")]
    )

    assert translator.texts == []
    assert store.lookup("Hello.", "ro") is None
    assert report.for_language("ro").dropped == 1


def test_curated_content_text_wins_over_a_prepared_translation(store, translator):
    text = LocalizedText({"de": "Hallo", "en": "Hello", "ro": "Bună ziua"})
    prepare(store, ["ro"], translator, sources=[_source("Hello")])
    assert store.lookup("Hello", "ro") is not None

    assert text.get("ro") == "Bună ziua"
    assert LocalizedText({"de": "Hallo", "en": "Hello"}).get("ro") == store.lookup("Hello", "ro")


def test_coverage_counts_curated_machine_translated_and_missing(store, translator):
    sources = [_source("One.", "ro"), _source("Two."), _source("Three.")]
    prepare(store, ["ro"], translator, sources=sources)

    coverage = coverage_by_language(store, ["ro", "pl", "de"], sources=sources)

    assert (coverage["ro"].curated, coverage["ro"].machine_translated) == (1, 2)
    assert (coverage["ro"].missing, coverage["ro"].total) == (0, 3)
    assert (coverage["pl"].curated, coverage["pl"].machine_translated) == (0, 0)
    assert coverage["pl"].missing == 3
    assert coverage["de"].curated == 3
    assert [s.text for s in missing(store, "pl", sources=sources)] == ["One.", "Two.", "Three."]


def test_language_without_installed_model_is_skipped(store, translator):
    report = prepare(store, ["pl"], translator, sources=[_source("Two.")])

    assert report.for_language("pl").skipped == NO_MODEL
    assert not store.path("pl").exists()


def test_running_store_sees_a_new_translation_run_without_restart(
    store, translator, translation_dir
):
    assert store.lookup("Two.", "ro") is None
    # Another process (welcome content translate) writes the file.
    other = PreparedTranslations(get_settings().prepared_dir)
    prepare(other, ["ro"], translator, sources=[_source("Two.")])

    assert store.lookup("Two.", "ro") == other.lookup("Two.", "ro") is not None


def test_marker_in_the_users_language(store):
    assert machine_translation_marker("ro") == "Tradus automat"
    assert machine_translation_marker("fr") == "Traduit automatiquement"
    # No curated marker: the prepared translation of the English one, else English.
    assert machine_translation_marker("nl") == "Automatically translated"
    store.directory.mkdir(parents=True)
    store.path("nl").write_text(
        json.dumps({"language": "nl", "entries": {"Automatically translated": "Vertaald"}}),
        encoding="utf-8",
    )
    assert machine_translation_marker("nl") == "Vertaald"
    assert with_marker("Bună ziua.", "ro") == "Bună ziua.\n🌐 Tradus automat"
    assert with_marker(with_marker("Bună ziua.", "ro"), "ro") == "Bună ziua.\n🌐 Tradus automat"


def test_content_in_romanian_uses_prepared_texts_and_no_curated_fallback(
    store, translator, mini_content
):
    prepare(
        store,
        ["ro"],
        translator,
        sources=collect_sources(content=mini_content),
        terms=protected_terms(mini_content),
    )
    offer = next(o for o in mini_content.offers if o.id == "kurs-sindelfingen")

    text = render_offer(offer, "ro")

    lines = text.splitlines()
    assert lines[0] == store.lookup("German course Sindelfingen", "ro")
    assert lines[1] == store.lookup("A course in Sindelfingen.", "ro")
    assert f"{label('provider', 'ro')}: Testanbieter Sindelfingen" in lines
    assert label("provider", "ro") == store.lookup("Provider", "ro")
    for key in ("provider", "where", "phone", "email", "website", "address"):
        for language in ("de", "en"):
            assert f"{LABELS[key][language]}:" not in text
    assert "Sindelfingen" in text and "+49 000 0000000" in text and "kurs@example.org" in text
    marked = render_marked("ro", render_offer, offer, "ro")
    assert marked == f"{text}\n🌐 Tradus automat"


def test_curated_content_gets_no_marker(store, translator, mini_content):
    offer = next(o for o in mini_content.offers if o.id == "kurs-sindelfingen")
    # Nothing prepared for Arabic: the curated title, English summary, no marker.
    assert render_marked("ar", render_offer, offer, "ar") == render_offer(offer, "ar")
    assert "🌐" not in render_marked("de", render_offer, offer, "de")


def test_content_path_imports_no_translation_engine(translation_dir):
    code = (
        "import sys\n"
        "from bot.content import LocalizedText\n"
        "from bot.content.render import label\n"
        "LocalizedText({'de': 'Hallo', 'en': 'Hello'}).get('ro')\n"
        "label('phone', 'ro')\n"
        "heavy = [m for m in ('ctranslate2', 'argostranslate', 'sentencepiece', 'rasa')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True
    )
    assert result.stdout.strip() == ""


def test_status_command_prints_the_table(store, translator, capsys):
    sources = collect_sources()  # the real domain, content and labels
    prepare(store, ["ro"], translator, sources=sources)
    total = str(len(sources))

    assert _run(register_status, ["status"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Language", "Curated", "Machine", "translated", "Missing", "Total"]
    rows = {line.split()[0]: line.split()[-4:] for line in lines[1:]}
    assert list(rows)[:7] == ["de", "en", "ar", "uk", "tr", "fa", "ru"]
    # Romanian: only the marker is curated, everything else was prepared.
    assert rows["ro"] == ["1", str(len(sources) - 1), "0", total]
    assert rows["pl"] == ["1", "0", str(len(sources) - 1), total]
    assert rows["ti"] == ["0", "0", total, total]


def test_status_lists_the_missing_texts_of_one_language(store, translator, capsys, monkeypatch):
    sources = [_source("One.", "pl"), _source("Two."), _source("Three.")]
    monkeypatch.setattr("bot.commands.language_status.collect_sources", lambda: sources)

    assert _run(register_status, ["status", "--missing", "pl"]) == 0

    printed = capsys.readouterr().out.splitlines()
    assert printed == ["2 texts missing in pl:", "  test Two.: Two.", "  test Three.: Three."]


def test_translate_command_reports_translated_and_skipped(translation_dir, capsys, monkeypatch):
    monkeypatch.setattr("bot.translation.preparing.collect_sources", lambda: [_source("Two.")])
    monkeypatch.setattr("bot.translation.preparing.protected_terms", lambda: ())

    assert _run(register_translate, ["translate", "--language", "ro", "--language", "pl"]) == 0

    printed = capsys.readouterr().out
    assert "ro: 1 translated, 0 unchanged [en->ro]" in printed
    assert f"pl: skipped, {NO_MODEL} (welcome languages install pl)" in printed
    assert get_prepared().lookup("Two.", "ro") is not None


def test_translate_command_without_models_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WELCOME_TRANSLATION_DIR", str(tmp_path / "empty"))
    get_settings.cache_clear()
    try:
        assert _run(register_translate, ["translate"]) == 0
    finally:
        get_settings.cache_clear()
    assert "No translation models are installed" in capsys.readouterr().out


def _run(register, argv: list[str]) -> int:
    """Parse ``argv`` with the sub-command ``register`` adds, and run it."""
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)
