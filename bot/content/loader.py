"""Read and validate the staff-maintained content files (``data/content/*.yml``).

Staff edit these files without developers, so every problem is reported with
file, entry (id) and field, and all problems are collected before
:class:`~bot.content.models.ContentError` is raised – one run of
``welcome content check`` shows everything that needs fixing.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from difflib import get_close_matches
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from bot import LANGUAGES
from bot.content.catalog import Content
from bot.content.matching import MunicipalityMatcher, keyword_problem, spelling_variants
from bot.content.models import (
    REQUIRED_LANGUAGES,
    TOPICS,
    Area,
    Contact,
    ContentError,
    ContentIssue,
    FaqEntry,
    Field,
    FieldChoice,
    Internship,
    InterpreterPool,
    LocalizedText,
    Mentoring,
    Municipality,
    Offer,
    Organisation,
    ReviewStatus,
    WelcomeCenter,
)
from bot.languages import language_info
from bot.settings import get_settings

MUNICIPALITIES = "municipalities.yml"
OFFERS = "offers.yml"
INTERNSHIPS = "internships.yml"
WELCOME_CENTER = "welcome_center.yml"
MENTORING = "mentoring.yml"
CONTACTS = "contacts.yml"
FAQ = "faq.yml"
FILES = (MUNICIPALITIES, OFFERS, INTERNSHIPS, WELCOME_CENTER, MENTORING, CONTACTS, FAQ)
"""The content files, in loading order (municipalities first: others refer to them)."""

ALL = "all"
MIN_GERMAN_EXAMPLES = 2
"""An FAQ needs at least this many German phrasings to be recognised reliably."""
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()/\-]*[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


# --------------------------------------------------------------------------- YAML


# libyaml's parser when PyYAML has it: twenty times faster, and a running server
# loads a new publication while it answers chats.
_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that remembers duplicate keys (PyYAML silently keeps the last one)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:  # unhashable key; the base constructor reports it
            continue
        if duplicate:
            loader.duplicates.append((str(key), key_node.start_mark.line + 1))
    return _SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path, issues: list[ContentIssue]) -> Any:
    name = path.name
    if not path.is_file():
        issues.append(
            ContentIssue(name, None, None, f"file is missing ({path})", code="file_missing")
        )
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        issues.append(
            ContentIssue(name, None, None, f"not UTF-8 text ({exc.reason})", code="not_utf8")
        )
        return None
    return _parse_yaml(name, text, issues)


def _parse_yaml(name: str, text: str, issues: list[ContentIssue]) -> Any:
    """The data of one file's ``text``; problems are added to ``issues`` (then None)."""
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        issues.append(
            ContentIssue(
                name, None, None, f"YAML syntax error{where}: {problem}", code="yaml_syntax",
                params=_params(line=mark.line + 1 if mark else "",
                               column=mark.column + 1 if mark else "", problem=problem),
            )
        )  # fmt: skip
        return None
    except yaml.YAMLError as exc:
        issues.append(
            ContentIssue(
                name, None, None, f"YAML syntax error: {exc}", code="yaml_syntax",
                params=_params(line="", column="", problem=exc),
            )
        )  # fmt: skip
        return None
    finally:
        loader.dispose()
    for key, line in loader.duplicates:
        issues.append(
            ContentIssue(
                name,
                None,
                key,
                f"written twice (line {line}); remove one of them",
                code="key_twice",
                params=_params(line=line),
            )  # fmt: skip
        )
    if data is None:
        issues.append(ContentIssue(name, None, None, "file is empty", code="file_empty"))
    return data


# --------------------------------------------------------------------------- checks


def language_name(code: str) -> str:
    """The language's English name for messages to staff ("Arabic")."""
    info = language_info(code)
    return info.english_name if info else code


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({value})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ('{value}')"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping (key: value)"
    return type(value).__name__


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _params(**values: Any) -> tuple[tuple[str, str], ...]:
    """An issue's details for its translation (``ContentIssue.params``)."""
    return tuple(sorted((key, str(value)) for key, value in values.items()))


