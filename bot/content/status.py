"""Per-language status of every content text, from hashes of the German it was made from.

Each translated text (file, entry, field, language) has a record of the German
text it was written or reviewed for (``content_text_sources``: a SHA-256 of
the German with its whitespace collapsed, as the chat shows it). Comparing
that hash with the hash of today's German says whether the translation still
fits. The statuses, for the editor's lists:

* ``up_to_date``: staff wrote it for the current German and a native speaker
  reviewed it (English needs no native review: staff write it with the German);
* ``awaiting_review``: written for the current German, not reviewed yet; also
  a curated text without a record whose language the file lists in
  ``review.pending`` (the files' own review block, before the office knew it);
* ``outdated``: the German changed since the translation was written;
* ``machine_translated``: no text by staff, but a prepared machine translation
  of the current source text exists (``welcome content translate``); or a
  machine translation of the current German that an editor saved in the
  office (origin ``machine``), not reviewed yet;
* ``missing``: neither.

German is the source of every text and has no status.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import LANGUAGES
from bot.prepared import PreparedTranslations, source_text

SOURCE_LANGUAGE = "de"
UP_TO_DATE = "up_to_date"
AWAITING_REVIEW = "awaiting_review"
OUTDATED = "outdated"
MACHINE_TRANSLATED = "machine_translated"
MISSING = "missing"
STATUSES = (UP_TO_DATE, AWAITING_REVIEW, OUTDATED, MACHINE_TRANSLATED, MISSING)

#: Languages that need no native review (staff write them next to the German).
NO_REVIEW_NEEDED = ("en",)

CURATED = "curated"
MACHINE = "machine"

TextKey = tuple[str, str, str, str]
"""(file, entry, field, language)."""


def text_hash(text: str) -> str:
    """SHA-256 of ``text`` as the chat shows it (whitespace collapsed, like the loader)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SourceRecord:
    """A row of ``content_text_sources``."""

    source_hash: str
    origin: str = CURATED
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None


@dataclass(frozen=True)
class TextStatus:
    """The status of one text in one language."""

    file: str
    entry: str
    field: str
    language: str
    status: str
    #: The current German text (what a translation is made from).
    german: str
    #: The text in ``language`` written by staff, if any.
    text: str | None = None
    reviewed_by: str | None = None


# --------------------------------------------------------------------------- texts


def _is_localized(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and bool(node)
        and all(isinstance(key, str) and key in LANGUAGES for key in node)
        and all(isinstance(value, str) for value in node.values())
    )


