"""Staff-maintained content of the assistant (``data/content/*.yml``).

Staff edit the YAML files; ``welcome content check`` validates them. The
dialogue uses::

    from bot.content import load_content, get_content
    content = get_content()                      # the published content (see below)
    content.offers_for("language_course", "Sindelfingen")
    content.match_municipality("boblingen")      # -> "Böblingen"

and :mod:`bot.content.render` to turn entries into chat texts.

``get_content()`` serves the latest publication in the database (staff publish
in the office, :mod:`bot.content.store`), else the files in
``settings.content_dir``; a running process notices a new publication within
``WELCOME_CONTENT_REFRESH_SECONDS`` (:mod:`bot.content.published`).
``content_version()`` says which one is served.
"""

from __future__ import annotations

from bot.content.catalog import Content
from bot.content.loader import FILES, load_content, load_content_from_texts
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
from bot.content.published import PublishedContent

get_content = PublishedContent()
"""``get_content() -> Content``: the published content, refreshed on a new version.

``get_content.cache_clear()`` forgets it (reload after the files changed by hand).
"""


def content_version() -> str:
    """What :func:`get_content` serves: ``db:<version>`` or ``files:<hash>``."""
    return get_content.version()


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
    "content_version",
    "get_content",
    "load_content",
    "load_content_from_texts",
]
