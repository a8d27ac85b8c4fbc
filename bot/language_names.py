"""Names of languages: from what users type to codes, and from codes to names.

Typed names ("Arabisch", "عربي", "курдська") come from the same lookup table
the NLU uses (``data/nlu/entities/languages.yml``), so staff extend one list.
Display names come from Babel's CLDR data, in the user's language.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.answers import strip_accents
from bot.settings import PROJECT_ROOT

LANGUAGE_LOOKUP_FILE = PROJECT_ROOT / "data" / "nlu" / "entities" / "languages.yml"

# Codes without their own CLDR entry, shown through a close locale.
_CLDR_ALIASES = {"prs": "fa_AF", "kmr": "ku", "ckb": "ckb"}


@lru_cache(maxsize=4)
def _typed_names(path: Path = LANGUAGE_LOOKUP_FILE) -> dict[str, str]:
    names: dict[str, str] = {}
    if not path.exists():
        return names
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for item in document.get("nlu", []):
        if "synonym" in item:
            code = str(item["synonym"])
            names[strip_accents(code)] = code
            for example in _examples(item.get("examples", "")):
                names.setdefault(strip_accents(example), code)
    return names


def _examples(block: str) -> list[str]:
    return [
        line.strip()[2:].strip() for line in str(block).splitlines() if line.strip()[:2] == "- "
    ]


def language_code_from_text(text: str | None) -> str | None:
    """The language code for a typed language name, or ``None`` if unknown."""
    if not text:
        return None
    key = strip_accents(text.strip().strip(".!?،؟"))
    names = _typed_names()
    if key in names:
        return names[key]
    # "auf Arabisch bitte", "Arabic language": look at each word too.
    for word in key.replace(",", " ").split():
        if word in names:
            return names[word]
    return None


def display_name(code: str | None, ui_language: str) -> str:
    """``code`` as a name in ``ui_language`` ("ar" in German: "Arabisch")."""
    if not code:
        return ""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(ui_language)
    except (ValueError, UnknownLocaleError):
        locale = Locale.parse("de")
    name = locale.languages.get(_CLDR_ALIASES.get(code, code))
    if name and code == "kmr":
        name = f"{name} (Kurmancî)"
    return name or code


def is_language_code(code: str | None) -> bool:
    """Whether ``code`` is a language code we can name (ISO 639-1 or -3, as stored).

    The assistant's own codes (``prs``, ``kmr``, ``ti``, ...) and every language
    CLDR knows; the pool lists languages no machine translates, so the test is
    "a language", not "a language we translate".
    """
    if not code or code != code.strip().lower() or not 2 <= len(code) <= 3:
        return False
    if code in _CLDR_ALIASES or code in set(_typed_names().values()):
        return True
    from babel import Locale

    return code in Locale.parse("en").languages
