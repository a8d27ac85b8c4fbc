"""Preparing the answers: machine translation at build time (``welcome content translate``).

Every text of :mod:`bot.translation.sources` is translated into each language
with installed models and stored in :mod:`bot.prepared`; at chat
time only lookups run there. Curated texts always win: a text staff wrote in a
language is never translated into it, and its earlier machine translation is
dropped on the next run. Only new or changed texts are translated again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from bot import LANGUAGES
from bot.languages import argos_code, get_languages
from bot.prepared import SOURCE_LANGUAGES, PreparedTranslations
from bot.settings import get_settings
from bot.translation.engine import Translator, translator_from_settings
from bot.translation.sources import (
    SourceText,
    collect_sources,
    placeholders,
    protected_terms,
)

logger = logging.getLogger(__name__)

# Texts per translate_many call: bounds memory on long content lists.
BATCH_SIZE = 64

NO_MODEL = "no model installed"


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


# --------------------------------------------------------------------------- preparing


def prepare(
    store: PreparedTranslations,
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
            _prepare_language(store, lang, translator, sources, terms, versions)
        )
    return report


def _prepare_language(
    store: PreparedTranslations,
    lang: str,
    translator: Translator,
    sources: Sequence[SourceText],
    terms: tuple[str, ...],
    versions: Mapping[tuple[str, str], str],
) -> LanguageReport:
    report = LanguageReport(language=lang)
    model_code = argos_code(lang)
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

    previous = store.read(store.path(lang)) if store.path(lang).exists() else {}
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
        store.write(
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


# --------------------------------------------------------------------------- coverage


def coverage_by_language(
    store: PreparedTranslations,
    languages: Iterable[str] | None = None,
    *,
    sources: Sequence[SourceText] | None = None,
) -> dict[str, Coverage]:
    """Language -> how many texts are curated, machine translated or missing."""
    sources = _sources(sources)
    codes = list(languages) if languages is not None else _known_languages(store)
    result = {}
    for lang in codes:
        curated = machine = missing = 0
        entries = store.entries(lang)
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
    store: PreparedTranslations, lang: str, *, sources: Sequence[SourceText] | None = None
) -> list[SourceText]:
    """Source texts that ``lang`` has neither curated nor prepared."""
    entries = store.entries(lang)
    return [
        source
        for source in _sources(sources)
        if not source.is_curated(lang) and source.text not in entries
    ]


def _known_languages(store: PreparedTranslations) -> list[str]:
    """Native languages, then the catalogue, then any other prepared language."""
    return list(dict.fromkeys([*LANGUAGES, *get_languages(), *store.languages()]))


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
    return translator_from_settings(get_settings())
