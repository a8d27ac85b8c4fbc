"""Staff-maintained content of the assistant (``data/content/*.yml``).

Staff edit the YAML files; ``welcome content check`` validates them. The
dialogue uses::

    from bot.content import load_content, get_content
    content = get_content()                      # cached, from settings.content_dir
    content.offers_for("language_course", "Sindelfingen")
    content.match_municipality("boblingen")      # -> "Böblingen"

and :mod:`bot.content.render` to turn entries into chat texts.
"""

from __future__ import annotations

from functools import lru_cache

from bot.content.catalog import Content
from bot.content.loader import FILES, load_content
from bot.content.models import (
    TOPICS,
    Contact,
    ContentError,
    ContentIssue,
    FaqEntry,
    Field,
    Guideline,
    Internship,
    InterpreterPool,
    LocalizedText,
    Mentoring,
    MentoringEntry,
    Municipality,
    Offer,
    Organisation,
    ReviewStatus,
    Service,
    WelcomeCenter,
)


@lru_cache(maxsize=1)
def get_content() -> Content:
    """The content from ``settings.content_dir``, loaded once per process.

    Call ``get_content.cache_clear()`` to reload after the files changed.
    """
    return load_content()


__all__ = [
    "FILES",
    "TOPICS",
    "Contact",
    "Content",
    "ContentError",
    "ContentIssue",
    "FaqEntry",
    "Field",
    "Guideline",
    "Internship",
    "InterpreterPool",
    "LocalizedText",
    "Mentoring",
    "MentoringEntry",
    "Municipality",
    "Offer",
    "Organisation",
    "ReviewStatus",
    "Service",
    "WelcomeCenter",
    "get_content",
    "load_content",
]
