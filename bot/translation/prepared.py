"""Answers machine translated at build time, never at chat time.

``welcome content translate`` (run by ``welcome train``) translates every text
of :mod:`bot.translation.sources` into each language with installed models and
writes one JSON file per language to ``settings.prepared_dir``::

    {"language": "ro", "generated_at": "...",
     "models": {"en": {"route": ["en->ro"], "packages": {"en->ro": "1.9"}}},
     "entries": {"<English or German source text>": "<translation>"}}

At chat time only :meth:`PreparedTranslations.lookup` runs: a dictionary
lookup, plus a ``stat`` of the file so that a running server sees a new
translation run without a restart. Nothing here loads a model or imports
CTranslate2 or argostranslate: the content and the Rasa NLG use it on every
message.

Curated texts always win: a text staff wrote in a language is never looked up
here, and its machine translation is dropped on the next run.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot import LANGUAGES
from bot.languages import get_languages, language_info
from bot.settings import get_settings
from bot.translation.engine import Translator
from bot.translation.sources import (
    ENGLISH_MARKER,
    SOURCE_LANGUAGES,
    SourceText,
    collect_sources,
    placeholders,
    protected_terms,
    source_text,
)

logger = logging.getLogger(__name__)

MARKER_SIGN = "🌐"

# Short markers written by hand. Only German and English are reviewed; all
# others await native review (see README, "Languages"). Languages not listed
# get the prepared machine translation of the English marker.
CURATED_MARKERS: dict[str, str] = {
    "de": "Automatisch übersetzt",
    "en": ENGLISH_MARKER,
    "ar": "ترجمة آلية",
    "uk": "Автоматичний переклад",
    "tr": "Otomatik çeviri",
    "fa": "ترجمه خودکار",
    "ru": "Автоматический перевод",
    "ro": "Tradus automat",
    "pl": "Przetłumaczono automatycznie",
    "fr": "Traduit automatiquement",
    "it": "Tradotto automaticamente",
    "es": "Traducido automáticamente",
    "el": "Αυτόματη μετάφραση",
    "sq": "Përkthim automatik",
    "bg": "Автоматичен превод",
}
MARKERS_AWAITING_REVIEW = tuple(code for code in CURATED_MARKERS if code not in ("de", "en"))

# Texts per translate_many call: bounds memory on long content lists.
BATCH_SIZE = 64

NO_MODEL = "no model installed"


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class Coverage:
    """How the texts of one language are served."""

    language: str
    curated: int
    machine_translated: int
    missing: int

    @property
    def total(self) -> int:
        return self.curated + self.machine_translated + self.missing


@dataclass
class LanguageReport:
    """What one translation run did for one language."""

    language: str
    translated: int = 0
    kept: int = 0
    dropped: int = 0
    rejected: int = 0
    untranslatable: int = 0
    routes: dict[str, list[str]] = field(default_factory=dict)
    skipped: str | None = None


@dataclass
class PrepareReport:
    languages: list[LanguageReport] = field(default_factory=list)

    @property
    def translated(self) -> list[LanguageReport]:
        return [report for report in self.languages if report.skipped is None]

    @property
    def skipped(self) -> list[LanguageReport]:
        return [report for report in self.languages if report.skipped is not None]

    def for_language(self, language: str) -> LanguageReport:
        return next(report for report in self.languages if report.language == language)


# --------------------------------------------------------------------------- the store


@dataclass(frozen=True)
class _Loaded:
    state: tuple[int, int, int] | None
    document: dict[str, Any]


class PreparedTranslations:
    """The prepared translations in one folder (one ``<lang>.json`` per language)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._loaded: dict[str, _Loaded] = {}
        self._lock = threading.Lock()

    # -- reading

    def path(self, lang: str) -> Path:
        return self.directory / f"{lang}.json"

    def lookup(self, source_text: str, lang: str) -> str | None:
        """The prepared translation of ``source_text`` into ``lang``, or None."""
        return self.entries(lang).get(source_text)

    def entries(self, lang: str) -> Mapping[str, str]:
        """Source text -> translation for ``lang`` (empty if nothing was prepared)."""
        return self._document(lang).get("entries", {})

    def document(self, lang: str) -> dict[str, Any]:
        """The whole file for ``lang`` (language, generated_at, models, entries)."""
        return dict(self._document(lang))

    def languages(self) -> list[str]:
        """Languages with a prepared file."""
        if not self.directory.is_dir():
            return []
        return sorted(path.stem for path in self.directory.glob("*.json"))

    def _document(self, lang: str) -> dict[str, Any]:
        path = self.path(lang)
        try:
            stat = path.stat()
            state: tuple[int, int, int] | None = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except (FileNotFoundError, NotADirectoryError):
            state = None
        loaded = self._loaded.get(lang)
        if loaded is not None and loaded.state == state:
            return loaded.document
        with self._lock:
            document = self._read(path) if state is not None else {}
            self._loaded[lang] = _Loaded(state, document)
        return document

    @staticmethod
    def _read(path: Path) -> dict[str, Any]:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            logger.warning("Ignoring unreadable prepared translations %s: %s", path, error)
            return {}
        if not isinstance(document, dict) or not isinstance(document.get("entries"), dict):
            logger.warning("Ignoring prepared translations %s: no 'entries'", path)
            return {}
        return document

    def _write(self, lang: str, document: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Write then rename: a running server never reads half a file.
        handle, temporary = tempfile.mkstemp(prefix=f".{lang}.", dir=self.directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(document, file, ensure_ascii=False, indent=1, sort_keys=True)
                file.write("\n")
            os.replace(temporary, self.path(lang))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    # -- preparing

    def prepare(
        self,
        languages: Iterable[str] | None = None,
        translator: Translator | None = None,
        *,
        sources: Sequence[SourceText] | None = None,
        terms: Iterable[str] | None = None,
    ) -> PrepareReport:
        """Translate every source text into ``languages`` (default: all with models).

        Only texts that are new or changed since the last run are translated;
        entries whose source is gone, or now curated, are dropped. When the
        installed model of a route changes, its texts are translated again.
        """
        translator = translator or build_time_translator()
        sources = list(collect_sources() if sources is None else sources)
        terms = tuple(protected_terms() if terms is None else terms)
        targets = list(languages) if languages is not None else default_targets(translator)
        versions = _package_versions(translator)
        report = PrepareReport()
        for lang in targets:
            report.languages.append(
                self._prepare_language(lang, translator, sources, terms, versions)
            )
        return report

    def _prepare_language(
        self,
        lang: str,
        translator: Translator,
        sources: Sequence[SourceText],
        terms: tuple[str, ...],
        versions: Mapping[tuple[str, str], str],
    ) -> LanguageReport:
        report = LanguageReport(language=lang)
        model_code = model_language(lang)
        needed: dict[str, list[str]] = {}
        for source in sources:
            if not source.is_curated(lang):
                needed.setdefault(source.language, []).append(source.text)
        if model_code is None:
            report.skipped = "no translation model exists for this language"
            return report

        routes = {
            source_lang: translator.route(source_lang, model_code)
            for source_lang in (needed or dict.fromkeys(SOURCE_LANGUAGES))
            if translator.can_translate(source_lang, model_code)
        }
        if not routes:
            report.skipped = NO_MODEL
            return report

        previous = self._read(self.path(lang)) if self.path(lang).exists() else {}
        old_entries: dict[str, str] = dict(previous.get("entries", {}))
        old_models: dict[str, Any] = dict(previous.get("models", {}))
        entries: dict[str, str] = {}
        models: dict[str, Any] = {}
        for source_lang, texts in needed.items():
            hops = routes.get(source_lang)
            if hops is None:
                report.untranslatable += len(texts)
                continue
            signature = {
                "route": [f"{a}->{b}" for a, b in hops],
                "packages": {f"{a}->{b}": versions.get((a, b), "?") for a, b in hops},
            }
            models[source_lang] = signature
            report.routes[source_lang] = signature["route"]
            reusable = old_models.get(source_lang) == signature
            todo = []
            for text in dict.fromkeys(texts):
                if reusable and text in old_entries:
                    entries[text] = old_entries[text]
                    report.kept += 1
                else:
                    todo.append(text)
            for start in range(0, len(todo), BATCH_SIZE):
                batch = todo[start : start + BATCH_SIZE]
                batch_terms = _terms_for(batch, terms)
                translated = translator.translate_many(
                    batch, source_lang, model_code, protected=batch_terms
                )
                for text, translation in zip(batch, translated, strict=True):
                    if keeps_protected(text, translation, batch_terms):
                        entries[text] = translation
                        report.translated += 1
                    else:
                        report.rejected += 1
        report.dropped = sum(1 for text in old_entries if text not in entries)
        if entries != old_entries or models != old_models:
            self._write(
                lang,
                {
                    "language": lang,
                    "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "models": models,
                    "entries": entries,
                },
            )
        logger.info(
            "Prepared %s: %d translated, %d kept, %d dropped, %d rejected",
            lang,
            report.translated,
            report.kept,
            report.dropped,
            report.rejected,
        )
        return report

    # -- coverage

    def coverage_by_language(
        self,
        languages: Iterable[str] | None = None,
        *,
        sources: Sequence[SourceText] | None = None,
    ) -> dict[str, Coverage]:
        """Language -> how many texts are curated, machine translated or missing."""
        sources = _sources(sources)
        codes = list(languages) if languages is not None else self._known_languages()
        result = {}
        for lang in codes:
            curated = machine = missing = 0
            entries = self.entries(lang)
            for source in sources:
                if source.is_curated(lang):
                    curated += 1
                elif source.text in entries:
                    machine += 1
                else:
                    missing += 1
            result[lang] = Coverage(lang, curated, machine, missing)
        return result

    def missing(
        self, lang: str, *, sources: Sequence[SourceText] | None = None
    ) -> list[SourceText]:
        """Source texts that ``lang`` has neither curated nor prepared."""
        entries = self.entries(lang)
        return [
            source
            for source in _sources(sources)
            if not source.is_curated(lang) and source.text not in entries
        ]

    def _known_languages(self) -> list[str]:
        """Native languages, then the catalogue, then any other prepared language."""
        return list(dict.fromkeys([*LANGUAGES, *get_languages(), *self.languages()]))


def _sources(sources: Sequence[SourceText] | None) -> list[SourceText]:
    if sources is not None:
        return list(sources)
    return collect_sources()


def _terms_for(texts: Sequence[str], terms: Iterable[str]) -> tuple[str, ...]:
    """The names occurring in ``texts`` plus their placeholders and payloads."""
    joined = "\n".join(texts)
    found = {term for term in terms if term in joined}
    for text in texts:
        found.update(placeholders(text))
    return tuple(sorted(found, key=lambda term: (-len(term), term)))


def keeps_protected(source: str, translation: str, terms: Iterable[str] = ()) -> bool:
    """Whether placeholders, payloads and names of ``source`` survived in ``translation``.

    A lost ``{reference}`` or an extra brace would break filling in the slot
    values at chat time; such a translation is not stored (English is shown).
    """
    if not translation.strip():
        return False
    if source.count("{") != translation.count("{") or source.count("}") != translation.count("}"):
        return False
    for item in placeholders(source):
        if translation.count(item) < source.count(item):
            return False
    return all(term in translation for term in terms if term in source)


def model_language(lang: str) -> str | None:
    """The Argos code of our language code; None if no model exists for it."""
    info = language_info(lang)
    if info is None:
        return lang
    return info.argos_code


def default_targets(translator: Translator) -> list[str]:
    """Every language reachable from English or German, but those two.

    English and German are the source languages: every answer is curated in
    them (the one German-only text, the second-language question, is
    already bilingual).
    """
    installed = {code for pair in translator.installed_pairs() for code in pair}
    if not installed:
        return []
    candidates = {code: info.argos_code for code, info in get_languages().items()}
    known_models = {argos for argos in candidates.values() if argos}
    for code in sorted(installed - known_models):
        candidates[code] = code
    return [
        code
        for code, argos in candidates.items()
        if argos
        and code not in SOURCE_LANGUAGES
        and any(translator.can_translate(source, argos) for source in SOURCE_LANGUAGES)
    ]


def _package_versions(translator: Translator) -> dict[tuple[str, str], str]:
    """(from, to) -> package_version of the installed packages."""
    return {package.pair: package.version for package in translator.installed_packages()}


def build_time_translator() -> Translator:
    """A translator over the installed packages, without the runtime cache.

    The prepared files are the cache of build-time translations; hundreds of
    answer texts need not go into the chat's translation cache (nor need a
    database, e.g. while a Docker image is built).
    """
    settings = get_settings()
    return Translator(
        settings.packages_dir,
        max_loaded_models=settings.translation_max_models,
        beam_size=settings.translation_beam_size,
        threads=settings.translation_threads,
    )


# --------------------------------------------------------------------------- process-wide


_stores: dict[Path, PreparedTranslations] = {}


def get_prepared() -> PreparedTranslations:
    """The store in ``settings.prepared_dir`` (one per folder and process)."""
    directory = get_settings().prepared_dir
    store = _stores.get(directory)
    if store is None:
        store = _stores.setdefault(directory, PreparedTranslations(directory))
    return store


@dataclass
class MachineTranslationRecord:
    """Set by :func:`prepared_translation` while :func:`recording_machine_translation` runs."""

    used: bool = False


_record: ContextVar[MachineTranslationRecord | None] = ContextVar(
    "machine_translation_record", default=None
)


@contextmanager
def recording_machine_translation() -> Iterator[MachineTranslationRecord]:
    """Notes whether any prepared translation was served inside the ``with`` block."""
    record = MachineTranslationRecord()
    token = _record.set(record)
    try:
        yield record
    finally:
        _record.reset(token)


def prepared_translation(texts: Mapping[str, str], lang: str | None) -> str | None:
    """The prepared translation of a multilingual text into ``lang`` (not curated there)."""
    if not lang:
        return None
    source = source_text(texts)
    if source is None:
        return None
    translation = get_prepared().lookup(source, lang)
    if translation is not None:
        record = _record.get()
        if record is not None:
            record.used = True
    return translation


# --------------------------------------------------------------------------- the marker


def machine_translation_marker(lang: str) -> str:
    """ "Automatically translated" in ``lang``: curated, else prepared, else English."""
    return (
        CURATED_MARKERS.get(lang) or get_prepared().lookup(ENGLISH_MARKER, lang) or ENGLISH_MARKER
    )


def with_marker(text: str, lang: str) -> str:
    """``text`` with the marker on its own last line (added once)."""
    line = f"{MARKER_SIGN} {machine_translation_marker(lang)}"
    if text.rstrip().endswith(line):
        return text
    return f"{text}\n{line}" if text else line


def render_marked(lang: str, render: Callable[..., str], *args: Any, **kwargs: Any) -> str:
    """``render(*args, **kwargs)``, with the marker if it served any machine translation.

    For the chat texts of :mod:`bot.content.render`: a text that is curated in
    ``lang`` throughout carries no marker, even in a non-native language.
    """
    with recording_machine_translation() as record:
        text = render(*args, **kwargs)
    return with_marker(text, lang) if record.used else text
