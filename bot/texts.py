"""Interface words: one catalogue, one lookup, one fallback chain.

The short texts the assistant composes into its messages (summary labels,
choices, the labels of content cards, the channels' own notices, the
"automatically translated" marker) and the words it understands in typed
answers live in ``data/texts.yml``; nothing else in the code holds texts for
newcomers besides the Rasa domain and the staff's content files.

Every text a newcomer reads in a language, whatever its source, is chosen by
:func:`localized`: the text written (curated) in that language, else its
machine translation prepared by ``welcome content translate`` (which adds the
"automatically translated" marker to the message), else English, else German.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.prepared import get_prepared, source_text
from bot.settings import PROJECT_ROOT

CATALOGUE_FILE = PROJECT_ROOT / "data" / "texts.yml"

SOURCE_LANGUAGES = ("de", "en")
"""Every text is written in these; other languages are optional."""

FALLBACK_LANGUAGES = ("en", "de")
"""Tried in this order when a text is neither curated nor prepared in a language."""

MARKER_SIGN = "🌐"
MARKER_KEY = "marker.machine_translated"

_PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class CatalogueError(ValueError):
    """``data/texts.yml`` is unreadable or has a wrong entry; the message names it."""


@dataclass(frozen=True)
class Catalogue:
    """The interface words of ``data/texts.yml``, checked."""

    texts: Mapping[str, Mapping[str, str]]
    understood: Mapping[str, Mapping[str, tuple[str, ...]]]
    pending_review: tuple[str, ...] = ()
    reviewed: tuple[str, ...] = ()
    path: Path = field(default=CATALOGUE_FILE, compare=False)

    def group(self, prefix: str) -> dict[str, Mapping[str, str]]:
        """The texts whose key starts with ``prefix.``, by the rest of the key."""
        start = prefix + "."
        return {
            key[len(start) :]: texts for key, texts in self.texts.items() if key.startswith(start)
        }

    def words(self, key: str) -> tuple[str, ...]:
        """The words understood for ``key``, in every language (lower case, no duplicates)."""
        by_language = self.understood.get(key, {})
        return tuple(dict.fromkeys(word for words in by_language.values() for word in words))


def _fail(path: Path, where: str, problem: str) -> CatalogueError:
    return CatalogueError(f"{path}: {where}: {problem}")


def _check_texts(path: Path, key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        raise _fail(path, f"text {key!r}", "needs a text per language (de: ..., en: ...)")
    texts = {}
    for language, text in value.items():
        if not isinstance(language, str) or not _LANGUAGE_CODE.match(language):
            raise _fail(path, f"text {key!r}", f"{language!r} is not a language code")
        if not isinstance(text, str) or not text.strip():
            raise _fail(path, f"text {key!r}.{language}", "is empty")
        texts[language] = text
    for language in SOURCE_LANGUAGES:
        if language not in texts:
            raise _fail(path, f"text {key!r}", f"the {language!r} text is missing")
    expected = sorted(_PLACEHOLDER.findall(texts["de"]))
    for language, text in texts.items():
        if sorted(_PLACEHOLDER.findall(text)) != expected:
            raise _fail(
                path,
                f"text {key!r}.{language}",
                f"must have the placeholders of the German text ({', '.join(expected) or 'none'})",
            )
    return texts


def _check_words(path: Path, key: str, value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict) or not value:
        raise _fail(path, f"understood {key!r}", "needs a list of words per language")
    words = {}
    for language, items in value.items():
        if not isinstance(language, str) or not _LANGUAGE_CODE.match(language):
            raise _fail(path, f"understood {key!r}", f"{language!r} is not a language code")
        if not isinstance(items, list) or not all(isinstance(w, str) and w.strip() for w in items):
            raise _fail(path, f"understood {key!r}.{language}", "must be a list of words")
        if any(word != word.casefold().strip() for word in items):
            raise _fail(path, f"understood {key!r}.{language}", "words must be lower case")
        words[language] = tuple(items)
    return words


def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    """Read and check a catalogue file.

    Raises:
        CatalogueError: naming the file, the entry and what is wrong with it.
    """
    path = Path(path)
    try:
        # libyaml when PyYAML has it: ~20 times faster (the office reads this when publishing).
        document = yaml.load(
            path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    except OSError as error:
        raise CatalogueError(f"{path}: cannot be read ({error})") from error
    except yaml.YAMLError as error:
        raise CatalogueError(f"{path}: is not valid YAML ({error})") from error
    if not isinstance(document, dict) or not isinstance(document.get("texts"), dict):
        raise _fail(path, "top level", "needs a mapping under 'texts'")
    texts = {
        str(key): _check_texts(path, str(key), value) for key, value in document["texts"].items()
    }
    understood = {
        str(key): _check_words(path, str(key), value)
        for key, value in (document.get("understood") or {}).items()
    }
    review = document.get("review") or {}
    pending = tuple(review.get("pending") or ())
    reviewed = tuple(review.get("reviewed") or ())
    used = {language for entry in texts.values() for language in entry} - set(SOURCE_LANGUAGES)
    unmarked = sorted(used - set(pending) - set(reviewed))
    if unmarked:
        raise _fail(
            path,
            "review",
            f"texts in {', '.join(unmarked)} are neither 'pending' nor 'reviewed'",
        )
    if MARKER_KEY not in texts:
        raise _fail(path, "texts", f"{MARKER_KEY!r} is missing")
    return Catalogue(texts, understood, pending, reviewed, path)


@lru_cache(maxsize=1)
def get_catalogue() -> Catalogue:
    """The catalogue, read once per process."""
    return load_catalogue()


# --------------------------------------------------------------------------- the one chain


@dataclass
class MachineTranslationRecord:
    """Set by :func:`localized` while :func:`recording_machine_translation` runs."""

    used: bool = False


_record: ContextVar[MachineTranslationRecord | None] = ContextVar(
    "machine_translation_record", default=None
)


@contextmanager
def recording_machine_translation() -> Iterator[MachineTranslationRecord]:
    """Notes whether any prepared machine translation was served inside the ``with`` block."""
    record = MachineTranslationRecord()
    token = _record.set(record)
    try:
        yield record
    finally:
        _record.reset(token)


def localized(texts: Mapping[str, str], language: str | None) -> str:
    """``texts`` in ``language``: curated, else prepared machine translation, else en, else de.

    A machine translation served here is noted for :func:`render_marked`,
    which puts the marker under the message it ends up in.
    """
    if language and texts.get(language):
        return texts[language]
    if language:
        source = source_text(texts)
        translation = get_prepared().lookup(source, language) if source else None
        if translation is not None:
            record = _record.get()
            if record is not None:
                record.used = True
            return translation
    for code in FALLBACK_LANGUAGES:
        if texts.get(code):
            return texts[code]
    return next(iter(texts.values()), "")


def text(key: str, language: str | None, **values: Any) -> str:
    """The catalogue text ``key`` in ``language``, placeholders filled with ``values``.

    Raises:
        KeyError: no such text (a programming error: every key is in data/texts.yml).
    """
    wording = localized(get_catalogue().texts[key], language)
    return wording.format(**values) if values else wording


def words(key: str) -> tuple[str, ...]:
    """The words understood for ``key`` in any language (see ``understood`` in data/texts.yml)."""
    return get_catalogue().words(key)


# --------------------------------------------------------------------------- the marker


def machine_translation_marker(language: str) -> str:
    """ "Automatically translated" in ``language`` (curated, prepared, else English)."""
    with recording_machine_translation():  # the marker itself does not need a marker
        return text(MARKER_KEY, language)


def with_marker(message: str, language: str) -> str:
    """``message`` with the marker on its own last line (added once)."""
    line = f"{MARKER_SIGN} {machine_translation_marker(language)}"
    if message.rstrip().endswith(line):
        return message
    return f"{message}\n{line}" if message else line


def render_marked(language: str, render: Callable[..., str], *args: Any, **kwargs: Any) -> str:
    """``render(*args, **kwargs)``, with the marker if it served any machine translation.

    A message that is curated in ``language`` throughout carries no marker,
    even in a language the NLU was not trained on.
    """
    with recording_machine_translation() as record:
        message = render(*args, **kwargs)
    return with_marker(message, language) if record.used else message


def marked_text(key: str, language: str | None, **values: Any) -> str:
    """A catalogue text sent on its own (a channel's notice), with the marker if translated."""
    return render_marked(language or "de", text, key, language, **values)


# --------------------------------------------------------------------------- summary


def label(key: str, language: str | None) -> str:
    """A summary label ("Datum"); an unknown key shows as itself."""
    texts = get_catalogue().texts.get(f"summary.{key}")
    return localized(texts, language) if texts else key


def choice_texts(kind: str) -> dict[str, Mapping[str, str]]:
    """The button choices of ``kind`` (value -> texts), e.g. the kinds of appointment."""
    return get_catalogue().group(f"choice.{kind}")


def choice_label(kind: str, value: str | None, language: str | None) -> str:
    """How the summary names a choice ("Arzt oder Krankenhaus"); unknown values as written."""
    if value is None:
        return label("none", language)
    texts = choice_texts(kind).get(value)
    return localized(texts, language) if texts else value


# --------------------------------------------------------------------------- answers


def _word_matches(keyword: str, typed: list[str]) -> bool:
    """A keyword matches a word that is it, ends with it, or (if long) contains it.

    "Kinderarzt" ends with "arzt", Arabic "بالهاتف" contains "هاتف"; a short
    keyword like "amt" still never matches inside "zusammen".
    """
    return any(
        word == keyword
        or (len(keyword) >= 3 and word.endswith(keyword))
        or (len(keyword) >= 4 and keyword in word)
        for word in typed
    )


def match_choice(kind: str, text: str | None) -> str | None:
    """The choice id a typed answer means (``"Arzt"`` -> ``"health"``), if any."""
    if not text:
        return None
    lowered = text.casefold().strip(" .!?،؟")
    choices = choice_texts(kind)
    if lowered in choices:
        return lowered
    # A button label typed back, in any language.
    for value, labels in choices.items():
        if lowered in (label_text.casefold() for label_text in labels.values()):
            return value
    typed = re.findall(r"[^\W_]+", lowered)
    phrase = " ".join(typed)
    for value in choices:
        for keyword in words(f"choice.{kind}.{value}"):
            if " " in keyword:
                if keyword in phrase:
                    return value
            elif _word_matches(keyword, typed):
                return value
    return None


def means_chat(text: str | None) -> bool:
    """Whether a typed contact answer asks for the reply here in the chat."""
    if not text:
        return False
    lowered = text.casefold().strip(" .!?")
    if lowered in (entry.casefold() for entry in get_catalogue().texts["summary.chat"].values()):
        return True
    typed = re.findall(r"[^\W_]+", lowered)
    return len(typed) <= 5 and any(word in words("chat") for word in typed)
