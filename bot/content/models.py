"""Typed, read-only objects built from the staff-maintained content files: the one schema.

Everything here is plain data: the loader (:mod:`bot.content.loader`) builds it
after validation, the dialogue reads it, :mod:`bot.content.render` turns it into
chat text. Each entry's fields say how they are written in YAML
(:func:`entry_field`: the key, the check the loader applies, whether staff must
fill it in); the loader derives its validation from these declarations and
nothing else. Texts are :class:`LocalizedText`: the text staff wrote in the user's
language, else its machine translation prepared at build time, else English,
else German (:func:`bot.texts.localized`, the one fallback chain).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field
from typing import Any

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
    #: What kind of problem (``invalid_email``, ``missing_text``, ...) and its details
    #: (``(("value", "kurs at bamf"),)``): the office shows the message in German
    #: (:mod:`bot.office.content_messages`); ``message`` stays English for the CLI.
    code: str = dataclass_field(default="", compare=False)
    params: tuple[tuple[str, str], ...] = dataclass_field(default=(), compare=False)

    def param(self, name: str, default: str = "") -> str:
        return dict(self.params).get(name, default)

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


def entry_field(
    check: str,
    *,
    required: bool = False,
    key: str | None = None,
    default: Any = None,
    of: type | None = None,
    nested: bool = True,
) -> Any:
    """A field of a content entry as staff write it in YAML.

    Args:
        check: the loader's check of the value (a method of its checker:
            ``slug``, ``text``, ``localized``, ``contact``, ``municipalities``,
            ..., or ``entries`` for a list of entries of class ``of``).
        required: staff must fill it in.
        key: its YAML key, when it differs from the attribute's name.
        default: the value when it is not given (or the file has errors).
        of: with ``check="entries"``: the class of the listed entries.
        nested: with ``check="entries"``: errors name the entry that holds the
            list (``services[job-search]``) rather than the listed entry's id.
    """
    metadata = {"check": check, "required": required, "key": key, "of": of, "nested": nested}
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple or an immutable default")
    return field(default=default, metadata=metadata)


EMPTY_TEXT = LocalizedText({"de": "", "en": ""})


@dataclass(frozen=True)
class Contact:
    """How to reach an organisation; every part is optional."""

    phone: str | None = entry_field("phone")
    email: str | None = entry_field("email")
    website: str | None = entry_field("url")
    address: str | None = entry_field("text")


@dataclass(frozen=True)
class Area:
    """Where something is available: the whole county, or some municipalities."""

    county_wide: bool = False
    municipalities: tuple[str, ...] = ()

    def serves(self, municipality: str | None) -> bool:
        """True if available in ``municipality`` (canonical name); None = anywhere."""
        return municipality is None or self.county_wide or municipality in self.municipalities


class _Placed:
    """Entries available in an :class:`Area` (attribute ``area``)."""

    area: Area

    @property
    def county_wide(self) -> bool:
        return self.area.county_wide

    @property
    def municipalities(self) -> tuple[str, ...]:
        return self.area.municipalities

    def serves(self, municipality: str | None) -> bool:
        return self.area.serves(municipality)


@dataclass(frozen=True, kw_only=True)
class Listing(_Placed):
    """Something offered somewhere in the county, by someone, with a contact."""

    id: str = entry_field("slug", required=True, default="")
    title: LocalizedText = entry_field("localized", required=True, default=EMPTY_TEXT)
    summary: LocalizedText = entry_field("localized", required=True, default=EMPTY_TEXT)
    provider: str = entry_field("text", required=True, default="")
    area: Area = entry_field("municipalities", required=True, key="municipalities", default=Area())
    contact: Contact = entry_field("contact", default=Contact())
    verified: bool = entry_field("boolean", required=True, default=False)
    notes: str | None = entry_field("text")


@dataclass(frozen=True, kw_only=True)
class Offer(Listing):
    """An offer for newcomers (course, counselling, general support)."""

    topics: tuple[str, ...] = entry_field("topics", required=True, default=())


@dataclass(frozen=True, kw_only=True)
class MentoringEntry(Listing):
    """A way to find a mentor or to become one."""


@dataclass(frozen=True, kw_only=True)
class Field:
    """A field of work young people can choose for an internship."""

    id: str = entry_field("slug", required=True, default="")
    labels: LocalizedText = entry_field("localized", required=True, key="label", default=EMPTY_TEXT)
    keywords: Mapping[str, tuple[str, ...]] = entry_field("keywords", required=True, default=None)

    def label(self, lang: str | None) -> str:
        return self.labels.get(lang)


@dataclass(frozen=True)
class FieldChoice:
    """The fields an internship is for: some, or all of them."""

    all_fields: bool = False
    fields: tuple[Field, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Internship(_Placed):
    """An internship or project for young people."""

    id: str = entry_field("slug", required=True, default="")
    title: LocalizedText = entry_field("localized", required=True, default=EMPTY_TEXT)
    summary: LocalizedText = entry_field("localized", required=True, default=EMPTY_TEXT)
    provider: str | None = entry_field("text")
    field_choice: FieldChoice = entry_field(
        "field_refs", required=True, key="fields", default=FieldChoice()
    )
    min_age: int | None = entry_field("age")
    max_age: int | None = entry_field("age")
    area: Area = entry_field("municipalities", required=True, key="municipalities", default=Area())
    contact: Contact = entry_field("contact", default=Contact())
    verified: bool = entry_field("boolean", required=True, default=False)
    notes: str | None = entry_field("text")

    def problems(self) -> list[tuple[str, str]]:
        """(field, message) for what the values get wrong together."""
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            return [
                ("min_age", f"min_age ({self.min_age}) is greater than max_age ({self.max_age})")
            ]
        return []

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.field_choice.fields

    @property
    def all_fields(self) -> bool:
        return self.field_choice.all_fields

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


@dataclass(frozen=True, kw_only=True)
class Service:
    """One thing the Welcome Center does (a bullet in the chat)."""

    id: str = entry_field("slug", required=True, default="")
    text: LocalizedText = entry_field("localized", required=True, default=EMPTY_TEXT)


@dataclass(frozen=True, kw_only=True)
class WelcomeCenter:
    id: str = entry_field("slug", required=True, default="")
    name: str = entry_field("text", required=True, default="")
    summary: LocalizedText = entry_field("localized", required=True, default=EMPTY_TEXT)
    services: tuple[Service, ...] = entry_field("entries", required=True, of=Service, default=())
    contact: Contact = entry_field("contact", default=Contact())
    verified: bool = entry_field("boolean", required=True, default=False)
    notes: str | None = entry_field("text")


@dataclass(frozen=True, kw_only=True)
class Mentoring:
    explanation: LocalizedText = entry_field("localized", required=True, default=EMPTY_TEXT)
    find_mentor: tuple[MentoringEntry, ...] = entry_field(
        "entries", required=True, of=MentoringEntry, nested=False, default=()
    )
    become_mentor: tuple[MentoringEntry, ...] = entry_field(
        "entries", required=True, of=MentoringEntry, nested=False, default=()
    )


@dataclass(frozen=True, kw_only=True)
class Guideline:
    """One guideline of the interpreter pool (neutral role, confidentiality, ...)."""

    id: str = entry_field("slug", required=True, default="")
    title: LocalizedText = entry_field("localized", required=True, default=EMPTY_TEXT)
    text: LocalizedText = entry_field("localized", required=True, default=EMPTY_TEXT)


@dataclass(frozen=True, kw_only=True)
class Organisation:
    """A contact point such as the coordination office."""

    id: str = entry_field("slug", required=True, default="")
    name: str = entry_field("text", required=True, default="")
    organisation: str | None = entry_field("text")
    summary: LocalizedText = entry_field("localized", required=True, default=EMPTY_TEXT)
    contact: Contact = entry_field("contact", default=Contact())
    verified: bool = entry_field("boolean", required=True, default=False)
    notes: str | None = entry_field("text")


@dataclass(frozen=True, kw_only=True)
class InterpreterPool(Organisation):
    guidelines: tuple[Guideline, ...] = entry_field(
        "entries", required=True, of=Guideline, default=()
    )


@dataclass(frozen=True, kw_only=True)
class Municipality:
    name: str = entry_field("text", required=True, default="")
    aliases: tuple[str, ...] = entry_field("names", default=())
    districts: tuple[str, ...] = entry_field("names", default=())


@dataclass(frozen=True, kw_only=True)
class FaqEntry:
    """A frequently asked question: how newcomers ask it, and the answer.

    ``examples`` are phrasings per language (language code -> phrasings); the
    NLU matches messages against them at run time (:mod:`bot.nlu.faq`), so a
    published entry is answered without training.
    """

    id: str = entry_field("slug", required=True, default="")
    question: LocalizedText = entry_field("localized", required=True, default=EMPTY_TEXT)
    examples: Mapping[str, tuple[str, ...]] = entry_field("examples", required=True, default=None)
    answer: LocalizedText = entry_field("localized", required=True, default=EMPTY_TEXT)
    verified: bool = entry_field("boolean", required=True, default=False)
    notes: str | None = entry_field("text")

    @property
    def response_id(self) -> str:
        """The answer's id for feedback and statistics (``faq:<id>``)."""
        return f"faq:{self.id}"


@dataclass(frozen=True)
class ReviewStatus:
    """Which languages of a file still wait for a native speaker's review."""

    pending: tuple[str, ...] = ()
    reviewed: tuple[str, ...] = ()
    used: tuple[str, ...] = ()
