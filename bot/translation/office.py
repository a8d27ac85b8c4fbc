"""Replies from the coordination office, written in German, for the user to read.

These cannot be prepared: the office writes them when it answers a request.
They are translated at that moment (cached like all runtime translations),
with the names of offices, towns, reference numbers, dates and contact details
protected, and carry the "automatically translated" marker. Where no model
route exists, the user gets the German original: no pretending.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot import DEFAULT_LANGUAGE

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OfficeReply:
    text: str
    language: str
    machine_translated: bool


def _protected_names() -> list[str]:
    from bot.translation.sources import protected_terms

    try:
        return list(protected_terms())
    except Exception:  # noqa: BLE001 - broken content is reported by `welcome content check`
        return []


def reply_for_user(text_de: str, language: str | None, translator=None) -> OfficeReply:
    """``text_de`` in the user's ``language``, or in German when that is impossible."""
    from bot.translation import get_translator
    from bot.translation.availability import argos_code
    from bot.translation.prepared import with_marker

    if not language or language == DEFAULT_LANGUAGE or not text_de.strip():
        return OfficeReply(text_de, DEFAULT_LANGUAGE, False)
    translator = translator or get_translator()
    target = argos_code(language) or language
    if not translator.can_translate(DEFAULT_LANGUAGE, target):
        return OfficeReply(text_de, DEFAULT_LANGUAGE, False)
    try:
        translated = translator.translate(
            text_de, DEFAULT_LANGUAGE, target, protected=_protected_names()
        )
    except Exception:  # noqa: BLE001 - the office's words reach the user either way
        logger.exception("Translating an office reply into %s failed", language)
        return OfficeReply(text_de, DEFAULT_LANGUAGE, False)
    return OfficeReply(with_marker(translated, language), language, True)
