"""Fallbacks, interruptions of forms, cancelling, and deleting a user's data."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.language import (
    ActionChangeLanguage,
    ActionLanguageUnavailable,
    answers_language_question,
)
from bot import privacy
from bot.forms import form_required_slots
from bot.translation.engine import get_translator
from bot.vocabulary import CHAT_CONTACT

logger = logging.getLogger(__name__)

FALLBACKS_BEFORE_OFFERING_A_PERSON = 2

# Slots that belong to one request and are cleared when it ends either way.
REQUEST_SLOTS = (
    "consent",
    "contact",
    "contact_as_written",
    "handoff_note",
    "handoff_category",
    "attempts",
    "unclear_question",
    "correction_pending",
    "interpreter_confirmed",
)

# The handoff form's questions: kept when a form is left for a person (see
# ActionLeaveFormForPerson).
HANDOFF_ANSWERS = ("consent", "contact", "contact_as_written", "handoff_note")


def form_reset_events(form: str | None, domain: dict[str, Any]) -> list[dict[str, Any]]:
    """SlotSet(None) for a form's slots (the town is kept) and the request slots."""
    form_slots = form_required_slots(form, domain)
    names = [name for name in form_slots if name != "municipality"] + list(REQUEST_SLOTS)
    return [SlotSet(name, None) for name in dict.fromkeys(names)]


class ActionHandleFallback(Action):
    def name(self) -> str:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        count = int(tracker.get_slot("fallback_count") or 0) + 1
        offer_a_person = count >= FALLBACKS_BEFORE_OFFERING_A_PERSON
        if offer_a_person:
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_default")
            dispatcher.utter_message(response="utter_help")
        return [
            SlotSet("fallback_count", float(count)),
            SlotSet("fallback_offered", offer_a_person),
        ]


class ActionHandleFormInterruption(Action):
    """Answers a question asked in the middle of a form; the form then asks again."""

    def name(self) -> str:
        return "action_handle_form_interruption"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = common.latest_intent(tracker)
        if intent == "change_language" and answers_language_question(tracker):
            return []  # the language is the answer; the form goes on
        if intent == "change_language":
            return await ActionChangeLanguage().run(dispatcher, tracker, domain)
        if intent == "language_unavailable":
            return await ActionLanguageUnavailable().run(dispatcher, tracker, domain)
        if intent == "bot_challenge":
            dispatcher.utter_message(response="utter_bot_challenge")
        elif intent == "ask_why" and tracker.get_slot("requested_slot") in ("consent", "contact"):
            dispatcher.utter_message(response="utter_privacy_notice")
        elif intent == "ask_why":
            dispatcher.utter_message(response="utter_why_generic")
        else:
            dispatcher.utter_message(response="utter_form_help")
        return []


class ActionCancelForm(Action):
    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_form_cancelled")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *form_reset_events((tracker.active_loop or {}).get("name"), domain),
        ]


class ActionLeaveFormForPerson(Action):
    """Ends a form without a word when the user asks for a person at its way out.

    The handoff form starts right after (data/rules/forms.yml) and says itself
    what happens. The answers the handoff asks for are kept: a "yes" to
    consent and a contact given moments ago for the same office are not asked
    again (a SlotSet(None) for them here would also reach the handoff form as
    an empty answer). Someone who gave consent but no contact was stuck at the
    contact question: the office answers in the chat, the one way known to
    reach them.
    """

    def name(self) -> str:
        return "action_leave_form_for_person"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        form = (tracker.active_loop or {}).get("name")
        events = [ActiveLoop(None), SlotSet("requested_slot", None)]
        events += [
            event
            for event in form_reset_events(form, domain)
            if event["name"] not in HANDOFF_ANSWERS
        ]
        if tracker.get_slot("consent") is True and tracker.get_slot("contact") is None:
            events.append(SlotSet("contact", CHAT_CONTACT))
        return events


class ActionDeleteUserData(Action):
    """Deletes everything stored about the user (bot.privacy), then says so.

    The Rasa server still holds the conversation in memory; the tracker store
    (``bot.store.tracker_store``) sees this action in the tracker and stores
    only what comes after it.
    """

    def name(self) -> str:
        return "action_delete_user_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            forgotten = privacy.forget(tracker.sender_id, translation_cache=get_translator().cache)
        except Exception:  # the user must hear that it failed, not get silence
            logger.exception("Deleting a user's data failed")
            dispatcher.utter_message(response="utter_delete_failed")
            return []
        dispatcher.utter_message(response="utter_data_deleted", deleted_requests=forgotten.requests)
        language = tracker.get_slot("language")
        return [AllSlotsReset(), SlotSet("language", language)]
