"""Typed, read-only objects built from the staff-maintained content files.

Everything here is plain data: the loader (:mod:`bot.content.loader`) builds it
after validation, the dialogue reads it, :mod:`bot.content.render` turns it into
chat text. Texts are :class:`LocalizedText`: the text staff wrote in the user's
language, else its machine translation prepared at build time, else English,
else German (:func:`bot.texts.localized`, the one fallback chain).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.texts import localized
from bot.vocabulary import OFFER_TOPICS

TOPICS = OFFER_TOPICS
"""Topics of offers (the ``topic`` entity values)."""

REQUIRED_LANGUAGES = ("de", "en")
"""Languages every localized text must have."""


@dataclass(frozen=True)
class ContentIssue:
    """One problem in the content files, precise enough for staff to fix it."""

    file: str
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.entry is not None:
            where.append(f"entry '{self.entry}'")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        prefix = f"{self.file}: {' '.join(where)}" if where else self.file
        return f"{prefix}: {self.message}"


class ContentError(Exception):
    """The content files have problems; ``issues`` lists all of them."""

    def __init__(self, issues: list[ContentIssue]):
        self.issues = list(issues)
        count = len(self.issues)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the content files:"]
        lines += [f"  {issue}" for issue in self.issues]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class LocalizedText:
    """A text in several languages (language code -> text)."""

    texts: Mapping[str, str]

    def get(self, lang: str | None) -> str:
        """The text in ``lang``: curated, else prepared machine translation, else en, de."""
        return localized(self.texts, lang)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.texts)

    def __str__(self) -> str:
        return self.get("de")


@dataclass(frozen=True)
class Contact:
    """How to reach an organisation; every part is optional."""

    phone: str | None = None
    email: str | None = None
    website: str | None = None
    address: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.phone or self.email or self.website or self.address)


@dataclass(frozen=True)
class _Area:
    """Where something is available: the whole county or some municipalities."""

    county_wide: bool
    municipalities: tuple[str, ...]

    def serves(self, municipality: str | None) -> bool:
        """True if available in ``municipality`` (canonical name); None = anywhere."""
        return municipality is None or self.county_wide or municipality in self.municipalities


@dataclass(frozen=True)
class Offer:
    """An offer for newcomers (course, counselling, general support)."""

    id: str
    topics: tuple[str, ...]
    title: LocalizedText
    summary: LocalizedText
    provider: str
    county_wide: bool
    municipalities: tuple[str, ...]
    contact: Contact
    verified: bool
    notes: str | None = None

    def serves(self, municipality: str | None) -> bool:
        return _Area(self.county_wide, self.municipalities).serves(municipality)


@dataclass(frozen=True)
class Field:
    """A field of work young people can choose for an internship."""

    id: str
    labels: LocalizedText
    keywords: Mapping[str, tuple[str, ...]]

    def label(self, lang: str | None) -> str:
        return self.labels.get(lang)


@dataclass(frozen=True)
class Internship:
    """An internship or project for young people."""

    id: str
    title: LocalizedText
    summary: LocalizedText
    fields: tuple[Field, ...]
    all_fields: bool
    min_age: int | None
    max_age: int | None
    county_wide: bool
    municipalities: tuple[str, ...]
    contact: Contact
    verified: bool
    provider: str | None = None
    notes: str | None = None

    @property
    def field_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.fields)

    def fits_age(self, age: int | None) -> bool:
        if age is None:
            return True
        if self.min_age is not None and age < self.min_age:
            return False
        return not (self.max_age is not None and age > self.max_age)

    def has_field(self, field_id: str | None) -> bool:
        return field_id is None or self.all_fields or field_id in self.field_ids

    def serves(self, municipality: str | None) -> bool:
        return _Area(self.county_wide, self.municipalities).serves(municipality)


@dataclass(frozen=True)
class Service:
    """One thing the Welcome Center does (a bullet in the chat)."""

    id: str
    text: LocalizedText


@dataclass(frozen=True)
class WelcomeCenter:
    id: str
    name: str
    summary: LocalizedText
    services: tuple[Service, ...]
    contact: Contact
    verified: bool
    notes: str | None = None


@dataclass(frozen=True)
class MentoringEntry:
    """A way to find a mentor or to become one."""

    id: str
    title: LocalizedText
    summary: LocalizedText
    provider: str
    county_wide: bool
    municipalities: tuple[str, ...]
    contact: Contact
    verified: bool
    notes: str | None = None

    def serves(self, municipality: str | None) -> bool:
        return _Area(self.county_wide, self.municipalities).serves(municipality)


@dataclass(frozen=True)
class Mentoring:
    explanation: LocalizedText
    find_mentor: tuple[MentoringEntry, ...]
    become_mentor: tuple[MentoringEntry, ...]


@dataclass(frozen=True)
class Guideline:
    """One guideline of the interpreter pool (neutral role, confidentiality, ...)."""

    id: str
    title: LocalizedText
    text: LocalizedText


@dataclass(frozen=True)
class Organisation:
    """A contact point such as the coordination office."""

    id: str
    name: str
    organisation: str | None
    summary: LocalizedText
    contact: Contact
    verified: bool
    notes: str | None = None


@dataclass(frozen=True)
class InterpreterPool(Organisation):
    guidelines: tuple[Guideline, ...] = ()


@dataclass(frozen=True)
class Municipality:
    name: str
    aliases: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewStatus:
    """Which languages of a file still wait for a native speaker's review."""

    pending: tuple[str, ...] = ()
    reviewed: tuple[str, ...] = ()
    used: tuple[str, ...] = ()
