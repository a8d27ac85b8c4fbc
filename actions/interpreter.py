"""Interpreter request for an appointment, from the county's interpreter pool."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.core import form_reset_events
from actions.handoff import confirm_or_apologise, show_office_contact
from actions.validation import CommonFormValidation
from bot.answers import (
    MAX_DESCRIPTION,
    clean_text,
    display_contact,
    names_a_date,
    parse_date_and_time,
    parse_time,
)
from bot.content.render import render_interpreter_guidelines
from bot.language_names import display_name, language_code_from_text
from bot.texts import choice_label, label, match_choice, render_marked
from bot.vocabulary import ALL_MUNICIPALITIES, CHAT_CONTACT, INTERPRETER_FIELDS, TO_CLARIFY

ABANDONED = "abandoned"


def today() -> dt.date:
    return dt.date.today()


def format_value(slot: str, value: Any, language: str) -> str:
    if value in (None, "", "-"):
        return label("none", language)
    if value == TO_CLARIFY:
        return label("to_clarify", language)
    if slot == "interpreter_language":
        return display_name(str(value), language) if len(str(value)) <= 3 else str(value)
    if slot == "appointment_date":
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d.%m.%Y")
        except ValueError:
            return str(value)
    if slot in ("appointment_kind", "interpreter_mode"):
        return choice_label(slot, str(value), language)
    if slot == "contact" and value == CHAT_CONTACT:
        return label("chat", language)
    if slot == "contact":
        return display_contact(str(value))
    if slot == "municipality" and value == ALL_MUNICIPALITIES:
        return label("all_municipalities", language)
    return str(value)


def interpreter_summary(slots: dict[str, Any], language: str) -> str:
    return "\n".join(
        f"• {label(slot, language)}: {format_value(slot, slots.get(slot), language)}"
        for slot in INTERPRETER_FIELDS
    )


class ActionShowInterpreterGuidelines(Action):
    def name(self) -> str:
        return "action_show_interpreter_guidelines"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = common.reply_language(tracker)
        dispatcher.utter_message(response="utter_interpreter_intro")
        dispatcher.utter_message(
            text=render_marked(language, render_interpreter_guidelines, language, common.content())
        )
        events = [SlotSet("attempts", None), SlotSet("correction_pending", None)]
        unserved = tracker.get_slot("user_language")
        if unserved and not tracker.get_slot("interpreter_language"):
            # The user's own language is the one no machine could translate:
            # that is the interpreter they need, no need to ask.
            events.append(SlotSet("interpreter_language", unserved))
        return events


class ValidateInterpreterForm(CommonFormValidation):
    def name(self) -> str:
        return "validate_interpreter_form"

    def questions(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        if tracker.get_slot("consent") is False:
            # Without consent nothing personal is asked or stored.
            return domain_slots[: domain_slots.index("consent") + 1]
        return domain_slots

    async def extract_interpreter_dialect(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self.free_text_answer("interpreter_dialect", tracker, skippable=True)

    async def extract_appointment_place(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self.free_text_answer("appointment_place", tracker)

    async def extract_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self.free_text_answer("description", tracker)

    def validate_interpreter_language(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        text = clean_text(str(value or ""), max_chars=60)
        code = language_code_from_text(text) if text else None
        if code:
            return self.accepted("interpreter_language", code)
        # A language we have no name for yet ("Wolof") is still a valid answer.
        if text and "?" not in text and len(text.split()) <= 3:
            return self.accepted("interpreter_language", text)
        return self.retry("interpreter_language", dispatcher, tracker)

    def validate_interpreter_dialect(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self.free_text("interpreter_dialect", value, dispatcher, tracker, max_chars=100)

    def validate_appointment_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        text = str(value or "")
        date, time = parse_date_and_time(text, common.reply_language(tracker), today())
        if date is None:
            # "um 10 Uhr" is an answer, just to the next question.
            only_a_time = parse_time(text, bare_hours=False) is not None
            response = "utter_date_is_a_time" if only_a_time else "utter_date_invalid"
            return self.retry("appointment_date", dispatcher, tracker, response)
        if date < today():
            return self.retry("appointment_date", dispatcher, tracker, "utter_date_in_past")
        result = self.accepted("appointment_date", date.isoformat())
        # "15.12. um 10:30" answers the next question as well.
        if time and not tracker.get_slot("appointment_time"):
            result["appointment_time"] = time.strftime("%H:%M")
        return result

    def validate_appointment_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        text = str(value or "")
        time = parse_time(text)
        if time is None:
            # "am 3. Januar" is no 3 o'clock: say that a time is asked for.
            response = "utter_time_is_a_date" if names_a_date(text) else "utter_time_invalid"
            return self.retry("appointment_time", dispatcher, tracker, response)
        return self.accepted("appointment_time", time.strftime("%H:%M"))

    def _choice(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        choice = match_choice(slot, str(value or ""))
        if choice:
            return self.accepted(slot, choice)
        if self.last_try(tracker):
            # Not stuck on buttons forever: keep what the user wrote for the office.
            text = clean_text(str(value or ""), max_chars=100)
            return self.accepted(slot, text or "other")
        return self.retry(slot, dispatcher, tracker, "utter_choose_with_buttons")

    def validate_appointment_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self._choice("appointment_kind", value, dispatcher, tracker)

    def validate_interpreter_mode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self._choice("interpreter_mode", value, dispatcher, tracker)

    def validate_appointment_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self.free_text("appointment_place", value, dispatcher, tracker, max_chars=200)

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self.free_text("description", value, dispatcher, tracker, MAX_DESCRIPTION)

    def validate_interpreter_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if value is True:
            return {"interpreter_confirmed": True, "attempts": None}
        language = common.reply_language(tracker)
        field = value if value in INTERPRETER_FIELDS else _field_from_label(str(value), language)
        if field:
            # Ask that one question again, then show the summary again.
            return {
                field: None,
                "interpreter_confirmed": None,
                "correction_pending": None,
                "attempts": None,
            }
        if value is False:
            return {"interpreter_confirmed": None, "correction_pending": True}
        if self.last_try(tracker):
            # Never sent unconfirmed (like consent): the request is dropped.
            return {"interpreter_confirmed": ABANDONED, "attempts": None}
        return self.retry("interpreter_confirmed", dispatcher, tracker)


def _field_from_label(text: str, language: str) -> str | None:
    wanted = text.strip().casefold()
    for field in INTERPRETER_FIELDS:
        if wanted in (label(field, language).casefold(), label(field, "de").casefold()):
            return field
    return None


class ActionAskInterpreterConfirmed(Action):
    """Shows the summary to confirm, or the list of fields when correcting."""

    def name(self) -> str:
        return "action_ask_interpreter_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("correction_pending"):
            dispatcher.utter_message(response="utter_ask_change_field")
            return []
        summary = interpreter_summary(tracker.slots, common.reply_language(tracker))
        dispatcher.utter_message(response="utter_interpreter_summary", summary=summary)
        return []


class ActionSubmitInterpreterRequest(Action):
    def name(self) -> str:
        return "action_submit_interpreter_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("consent") is not True:
            dispatcher.utter_message(response="utter_handoff_declined")
            show_office_contact(dispatcher, tracker)
        elif tracker.get_slot("interpreter_confirmed") is True:
            confirm_or_apologise(dispatcher, tracker, "interpreter")
        else:
            dispatcher.utter_message(response="utter_interpreter_not_sent")
        return form_reset_events("interpreter_form", domain)
