"""The editor's forms, derived from the content schema, and their way into the YAML text.

The dataclasses of :mod:`bot.content.models` declare every field of an entry
with :func:`~bot.content.models.entry_field` (its YAML key, its check, whether
it is required). This module reads that metadata to describe the form of an
entry (:func:`form_fields`), turns a submitted form back into YAML-shaped data
(:func:`data_from_form`) and writes that data into the file's YAML text with
ruamel.yaml's round trip (:class:`YamlDocument`): comments, key order and the
formatting of everything the editor did not change stay as they were, so a
county keeping its content in git sees small diffs.

No Flask here: the blueprint (:mod:`bot.office.content_editor`) passes the
submitted form as a mapping of lists (``MultiDict.to_dict(flat=False)``).
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString

from bot import LANGUAGES
from bot.content import models
from bot.content.models import REQUIRED_LANGUAGES, TOPICS

ALL = "all"

#: German labels of the YAML keys (a key without one shows as itself).
LABELS = {
    "id": "Kennung (id)",
    "title": "Titel",
    "summary": "Beschreibung",
    "provider": "Anbieter",
    "municipalities": "Orte",
    "contact": "Kontakt",
    "verified": "Angaben geprüft",
    "notes": "Notiz fürs Team (erscheint nicht im Chat)",
    "topics": "Themen",
    "label": "Bezeichnung",
    "keywords": "Stichwörter",
    "fields": "Berufsfelder",
    "min_age": "Mindestalter",
    "max_age": "Höchstalter",
    "text": "Text",
    "name": "Name",
    "services": "Leistungen",
    "explanation": "Erklärung",
    "organisation": "Organisation",
    "guidelines": "Leitlinien",
    "aliases": "Andere Schreibweisen",
    "districts": "Ortsteile",
    "question": "Frage",
    "examples": "Beispielfragen",
    "answer": "Antwort",
    "phone": "Telefon",
    "email": "E-Mail",
    "website": "Webseite",
    "address": "Adresse",
}

#: Hints under a field (German, for staff).
HINTS = {
    "id": "Nur a-z, 0-9, - und _, z. B. vhs-herrenberg. Nach dem Anlegen nicht mehr ändern.",
    "verified": "Nur ankreuzen, wenn alle Angaben geprüft sind. Sonst steht im Chat: "
    "„Diese Angaben werden noch geprüft.“",
    "aliases": "Durch Komma getrennt.",
    "districts": "Durch Komma getrennt.",
    "keywords": "Je Sprache durch Komma getrennt.",
    "examples": "Eine Formulierung pro Zeile.",
}

#: German names of the offer topics.
TOPIC_LABELS = {
    "integration_course": "Integrationskurs",
    "language_course": "Sprachkurs",
    "counselling": "Beratung",
    "general": "Allgemeine Unterstützung",
}

#: Checks whose value is a text per language.
PER_LANGUAGE = {"localized", "keywords", "examples"}
#: Checks shown as a single-line input.
LINE_CHECKS = {"slug", "text", "phone", "email", "url", "age"}


def field_id(path: str) -> str:
    """The HTML id of the form field at ``path`` ("summary.de" -> "field-summary-de")."""
    return "field-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


# --------------------------------------------------------------------------- the files


@dataclass(frozen=True)
class Section:
    """Where entries of one class live in a file.

    ``key`` is the dotted path of the list (``many``) or the record from the
    top of the file (``mentoring.find_mentor``); ``exclude`` names fields
    edited as sections of their own.
    """

    key: str
    cls: type
    label: str
    many: bool = True
    id_key: str = "id"
    exclude: tuple[str, ...] = ()

    def path(self) -> list[str]:
        return self.key.split(".")


@dataclass(frozen=True)
class ContentFile:
    """A content file as the editor shows it."""

    slug: str
    name: str
    label: str
    sections: tuple[Section, ...]


def _faq_sections() -> tuple[Section, ...]:
    faq_entry = getattr(models, "FaqEntry", None)
    return (Section("faq", faq_entry, "Fragen und Antworten"),) if faq_entry else ()


def content_files() -> tuple[ContentFile, ...]:
    """The files in the order of the overview (FAQ once the schema has it)."""
    files = [
        ContentFile(
            "offers", "offers.yml", "Angebote", (Section("offers", models.Offer, "Angebote"),)
        ),
        ContentFile(
            "internships",
            "internships.yml",
            "Praktika und Projekte",
            (
                Section("internships", models.Internship, "Praktika und Projekte"),
                Section("fields", models.Field, "Berufsfelder"),
            ),
        ),
        ContentFile(
            "welcome_center",
            "welcome_center.yml",
            "Welcome Center",
            (Section("welcome_center", models.WelcomeCenter, "Welcome Center", many=False),),
        ),
        ContentFile(
            "mentoring",
            "mentoring.yml",
            "Mentoring",
            (
                Section(
                    "mentoring",
                    models.Mentoring,
                    "Mentoring allgemein",
                    many=False,
                    exclude=("find_mentor", "become_mentor"),
                ),
                Section("mentoring.find_mentor", models.MentoringEntry, "Mentorin/Mentor finden"),
                Section("mentoring.become_mentor", models.MentoringEntry, "Mentorin/Mentor werden"),
            ),
        ),
        ContentFile(
            "contacts",
            "contacts.yml",
            "Kontakte",
            (
                Section(
                    "coordination_office",
                    models.Organisation,
                    "Koordinierungsstelle",
                    many=False,
                ),
                Section("interpreter_pool", models.InterpreterPool, "Dolmetscher-Pool", many=False),
            ),
        ),
        ContentFile(
            "municipalities",
            "municipalities.yml",
            "Orte",
            (
                Section(
                    "municipalities", models.Municipality, "Städte und Gemeinden", id_key="name"
                ),
            ),
        ),
    ]
    faq = _faq_sections()
    if faq:
        files.append(ContentFile("faq", "faq.yml", "FAQ", faq))
    return tuple(files)


def content_file(slug: str) -> ContentFile | None:
    return next((f for f in content_files() if f.slug == slug), None)


# --------------------------------------------------------------------------- form fields


@dataclass(frozen=True)
class FormField:
    """One field of an entry's form, from its ``entry_field`` declaration."""

    key: str
    check: str
    required: bool
    of: type | None = None

    @property
    def label(self) -> str:
        return LABELS.get(self.key, self.key)

    @property
    def hint(self) -> str | None:
        return HINTS.get(self.key)

    @property
    def per_language(self) -> bool:
        return self.check in PER_LANGUAGE


