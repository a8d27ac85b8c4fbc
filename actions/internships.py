"""Internships and projects for young people: age, interest, town."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.validation import CommonFormValidation
from bot.answers import parse_age
from bot.content.render import render_internship
from bot.texts import render_marked
from bot.vocabulary import ALL_MUNICIPALITIES, TO_CLARIFY, payload

MAX_RESULTS = 3


class ValidateInternshipForm(CommonFormValidation):
    def name(self) -> str:
        return "validate_internship_form"

    def validate_age(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        age = parse_age(value)
        if age is None:
            return self.retry("age", dispatcher, tracker, "utter_age_invalid")
        return self.accepted("age", str(age))

    def validate_internship_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        known = {field.id for field in common.content().internship_fields}
        field = value if value in known else common.content().match_internship_field(str(value))
        if field:
            return self.accepted("internship_field", field)
        return self.retry("internship_field", dispatcher, tracker, "utter_field_unknown")


class ActionAskInternshipField(Action):
    """Asks for the field of interest with one button per field from the content."""

    def name(self) -> str:
        return "action_ask_internship_field"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = common.reply_language(tracker)
        buttons = [
            {
                "title": field.label(language),
                "payload": payload("inform", internship_field=field.id),
            }
            for field in common.content().internship_fields
        ]
        dispatcher.utter_message(response="utter_ask_internship_field", buttons=buttons)
        return []


class ActionShowInternships(Action):
    def name(self) -> str:
        return "action_show_internships"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = common.reply_language(tracker)
        municipality = tracker.get_slot("municipality")
        age = tracker.get_slot("age")
        field = tracker.get_slot("internship_field")
        content = common.content()
        # A question skipped at the way out (TO_CLARIFY) filters nothing.
        matches = content.internships_for(
            age=int(age) if age and str(age).isdigit() else None,
            field=None if field == TO_CLARIFY else field,
            municipality=None if municipality == ALL_MUNICIPALITIES else municipality,
        )
        if matches:
            dispatcher.utter_message(response="utter_internships_intro")
            for item in matches[:MAX_RESULTS]:
                dispatcher.utter_message(
                    text=render_marked(language, render_internship, item, language),
                    answer_id=f"internship:{item.id}",
                )
        else:
            dispatcher.utter_message(response="utter_no_internships")
        # Either way a person can help further (rules: affirm -> handoff).
        dispatcher.utter_message(response="utter_ask_internship_handoff")
        return []
