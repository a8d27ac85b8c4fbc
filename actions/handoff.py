"""Handoff to the coordination office: consent, contact, store, reference number."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.core import REQUEST_SLOTS
from actions.validation import CommonFormValidation
from bot.casework.notify import announce_new_request
from bot.content.render import render_contact_card
from bot.handoff import (
    CATEGORIES_WITH_NOTE,
    CATEGORY_AFTER_ACTION,
    add_german_translations,
    collect_fields,
    conversation_excerpt,
    normalize_category,
)
from bot.settings import get_settings
from bot.texts import render_marked
from bot.translation.runtime import to_german

logger = logging.getLogger(__name__)

_NOT_A_DECISION = ("action_listen", "action_extract_slots", "action_validate_slot_mappings")


def previous_bot_action(tracker: Tracker) -> str | None:
    """The bot's last action before the latest user message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "action":
            name = event.get("name")
            if name not in _NOT_A_DECISION:
                return name
    return None


def store_request(tracker: Tracker, category: str) -> str:
    """Persist the request and return its reference (raises if it could not)."""
    language = common.reply_language(tracker)
    fields = collect_fields(category, tracker.slots)
    excerpt = conversation_excerpt(tracker.events, get_settings().handoff_excerpt_turns)
    if language != "de":
        fields, excerpt = with_german_for_office(fields, excerpt, language)
    stored = common.store().save_request(
        sender_id=tracker.sender_id,
        channel=common.channel_of(tracker),
        category=category,
        language=language,
        fields=fields,
        excerpt=excerpt,
    )
    logger.info("Stored %s request %s", category, stored.reference)
    announce_new_request(stored.reference, category)
    return stored.reference


def with_german_for_office(fields: dict, excerpt: list, language: str) -> tuple[dict, list]:
    """Add German machine translations of the user's words, if a model route exists.

    A missing or failing model never stops a request from being stored: the
    office then reads the original (and can ask for an interpreter).
    """
    return add_german_translations(fields, excerpt, lambda texts: to_german(texts, language))


def confirm_or_apologise(dispatcher: CollectingDispatcher, tracker: Tracker, category: str) -> None:
    """Store first, then tell the user; a failure is said, never hidden."""
    try:
        reference = store_request(tracker, category)
    except Exception:
        logger.exception("Storing a %s request failed", category)
        dispatcher.utter_message(response="utter_handoff_failed")
        show_office_contact(dispatcher, tracker)
        return
    dispatcher.utter_message(response="utter_handoff_confirmed", reference=reference)


def show_office_contact(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    office = common.content().coordination_office
    dispatcher.utter_message(
        text=render_marked(
            common.reply_language(tracker),
            render_contact_card,
            office,
            common.reply_language(tracker),
        )
    )


def clear_request_slots() -> list[dict[str, Any]]:
    return [SlotSet(name, None) for name in REQUEST_SLOTS]


class ActionStartHandoff(Action):
    def name(self) -> str:
        return "action_start_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        category = tracker.get_slot("handoff_category") or CATEGORY_AFTER_ACTION.get(
            previous_bot_action(tracker) or ""
        )
        dispatcher.utter_message(response="utter_handoff_intro")
        # The form's own slots are not reset here: a SlotSet(None) right before
        # the form starts would be validated as an (empty) answer. Every way out
        # of a request clears them instead (submit, cancel, delete).
        return [
            SlotSet("attempts", None),
            SlotSet("handoff_category", normalize_category(category)),
        ]


class ValidateHandoffForm(CommonFormValidation):
    def name(self) -> str:
        return "validate_handoff_form"

    # Asking for a person here is what the form is doing already.
    PERSON_ON_REQUEST = False

    def questions(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        if tracker.get_slot("consent") is False:
            return ["consent"]  # no consent: ask nothing personal
        if tracker.get_slot("handoff_category") in CATEGORIES_WITH_NOTE:
            return ["consent", "contact", "handoff_note"]
        return ["consent", "contact"]

    async def extract_handoff_note(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self.free_text_answer("handoff_note", tracker, skippable=True)

    def validate_handoff_note(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self.free_text("handoff_note", value, dispatcher, tracker, max_chars=1000)


class ActionSubmitHandoff(Action):
    def name(self) -> str:
        return "action_submit_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        category = normalize_category(tracker.get_slot("handoff_category"))
        if tracker.get_slot("consent") is True:
            confirm_or_apologise(dispatcher, tracker, category)
        else:
            dispatcher.utter_message(response="utter_handoff_declined")
            show_office_contact(dispatcher, tracker)
        return clear_request_slots()
