"""Every text the assistant can show that can be translated before a chat starts.

Three places hold such texts: the responses of the Rasa domain (text and button
titles of each language variation), the localized texts of the content files,
and the catalogue of interface words (``data/texts.yml``, :mod:`bot.texts`:
labels, choices, the channels' notices, the "automatically translated"
marker). Each text is collected once with the languages in which staff wrote it
("curated"); :mod:`bot.translation.preparing` machine translates it into the
other languages.

The source of a machine translation is the English text where one exists: one
model hop from English reaches every language of the Argos index. German-only
texts go through English (two hops). Names of offices, programmes and towns
stay as they are (:func:`protected_terms`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content import Content, get_content
from bot.content.models import Field, LocalizedText
from bot.prepared import SOURCE_LANGUAGES, source_language
from bot.settings import PROJECT_ROOT
from bot.texts import get_catalogue

DOMAIN_DIR = PROJECT_ROOT / "config" / "domain"

# libyaml when PyYAML has it: the domain carries every response in every language,
# and plain-Python parsing made up most of the office's publishing time (~3 s).
_YAML_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DEFAULT_RESPONSE_LANGUAGE = "de"
"""The language of a response variation without condition (see config/domain)."""

# Names that occur in response texts but are not content entries.
GLOSSARY = (
    "Landkreis Böblingen",
    "Landratsamt Böblingen",
    "Willkommenslotse",
    "Welcome Center",
    "Koordinierungsstelle Integration",
    "Dolmetscher-Pool",
)

# Slot placeholders ({reference}) and commands or payloads in a text (/language,
# /inform{"topic": "x"}); the lookbehind keeps paths of URLs out.
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_PAYLOAD = re.compile(r"(?<![\w/.:])/[A-Za-z_]+(?:\{[^{}]*\})?")


@dataclass(frozen=True)
class SourceText:
    """One text to translate, with where it is shown and who wrote which language."""

    text: str
    language: str
    curated: frozenset[str]
    origins: tuple[str, ...]

    def is_curated(self, lang: str) -> bool:
        return lang in self.curated

    @property
    def origin(self) -> str:
        return self.origins[0]


def placeholders(text: str) -> list[str]:
    """Slot placeholders and command payloads in ``text``: they must survive translation."""
    return _PLACEHOLDER.findall(text) + _PAYLOAD.findall(text)


# --------------------------------------------------------------------------- collecting


class _Collector:
    """Merges occurrences of the same source text; curated = languages every occurrence has."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], SourceText] = {}

    def add(self, texts: Mapping[str, str], origin: str) -> None:
        code = source_language(texts)
        if code is None:
            return
        text = texts[code]
        curated = frozenset(lang for lang, value in texts.items() if value)
        key = (code, text)
        known = self._items.get(key)
        if known is None:
            self._items[key] = SourceText(text, code, curated, (origin,))
        else:
            self._items[key] = SourceText(
                text, code, known.curated & curated, (*known.origins, origin)
            )

    def items(self) -> list[SourceText]:
        return list(self._items.values())


def collect_sources(
    *, domain_dir: Path | None = None, content: Content | None = None
) -> list[SourceText]:
    """Every text the assistant can show, once each, in a stable order."""
    collector = _Collector()
    for origin, texts in _domain_texts(load_responses(domain_dir)):
        collector.add(texts, origin)
    for origin, texts in _content_texts(_content(content)):
        collector.add(texts, origin)
    for key, texts in get_catalogue().texts.items():
        collector.add(texts, f"text {key}")
    return collector.items()


