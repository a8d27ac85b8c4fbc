"""Translation while someone chats: the one way every caller translates at run time.

Answers are never translated while a newcomer waits (they are prepared at
build time, :mod:`bot.translation.preparing`). Three things cannot be:

* :func:`to_english`: a message in a language the NLU was not trained on,
  read in English by the NLU (:mod:`bot.nlu.translation`);
* :func:`to_german`: what a newcomer wrote, for the coordination office, which
  reads German (the user's own words stay the record next to it);
* :func:`from_german`: what the coordination office writes back.

All three map our language codes to the models' (:func:`bot.languages.argos_code`),
keep the same names untouched (offices, programmes and towns of the content,
besides URLs, phone numbers, e-mail addresses, dates and reference numbers,
which the engine always protects), and follow one failure policy: a missing
model or a failing one never breaks the chat or loses a request. The caller
gets ``None`` (or the German original, for the office's replies), and the log
says which language failed, never the text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.content import get_content
from bot.languages import argos_code
from bot.texts import with_marker
from bot.translation.engine import Translator, get_translator
from bot.translation.packages import PIVOT_LANGUAGE, STAFF_LANGUAGE
from bot.translation.sources import protected_terms

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OfficeReply:
    """What the newcomer reads of a reply the office wrote in German."""

    text: str
    language: str
    machine_translated: bool


def names() -> tuple[str, ...]:
    """Names that come out of every translation unchanged (the content's and the glossary's)."""
    try:
        return protected_terms(get_content())
    except Exception:  # noqa: BLE001 - broken content is reported by `welcome content check`
        return ()


def _translate(
    texts: Sequence[str], source: str, target: str, translator: Translator | None
) -> list[str] | None:
    translator = translator or get_translator()
    source, target = argos_code(source) or source, argos_code(target) or target
    if not translator.can_translate(source, target):
        return None
    try:
        return translator.translate_many(list(texts), source, target, protected=names())
    except Exception:  # noqa: BLE001 - a broken model must not break the chat
        logger.exception("Translating from %s to %s failed", source, target)
        return None


def to_english(text: str, language: str, translator: Translator | None = None) -> str | None:
    """A newcomer's message in English, for the NLU; ``None`` when no model can."""
    translated = _translate([text], language, PIVOT_LANGUAGE, translator)
    return translated[0] if translated else None


def to_german(
    texts: Sequence[str], language: str, translator: Translator | None = None
) -> list[str] | None:
    """What a newcomer wrote, in German for the office; ``None`` when no model can."""
    if not texts:
        return []
    return _translate(texts, language, STAFF_LANGUAGE, translator)


def from_german(
    text_de: str, language: str | None, translator: Translator | None = None
) -> OfficeReply:
    """A reply the office wrote in German, in the newcomer's ``language``.

    Machine translated replies carry the "automatically translated" marker.
    Without a model (or when translating fails) the newcomer gets the German
    original: no pretending.
    """
    if not language or language == STAFF_LANGUAGE or not text_de.strip():
        return OfficeReply(text_de, STAFF_LANGUAGE, False)
    translated = _translate([text_de], STAFF_LANGUAGE, language, translator)
    if translated is None:
        return OfficeReply(text_de, STAFF_LANGUAGE, False)
    return OfficeReply(with_marker(translated[0], language), language, True)