def form_fields(cls: type, exclude: Iterable[str] = ()) -> list[FormField]:
    """The fields of entries of ``cls``, in declaration order."""
    skip = set(exclude)
    result = []
    for item in dataclasses.fields(cls):
        meta = item.metadata
        if "check" not in meta:
            continue
        key = meta["key"] or item.name
        if key in skip:
            continue
        result.append(FormField(key, meta["check"], meta["required"], meta.get("of")))
    return result


def editor_languages() -> tuple[str, ...]:
    """The languages a content text can be written in: German, English, then the others."""
    return (*REQUIRED_LANGUAGES, *(code for code in LANGUAGES if code not in REQUIRED_LANGUAGES))


# --------------------------------------------------------------------------- form -> data


def _one(form: Mapping[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[-1].replace("\r\n", "\n")


def _comma_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _text_value(text: str) -> str | None:
    text = text.strip()
    return text or None


def _value(field: FormField, form: Mapping[str, list[str]], path: str) -> Any:
    check = field.check
    if check == "boolean":
        return bool(form.get(path))
    if check == "localized":
        texts = {code: _text_value(_one(form, f"{path}.{code}")) for code in editor_languages()}
        return {code: text for code, text in texts.items() if text} or None
    if check in ("keywords", "examples"):
        split = _comma_list if check == "keywords" else _lines
        lists = {code: split(_one(form, f"{path}.{code}")) for code in editor_languages()}
        return {code: words for code, words in lists.items() if words} or None
    if check == "age":
        text = _one(form, path).strip()
        return int(text) if text.isdigit() else (text or None)
    if check in ("municipalities", "field_refs"):
        chosen = [value for value in form.get(path, []) if value]
        return ALL if ALL in chosen else (chosen or None)
    if check == "topics":
        return [value for value in form.get(path, []) if value] or None
    if check == "names":
        return _comma_list(_one(form, path)) or None
    if check == "contact":
        values = record_from_form(models.Contact, form, path)
        return values or None
    if check == "entries":
        return _entries_from_form(field.of, form, path) or None
    return _text_value(_one(form, path))


def record_from_form(
    cls: type, form: Mapping[str, list[str]], prefix: str = "", exclude: Iterable[str] = ()
) -> dict[str, Any]:
    """The YAML-shaped values of an entry of ``cls`` from the submitted ``form``.

    Empty fields are left out (booleans are always given).
    """
    values: dict[str, Any] = {}
    for field in form_fields(cls, exclude):
        path = f"{prefix}.{field.key}" if prefix else field.key
        value = _value(field, form, path)
        if value is not None:
            values[field.key] = value
    return values


_INDEX = re.compile(r"^(?P<path>.+)\[(?P<index>\d+)\]\.")


def _entries_from_form(cls: type, form: Mapping[str, list[str]], path: str) -> list[dict]:
    """Listed entries (``services[0].text.de``, ...); blank and removed rows are left out."""
    indexes = sorted(
        {
            int(match["index"])
            for name in form
            if (match := _INDEX.match(name)) and match["path"] == path
        }
    )
    items = []
    for index in indexes:
        prefix = f"{path}[{index}]"
        if form.get(f"{prefix}._remove"):
            continue
        values = record_from_form(cls, form, prefix)
        if any(value for key, value in values.items() if not isinstance(value, bool)):
            items.append(values)
    return items


# --------------------------------------------------------------------------- data -> YAML


def _plain(value: Any) -> Any:
    """ruamel's commented containers and scalar strings as plain Python values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, FoldedScalarString):
        # The lines as staff wrote them in the file (the text has spaces there).
        text = str(value)
        chars = list(text)
        for position in getattr(value, "fold_pos", []):
            if 0 <= position < len(chars) and chars[position] == " ":
                chars[position] = "\n"
        return "".join(chars)
    if isinstance(value, str):
        return str(value)
    return value


def _same_text(old: Any, new: Any) -> bool:
    """Equal but for whitespace (the loader joins the lines of a text anyway)."""
    if isinstance(old, str) and isinstance(new, str):
        return " ".join(old.split()) == " ".join(new.split())
    return _plain(old) == _plain(new)


def _scalar(value: Any) -> Any:
    """A long text as a folded block (``>-``), one line per line typed or sentence."""
    if not isinstance(value, str):
        return value
    lines = [" ".join(line.split()) for line in value.strip().splitlines()]
    lines = [line for line in lines if line]
    if len(lines) == 1 and len(lines[0]) > 100:
        lines = re.split(r"(?<=[.!?:]) (?=\S)", lines[0])
    if len(lines) < 2:
        return " ".join(lines)
    folded = FoldedScalarString(" ".join(lines))
    positions, offset = [], 0
    for line in lines[:-1]:
        offset += len(line)
        positions.append(offset)
        offset += 1
    folded.fold_pos = positions
    return folded


def _set(node: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    """Set ``key``; a new key goes where the schema puts it, not at the end."""
    if key in node:
        node[key] = value
        return
    position = 0
    for earlier in order[: order.index(key)] if key in order else order:
        if earlier in node:
            position = list(node).index(earlier) + 1
    node.insert(position, key, value)


def _sequence_like(old: Any, values: list, *, flow: bool = True) -> CommentedSeq:
    """A list written like the one it replaces (``[a, b]`` or one item per line)."""
    seq = CommentedSeq(values)
    if isinstance(old, CommentedSeq):
        flow = bool(old.fa.flow_style())
    if flow:
        seq.fa.set_flow_style()
    return seq


def apply_record(
    node: CommentedMap, values: Mapping[str, Any], cls: type, exclude: Iterable[str] = ()
) -> None:
    """Write ``values`` into ``node``, touching only what changed."""
    fields = form_fields(cls, exclude)
    order = [field.key for field in fields]
    for field in fields:
        key, new = field.key, values.get(field.key)
        old = node.get(key)
        if new is None or new == [] or new == {}:
            if key in node:
                del node[key]
            continue
        if old is not None and _same_text(old, new):
            continue
        # FAQ phrasings one per line (as in faq.yml); short lists in brackets.
        flow = field.check != "examples"
        if field.check == "contact" and isinstance(old, CommentedMap):
            apply_record(old, new, models.Contact)
        elif field.check == "entries":
            _set(node, key, _apply_entries(old, new, field.of), order)
        elif isinstance(new, dict):
            if isinstance(old, CommentedMap):
                for code in [code for code in old if str(code) not in new]:
                    del old[code]
                for code, text in new.items():
                    current = old.get(code)
                    if current is None or not _same_text(current, text):
                        if isinstance(text, list):
                            old[code] = _sequence_like(current, text, flow=flow)
                        else:
                            old[code] = _scalar(text)
            else:
                mapping = CommentedMap()
                for code, text in new.items():
                    mapping[code] = (
                        _sequence_like(None, text, flow=flow)
                        if isinstance(text, list)
                        else _scalar(text)
                    )
                _set(node, key, mapping, order)
        elif isinstance(new, list):
            _set(node, key, _sequence_like(old, new), order)
        else:
            _set(node, key, _scalar(new), order)


def _apply_entries(old: Any, items: list[dict], cls: type) -> CommentedSeq:
    """The listed entries: kept rows updated in place, new ones appended."""
    seq = old if isinstance(old, CommentedSeq) else CommentedSeq()
    for index, values in enumerate(items):
        if index < len(seq) and isinstance(seq[index], CommentedMap):
            apply_record(seq[index], values, cls)
        else:
            entry = CommentedMap()
            apply_record(entry, values, cls)
            seq.append(entry)
    del seq[len(items) :]
    return seq


class YamlError(ValueError):
    """The file's YAML text cannot be read (the message says where)."""


class YamlDocument:
    """One content file's YAML text, edited with ruamel.yaml's round trip."""

    def __init__(self, text: str):
        self._yaml = YAML(typ="rt")
        self._yaml.preserve_quotes = True
        self._yaml.width = 4096  # never re-wrap lines staff wrote
        self._yaml.indent(mapping=2, sequence=4, offset=2)
        try:
            self.data = self._yaml.load(text) if text.strip() else CommentedMap()
        except YAMLError as error:
            raise YamlError(f"Die Datei ist kein gültiges YAML: {error}") from error
        if self.data is None:
            self.data = CommentedMap()
        if not isinstance(self.data, CommentedMap):
            raise YamlError("Die Datei muss oben eine Zuordnung (Schlüssel: Wert) sein.")

    @classmethod
    def read(cls, text: str) -> YamlDocument:
        """The file's data for reading only (lists, overviews): libyaml is ~50 times faster."""
        document = cls.__new__(cls)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            data = yaml.load(text, Loader=loader) if text.strip() else {}  # noqa: S506 - safe loader
        except yaml.YAMLError as error:
            raise YamlError(f"Die Datei ist kein gültiges YAML: {error}") from error
        if not isinstance(data, dict):
            raise YamlError("Die Datei muss oben eine Zuordnung (Schlüssel: Wert) sein.")
        document.data = data
        return document

    def text(self) -> str:
        out = io.StringIO()
        self._yaml.dump(self.data, out)
        return out.getvalue()

    # -- finding entries

    def container(self, section: Section, *, create: bool = False) -> Any:
        node: Any = self.data
        path = section.path()
        for depth, key in enumerate(path):
            if not isinstance(node, dict):
                return None
            if key not in node:
                if not create:
                    return None
                last = depth == len(path) - 1
                node[key] = CommentedSeq() if (last and section.many) else CommentedMap()
            node = node[key]
        return node

    def entries(self, section: Section) -> list[tuple[str, CommentedMap]]:
        """(entry id, node) of the section's entries; a record is one entry."""
        node = self.container(section)
        if section.many:
            if not isinstance(node, list):
                return []
            result = []
            for index, item in enumerate(node, 1):
                if isinstance(item, dict):
                    raw = item.get(section.id_key)
                    result.append((str(raw).strip() if raw else f"#{index}", item))
            return result
        if not isinstance(node, dict):
            return []
        raw = node.get("id")
        return [(str(raw).strip() if raw else section.key, node)]

    def find(self, file: ContentFile, entry_id: str) -> tuple[Section, CommentedMap] | None:
        for section in file.sections:
            for found_id, node in self.entries(section):
                if found_id == entry_id:
                    return section, node
        return None

    # -- changing

    def update(self, section: Section, node: CommentedMap, values: Mapping[str, Any]) -> None:
        apply_record(node, values, section.cls, section.exclude)
        self._mark_languages(values)

    def add(self, section: Section, values: Mapping[str, Any]) -> None:
        seq = self.container(section, create=True)
        entry = CommentedMap()
        apply_record(entry, values, section.cls, section.exclude)
        seq.append(entry)
        if len(seq) > 1:
            # A blank line between entries, as staff write them.
            seq.yaml_set_comment_before_after_key(len(seq) - 1, before="\n")
        self._mark_languages(values)

    def remove(self, section: Section, node: CommentedMap) -> None:
        seq = self.container(section)
        for index, item in enumerate(seq):
            if item is node:
                del seq[index]
                return

    def _mark_languages(self, values: Mapping[str, Any]) -> None:
        """A text in a new language waits for a native speaker's review (``review.pending``).

        The loader refuses a file whose languages besides de/en are not marked;
        the editor marks them instead of refusing the editor's text.
        """
        used = set(_languages_in(values)) - set(REQUIRED_LANGUAGES)
        review = self.data.get("review")
        if not used:
            return
        if not isinstance(review, CommentedMap):
            review = CommentedMap(pending=CommentedSeq(), reviewed=CommentedSeq())
            review["pending"].fa.set_flow_style()
            review["reviewed"].fa.set_flow_style()
            self.data.insert(0, "review", review)
        pending = review.get("pending")
        if not isinstance(pending, list):
            pending = review["pending"] = CommentedSeq()
            pending.fa.set_flow_style()
        reviewed = review.get("reviewed") or []
        for code in LANGUAGES:
            if code in used and code not in pending and code not in reviewed:
                pending.append(code)


def _languages_in(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in LANGUAGES:
                yield key
            yield from _languages_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _languages_in(item)


def entry_values(node: CommentedMap | None) -> dict[str, Any]:
    """The entry's values as plain data (what the form shows)."""
    return _plain(node) if node is not None else {}


__all__ = [
    "ALL",
    "TOPICS",
    "TOPIC_LABELS",
    "ContentFile",
    "FormField",
    "Section",
    "YamlDocument",
    "YamlError",
    "content_file",
    "content_files",
    "editor_languages",
    "entry_values",
    "field_id",
    "form_fields",
    "record_from_form",
]
