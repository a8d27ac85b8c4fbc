"""Shared helpers for actions: services created once per process, on first use."""

from __future__ import annotations

import logging
from functools import lru_cache

from rasa_sdk import Tracker

from bot import DEFAULT_LANGUAGE, LANGUAGES
from bot.content import get_content
from bot.store import RequestStore
from bot.translation.availability import can_serve

logger = logging.getLogger(__name__)

# Loaded once per action-server process; `welcome content check` validates the
# same files before a deployment, so a broken file fails there, not in a chat.
content = get_content


@lru_cache(maxsize=1)
def store() -> RequestStore:
    request_store = RequestStore()
    request_store.migrate()
    return request_store


def reply_language(tracker: Tracker) -> str:
    """The conversation's language: native, or another one with installed models."""
    language = tracker.get_slot("language")
    if language in LANGUAGES:
        return language
    if language and can_serve(language):
        return language
    return DEFAULT_LANGUAGE


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"