def _hint(close: list[str], allowed: Any) -> dict[str, str]:
    """The "did you mean" or "allowed" part of a message, as an issue's details."""
    if close:
        return {"suggestion": close[0]}
    return {"allowed": ", ".join(map(str, allowed))}


Parser = Callable[["_Checker", Any, str], Any]
Spec = dict[str, tuple[Parser, bool]]


class _Towns:
    """The municipalities known from municipalities.yml (for cross-file checks)."""

    def __init__(self, municipalities: list[Municipality]):
        self.names = [m.name for m in municipalities]
        self.matcher = MunicipalityMatcher(municipalities)


class _Checker:
    """Validates one file, collecting issues with entry and field names."""

    def __init__(self, file: str, issues: list[ContentIssue], towns: _Towns | None = None):
        self.file = file
        self.issues = issues
        self.towns = towns
        self.entry: str | None = None
        self.languages: set[str] = set()
        self.fields: dict[str, Field] = {}
        self.examples_seen: dict[str, str] = {}  # FAQ phrasing (normalised) -> entry id

    def problem(self, field: str | None, message: str, code: str = "", **params: Any) -> None:
        """Report ``message`` (English, for the CLI); ``code`` and ``params`` let the
        office say it in German (:mod:`bot.office.content_messages`)."""
        self.issues.append(
            ContentIssue(
                self.file, self.entry, field or None, message, code=code, params=_params(**params)
            )
        )

    # -- structure

    def record(self, data: Any, path: str, spec: Spec) -> dict[str, Any]:
        """Check a mapping against ``spec``: unknown, missing and invalid fields."""
        if not isinstance(data, dict):
            self.problem(
                path, f"expected a mapping (key: value), got {_kind(data)}", "expected_mapping"
            )
            return {}
        for key in data:
            if key in spec:
                continue
            close = get_close_matches(str(key), list(spec), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(spec)}"
            self.problem(
                _join(path, str(key)), f"unknown field ({hint})", "unknown_field",
                value=key, **_hint(close, spec),
            )  # fmt: skip
        values: dict[str, Any] = {}
        for name, (parser, required) in spec.items():
            field = _join(path, name)
            value = data.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                if required:
                    if name not in data:
                        self.problem(field, "missing required field", "missing_field")
                    else:
                        self.problem(field, "has no value", "no_value")
                continue
            values[name] = parser(self, value, field)
        return values

    def entries(
        self,
        data: Any,
        path: str,
        of: type,
        *,
        nested: bool = False,
        id_key: str = "id",
        seen: dict[str, str] | None = None,
    ) -> list[Any]:
        """Check a list of entries of class ``of``. Top-level entries name the entry by its id."""
        if not isinstance(data, list):
            self.problem(
                path, f"expected a list of entries ('- {id_key}: ...'), got {_kind(data)}",
                "expected_entries",
            )  # fmt: skip
            return []
        seen = {} if seen is None else seen
        results = []
        for index, item in enumerate(data, 1):
            raw_id = item.get(id_key) if isinstance(item, dict) else None
            label = raw_id.strip() if isinstance(raw_id, str) and raw_id.strip() else f"#{index}"
            previous = self.entry
            prefix = f"{path}[{label}]" if nested else ""
            if not nested:
                self.entry = label
            values = self.record(item, prefix, spec_of(of))
            if isinstance(raw_id, str) and raw_id.strip():
                if label in seen:
                    self.problem(
                        _join(prefix, id_key), f"duplicate {id_key} (also {seen[label]})",
                        "duplicate_id", value=label, other=seen[label],
                    )  # fmt: skip
                else:
                    seen[label] = f"{path} #{index}"
            results.append(self.build_checked(of, values, prefix))
            self.entry = previous
        return results

    def build_checked(self, cls: type, values: dict[str, Any], path: str = "") -> Any:
        """The entry, with what its values get wrong together reported (``problems()``)."""
        entry = build(cls, values)
        for field, message in getattr(entry, "problems", list)():
            self.problem(_join(path, field), message)
        return entry

    # -- values

    def text(self, value: Any, path: str) -> str | None:
        if isinstance(value, bool) or not isinstance(value, str):
            self.problem(path, f"expected text, got {_kind(value)}", "expected_text")
            return None
        value = " ".join(value.split())
        if not value:
            self.problem(path, "empty text", "empty_text")
            return None
        return value

    def slug(self, value: Any, path: str) -> str | None:
        text = self.text(value, path)
        if text is not None and not _SLUG.match(text):
            self.problem(
                path,
                f"'{text}' is not a valid id "
                "(use only a-z, 0-9, '-' and '_', e.g. 'vhs-herrenberg')",
                "invalid_id",
                value=text,
            )
        return text

    def boolean(self, value: Any, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.problem(path, f"expected true or false, got {_kind(value)}", "expected_boolean")
            return None
        return value

    def age(self, value: Any, path: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(
                path, f"expected an age in whole years, got {_kind(value)}", "expected_age"
            )
            return None
        if not 0 <= value <= 120:
            self.problem(
                path, f"age {value} is out of range (0-120)", "age_out_of_range", value=value
            )
            return None
        return value

    def names(self, value: Any, path: str) -> list[str]:
        """A list of texts; a single text counts as a list of one."""
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(path, f"expected a list, got {_kind(value)}", "expected_list")
            return []
        result = []
        for item in value:
            text = self.text(item, path)
            if text is not None:
                result.append(text)
        return result

    def localized(self, value: Any, path: str) -> LocalizedText | None:
        if not isinstance(value, dict):
            self.problem(
                path,
                f"expected texts per language (de: ..., en: ...), got {_kind(value)}",
                "expected_localized",
            )
            return None
        texts: dict[str, str] = {}
        for key, text in value.items():
            code = str(key)
            if code not in LANGUAGES:
                self._unknown_language(_join(path, code), code)
                continue
            parsed = self.text(text, _join(path, code))
            if parsed is not None:
                texts[code] = parsed
                self.languages.add(code)
        for code in REQUIRED_LANGUAGES:
            if code not in value:
                self.problem(
                    _join(path, code),
                    f"missing {language_name(code)} text ({' and '.join(REQUIRED_LANGUAGES)} "
                    "are required)",
                    "missing_text",
                    language=code,
                )
        return LocalizedText(texts) if texts else None

    def _unknown_language(self, path: str, code: str) -> None:
        close = get_close_matches(code.lower(), LANGUAGES, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(LANGUAGES)}"
        self.problem(
            path, f"unknown language code '{code}' ({hint})", "unknown_language",
            value=code, **_hint(close, LANGUAGES),
        )  # fmt: skip

    def keywords(self, value: Any, path: str) -> dict[str, tuple[str, ...]]:
        if not isinstance(value, dict):
            self.problem(
                path,
                f"expected keyword lists per language, got {_kind(value)}",
                "expected_keywords",
            )
            return {}
        result: dict[str, tuple[str, ...]] = {}
        for key, words in value.items():
            code = str(key)
            if code not in LANGUAGES:
                self._unknown_language(_join(path, code), code)
                continue
            checked = []
            for word in self.names(words, _join(path, code)):
                problem = keyword_problem(word)
                if problem:
                    self.problem(_join(path, code), problem, "keyword_problem", value=word)
                else:
                    checked.append(word)
            if checked:
                result[code] = tuple(checked)
                self.languages.add(code)
        for code in LANGUAGES:
            if code not in value:
                self.problem(
                    _join(path, code),
                    f"missing {language_name(code)} keywords (all 7 languages are needed "
                    "to understand typed answers)",
                    "missing_keywords",
                    language=code,
                )
        return result

    def examples(self, value: Any, path: str) -> dict[str, tuple[str, ...]]:
        """Phrasings of an FAQ per language; German is needed, each phrasing once per file."""
        if not isinstance(value, dict):
            self.problem(
                path,
                f"expected example lists per language, got {_kind(value)}",
                "expected_examples",
            )
            return {}
        result: dict[str, tuple[str, ...]] = {}
        for key, phrasings in value.items():
            code = str(key)
            if code not in LANGUAGES:
                self._unknown_language(_join(path, code), code)
                continue
            checked: list[str] = []
            for phrasing in self.names(phrasings, _join(path, code)):
                normalized = " ".join(phrasing.casefold().split()).strip(" ?!.")
                other = self.examples_seen.setdefault(normalized, self.entry or "")
                if other != (self.entry or ""):
                    self.problem(
                        _join(path, code),
                        f"example '{phrasing}' is also an example of entry '{other}'",
                        "example_elsewhere",
                        value=phrasing,
                        other=other,
                    )
                elif phrasing not in checked:
                    checked.append(phrasing)
            if checked:
                result[code] = tuple(checked)
                self.languages.add(code)
        german = len(result.get("de", ()))
        if german < MIN_GERMAN_EXAMPLES:
            self.problem(
                _join(path, "de"),
                f"needs at least {MIN_GERMAN_EXAMPLES} German examples (has {german})",
                "few_examples",
                needed=MIN_GERMAN_EXAMPLES,
                count=german,
            )
        return result

    def phone(self, value: Any, path: str) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            self.problem(
                path,
                f'write the phone number in quotes ("..."), got {_kind(value)}',
                "phone_quotes",
            )
            return None
        text = self.text(value, path)
        if text is None:
            return None
        digits = sum(ch.isdigit() for ch in text)
        if not _PHONE.match(text) or not 6 <= digits <= 15:
            self.problem(path, f"not a phone number ('{text}')", "invalid_phone", value=text)
            return None
        return text

    def email(self, value: Any, path: str) -> str | None:
        text = self.text(value, path)
        if text is not None and not _EMAIL.match(text):
            self.problem(path, f"not an e-mail address ('{text}')", "invalid_email", value=text)
            return None
        return text

    def url(self, value: Any, path: str) -> str | None:
        text = self.text(value, path)
        if text is None:
            return None
        parsed = urlparse(text)
        host = parsed.hostname or ""
        if parsed.scheme not in ("http", "https") or "." not in host or " " in text:
            self.problem(
                path, f"not a web address ('{text}'); it must start with https://",
                "invalid_url", value=text,
            )  # fmt: skip
            return None
        return text

    def contact(self, value: Any, path: str) -> Contact:
        return build(Contact, self.record(value, path, spec_of(Contact)))

    def municipalities(self, value: Any, path: str) -> Area:
        if isinstance(value, str) and value.strip().lower() == ALL:
            return Area(county_wide=True)
        names = self.names(value, path)
        if any(name.lower() == ALL for name in names):
            if len(names) > 1:
                self.problem(
                    path, "write either 'all' or a list of municipalities, not both", "all_and_list"
                )
            return Area(county_wide=True)
        if not names:
            self.problem(path, "expected 'all' or a list of municipalities", "no_municipalities")
            return Area()
        result: list[str] = []
        for name in names:
            if name in result:
                self.problem(path, f"'{name}' is listed twice", "listed_twice", value=name)
                continue
            if self.towns is not None and name not in self.towns.names:
                guess = self.towns.matcher.match(name)
                hint = (
                    f"did you mean '{guess}'? Use the official name"
                    if guess
                    else "see municipalities.yml for the 26 names"
                )
                self.problem(
                    path, f"unknown municipality '{name}' ({hint})", "unknown_municipality",
                    value=name, suggestion=guess or "",
                )  # fmt: skip
                continue
            result.append(name)
        return Area(municipalities=tuple(result))

    def topics(self, value: Any, path: str) -> tuple[str, ...]:
        before = len(self.issues)
        result = []
        for topic in self.names(value, path):
            if topic not in TOPICS:
                close = get_close_matches(topic, TOPICS, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(TOPICS)}"
                self.problem(
                    path, f"unknown topic '{topic}' ({hint})", "unknown_topic",
                    value=topic, **_hint(close, TOPICS),
                )  # fmt: skip
            elif topic not in result:
                result.append(topic)
        if not result and len(self.issues) == before:
            self.problem(path, "needs at least one topic", "no_topic")
        return tuple(result)

    def field_refs(self, value: Any, path: str) -> FieldChoice:
        if isinstance(value, str) and value.strip().lower() == ALL:
            return FieldChoice(all_fields=True)
        result: list[Field] = []
        for field_id in self.names(value, path):
            if field_id.lower() == ALL:
                return FieldChoice(all_fields=True)
            if field_id not in self.fields:
                known = sorted(self.fields)
                close = get_close_matches(field_id, known, n=1, cutoff=0.6)
                hint = (
                    f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(known)}"
                )
                self.problem(
                    path, f"unknown field id '{field_id}' ({hint})", "unknown_field_ref",
                    value=field_id, **_hint(close, known),
                )  # fmt: skip
            elif self.fields[field_id] not in result:
                result.append(self.fields[field_id])
        return FieldChoice(fields=tuple(result))

    def review(self, value: Any, path: str) -> ReviewStatus:
        values = self.record(
            value, path, {"pending": (_Checker.codes, False), "reviewed": (_Checker.codes, False)}
        )
        pending = tuple(values.get("pending", ()))
        reviewed = tuple(values.get("reviewed", ()))
        for code in set(pending) & set(reviewed):
            self.problem(
                path,
                f"'{code}' is listed as both pending and reviewed",
                "review_both",
                language=code,
            )
        return ReviewStatus(pending=pending, reviewed=reviewed)

    def codes(self, value: Any, path: str) -> list[str]:
        result = []
        for code in self.names(value, path):
            if code not in LANGUAGES:
                self._unknown_language(path, code)
            elif code not in result:
                result.append(code)
        return result

    def check_review(self, status: ReviewStatus | None) -> ReviewStatus:
        """Every language besides de/en used in this file must be marked for review."""
        status = status or ReviewStatus()
        used = tuple(code for code in LANGUAGES if code in self.languages)
        entry, self.entry = self.entry, None
        for code in used:
            if code in REQUIRED_LANGUAGES:
                continue
            if code not in status.pending and code not in status.reviewed:
                self.problem(
                    "review.pending",
                    f"texts in '{code}' ({language_name(code)}) are not marked: add '{code}' to "
                    "review.pending (or to review.reviewed once a native speaker has checked them)",
                    "review_unmarked",
                    language=code,
                )
        self.entry = entry
        return ReviewStatus(pending=status.pending, reviewed=status.reviewed, used=used)


# --------------------------------------------------------------------------- schema

_REVIEW = (_Checker.review, False)


def _passthrough(checker: _Checker, value: Any, path: str) -> Any:
    """Accept any value; the caller checks it (the lists of entries of a file)."""
    return value


def _entries_parser(of: type, nested: bool, seen: dict[str, str]) -> Parser:
    def parse(checker: _Checker, value: Any, path: str) -> list[Any]:
        return checker.entries(value, path, of, nested=nested, seen=seen)

    return parse


def spec_of(cls: type) -> Spec:
    """YAML key -> (check, required) of an entry, from the fields of its dataclass.

    Lists of entries in one record share one set of ids (a mentoring id is
    unique across "find" and "become").
    """
    seen: dict[str, str] = {}
    spec: Spec = {}
    for item in dataclasses.fields(cls):
        meta = item.metadata
        if "check" not in meta:
            continue
        if meta["check"] == "entries":
            parser = _entries_parser(meta["of"], meta["nested"], seen)
        else:
            parser = getattr(_Checker, meta["check"])
        spec[meta["key"] or item.name] = (parser, meta["required"])
    return spec


def build(cls: type, values: dict[str, Any]) -> Any:
    """An entry of ``cls`` from checked YAML values (defaults for what is missing)."""
    arguments = {}
    for item in dataclasses.fields(cls):
        key = item.metadata.get("key") or item.name
        if key in values and values[key] is not None:
            value = values[key]
            arguments[item.name] = tuple(value) if isinstance(value, list) else value
    return cls(**arguments)


def _single(checker: _Checker, data: dict[str, Any], key: str, cls: type) -> Any:
    """A top-level record (welcome_center, coordination_office, ...): entry = its id."""
    value = data.get(key)
    if value is None:
        return build(cls, {})
    raw_id = value.get("id") if isinstance(value, dict) else None
    checker.entry = raw_id if isinstance(raw_id, str) and raw_id.strip() else key
    entry = checker.build_checked(cls, checker.record(value, "", spec_of(cls)))
    checker.entry = None
    return entry


def _file(checker: _Checker, data: Any, lists: tuple[str, ...]) -> dict[str, Any]:
    """The top level of a file: its lists or records, and the review block."""
    return checker.record(
        data, "", {**{name: (_passthrough, True) for name in lists}, "review": _REVIEW}
    )


# --------------------------------------------------------------------------- files


def _load_municipalities(data: Any, issues: list[ContentIssue]) -> tuple[list, ReviewStatus]:
    checker = _Checker(MUNICIPALITIES, issues)
    top = _file(checker, data, ("municipalities",))
    towns = (
        checker.entries(top["municipalities"], "municipalities", Municipality, id_key="name")
        if "municipalities" in top
        else []
    )
    owner: dict[str, str] = {}
    for town in towns:
        if not town.name:
            continue
        checker.entry = town.name
        for kind, spellings in (
            ("name", (town.name,)),
            ("aliases", town.aliases),
            ("districts", town.districts),
        ):
            for spelling in spellings:
                for key in spelling_variants(spelling):
                    other = owner.setdefault(key, town.name)
                    if other != town.name:
                        checker.problem(
                            kind, f"'{spelling}' is ambiguous: it also means '{other}'",
                            "ambiguous_spelling", value=spelling, other=other,
                        )  # fmt: skip
                        break
    checker.entry = None
    return towns, checker.check_review(top.get("review"))


def _load_offers(data: Any, issues: list[ContentIssue], towns: _Towns | None):
    checker = _Checker(OFFERS, issues, towns)
    top = _file(checker, data, ("offers",))
    offers = checker.entries(top["offers"], "offers", Offer) if "offers" in top else []
    return offers, checker.check_review(top.get("review"))


def _load_internships(data: Any, issues: list[ContentIssue], towns: _Towns | None):
    checker = _Checker(INTERNSHIPS, issues, towns)
    top = _file(checker, data, ("fields", "internships"))
    fields: list[Field] = checker.entries(top["fields"], "fields", Field) if "fields" in top else []
    checker.fields = {f.id: f for f in fields if f.id}
    internships = (
        checker.entries(top["internships"], "internships", Internship)
        if "internships" in top
        else []
    )
    return fields, internships, checker.check_review(top.get("review"))


def _load_welcome_center(data: Any, issues: list[ContentIssue]):
    checker = _Checker(WELCOME_CENTER, issues)
    top = _file(checker, data, ("welcome_center",))
    center = _single(checker, top, "welcome_center", WelcomeCenter)
    return center, checker.check_review(top.get("review"))


def _load_mentoring(data: Any, issues: list[ContentIssue], towns: _Towns | None):
    checker = _Checker(MENTORING, issues, towns)
    top = _file(checker, data, ("mentoring",))
    values = (
        checker.record(top["mentoring"], "mentoring", spec_of(Mentoring))
        if "mentoring" in top
        else {}
    )
    return build(Mentoring, values), checker.check_review(top.get("review"))


def _load_contacts(data: Any, issues: list[ContentIssue]):
    checker = _Checker(CONTACTS, issues)
    top = _file(checker, data, ("coordination_office", "interpreter_pool"))
    office = _single(checker, top, "coordination_office", Organisation)
    pool = _single(checker, top, "interpreter_pool", InterpreterPool)
    return office, pool, checker.check_review(top.get("review"))


def _load_faq(data: Any, issues: list[ContentIssue]):
    checker = _Checker(FAQ, issues)
    top = _file(checker, data, ("faq",))
    entries = checker.entries(top["faq"], "faq", FaqEntry) if "faq" in top else []
    return entries, checker.check_review(top.get("review"))


def load_content(path: Path | str | None = None) -> Content:
    """Load and validate all content files from ``path`` (default: settings.content_dir).

    Raises :class:`ContentError` listing every problem found.
    """
    if path is None:
        path = get_settings().content_dir
    directory = Path(path)
    issues: list[ContentIssue] = []
    if not directory.is_dir():
        raise ContentError(
            [
                ContentIssue(
                    str(directory), None, None, "content directory not found", code="no_directory"
                )
            ]
        )
    raw = {name: _read_yaml(directory / name, issues) for name in FILES}
    return _build_content(raw, issues, directory)


PUBLISHED = Path("<published content>")
"""``Content.directory`` of content that came from texts (a publication), not a folder."""


def load_content_from_texts(texts: Mapping[str, str], *, directory: Path | None = None) -> Content:
    """Load and validate the content from file name -> YAML text (a draft or a publication).

    The same checks and messages as :func:`load_content`: a file missing from
    ``texts`` counts as a missing file, names that are not content files are
    ignored. Raises :class:`ContentError` listing every problem found.
    """
    issues: list[ContentIssue] = []
    raw: dict[str, Any] = {}
    for name in FILES:
        text = texts.get(name)
        if text is None:
            issues.append(ContentIssue(name, None, None, "file is missing", code="file_missing"))
            raw[name] = None
        elif not isinstance(text, str):
            issues.append(ContentIssue(name, None, None, "not text", code="not_text"))
            raw[name] = None
        else:
            raw[name] = _parse_yaml(name, text, issues)
    return _build_content(raw, issues, directory or PUBLISHED)


def parse_texts(texts: Mapping[str, str]) -> tuple[dict[str, Any], list[ContentIssue]]:
    """The YAML data of each file in ``texts`` (None where unreadable) and the syntax problems."""
    issues: list[ContentIssue] = []
    return {name: _parse_yaml(name, text, issues) for name, text in texts.items()}, issues


def _build_content(raw: dict[str, Any], issues: list[ContentIssue], directory: Path) -> Content:
    review: dict[str, ReviewStatus] = {}

    municipalities: list[Municipality] = []
    towns: _Towns | None = None
    if raw[MUNICIPALITIES] is not None:
        before = len(issues)
        municipalities, review[MUNICIPALITIES] = _load_municipalities(raw[MUNICIPALITIES], issues)
        if len(issues) == before:
            towns = _Towns(municipalities)
        # With a broken municipalities.yml, town names elsewhere are not checked
        # (its own issues are reported instead of hundreds of follow-up errors).

    offers: list[Offer] = []
    if raw[OFFERS] is not None:
        offers, review[OFFERS] = _load_offers(raw[OFFERS], issues, towns)
    fields: list[Field] = []
    internships: list[Internship] = []
    if raw[INTERNSHIPS] is not None:
        fields, internships, review[INTERNSHIPS] = _load_internships(
            raw[INTERNSHIPS], issues, towns
        )
    center = None
    if raw[WELCOME_CENTER] is not None:
        center, review[WELCOME_CENTER] = _load_welcome_center(raw[WELCOME_CENTER], issues)
    mentoring = None
    if raw[MENTORING] is not None:
        mentoring, review[MENTORING] = _load_mentoring(raw[MENTORING], issues, towns)
    office = pool = None
    if raw[CONTACTS] is not None:
        office, pool, review[CONTACTS] = _load_contacts(raw[CONTACTS], issues)

    faq: list[FaqEntry] = []
    if raw[FAQ] is not None:
        faq, review[FAQ] = _load_faq(raw[FAQ], issues)

    if issues:
        raise ContentError(issues)
    return Content(
        faq=faq,
        directory=directory,
        municipalities=municipalities,
        offers=offers,
        internship_fields=fields,
        internships=internships,
        welcome_center=center,
        mentoring=mentoring,
        coordination_office=office,
        interpreter_pool=pool,
        review=review,
    )
