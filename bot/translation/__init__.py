"""Offline machine translation (Argos Translate models run with CTranslate2).

``from bot.translation import get_translator`` is cheap: nothing is imported
from argostranslate or CTranslate2 and no model is loaded until the first
translation.
"""

from bot.translation.engine import (
    TranslationUnavailable,
    Translator,
    get_translator,
    reset_translator,
)
from bot.translation.protect import Masked, protect

__all__ = [
    "Masked",
    "TranslationUnavailable",
    "Translator",
    "get_translator",
    "protect",
    "reset_translator",
]
