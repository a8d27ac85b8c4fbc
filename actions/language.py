"""Reply language: decided every turn, changed on request."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_intent
from bot import LANGUAGES
from bot.language import choose_reply_language, discount_names

# Form answers that are names, addresses or free descriptions: their language
# says nothing about the user's.
FREE_TEXT_SLOTS = (
    "appointment_place",
    "description",
    "handoff_note",
    "contact",
    "municipality",
)


def requested_language(tracker: Tracker) -> str | None:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "language":
            return str(entity.get("value"))
    return None


class ValidateSlotMappings(Action):
    """Runs after every user message (Rasa's ``action_validate_slot_mappings``).

    Sets the reply language from the explicit choice, the detected language
    and the channel's hint, and resets the count of misunderstandings once
    the user is understood again.
    """

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = latest_intent(tracker)
        current = tracker.get_slot("language")
        locked = bool(tracker.get_slot("language_locked"))
        explicit = requested_language(tracker) if intent == "change_language" else None
        metadata = tracker.latest_message.get("metadata") or {}
        detection = discount_names(
            tracker.latest_message.get("language"),
            tracker.latest_message.get("text") or "",
            tracker.latest_message.get("entities") or [],
        )
        if tracker.active_loop and tracker.get_slot("requested_slot") in FREE_TEXT_SLOTS:
            # Addresses, names and descriptions are often German whatever the
            # user's language ("Praxis Dr. Muster, Bahnhofstraße 1").
            detection = None
        language = choose_reply_language(
            current=current,
            detection=detection,
            hint=metadata.get("language_hint"),
            explicit=explicit,
            locked=locked,
        )
        events = []
        if language != current:
            events.append(SlotSet("language", language))
        if explicit in LANGUAGES and not locked:
            events.append(SlotSet("language_locked", True))
        if intent != "nlu_fallback" and tracker.get_slot("fallback_count"):
            events.append(SlotSet("fallback_count", 0.0))
        return events


class ActionChangeLanguage(Action):
    def name(self) -> str:
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        requested = requested_language(tracker)
        if requested in LANGUAGES:
            # The slot was already switched by action_validate_slot_mappings,
            # so this confirmation comes in the new language.
            dispatcher.utter_message(response="utter_language_changed")
        elif requested:
            dispatcher.utter_message(response="utter_language_not_available")
        else:
            dispatcher.utter_message(response="utter_choose_language")
        return []
