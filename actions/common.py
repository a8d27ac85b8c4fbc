"""Shared helpers for actions: services created once per process, on first use."""

from __future__ import annotations

import logging
from functools import lru_cache

from rasa_sdk import Tracker

from bot import LANGUAGES
from bot.content import get_content
from bot.language import TurnFacts, decide_reply_language
from bot.store import RequestStore
from bot.translation.availability import can_serve

logger = logging.getLogger(__name__)

# The published content: a publication in the office is served within about a
# second (bot.content.get_content); every version passed `welcome content check`'s
# validation before it was published, so a broken file fails there, not in a chat.
content = get_content


@lru_cache(maxsize=1)
def store() -> RequestStore:
    request_store = RequestStore()
    request_store.migrate()
    return request_store


def reply_language(tracker: Tracker) -> str:
    """The conversation's language: native, or another one with installed models.

    Decided by the one rule (:func:`bot.language.decide_reply_language`); the
    turn's own facts were applied to the ``language`` slot already
    (``action_validate_slot_mappings``), so the slot is the fact that counts.
    """
    language = tracker.get_slot("language")
    # Checking models costs a folder scan: only for a language beyond the native ones.
    served = (language,) if language not in LANGUAGES and can_serve(language) else ()
    return decide_reply_language(TurnFacts(current=language, supported=(*LANGUAGES, *served)))


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"
