"""The dialogue's vocabulary: the names the domain, the actions, the store and the channels share.

Rasa's domain (``config/domain/*.yml``) spells these names out in YAML; the
Python side takes them from here only, and ``tests/bot/test_vocabulary.py``
holds the domain to this module (every ``from_text`` mapping excludes exactly
the meta intents, every category and topic is one the domain knows, ...).
"""

from __future__ import annotations

import json

META_INTENTS = (
    "stop",
    "ask_why",
    "help",
    "change_language",
    "language_unavailable",
    "delete_data",
    "bot_challenge",
)
"""Intents that only interrupt a form; anything else the user writes while a
form asks something is an answer to that question (``not_intent`` of every
``from_text`` slot mapping)."""

HANDOFF_CATEGORIES = (
    "interpreter",
    "human",
    "welcome_center_referral",
    "internship",
    "mentoring_find",
    "mentoring_become",
    "fallback",
)
"""What a request handed to the coordination office is about."""

OFFER_TOPICS = ("integration_course", "language_course", "counselling", "general")
"""Topics of offers: the ``topic`` entity's values and the content's ``topics``."""

INTERPRETER_FIELDS = (
    "interpreter_language",
    "interpreter_dialect",
    "appointment_date",
    "appointment_time",
    "appointment_kind",
    "appointment_place",
    "municipality",
    "interpreter_mode",
    "contact",
    "description",
)
"""What an interpreter request collects, in the order the summary shows it."""

ALL_MUNICIPALITIES = "all"
"""The ``municipality`` slot's value for "the whole county"."""

CHAT_CONTACT = "chat"
"""The ``contact`` slot's value for "answer me here in the chat"."""

WAY_OUT_SLOT = "way_out"
"""The question a form asks instead of repeating one the user could not answer:
write it once more, skip it, talk to a person or stop (``actions/validation.py``).
Its buttons send the ``way_out`` entity."""

WAY_OUT_SKIP = "skip"
"""The ``way_out`` entity's value for "go on without this answer"."""

TO_CLARIFY = "to_clarify"
"""The value of a question skipped at the way out: the office clarifies it with
the user in the chat (a search then goes on without that filter)."""


def payload(intent: str, **entities: str) -> str:
    """The message a button sends: ``/intent`` or ``/intent{"entity": "value"}``.

    Rasa reads such a message as that intent with those entities, without the
    NLU. (The domain's YAML writes the same with doubled braces, because Rasa
    formats response texts and buttons with slot values.)
    """
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}"