def _label(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in ("id", "name"):
            value = item.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return f"#{index}"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def localized_texts(data: Any) -> dict[tuple[str, str], dict[str, str]]:
    """(entry, field) -> language -> text (whitespace collapsed) of one file's YAML data.

    Entries and fields are named like the content check names them: a list's
    entries by their id (towns by name), records by their id, nested entries
    as ``services[id].title``.
    """
    result: dict[tuple[str, str], dict[str, str]] = {}

    def walk(node: Any, entry: str | None, path: str, top: str) -> None:
        if _is_localized(node):
            texts = {code: " ".join(text.split()) for code, text in node.items()}
            result[(entry or top, path)] = {code: text for code, text in texts.items() if text}
        elif isinstance(node, dict):
            if entry is None and isinstance(node.get("id"), str):
                entry, path = node["id"].strip(), ""
            for key, value in node.items():
                walk(value, entry, _join(path, str(key)), top)
        elif isinstance(node, list):
            for index, item in enumerate(node, 1):
                label = _label(item, index)
                if entry is None:
                    walk(item, label, "", top)
                else:
                    walk(item, entry, f"{path}[{label}]", top)

    if isinstance(data, dict):
        for key, value in data.items():
            if key != "review":
                walk(value, None, "", str(key))
    return result


def review_block(data: Any) -> tuple[set[str], set[str]]:
    """The languages a file's ``review`` block lists as (pending, reviewed)."""
    review = data.get("review") if isinstance(data, dict) else None
    if not isinstance(review, dict):
        return set(), set()

    def codes(value: Any) -> set[str]:
        if isinstance(value, str):
            return {value}
        return {str(code) for code in value} if isinstance(value, list) else set()

    return codes(review.get("pending")), codes(review.get("reviewed"))


def parse(text: str) -> Any:
    """The YAML data of a file's text (None if it is not valid YAML)."""
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None


# --------------------------------------------------------------------------- statuses


def default_languages(prepared: PreparedTranslations | None = None) -> list[str]:
    """The native languages but German, then any language with prepared translations."""
    codes = [code for code in LANGUAGES if code != SOURCE_LANGUAGE]
    if prepared is not None:
        codes += [code for code in prepared.languages() if code not in codes]
    return [code for code in codes if code != SOURCE_LANGUAGE]


def text_statuses(
    texts: Mapping[str, str],
    records: Mapping[TextKey, SourceRecord],
    *,
    prepared: PreparedTranslations | None = None,
    languages: Iterable[str] | None = None,
) -> list[TextStatus]:
    """The status of every text of ``texts`` (file name -> YAML) in ``languages``."""
    codes = list(languages) if languages is not None else default_languages(prepared)
    result = []
    for file, yaml_text in texts.items():
        data = parse(yaml_text)
        pending, reviewed = review_block(data)
        for (entry, field), localized in localized_texts(data).items():
            german = localized.get(SOURCE_LANGUAGE)
            if not german:
                continue
            for code in codes:
                if code == SOURCE_LANGUAGE:
                    continue
                record = records.get((file, entry, field, code))
                status = _status(
                    localized, code, record, pending=pending, reviewed=reviewed, prepared=prepared
                )
                result.append(
                    TextStatus(
                        file,
                        entry,
                        field,
                        code,
                        status,
                        german,
                        localized.get(code),
                        record.reviewed_by if record else None,
                    )
                )
    return result


def _status(
    localized: Mapping[str, str],
    code: str,
    record: SourceRecord | None,
    *,
    pending: set[str],
    reviewed: set[str],
    prepared: PreparedTranslations | None,
) -> str:
    if localized.get(code):
        if record is None:
            if code in NO_REVIEW_NEEDED or (code in reviewed and code not in pending):
                return UP_TO_DATE
            return AWAITING_REVIEW
        if record.source_hash != text_hash(localized[SOURCE_LANGUAGE]):
            return OUTDATED
        if record.origin == MACHINE and not record.reviewed:
            # Saved from the office's "maschinell übersetzen": English too needs a look.
            return MACHINE_TRANSLATED
        if code in NO_REVIEW_NEEDED or record.reviewed:
            return UP_TO_DATE
        return AWAITING_REVIEW
    source = source_text(localized)
    if prepared is not None and source and prepared.lookup(source, code):
        return MACHINE_TRANSLATED
    return MISSING


def summary(statuses: Iterable[TextStatus]) -> dict[str, dict[str, dict[str, int]]]:
    """file -> language -> status -> count (every status present, zeros included)."""
    counts: dict[str, dict[str, Counter[str]]] = {}
    for item in statuses:
        counts.setdefault(item.file, {}).setdefault(item.language, Counter())[item.status] += 1
    return {
        file: {
            code: {status: counter.get(status, 0) for status in STATUSES}
            for code, counter in by_language.items()
        }
        for file, by_language in counts.items()
    }


# --------------------------------------------------------------------------- records


def changed_translations(
    old_text: str | None, new_text: str
) -> Iterator[tuple[str, str, str, str]]:
    """(entry, field, language, German hash) of each non-German text that ``new_text`` changes.

    These are the translations staff (re)wrote: they are recorded as made from
    the current German and not reviewed yet.
    """
    old = localized_texts(parse(old_text)) if old_text is not None else {}
    for (entry, field), localized in localized_texts(parse(new_text)).items():
        german = localized.get(SOURCE_LANGUAGE)
        if not german:
            continue
        before = old.get((entry, field), {})
        for code, text in localized.items():
            if code != SOURCE_LANGUAGE and before.get(code) != text:
                yield entry, field, code, text_hash(german)


def curated_translations(text: str) -> Iterator[tuple[str, str, str, str, bool]]:
    """(entry, field, language, German hash, reviewed) of every non-German text of a file.

    For an import: each text counts as made from the current German, reviewed
    when the file's review block lists its language as reviewed.
    """
    data = parse(text)
    pending, reviewed = review_block(data)
    for (entry, field), localized in localized_texts(data).items():
        german = localized.get(SOURCE_LANGUAGE)
        if not german:
            continue
        for code in localized:
            if code != SOURCE_LANGUAGE:
                done = code in NO_REVIEW_NEEDED or (code in reviewed and code not in pending)
                yield entry, field, code, text_hash(german), done
