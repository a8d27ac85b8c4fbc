"""Readability of every German text in the content (``welcome content readability``).

Walks the content the way staff see it in the files: file, entry (id) and
field, nested entries named like the content check names them
(``services[arbeit].text``). Titles, labels and FAQ questions are headings, not
running text: the formulas give a one-word title such as "Integrationskurs" a
Flesch score of -172, which would bury the texts staff can actually improve, so
they are left out unless asked for (``headings=True``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, NamedTuple

from bot.content.catalog import Content
from bot.content.models import LocalizedText
from bot.readability import Readability, score

HEADING_FIELDS = frozenset({"title", "label", "question"})
"""Fields holding headings rather than running text."""


class TextReadability(NamedTuple):
    """The readability of one German text of the content."""

    file: str
    entry: str
    field: str
    readability: Readability


def content_readability(
    content: Content, *, headings: bool = False, min_flesch: float | None = None
) -> list[TextReadability]:
    """(file, entry, field, readability) of each German text in ``content``, in file order.

    Args:
        content: the content to measure (e.g. :func:`bot.content.get_content`).
        headings: include titles, labels and FAQ questions.
        min_flesch: threshold for ``plain``; default ``WELCOME_READABILITY_MIN_FLESCH``.
    """
    results = []
    for file, entry, field, text in german_texts(content):
        if not headings and field.rsplit(".", 1)[-1] in HEADING_FIELDS:
            continue
        results.append(TextReadability(file, entry, field, score(text, min_flesch=min_flesch)))
    return results


def hardest_first(results: list[TextReadability]) -> list[TextReadability]:
    """Sorted from the hardest text (lowest Flesch) to the easiest."""
    return sorted(results, key=lambda r: (r.readability.flesch_amstad, r.file, r.entry, r.field))


def german_texts(content: Content) -> Iterator[tuple[str, str, str, str]]:
    """(file, entry, field, German text) of every localized text in ``content``."""
    groups: list[tuple[str, str | None, Any]] = [
        ("offers.yml", None, content.offers),
        ("internships.yml", None, content.internships),
        ("internships.yml", None, content.internship_fields),
        ("welcome_center.yml", None, (content.welcome_center,)),
        ("mentoring.yml", "mentoring", (content.mentoring,)),
        ("mentoring.yml", None, content.mentoring.find_mentor + content.mentoring.become_mentor),
        ("contacts.yml", None, (content.coordination_office, content.interpreter_pool)),
        # The FAQ joins the content with issue 11; before that there is none.
        ("faq.yml", None, tuple(getattr(content, "faq", ()) or ())),
    ]
    for file, entry_name, entries in groups:
        for entry in entries:
            name = entry_name if entry_name is not None else str(getattr(entry, "id", ""))
            for field, text in _localized_fields(entry, prefix=""):
                german = text.texts.get("de", "")
                if german.strip():
                    yield file, name, field, german


def _localized_fields(entry: Any, prefix: str) -> Iterator[tuple[str, LocalizedText]]:
    """(field path, text) of the entry's localized texts, nested entries' included.

    Entries that are listed in their own right (mentoring's find_mentor and
    become_mentor) are left to their own walk.
    """
    if not dataclasses.is_dataclass(entry):
        return
    for field in dataclasses.fields(entry):
        value = getattr(entry, field.name, None)
        key = field.metadata.get("key") or field.name
        if isinstance(value, LocalizedText):
            yield f"{prefix}{key}", value
        elif (
            isinstance(value, tuple)
            and value
            and all(dataclasses.is_dataclass(item) for item in value)
            and field.metadata.get("nested", True)
        ):
            for index, item in enumerate(value):
                label = getattr(item, "id", None) or str(index)
                yield from _localized_fields(item, prefix=f"{prefix}{key}[{label}].")
