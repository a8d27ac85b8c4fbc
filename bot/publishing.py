"""Publishing content, then machine translating what it changed.

The office publishes with :func:`publish_and_prepare`: the publication is
stored first (the assistant serves it within about a second, see
:func:`bot.content.get_content`), then the prepared machine translations
(:mod:`bot.prepared`, ``welcome content translate``) are brought up to date
for the published content. Only new or changed source texts are translated
(:func:`bot.translation.preparing.prepare` keeps the others); the running
servers read the rewritten files on their next lookup (they check the files'
stat). Without installed models, or when translating fails, the publication
stands and the result says why; the texts are then shown in English until a
translation exists.

This lives outside :mod:`bot.content`, which must not import the translation
engine (see ``.importlinter``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.content.store import ContentStore, Publication
from bot.prepared import PreparedTranslations
from bot.settings import Settings
from bot.translation.engine import Translator, translator_from_settings
from bot.translation.preparing import PrepareReport, prepare
from bot.translation.sources import collect_sources, protected_terms

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishResult:
    """A publication and what translating its texts did."""

    publication: Publication
    translations: PrepareReport | None
    #: Why no translation ran, or what failed (German, for the office); None when all ran.
    translation_note: str | None = None


def publish_and_prepare(
    store: ContentStore,
    settings: Settings,
    author: str,
    note: str = "",
    *,
    translator: Translator | None = None,
) -> PublishResult:
    """Publish the working copy, then prepare machine translations of its new texts."""
    publication = store.publish(author, note)
    report, problem = prepare_translations(
        store, settings, publication.version, translator=translator
    )
    return PublishResult(publication, report, problem)


def prepare_translations(
    store: ContentStore,
    settings: Settings,
    version: int | None = None,
    *,
    translator: Translator | None = None,
) -> tuple[PrepareReport | None, str | None]:
    """Bring the prepared translations up to date for published ``version`` (default: latest).

    Returns the report, or None and the reason nothing was translated. Never
    raises: the publication is already live.
    """
    try:
        # Without the chat's cache: the prepared files are the build-time cache.
        translator = translator or translator_from_settings(settings)
        if not translator.installed_pairs():
            return None, "Keine Übersetzungsmodelle installiert: nichts maschinell übersetzt."
        content = store.published_content(version)
        report = prepare(
            PreparedTranslations(settings.prepared_dir),
            translator=translator,
            sources=collect_sources(content=content),
            terms=protected_terms(content),
        )
    except Exception as error:  # noqa: BLE001 - the publication stands whatever happens here
        logger.warning("Preparing translations after publishing failed: %s", error)
        return None, f"Maschinelle Übersetzung fehlgeschlagen: {type(error).__name__}"
    translated = sum(item.translated for item in report.translated)
    logger.info("Prepared translations after publishing: %d texts translated", translated)
    return report, None
