"""Validation shared by every form: town, consent, contact, attempt counting."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import common
from bot.answers import clean_text, parse_contact
from bot.forms import form_required_slots
from bot.texts import means_chat, words
from bot.vocabulary import ALL_MUNICIPALITIES, CHAT_CONTACT, META_INTENTS

# After this many answers the bot cannot use, it stops asking the same thing.
MAX_ATTEMPTS = 3
# A free-text answer is taken as a command instead ("stop", "warum?") only when
# it is short and the NLU is sure: "Fragen zur Wohnungssuche" is a description.
COMMAND_MAX_WORDS = 4
COMMAND_MIN_CONFIDENCE = 0.8


class CommonFormValidation(FormValidationAction):
    """Base class of all form validations; not registered itself (no name)."""

    @abstractmethod
    def name(self) -> str:
        """Abstract, so rasa_sdk's executor does not register this base class."""

    def domain_slots(self, domain: dict[str, Any]) -> list[str]:
        # Rasa sends no domain (endpoints.yml: enable_selective_domain); the
        # forms' questions come from the served model instead (bot/forms.py).
        return form_required_slots(self.form_name(), domain)

    @staticmethod
    def attempts(tracker: Tracker) -> int:
        return int(tracker.get_slot("attempts") or 0)

    def retry(
        self,
        slot: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        response: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Reject an answer politely; the form then asks its question again."""
        if response:
            dispatcher.utter_message(response=response, **kwargs)
        return {slot: None, "attempts": float(self.attempts(tracker) + 1)}

    @staticmethod
    def accepted(slot: str, value: Any) -> dict[str, Any]:
        return {slot: value, "attempts": None}

    def validate_municipality(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if value == ALL_MUNICIPALITIES:
            return self.accepted("municipality", ALL_MUNICIPALITIES)
        name = common.content().match_municipality(str(value or ""))
        if name:
            return self.accepted("municipality", name)
        if self.attempts(tracker) + 1 >= MAX_ATTEMPTS:
            # Better county-wide answers than a user stuck on a town name.
            return self.accepted("municipality", ALL_MUNICIPALITIES)
        return self.retry("municipality", dispatcher, tracker, "utter_municipality_unknown")

    def validate_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return self.accepted("consent", value)
        word = (clean_text(str(value)) or "").casefold().strip(" .!")
        if word in words("yes"):
            return self.accepted("consent", True)
        if word in words("no"):
            return self.accepted("consent", False)
        if self.attempts(tracker) + 1 >= MAX_ATTEMPTS:
            # Consent is never assumed: no answer means no.
            return self.accepted("consent", False)
        return self.retry("consent", dispatcher, tracker, "utter_consent_unclear")

    def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if value == CHAT_CONTACT or means_chat(str(value or "")):
            return self.accepted("contact", CHAT_CONTACT)
        contact = parse_contact(str(value or ""))
        if contact:
            return self.accepted("contact", contact)
        return self.retry("contact", dispatcher, tracker, "utter_contact_invalid")

    @staticmethod
    def free_text_answer(slot: str, tracker: Tracker, skippable: bool = False) -> dict[str, Any]:
        """Take the latest message as the answer to a free-text question.

        Free text is classified like any message, and descriptions such as
        "Gespräch über meine Aufenthaltserlaubnis" can look like a command
        ("delete my data"). So only a short, confidently classified command
        (or a button other than "skip") is left to the dialogue rules; anything
        else is the answer. Returning nothing makes the form hand over to rules.
        """
        if tracker.get_slot("requested_slot") != slot:
            return {}
        text = common.latest_text(tracker).strip()
        intent = tracker.latest_message.get("intent") or {}
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        if text.startswith("/"):
            return {slot: "-"} if skippable and name == "deny" else {}
        words = len(text.split())
        if skippable and name == "deny" and words <= COMMAND_MAX_WORDS:
            return {slot: "-"}
        is_command = name in META_INTENTS and confidence >= COMMAND_MIN_CONFIDENCE
        if is_command and words <= COMMAND_MAX_WORDS:
            return {}
        return {slot: text}

    def free_text(
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        max_chars: int,
    ) -> dict[str, Any]:
        if value == "-":
            return self.accepted(slot, "-")
        text = clean_text(str(value or ""), max_chars=max_chars)
        if text:
            return self.accepted(slot, text)
        if value and len(str(value)) > max_chars:
            return self.retry(slot, dispatcher, tracker, "utter_text_too_long", max_chars=max_chars)
        return self.retry(slot, dispatcher, tracker)
