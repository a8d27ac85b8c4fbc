"""Which languages the assistant can serve right now.

Native languages (the NLU is trained on them) are always served. Any other
language of the catalogue is served when models in both directions between it
and English are installed: one to understand the user, one for the answers.
Languages without such models are known, but not served: the user is offered
a second language and an interpreter instead.
"""

from __future__ import annotations

import threading

from bot import LANGUAGES
from bot.languages import argos_code, get_languages, language_info
from bot.settings import get_settings
from bot.translation.engine import Translator, get_translator
from bot.translation.packages import PIVOT_LANGUAGE

_lock = threading.Lock()
_seen_packages_state: object = None


def _fresh_translator() -> Translator:
    """The process's translator, re-scanned when models were installed or removed.

    ``welcome languages install`` runs in another process; a changed package
    folder (its modification time) makes a running server see the new models.
    """
    global _seen_packages_state
    translator = get_translator()
    packages_dir = get_settings().packages_dir
    try:
        state = packages_dir.stat().st_mtime_ns
    except FileNotFoundError:
        state = None
    with _lock:
        if state != _seen_packages_state:
            translator.refresh()
            _seen_packages_state = state
    return translator


def can_understand(code: str | None) -> bool:
    """Whether messages in ``code`` can be read (natively or translated to English)."""
    if code in LANGUAGES:
        return True
    model_code = argos_code(code) if language_info(code) else None
    return bool(model_code) and _fresh_translator().can_translate(model_code, PIVOT_LANGUAGE)


def can_serve(code: str | None) -> bool:
    """Whether the assistant can hold a conversation in ``code``."""
    if code in LANGUAGES:
        return True
    model_code = argos_code(code) if language_info(code) else None
    if not model_code:
        return False
    translator = _fresh_translator()
    return translator.can_translate(model_code, PIVOT_LANGUAGE) and translator.can_translate(
        PIVOT_LANGUAGE, model_code
    )


def served_languages() -> tuple[str, ...]:
    """Native languages first, then the other catalogue languages with models."""
    others = tuple(code for code in get_languages() if code not in LANGUAGES and can_serve(code))
    return LANGUAGES + others
