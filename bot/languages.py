"""The catalogue of languages the assistant knows (``data/languages.yml``).

Every language a user may write or choose: the natively trained ones, those
an Argos model can translate through English, and those without any model,
for which the assistant offers a second language and an interpreter. The
catalogue says what *exists*; which models are installed is checked at run
time (``bot.translation.availability``).

The file is checked completely on load: a mistake names the file, the
language and the field, instead of surfacing later as a ``KeyError`` in a
conversation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot import LANGUAGES
from bot.settings import PROJECT_ROOT

CATALOGUE_FILE = PROJECT_ROOT / "data" / "languages.yml"

_CODE = re.compile(r"^[a-z]{2,3}$")
_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_REQUIRED = {
    "code": str,
    "english_name": str,
    "german_name": str,
    "native_name": str,
    "native_nlu": bool,
    "argos_code": (str, type(None)),
    "rtl": bool,
    "second_choices": list,
}
_OPTIONAL = {"hints": list}


class LanguageCatalogueError(ValueError):
    """``data/languages.yml`` is missing, unreadable or has a wrong entry."""


@dataclass(frozen=True)
class LanguageInfo:
    """One language of the catalogue.

    Attributes:
        code: our code ("ro", "prs" for Dari, "ckb" for Sorani, ...).
        english_name, german_name, native_name: the language's names.
        native_nlu: the NLU is trained on it (one of ``bot.LANGUAGES``).
        argos_code: the Argos model's code for it, ``None`` when no model exists.
        rtl: written right to left.
        second_choices: languages offered when it cannot be served, best first.
        hints: client language tags meaning this language ("fa-af" for Dari).
    """

    code: str
    english_name: str
    german_name: str
    native_name: str
    native_nlu: bool
    argos_code: str | None
    rtl: bool
    second_choices: tuple[str, ...]
    hints: tuple[str, ...] = ()


def _fail(path: Path, where: str, problem: str) -> LanguageCatalogueError:
    return LanguageCatalogueError(f"{path}: {where}: {problem}")


def _check_entry(path: Path, index: int, entry: object) -> LanguageInfo:
    where = f"languages[{index}]"
    if not isinstance(entry, dict):
        raise _fail(path, where, "each language must be a mapping of fields")
    if isinstance(entry.get("code"), str):
        where = f"language {entry['code']!r}"
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise _fail(path, where, f"unknown field {unknown[0]!r}")
    for field, kind in _REQUIRED.items():
        if field not in entry:
            raise _fail(path, where, f"field {field!r} is missing")
        if not isinstance(entry[field], kind):
            raise _fail(path, where, f"field {field!r} has the wrong type ({entry[field]!r})")
    for field in ("english_name", "german_name", "native_name"):
        if not entry[field].strip():
            raise _fail(path, where, f"field {field!r} is empty")
    code = entry["code"]
    if not _CODE.match(code):
        raise _fail(path, where, "field 'code' must be 2-3 lower-case letters (ISO 639)")
    if entry["argos_code"] is not None and not _CODE.match(entry["argos_code"]):
        raise _fail(path, where, "field 'argos_code' must be 2-3 lower-case letters or null")
    choices = entry["second_choices"]
    if not all(isinstance(choice, str) for choice in choices):
        raise _fail(path, where, "field 'second_choices' must list language codes")
    if code in choices:
        raise _fail(path, where, "field 'second_choices' must not contain the language itself")
    hints = [str(hint).lower().replace("_", "-") for hint in entry.get("hints") or []]
    for hint in hints:
        if not _TAG.match(hint):
            raise _fail(path, where, f"field 'hints' has a malformed language tag {hint!r}")
    return LanguageInfo(
        code=code,
        english_name=entry["english_name"].strip(),
        german_name=entry["german_name"].strip(),
        native_name=entry["native_name"].strip(),
        native_nlu=entry["native_nlu"],
        argos_code=entry["argos_code"],
        rtl=entry["rtl"],
        second_choices=tuple(choices),
        hints=tuple(hints),
    )


def load_languages(path: Path = CATALOGUE_FILE) -> dict[str, LanguageInfo]:
    """Read and check a catalogue file (code -> info, in the file's order).

    Raises:
        LanguageCatalogueError: naming the file, the language and the field at fault.
    """
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise LanguageCatalogueError(f"{path}: cannot be read ({error})") from error
    except yaml.YAMLError as error:
        raise LanguageCatalogueError(f"{path}: is not valid YAML ({error})") from error
    if not isinstance(document, dict) or not isinstance(document.get("languages"), list):
        raise _fail(path, "top level", "needs a list under 'languages'")

    catalogue: dict[str, LanguageInfo] = {}
    for index, entry in enumerate(document["languages"]):
        info = _check_entry(path, index, entry)
        if info.code in catalogue:
            raise _fail(path, f"language {info.code!r}", "is listed twice")
        catalogue[info.code] = info

    hint_owner: dict[str, str] = {}
    for info in catalogue.values():
        where = f"language {info.code!r}"
        for choice in info.second_choices:
            if choice not in catalogue:
                raise _fail(path, where, f"second choice {choice!r} is not in the catalogue")
        if info.native_nlu != (info.code in LANGUAGES):
            expected = "true" if info.code in LANGUAGES else "false"
            raise _fail(
                path,
                where,
                f"field 'native_nlu' must be {expected}: the NLU is trained on "
                f"{', '.join(LANGUAGES)} (bot.LANGUAGES)",
            )
        for hint in info.hints:
            if hint in hint_owner:
                raise _fail(path, where, f"hint {hint!r} already belongs to {hint_owner[hint]!r}")
            hint_owner[hint] = info.code
    missing = [code for code in LANGUAGES if code not in catalogue]
    if missing:
        raise _fail(path, "languages", f"native language {missing[0]!r} is missing")
    return catalogue


@lru_cache(maxsize=1)
def get_languages() -> dict[str, LanguageInfo]:
    """The catalogue, read once per process (code -> info, natives first)."""
    return load_languages()


def language_info(code: str | None) -> LanguageInfo | None:
    """The catalogue entry for ``code``, or ``None`` for an unknown code."""
    return get_languages().get(code) if code else None


def argos_code(code: str | None) -> str | None:
    """The code of the Argos models for one of our language codes.

    The catalogue's ``argos_code`` (``None``: no model exists, e.g. Dari or
    Tigrinya); a code outside the catalogue is taken as an Argos code itself
    (models someone installed for a language the catalogue does not list yet).
    """
    if not code:
        return None
    info = language_info(code)
    return info.argos_code if info is not None else code


def languages_for_tag(
    tag: str | None, catalogue: dict[str, LanguageInfo] | None = None
) -> tuple[str, ...]:
    """Catalogue languages a client's language tag may mean, best first.

    ``tag`` is what a client reports: Telegram's ``language_code`` ("ro"),
    a browser language ("ro-RO", "de-DE,de;q=0.9"). A tag listed as a hint
    comes first ("fa-AF" -> Dari, then Persian); then the language whose code
    is the tag's first part ("ro-RO" -> Romanian).
    """
    catalogue = get_languages() if catalogue is None else catalogue
    first = (tag or "").split(",")[0].split(";")[0].strip().lower().replace("_", "-")
    if not first:
        return ()
    parts = first.split("-")
    found: list[str] = []
    # "zh-hant-tw" tries "zh-hant-tw", "zh-hant", then "zh".
    for length in range(len(parts), 0, -1):
        prefix = "-".join(parts[:length])
        for info in catalogue.values():
            if prefix in info.hints and info.code not in found:
                found.append(info.code)
        if length == 1 and prefix in catalogue and prefix not in found:
            found.append(prefix)
    return tuple(found)


def language_for_tag(tag: str | None, among: Iterable[str] | None = None) -> str | None:
    """The best catalogue language for a client's tag, optionally among ``among`` only."""
    allowed = None if among is None else set(among)
    for code in languages_for_tag(tag):
        if allowed is None or code in allowed:
            return code
    return None