def load_responses(domain_dir: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """The ``responses`` of all domain files (plain YAML: no Rasa import for a CLI run)."""
    directory = domain_dir or DOMAIN_DIR
    files = [directory] if directory.is_file() else sorted(directory.glob("*.yml"))
    responses: dict[str, list[dict[str, Any]]] = {}
    for path in files:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
        for name, variations in (document.get("responses") or {}).items():
            responses.setdefault(name, []).extend(variations or [])
    return responses


def variation_language(variation: Mapping[str, Any]) -> str | None:
    """The language of a response variation; None if it depends on other slots."""
    conditions = variation.get("condition") or []
    if not conditions:
        return DEFAULT_RESPONSE_LANGUAGE
    languages = [
        c.get("value")
        for c in conditions
        if c.get("type") == "slot" and c.get("name") == "language"
    ]
    if len(languages) == 1 and len(conditions) == 1 and isinstance(languages[0], str):
        return languages[0].casefold()
    return None


def _domain_texts(
    responses: Mapping[str, list[dict[str, Any]]],
) -> Iterator[tuple[str, dict[str, str]]]:
    for name, variations in responses.items():
        by_language: dict[str, list[Mapping[str, Any]]] = {}
        for variation in variations:
            language = variation_language(variation)
            if language is not None:
                by_language.setdefault(language, []).append(variation)
        source = next((code for code in SOURCE_LANGUAGES if code in by_language), None)
        if source is None:
            continue
        curated = set(by_language)
        # A response may have several variations per language (Rasa picks one at
        # random); each source variation is translated, its siblings count as curated.
        for index, variation in enumerate(by_language[source]):
            origin = f"response {name}" + (f" #{index + 1}" if index else "")
            text = variation.get("text")
            if text:
                yield origin, _curated_copies(str(text), source, curated)
            for button in variation.get("buttons") or []:
                title = button.get("title")
                if title:
                    yield f"{origin} button", _curated_copies(str(title), source, curated)


def _curated_copies(text: str, source: str, curated: Iterable[str]) -> dict[str, str]:
    # Only the source text matters for translating; the other languages are marked present.
    return {code: text for code in curated} | {source: text}


def _content(content: Content | None) -> Content:
    return content if content is not None else get_content()


def _content_texts(content: Content) -> Iterator[tuple[str, Mapping[str, str]]]:
    groups: list[tuple[str, Any]] = [
        ("offer", content.offers),
        ("internship field", content.internship_fields),
        ("internship", content.internships),
        ("welcome center", (content.welcome_center,)),
        ("mentoring", (content.mentoring,)),
        ("coordination office", (content.coordination_office,)),
        ("interpreter pool", (content.interpreter_pool,)),
        # The FAQ's question and answer; its examples are for matching, not shown.
        ("faq", getattr(content, "faq", ())),
    ]
    for kind, entries in groups:
        for entry in entries:
            yield from _localized_fields(entry, kind)


def _localized_fields(value: Any, where: str) -> Iterator[tuple[str, Mapping[str, str]]]:
    if isinstance(value, LocalizedText):
        yield where, value.texts
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _localized_fields(item, where)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        entry_id = getattr(value, "id", None)
        prefix = f"{where} {entry_id}" if entry_id else where
        for field in dataclasses.fields(value):
            if isinstance(value, Field) and field.name == "keywords":
                continue
            yield from _localized_fields(getattr(value, field.name), f"{prefix}: {field.name}")


# --------------------------------------------------------------------------- names


def protected_terms(content: Content | None = None) -> tuple[str, ...]:
    """Names of offices, programmes and towns: they come out of translation unchanged.

    Longest first, so "Weil der Stadt" is protected as a whole before "Weil".
    """
    content = _content(content)
    names: set[str] = set(GLOSSARY)
    for entries in (
        content.offers,
        content.internships,
        content.mentoring.find_mentor,
        content.mentoring.become_mentor,
    ):
        names.update(entry.provider for entry in entries if entry.provider)
    names.add(content.welcome_center.name)
    for organisation in (content.coordination_office, content.interpreter_pool):
        names.add(organisation.name)
        if organisation.organisation:
            names.add(organisation.organisation)
    for municipality in content.municipalities:
        names.add(municipality.name)
        names.update(municipality.districts)
    return tuple(sorted((name for name in names if name.strip()), key=lambda n: (-len(n), n)))
